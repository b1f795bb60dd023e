using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ConferenceCluster.Gateway.Tests.Support;

namespace ConferenceCluster.LoadTest.Tests.Support;

/// <summary>
/// A real Kamailio running the repository's own front-door configuration (deploy/kamailio/kamailio.cfg: dispatcher,
/// record-route, failover), moved onto a free UDP port of 127.0.0.1 with a dispatcher list of the given silos.
/// Killed with its children on dispose.
/// </summary>
internal sealed class KamailioFrontDoor : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _directory;

    private KamailioFrontDoor(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
    }

    public IPEndPoint EndPoint { get; }

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    public static async Task<KamailioFrontDoor> StartAsync(IEnumerable<IPEndPoint> silos)
    {
        var kamailio = ExternalTool.Require("kamailio", "kamailio");
        var directory = ExternalTool.TempDirectory("kamailio");
        var port = ExternalTool.FreeUdpPort();
        var repositoryConfig = Path.Combine(RepositoryRoot(), "deploy", "kamailio", "kamailio.cfg");
        var config = (await File.ReadAllTextAsync(repositoryConfig))
            .Replace("listen=udp:0.0.0.0:5060", string.Create(CultureInfo.InvariantCulture, $"listen=udp:127.0.0.1:{port}"), StringComparison.Ordinal)
            .Replace("listen=tcp:0.0.0.0:5060", "", StringComparison.Ordinal)
            .Replace("/etc/kamailio/dispatcher.list", Path.Combine(directory, "dispatcher.list"), StringComparison.Ordinal)
            .Replace("children=4", "children=2", StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", config); // the substitutions still match the shipped file
        await File.WriteAllTextAsync(Path.Combine(directory, "kamailio.cfg"), config);
        await File.WriteAllLinesAsync(Path.Combine(directory, "dispatcher.list"),
            silos.Select(s => string.Create(CultureInfo.InvariantCulture, $"1 sip:{s.Address}:{s.Port} 0 0")));
        Directory.CreateDirectory(Path.Combine(directory, "run"));

        var start = new ProcessStartInfo(kamailio)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            ArgumentList = { "-f", Path.Combine(directory, "kamailio.cfg"), "-DD", "-E", "-Y", Path.Combine(directory, "run") },
        };
        var process = new Process { StartInfo = start };
        var front = new KamailioFrontDoor(process, directory, port);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (front._log) front._log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (front._log) front._log.AppendLine(e.Data); };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        // Up once its SIP worker processes are forked (bounded wait).
        for (var i = 0; i < 100 && !front.Log.Contains("udp: 127.0.0.1", StringComparison.Ordinal) && !process.HasExited; i++) await Task.Delay(100);
        if (process.HasExited) Assert.Fail($"kamailio exited at start:\n{front.Log}");
        await Task.Delay(500);
        return front;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ConferenceCluster.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("ConferenceCluster.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        ExternalTool.DeleteOnSuccess(_directory);
    }
}
