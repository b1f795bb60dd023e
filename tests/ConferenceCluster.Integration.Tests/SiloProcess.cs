using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// A real silo: the ConferenceCluster.Silo host started as its own OS process with command-line configuration,
/// loading the probe grains through Silo:GrainAssemblies. Output is kept for the failure message.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(string name, Process process, int gatewayPort, int httpPort)
    {
        Name = name;
        _process = process;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int GatewayPort { get; }
    public int HttpPort { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Membership timings for process tests: a killed silo is declared dead within a few seconds.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastMembership = new Dictionary<string, string>
    {
        ["Cluster:Membership:ProbePeriod"] = "00:00:00.500",
        ["Cluster:Membership:ProbeTimeout"] = "00:00:00.500",
        ["Cluster:Membership:NumMissedProbesLimit"] = "2",
        ["Cluster:Membership:TableRefreshTimeout"] = "00:00:01",
        ["Cluster:Membership:IAmAliveTablePublishTimeout"] = "00:00:01",
    };

    /// <summary>The bound those timings give on detection: missed probes, then a vote round, then a table read.</summary>
    public static readonly TimeSpan FastDetectionBound = TimeSpan.FromSeconds(2 * (0.5 + 0.5) + 1 + 1);

    public static SiloProcess Start(string name, string clusterId, string storage, string connectionString, IReadOnlyDictionary<string, string>? extra = null)
    {
        var (siloPort, gatewayPort, httpPort) = (FreeTcpPort(), FreeTcpPort(), FreeTcpPort());
        var settings = new Dictionary<string, string>
        {
            ["Cluster:Id"] = clusterId,
            ["Cluster:Storage"] = storage,
            ["Cluster:ConnectionString"] = connectionString,
            ["Silo:Name"] = name,
            ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:Ports:Silo"] = siloPort.ToString(),
            ["Silo:Ports:Gateway"] = gatewayPort.ToString(),
            ["Silo:Ports:Http"] = httpPort.ToString(),
            ["Silo:Ports:Sip"] = "0",
            ["Silo:GrainAssemblies:0"] = typeof(TestGrains.IProbeGrain).Assembly.Location,
            ["Admin:Password"] = "integration-test-password",
        };
        foreach (var (key, value) in extra ?? FastMembership) settings[key] = value;

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(SiloAssemblyPath)!,
        };
        start.ArgumentList.Add(SiloAssemblyPath);
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        return new SiloProcess(name, Process.Start(start)!, gatewayPort, httpPort);
    }

    /// <summary>SIGKILL: the process gets no chance to say goodbye, as in a crash or an OOM kill.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: what systemd, Kubernetes and docker send to stop a silo.</summary>
    public void Terminate() => _ = kill(_process.Id, 15);

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The host built by the same build as these tests (the test script builds the solution first).</summary>
    public static string SiloAssemblyPath
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            var path = Path.Combine(RepositoryRoot, "src", "ConferenceCluster.Silo", "bin", configuration, "net10.0", "ConferenceCluster.Silo.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"build the solution first: {path} is missing");
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ConferenceCluster.sln")))
                directory = directory.Parent;
            return directory?.FullName ?? throw new InvalidOperationException("ConferenceCluster.sln not found above the test directory");
        }
    }
}
