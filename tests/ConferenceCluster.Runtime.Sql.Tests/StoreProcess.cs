using System.Diagnostics;
using System.Globalization;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Runtime.Sql.Tests;

/// <summary>
/// The test assembly run as a program: one "silo process" that opens the cluster store through the factory,
/// reports <c>ready</c>, waits for <c>go</c> on stdin (so that every process starts its race together), runs a
/// scenario and prints its results. Separate processes matter for SQLite: connections inside one process
/// coordinate through SQLite's in-process lock table, across processes only through file locks.
/// </summary>
public static class StoreProcess
{
    public const string Register = "register";
    public const string Join = "join";

    public static async Task<int> Main(string[] args)
    {
        if (args is not [var scenario, var kind, var connectionString, var clusterId, var indexText, var countText])
        {
            Console.Error.WriteLine("usage: register|join <kind> <connection string> <cluster id> <process index> <count>");
            return 2;
        }
        var index = int.Parse(indexText, CultureInfo.InvariantCulture);
        var count = int.Parse(countText, CultureInfo.InvariantCulture);
        await using var store = ClusterStoreFactory.Create(Enum.Parse<ClusterStorageKind>(kind), clusterId, connectionString);
        await store.InitializeAsync();
        Console.WriteLine("ready");
        if (Console.ReadLine() != "go")
            return 3;
        switch (scenario)
        {
            case Register:
                await RegisterAsync(store.Directory, index, count);
                break;
            case Join:
                await JoinAsync(store.Membership, index, count);
                break;
            default:
                Console.Error.WriteLine($"unknown scenario {scenario}");
                return 2;
        }
        return 0;
    }

    /// <summary>Every grain of <see cref="RaceGrains"/> claimed <paramref name="claimsPerGrain"/> times at once; prints "grain winner".</summary>
    private static async Task RegisterAsync(IGrainDirectoryStore directory, int index, int claimsPerGrain)
    {
        var claims = RaceGrains.SelectMany(grain => Enumerable.Range(0, claimsPerGrain).Select(n =>
            new GrainAddress(grain, new SiloAddress($"10.0.{index}.1", 11111 + n, index), Guid.NewGuid())));
        var winners = await Task.WhenAll(claims.Select(claim => Task.Run(() => directory.RegisterAsync(claim, null))));
        foreach (var winner in winners)
            Console.WriteLine($"{winner.GrainId.Key} {winner.Silo} {winner.ActivationId}");
    }

    /// <summary>Joins <paramref name="rows"/> silos the Orleans way (read, write version + 1, retry on conflict).</summary>
    private static async Task JoinAsync(IMembershipTable membership, int index, int rows)
    {
        for (var i = 0; i < rows; i++)
        {
            var now = DateTimeOffset.UtcNow;
            var entry = new MembershipEntry
            {
                SiloAddress = new SiloAddress($"10.0.{index}.1", 11111 + i, index),
                SiloName = $"process-{index}-silo-{i}",
                Status = SiloStatus.Joining,
                StartTime = now,
                IAmAliveTime = now,
            };
            while (!await membership.InsertRowAsync(entry, (await membership.ReadAllAsync()).Version.Next()))
            {
            }
        }
        Console.WriteLine("joined");
    }

    public static readonly IReadOnlyList<GrainId> RaceGrains =
        Enumerable.Range(0, 4).Select(i => new GrainId("IConferenceGrain", $"race-{i}")).ToList();

    /// <summary>
    /// Starts <paramref name="processCount"/> copies of this program, releases them together once all are
    /// ready, and returns each one's output lines after "ready". Fails the test with the child's stderr if one fails.
    /// </summary>
    public static async Task<IReadOnlyList<string>[]> RunAsync(
        string scenario, ClusterStorageKind kind, string connectionString, string clusterId, int processCount, int count)
    {
        // A bound against a hung child, not a performance assertion: a healthy run takes a few seconds.
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var processes = new List<Process>();
        try
        {
            for (var i = 0; i < processCount; i++)
                processes.Add(Start(scenario, kind, connectionString, clusterId, i, count));
            var stderr = processes.Select(p => p.StandardError.ReadToEndAsync(hangGuard.Token)).ToList();

            for (var i = 0; i < processCount; i++)
            {
                var first = await processes[i].StandardOutput.ReadLineAsync(hangGuard.Token);
                if (first != "ready")
                    Assert.Fail($"store process {i} did not get ready (said '{first}'): {await stderr[i]}");
            }
            foreach (var process in processes)
            {
                await process.StandardInput.WriteLineAsync("go");
                await process.StandardInput.FlushAsync();
            }

            var outputs = new IReadOnlyList<string>[processCount];
            for (var i = 0; i < processCount; i++)
            {
                var text = await processes[i].StandardOutput.ReadToEndAsync(hangGuard.Token);
                await processes[i].WaitForExitAsync(hangGuard.Token);
                if (processes[i].ExitCode != 0)
                    Assert.Fail($"store process {i} exited with {processes[i].ExitCode}: {await stderr[i]}");
                outputs[i] = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
            return outputs;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                process.Dispose();
            }
        }
    }

    private static Process Start(string scenario, ClusterStorageKind kind, string connectionString, string clusterId, int index, int count)
    {
        // Under `dotnet test` the SDK names its own host; the test assembly is a framework-dependent program it can run.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(StoreProcess).Assembly.Location, scenario, kind.ToString(), connectionString, clusterId,
                     index.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {host}");
    }
}
