using System.Globalization;
using System.Runtime.InteropServices;
using ConferenceCluster.Gateway.Tests.Support;
using ConferenceCluster.Silo.Hosting;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// A throwaway PostgreSQL server of one test, made by scripts/postgres.sh (its own port and directory, the cluster schema
/// applied), so that the test may freeze it: the shared server of the other tests and engineers is never touched.
/// Disposing stops it and deletes its files; a frozen server is thawed first.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private const int SigStop = 19;
    private const int SigCont = 18;
    private static readonly TimeSpan ScriptBound = TimeSpan.FromMinutes(3);

    private readonly string _directory;
    private readonly int _port;
    private List<int> _frozen = [];

    private PrivatePostgres(string directory, int port, string connectionString)
    {
        _directory = directory;
        _port = port;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cc-pg-" + Guid.NewGuid().ToString("N")[..10]);
        var port = FreePorts.Pick();
        var started = await ScriptAsync(directory, port, "start");
        if (started.ExitCode != 0)
        {
            await ScriptAsync(directory, port, "stop");
            throw new Xunit.Sdk.XunitException("scripts/postgres.sh could not start a private server:\n" + started.Describe());
        }
        var url = await ScriptAsync(directory, port, "url");
        return new PrivatePostgres(directory, port, url.StandardOutput.Trim());
    }

    /// <summary>
    /// SIGSTOP to the postmaster and every backend and helper process it started: the server accepts TCP connections
    /// (the kernel does) but answers nothing, as a hung or unreachable database does.
    /// </summary>
    public void Freeze()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(_directory, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        Send(postmaster, SigStop); // first, so it forks nothing more
        _frozen = [postmaster, .. ChildrenOf(postmaster)];
        foreach (var child in _frozen.Skip(1)) Send(child, SigStop);
    }

    public void Thaw()
    {
        foreach (var pid in _frozen) Send(pid, SigCont);
        _frozen = [];
    }

    public async ValueTask DisposeAsync()
    {
        Thaw();
        await ScriptAsync(_directory, _port, "stop");
    }

    private static Task<ToolResult> ScriptAsync(string directory, int port, string command)
    {
        var script = Path.Combine(SiloProcess.RepositoryRoot, "scripts", "postgres.sh");
        // The script takes its port and directory from the environment (as deploy/local-cluster.sh runs it).
        return ExternalTool.RunAsync("env", [$"PGPORT_CC={port}", $"CC_PG_DIR={directory}", "bash", script, command], SiloProcess.RepositoryRoot, ScriptBound);
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after its last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent) yield return pid;
        }
    }

    private static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != 3 /* ESRCH: exited meanwhile */)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
