using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Runtime.Sql.Tests;

/// <summary>
/// What only a database shared by several silo processes has to prove: separate store instances in this
/// process (each with its own connections and its own gate) and separate OS processes still agree.
/// </summary>
public abstract class SharedDatabaseConformanceTests : ClusterStoreConformanceTests
{
    private const int ProcessCount = 3;

    /// <summary>How a separate process reaches this test's database, through <see cref="ClusterStoreFactory"/>.</summary>
    protected abstract (ClusterStorageKind Kind, string ConnectionString) ProcessConfiguration { get; }

    private async Task<IClusterStore[]> OpenProcessesAsync(string clusterId) =>
        await Task.WhenAll(Enumerable.Range(0, ProcessCount).Select(_ => Task.Run(() => OpenStoreAsync(clusterId))));

    [Fact]
    public async Task Registration_race_from_three_store_instances_has_one_winner_per_grain()
    {
        var processes = await OpenProcessesAsync(ClusterId);
        var grains = Enumerable.Range(0, 5).Select(i => $"contested-{i}").ToList();
        // Per grain, every process sends 17 claims of its own (51 in all), all at once.
        var attempts = (
            from grain in grains
            from process in Enumerable.Range(0, ProcessCount)
            from n in Enumerable.Range(0, 17)
            select (Grain: grain, Store: processes[process], Address: Activation(grain, 1000 * (process + 1) + n))).ToList();

        var results = await Task.WhenAll(attempts.Select(a => Task.Run(async () =>
            (a.Grain, Winner: await a.Store.Directory.RegisterAsync(a.Address, null)))));

        foreach (var grain in grains)
        {
            var winner = Assert.Single(results.Where(r => r.Grain == grain).Select(r => r.Winner).Distinct());
            Assert.Contains(winner, attempts.Where(a => a.Grain == grain).Select(a => a.Address));
            foreach (var process in processes)
                Assert.Equal(winner, await process.Directory.LookupAsync(winner.GrainId));
        }
    }

    [Fact]
    public async Task Takeover_race_from_three_store_instances_has_one_winner()
    {
        var processes = await OpenProcessesAsync(ClusterId);
        var onDeadSilo = Activation("contested", 1);
        await processes[0].Directory.RegisterAsync(onDeadSilo, null);
        var attempts = Enumerable.Range(0, 30).Select(i => (Store: processes[i % ProcessCount], Address: Activation("contested", 100 + i))).ToList();

        var results = await Task.WhenAll(attempts.Select(a => Task.Run(() => a.Store.Directory.RegisterAsync(a.Address, onDeadSilo))));

        var winner = Assert.Single(results.Distinct());
        Assert.Contains(winner, attempts.Select(a => a.Address));
        Assert.Equal(winner, await processes[2].Directory.LookupAsync(winner.GrainId));
    }

    [Fact]
    public async Task Membership_writes_from_three_store_instances_are_totally_ordered()
    {
        var processes = await OpenProcessesAsync(ClusterId);
        const int rowsPerProcess = 8;

        // Each process joins its silos the Orleans way: read the table, write with version + 1, retry on conflict.
        await Task.WhenAll(processes.Select((store, p) => Task.Run(async () =>
        {
            for (var i = 0; i < rowsPerProcess; i++)
            {
                var entry = Entry(100 * (p + 1) + i);
                while (!await store.Membership.InsertRowAsync(entry, (await store.Membership.ReadAllAsync()).Version.Next()))
                {
                }
            }
        })));

        var data = await Store.Membership.ReadAllAsync();
        Assert.Equal(ProcessCount * rowsPerProcess, data.Version.Version); // every success bumped it exactly once
        Assert.Equal(ProcessCount * rowsPerProcess, data.Rows.Count);
    }

    [Fact]
    public async Task Documents_written_by_three_store_instances_keep_versions_and_counter_consistent()
    {
        var processes = await OpenProcessesAsync(ClusterId);
        Assert.NotNull(await processes[0].Documents.TryInsertAsync("c", "shared", "0"));
        const int incrementsPerProcess = 10;

        // An optimistic counter in a document: read, update with the version read, retry when another process won.
        await Task.WhenAll(processes.Select(store => Task.Run(async () =>
        {
            for (var i = 0; i < incrementsPerProcess; i++)
            {
                while (true)
                {
                    var current = (await store.Documents.GetAsync("c", "shared"))!;
                    var next = (int.Parse(current.Json) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (await store.Documents.TryUpdateAsync("c", "shared", next, current.Version) is not null)
                        break;
                }
            }
        })));

        var final = (await processes[1].Documents.GetAsync("c", "shared"))!;
        Assert.Equal((ProcessCount * incrementsPerProcess).ToString(System.Globalization.CultureInfo.InvariantCulture), final.Json);
        Assert.Equal(1 + ProcessCount * incrementsPerProcess, final.Version);
        Assert.Equal(1 + ProcessCount * incrementsPerProcess, await processes[2].Documents.GetChangeCounterAsync());
    }

    [Fact]
    public async Task Three_store_instances_may_initialize_a_new_cluster_at_once()
    {
        var clusterId = NewClusterId();
        var processes = await OpenProcessesAsync(clusterId);
        foreach (var store in processes)
            Assert.Equal(0, (await store.Membership.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task Registration_race_between_three_os_processes_has_one_winner_per_grain()
    {
        const int claimsPerGrain = 17;
        var (kind, connectionString) = ProcessConfiguration;

        var outputs = await StoreProcess.RunAsync(StoreProcess.Register, kind, connectionString, ClusterId, ProcessCount, claimsPerGrain);

        var results = outputs.SelectMany(lines => lines).Select(line => line.Split(' ')).ToList();
        Assert.Equal(ProcessCount * claimsPerGrain * StoreProcess.RaceGrains.Count, results.Count);
        foreach (var grain in StoreProcess.RaceGrains)
        {
            var (silo, activation) = Assert.Single(results.Where(r => r[0] == grain.Key).Select(r => (r[1], r[2])).Distinct());
            var winner = new GrainAddress(grain, SiloAddress.Parse(silo), Guid.Parse(activation));
            Assert.Equal(winner, await Store.Directory.LookupAsync(grain));
        }
    }

    [Fact]
    public async Task Membership_joins_from_three_os_processes_are_totally_ordered()
    {
        const int rowsPerProcess = 6;
        var (kind, connectionString) = ProcessConfiguration;

        await StoreProcess.RunAsync(StoreProcess.Join, kind, connectionString, ClusterId, ProcessCount, rowsPerProcess);

        var data = await Store.Membership.ReadAllAsync();
        Assert.Equal(ProcessCount * rowsPerProcess, data.Version.Version);
        Assert.Equal(ProcessCount * rowsPerProcess, data.Rows.Count);
    }
}
