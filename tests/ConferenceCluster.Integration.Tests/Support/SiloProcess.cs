using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using ConferenceCluster.Silo.Hosting;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// A real silo: the ConferenceCluster.Silo host started as its own OS process with command-line configuration,
/// loading the probe grains through Silo:GrainAssemblies. Output is kept for the failure message. Whatever happens to
/// the test, <see cref="DisposeAsync"/> kills the process (a stopped one too) and waits for it, bounded.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private const int SigCont = 18;

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
    public int ExitCode => _process.ExitCode;

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

    /// <summary>
    /// Membership timings for process tests (Orleans' names, <c>Cluster:Membership:*</c>): a killed silo (its port refuses
    /// connections, so every probe fails at once) is voted dead after three probe periods of 0.5 s. Not shorter: on a
    /// loaded 2-core machine a silo that is still compiling its startup code missed two 0.25 s probes in a row and was
    /// voted dead while joining (docs/decisions.md, "Membership timings on Orleans").
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FastMembership = new Dictionary<string, string>
    {
        ["Cluster:Membership:ProbeTimeout"] = "00:00:00.500",
        ["Cluster:Membership:MinProbeTimeout"] = "00:00:00.500",
        ["Cluster:Membership:MaxProbeTimeout"] = "00:00:02",
        ["Cluster:Membership:NumMissedProbesLimit"] = "3",
        ["Cluster:Membership:TableRefreshTimeout"] = "00:00:01",
        ["Cluster:Membership:IAmAliveTablePublishTimeout"] = "00:00:01",
    };

    /// <summary>No membership keys: the silo's own defaults (ClusterTimingOptions.cs), as operators run it.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultMembership = new Dictionary<string, string>();

    /// <param name="membership">Cluster:Membership:* settings; <see cref="FastMembership"/> unless given.</param>
    /// <param name="extra">Further keys (they win over the defaults here).</param>
    public static SiloProcess Start(string name, string clusterId, string connectionString, IReadOnlyDictionary<string, string>? extra = null,
        IReadOnlyDictionary<string, string>? membership = null, string storage = "postgres")
    {
        var (siloPort, gatewayPort, httpPort) = (FreePorts.Pick(), FreePorts.Pick(), FreePorts.Pick());
        var settings = new Dictionary<string, string>
        {
            ["Cluster:Id"] = clusterId,
            ["Cluster:Storage"] = storage,
            ["Cluster:ConnectionString"] = connectionString,
            ["Silo:Name"] = name,
            ["Silo:AdvertisedAddress"] = "127.0.0.1",
            ["Silo:Ports:Silo"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Silo:Ports:Gateway"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Silo:Ports:Http"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Silo:Ports:Sip"] = "0",
            // A fixed capacity skips the startup codec benchmark: seconds of CPU per silo on a shared machine.
            ["Silo:Capacity:AudioCalls"] = "100",
            ["Silo:GrainAssemblies:0"] = typeof(TestGrains.IProbeGrain).Assembly.Location,
            ["Admin:Password"] = AdminPassword,
        };
        foreach (var (key, value) in membership ?? FastMembership) settings[key] = value;
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) settings[key] = value;

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

    public const string AdminPassword = "integration-test-password";

    /// <summary>Waits until <c>/health/ready</c> says 200 (active, conferencing started); fails if the process exits first.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan bound)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            if (HasExited)
                throw new Xunit.Sdk.XunitException($"{Name} exited with code {ExitCode} before it was ready:\n{Tail(Output)}");
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"{Name} was not ready within {bound}:\n{Tail(Output)}");
            await Task.Delay(250);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to say goodbye, as in a crash or an OOM kill.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: what systemd, Kubernetes and docker send to stop a silo.</summary>
    public void Terminate() => Signal(SigTerm);

    /// <summary>SIGSTOP: the process hangs with its sockets open (a stuck VM, a debugger, swapping to death).</summary>
    public void Freeze() => Signal(SigStop);

    /// <summary>SIGCONT: a frozen process runs on.</summary>
    public void Thaw() => Signal(SigCont);

    private void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill(); // SIGKILL ends a stopped process too
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        if (Environment.GetEnvironmentVariable(KeepLogsVariable) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, $"{Name}-{_process.Id}.log"), Output);
        }
        _process.Dispose();
    }

    /// <summary>A directory to keep every silo's whole output in (failure messages carry only its tail).</summary>
    public const string KeepLogsVariable = "CONFERENCECLUSTER_TEST_SILO_LOGS";

    public static string Tail(string text, int length = 6000) => text.Length <= length ? text : "…" + text[^length..];

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

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
