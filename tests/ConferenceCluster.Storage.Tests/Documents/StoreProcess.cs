using System.Diagnostics;
using System.Globalization;
using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Storage.Tests.Documents;

/// <summary>
/// The test assembly run as a program (<see cref="TestProgram"/>): one "silo process" that opens the document store through the factory, reports
/// <c>ready</c>, waits for <c>go</c> on stdin (so that every process starts its race together), then increments a
/// shared counter document with optimistic retries and prints <c>incremented N</c>. Separate processes matter for
/// SQLite: connections inside one process coordinate through SQLite's in-process lock table, across processes only
/// through file locks.
/// </summary>
public static class StoreProcess
{
    public const string SharedDocument = "shared";

    public static async Task<int> RunChildAsync(string[] args)
    {
        if (args is not [var kind, var connectionString, var clusterId, var countText])
        {
            Console.Error.WriteLine("usage: <kind> <connection string> <cluster id> <increments>");
            return 2;
        }
        await using var store = ClusterDocumentStores.Create(Enum.Parse<ClusterStorageKind>(kind), clusterId, connectionString);
        await store.InitializeAsync();
        Console.WriteLine("ready");
        if (Console.ReadLine() != "go")
            return 3;
        var count = int.Parse(countText, CultureInfo.InvariantCulture);
        await IncrementAsync(store, count);
        Console.WriteLine($"incremented {count}");
        return 0;
    }

    /// <summary>An optimistic counter in a document: read, update with the version read, retry when another writer won.</summary>
    public static async Task IncrementAsync(IClusterDocumentStore store, int count)
    {
        for (var i = 0; i < count; i++)
        {
            while (true)
            {
                var current = await store.GetAsync("c", SharedDocument) ?? throw new InvalidOperationException("the shared document is missing");
                var next = (int.Parse(current.Json, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                if (await store.TryUpdateAsync("c", SharedDocument, next, current.Version) is not null)
                    break;
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="processCount"/> copies of this program, releases them together once all are ready, and
    /// returns each one's output lines after "ready". Fails the test with the child's stderr if one fails.
    /// </summary>
    public static async Task<IReadOnlyList<string>[]> RunAsync(
        ClusterStorageKind kind, string connectionString, string clusterId, int processCount, int count)
    {
        // A bound against a hung child, not a performance assertion: a healthy run takes a few seconds.
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var processes = new List<Process>();
        try
        {
            for (var i = 0; i < processCount; i++)
                processes.Add(Start(kind, connectionString, clusterId, count));
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

    private static Process Start(ClusterStorageKind kind, string connectionString, string clusterId, int count) =>
        TestProgram.StartChild(kind.ToString(), connectionString, clusterId, count.ToString(CultureInfo.InvariantCulture));
}
