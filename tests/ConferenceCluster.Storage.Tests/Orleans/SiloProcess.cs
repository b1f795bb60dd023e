using System.Diagnostics;

namespace ConferenceCluster.Storage.Tests.Orleans;

/// <summary>
/// A silo in an OS process of its own (the test assembly run as <c>silo NAME CLUSTER CONNECTION-STRING</c>), so that a
/// test can crash it for real: SIGKILL leaves no chance to tell anybody, and the others must find out by probing and
/// voting through the membership table. It says <c>ready</c> once it has joined, then runs until killed or until its
/// standard input closes (the test ended without killing it).
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process) => _process = process;

    public static async Task<int> RunChildAsync(string[] args)
    {
        if (args is not [var name, var clusterId, var connectionString])
        {
            await Console.Error.WriteLineAsync("usage: silo <name> <cluster id> <connection string>");
            return 2;
        }
        await using var silo = await PostgresThreeSiloTests.StartAsync(name, clusterId, connectionString);
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        return 0;
    }

    /// <summary>Starts the process and waits (bounded) until its silo has joined the cluster.</summary>
    public static async Task<SiloProcess> StartAsync(string name, string clusterId, string connectionString)
    {
        var process = TestProgram.StartChild("silo", name, clusterId, connectionString);
        using var startGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // against a hung child, not a timing assertion
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync(startGuard.Token)) is not null && line != "ready")
        {
            // Orleans' console logging of the child
        }
        if (line != "ready")
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new InvalidOperationException($"silo process {name} exited before it was ready: {await stderr}");
        }
        _ = DrainAsync(process.StandardOutput); // keep its output from filling the pipe
        return new SiloProcess(process);
    }

    /// <summary>SIGKILL: the process ends at once, its sockets with it.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close(); // a graceful end
            using var exitGuard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await _process.WaitForExitAsync(exitGuard.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private static async Task DrainAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is not null)
        {
        }
    }
}
