using ConferenceCluster.Storage.Schema;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace ConferenceCluster.Storage.Tests.Contract;

/// <summary>
/// Orleans 10.4.2's own membership table for ADO.NET (<see cref="AdoNetClusteringTable"/>, invariant "Npgsql"),
/// constructed as Orleans' test suite constructs it, driven against our schema: what Orleans' membership protocol
/// needs of any IMembershipTable (the behaviours Orleans' MembershipTableTestsBase checks), and what the 10.4.2
/// provider needs of its queries. Every test works under a cluster id of its own in one shared database.
/// </summary>
public sealed class MembershipContractTests(SchemaDatabase schema) : IClassFixture<SchemaDatabase>
{
    private static int s_generation = 1000;

    [Fact]
    public async Task A_new_cluster_reads_empty_at_version_0_however_many_silos_initialize_it_at_once()
    {
        var clusterId = NewClusterId();
        var tables = Enumerable.Range(0, 8).Select(_ => CreateTable(clusterId)).ToList();

        await Task.WhenAll(tables.Select(t => t.InitializeMembershipTableAsync(tryInitTableVersion: true)));

        var data = await tables[0].ReadAllAsync();
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.Equal("0", data.Version.VersionEtag);
        Assert.Equal(1L, await schema.Database.ScalarAsync<long>($"SELECT count(*) FROM cc_membership_version WHERE cluster_id = '{clusterId}'"));
    }

    [Fact]
    public async Task An_inserted_silo_reads_back_field_by_field_and_the_version_moves_to_1()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var entry = NewEntry(SiloStatus.Joining);

        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        var all = await table.ReadAllAsync();
        Assert.Equal(1, all.Version.Version);
        var (read, etag) = Assert.Single(all.Members);
        AssertSameEntry(entry, read);
        Assert.Equal("1", etag); // Orleans 10.4.2 gives each row the table version as its etag
        var row = await table.ReadRowAsync(entry.SiloAddress);
        AssertSameEntry(entry, Assert.Single(row.Members).Item1);
        Assert.Equal(1, row.Version.Version);

        // Another silo's row: none, but the version all the same.
        var none = await table.ReadRowAsync(NewEntry(SiloStatus.Joining).SiloAddress);
        Assert.Empty(none.Members);
        Assert.Equal(1, none.Version.Version);
    }

    [Fact]
    public async Task An_insert_is_refused_with_a_stale_version_or_for_a_silo_already_there_and_then_writes_nothing()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var entry = NewEntry(SiloStatus.Joining);
        var next = (await table.ReadAllAsync()).Version.Next();
        Assert.True(await table.InsertRowAsync(entry, next));

        Assert.False(await table.InsertRowAsync(entry, next), "same silo, stale version");
        Assert.False(await table.InsertRowAsync(NewEntry(SiloStatus.Joining), next), "another silo, stale version");
        var current = await table.ReadAllAsync();
        Assert.False(await table.InsertRowAsync(entry, current.Version.Next()), "same silo, current version");

        var after = await table.ReadAllAsync();
        Assert.Equal(1, after.Version.Version);
        AssertSameEntry(entry, Assert.Single(after.Members).Item1);
    }

    [Fact]
    public async Task An_update_succeeds_with_the_version_read_and_is_refused_with_a_stale_one_writing_nothing()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var entry = NewEntry(SiloStatus.Joining);
        var inserted = (await table.ReadAllAsync()).Version.Next();
        Assert.True(await table.InsertRowAsync(entry, inserted));
        var read = await table.ReadAllAsync();
        var etag = read.TryGet(entry.SiloAddress)!.Item2;

        entry.Status = SiloStatus.Active;
        entry.IAmAliveTime = entry.IAmAliveTime.AddSeconds(3);
        entry.SuspectTimes = [Tuple.Create(NewAddress(), WholeMilliseconds(DateTime.UtcNow)), Tuple.Create(NewAddress(), WholeMilliseconds(DateTime.UtcNow.AddSeconds(1)))];
        Assert.False(await table.UpdateRowAsync(entry, etag, inserted), "the version used for the insert is stale now");
        Assert.Equal(SiloStatus.Joining, (await table.ReadAllAsync()).TryGet(entry.SiloAddress)!.Item1.Status);

        var updated = read.Version.Next();
        Assert.True(await table.UpdateRowAsync(entry, etag, updated));
        Assert.False(await table.UpdateRowAsync(entry, etag, updated), "the same version again is stale");

        var after = await table.ReadAllAsync();
        Assert.Equal(2, after.Version.Version);
        var (stored, etagAfter) = after.TryGet(entry.SiloAddress)!;
        AssertSameEntry(entry, stored); // status, heartbeat and both votes, exactly
        Assert.NotEqual(etag, etagAfter);
    }

    [Fact]
    public async Task An_update_of_a_silo_that_is_not_there_is_refused_and_leaves_the_version_alone()
    {
        var table = await InitializedTableAsync(NewClusterId());
        Assert.True(await table.InsertRowAsync(NewEntry(SiloStatus.Active), (await table.ReadAllAsync()).Version.Next()));
        var read = await table.ReadAllAsync();

        Assert.False(await table.UpdateRowAsync(NewEntry(SiloStatus.Dead), read.Version.VersionEtag, read.Version.Next()));

        Assert.Equal(read.Version.Version, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task Of_twenty_parallel_inserts_of_one_silo_one_wins_and_nineteen_parallel_updaters_each_move_the_version_by_one()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var entry = NewEntry(SiloStatus.Joining);
        var next = (await table.ReadAllAsync()).Version.Next();

        var inserts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => table.InsertRowAsync(entry, next))));
        Assert.Single(inserts, inserted => inserted); // and no insert threw

        // Each updater reads, writes with what it read, and retries when another won in between (Orleans' loop).
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hang guard, not a timing assertion
        var attempts = await Task.WhenAll(Enumerable.Range(0, 19).Select(i => Task.Run(async () =>
        {
            for (var attempt = 1; attempt <= 1000; attempt++)
            {
                deadline.Token.ThrowIfCancellationRequested();
                var read = await table.ReadAllAsync();
                var (row, etag) = read.TryGet(entry.SiloAddress)!;
                row.IAmAliveTime = row.IAmAliveTime.AddMilliseconds(i + 1);
                if (await table.UpdateRowAsync(row, etag, read.Version.Next()))
                    return attempt;
            }
            throw new InvalidOperationException("an updater never got through");
        })));

        var after = await table.ReadAllAsync();
        Assert.Equal(20, after.Version.Version); // 1 insert + 19 updates, each exactly +1
        Assert.Single(after.Members);
        Assert.Contains(attempts, a => a > 1); // the updaters really raced
    }

    [Fact]
    public async Task A_heartbeat_changes_IAmAliveTime_only_and_what_was_read_before_it_still_updates()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var entry = NewEntry(SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        var read = await table.ReadAllAsync();
        var etag = read.TryGet(entry.SiloAddress)!.Item2;

        var heartbeat = WholeMilliseconds(DateTime.UtcNow.AddSeconds(5));
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = heartbeat });

        var afterHeartbeat = await table.ReadAllAsync();
        Assert.Equal(read.Version.Version, afterHeartbeat.Version.Version);
        var stored = afterHeartbeat.TryGet(entry.SiloAddress)!.Item1;
        Assert.Equal(heartbeat, stored.IAmAliveTime);
        entry.IAmAliveTime = heartbeat;
        AssertSameEntry(entry, stored);

        entry.Status = SiloStatus.ShuttingDown;
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()), "the version and etag read before the heartbeat");
    }

    [Fact]
    public async Task Deleting_a_clusters_entries_removes_its_silos_and_version_and_nothing_of_another_cluster()
    {
        var (doomedId, otherId) = (NewClusterId(), NewClusterId());
        var doomed = await InitializedTableAsync(doomedId);
        var other = await InitializedTableAsync(otherId);
        Assert.True(await doomed.InsertRowAsync(NewEntry(SiloStatus.Active), (await doomed.ReadAllAsync()).Version.Next()));
        Assert.True(await other.InsertRowAsync(NewEntry(SiloStatus.Active), (await other.ReadAllAsync()).Version.Next()));

        await doomed.DeleteMembershipTableEntriesAsync(doomedId);

        Assert.Equal(["0 0"], await schema.Database.ColumnAsync(
            $"SELECT (SELECT count(*) FROM cc_membership_silo WHERE cluster_id = '{doomedId}') || ' ' || (SELECT count(*) FROM cc_membership_version WHERE cluster_id = '{doomedId}')"));
        var otherData = await other.ReadAllAsync();
        Assert.Single(otherData.Members);
        Assert.Equal(1, otherData.Version.Version);

        // The cluster can start again from nothing.
        await doomed.InitializeMembershipTableAsync(tryInitTableVersion: true);
        var fresh = await doomed.ReadAllAsync();
        Assert.Empty(fresh.Members);
        Assert.Equal(0, fresh.Version.Version);
    }

    [Fact]
    public async Task Cleanup_deletes_exactly_the_dead_silos_whose_start_heartbeat_and_votes_are_all_older_than_the_cutoff()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var now = WholeMilliseconds(DateTime.UtcNow);
        var cutoff = now.AddDays(-3);
        var old = now.AddDays(-10);

        var deadOld = await InsertAsync(table, NewEntry(SiloStatus.Dead, old));
        var deadOldOldVote = await InsertAsync(table, NewEntry(SiloStatus.Dead, old), [Tuple.Create(NewAddress(), old.AddMinutes(1))]);
        var deadOldNoVotesLeft = await InsertAsync(table, NewEntry(SiloStatus.Dead, old), []); // Orleans writes "" for an empty list
        var deadOldRecentVote = await InsertAsync(table, NewEntry(SiloStatus.Dead, old), [Tuple.Create(NewAddress(), now)]);
        var deadRecent = await InsertAsync(table, NewEntry(SiloStatus.Dead, now));
        var deadStartedRecently = await InsertAsync(table, NewEntry(SiloStatus.Dead, old, startTime: now.AddDays(-1)));
        var oldOfOtherStatuses = new List<MembershipEntry>();
        foreach (var status in Enum.GetValues<SiloStatus>().Where(s => s != SiloStatus.Dead))
            oldOfOtherStatuses.Add(await InsertAsync(table, NewEntry(status, old)));
        var versionBefore = (await table.ReadAllAsync()).Version.Version;

        await table.CleanupDefunctSiloEntriesAsync(cutoff);

        var left = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToHashSet();
        Assert.DoesNotContain(deadOld.SiloAddress, left);
        Assert.DoesNotContain(deadOldOldVote.SiloAddress, left);
        Assert.DoesNotContain(deadOldNoVotesLeft.SiloAddress, left);
        Assert.Contains(deadOldRecentVote.SiloAddress, left);
        Assert.Contains(deadRecent.SiloAddress, left);
        Assert.Contains(deadStartedRecently.SiloAddress, left);
        Assert.All(oldOfOtherStatuses, e => Assert.Contains(e.SiloAddress, left)); // Dead only, as Orleans 10.4.2 decides
        Assert.Equal(3 + oldOfOtherStatuses.Count, left.Count);
        Assert.Equal(versionBefore, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task Cleanup_leaves_a_dead_silo_whose_row_changed_after_Orleans_read_it()
    {
        var clusterId = NewClusterId();
        var table = await InitializedTableAsync(clusterId);
        var old = WholeMilliseconds(DateTime.UtcNow.AddDays(-10));
        var entry = await InsertAsync(table, NewEntry(SiloStatus.Dead, old));
        var captured = (await table.ReadRowAsync(entry.SiloAddress)).Members[0].Item1;

        // Between Orleans' read and its delete the row gets a heartbeat (still older than any cutoff).
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = old.AddMinutes(1) });
        await schema.RunCatalogQueryAsync("CleanupDefunctSiloEntryKey", CapturedRowParameters(clusterId, captured));
        Assert.Single((await table.ReadRowAsync(entry.SiloAddress)).Members);

        // With what the row holds now, the same query deletes it.
        var current = (await table.ReadRowAsync(entry.SiloAddress)).Members[0].Item1;
        await schema.RunCatalogQueryAsync("CleanupDefunctSiloEntryKey", CapturedRowParameters(clusterId, current));
        Assert.Empty((await table.ReadRowAsync(entry.SiloAddress)).Members);
    }

    [Fact]
    public async Task Without_the_optional_cleanup_key_Orleans_uses_the_required_one_which_also_deletes_old_dead_silos_only()
    {
        // A database of its own: this one's catalog lacks a key.
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);
        await database.ExecuteAsync("DELETE FROM OrleansQuery WHERE QueryKey = 'CleanupDefunctSiloEntryKey'");
        var table = await InitializedTableAsync(NewClusterId(), database.ConnectionString);
        var now = WholeMilliseconds(DateTime.UtcNow);
        var deadOld = await InsertAsync(table, NewEntry(SiloStatus.Dead, now.AddDays(-10)));
        var deadRecent = await InsertAsync(table, NewEntry(SiloStatus.Dead, now));
        var stoppingOld = await InsertAsync(table, NewEntry(SiloStatus.Stopping, now.AddDays(-10)));

        await table.CleanupDefunctSiloEntriesAsync(now.AddDays(-3));

        var left = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToHashSet();
        Assert.True(left.SetEquals([deadRecent.SiloAddress, stoppingOld.SiloAddress]), $"left: {string.Join(", ", left)}; the old dead one was {deadOld.SiloAddress}");
    }

    [Fact]
    public async Task The_gateways_are_the_active_silos_that_run_a_gateway()
    {
        var clusterId = NewClusterId();
        var table = await InitializedTableAsync(clusterId);
        var gateway = await InsertAsync(table, NewEntry(SiloStatus.Active));
        var noGateway = NewEntry(SiloStatus.Active);
        noGateway.ProxyPort = 0;
        await InsertAsync(table, noGateway);
        await InsertAsync(table, NewEntry(SiloStatus.Joining));
        await InsertAsync(table, NewEntry(SiloStatus.Dead));
        var gateways = new AdoNetGatewayListProvider(NullLogger<AdoNetGatewayListProvider>.Instance, EmptyServices,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = "Npgsql", ConnectionString = schema.ConnectionString }),
            Options.Create(new GatewayOptions()), Options.Create(new ClusterOptions { ClusterId = clusterId }));
        await gateways.InitializeGatewayListProviderAsync();

        // A gateway is the silo's address at its proxy port.
        var expected = SiloAddress.New(gateway.SiloAddress.Endpoint.Address, gateway.ProxyPort, gateway.SiloAddress.Generation).ToGatewayUri();
        Assert.Equal([expected], await gateways.GetGatewaysAsync());
    }

    private static readonly IServiceProvider EmptyServices = new ServiceCollection().BuildServiceProvider();

    private static string NewClusterId() => "contract-" + Guid.NewGuid().ToString("N")[..12];

    private AdoNetClusteringTable CreateTable(string clusterId, string? connectionString = null) => new(
        EmptyServices,
        Options.Create(new ClusterOptions { ClusterId = clusterId }),
        Options.Create(new AdoNetClusteringSiloOptions { Invariant = "Npgsql", ConnectionString = connectionString ?? schema.ConnectionString }),
        NullLogger<AdoNetClusteringTable>.Instance);

    private async Task<AdoNetClusteringTable> InitializedTableAsync(string clusterId, string? connectionString = null)
    {
        var table = CreateTable(clusterId, connectionString);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return table;
    }

    /// <summary>Inserts <paramref name="entry"/>, then (if given) writes its votes as Orleans does, through an update.</summary>
    private static async Task<MembershipEntry> InsertAsync(IMembershipTable table, MembershipEntry entry, List<Tuple<SiloAddress, DateTime>>? votes = null)
    {
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        if (votes is not null)
        {
            entry.SuspectTimes = votes;
            var read = await table.ReadAllAsync();
            Assert.True(await table.UpdateRowAsync(entry, read.TryGet(entry.SiloAddress)!.Item2, read.Version.Next()));
        }
        return entry;
    }

    /// <summary>The parameters Orleans 10.4.2 binds to CleanupDefunctSiloEntryKey for a row it read.</summary>
    private static (string, object?)[] CapturedRowParameters(string clusterId, MembershipEntry row) =>
    [
        ("DeploymentId", clusterId), ("Address", row.SiloAddress.Endpoint.Address.ToString()), ("Port", row.SiloAddress.Endpoint.Port),
        ("Generation", row.SiloAddress.Generation), ("StartTime", row.StartTime), ("IAmAliveTime", row.IAmAliveTime),
        ("SuspectTimes", row.SuspectTimes is null ? null : string.Join("|", row.SuspectTimes.Select(v => $"{v.Item1.ToParsableString()},{LogFormatter.PrintDate(v.Item2)}"))),
    ];

    private static MembershipEntry NewEntry(SiloStatus status, DateTime? iAmAlive = null, DateTime? startTime = null)
    {
        var address = NewAddress();
        var alive = iAmAlive ?? WholeMilliseconds(DateTime.UtcNow);
        return new MembershipEntry
        {
            SiloAddress = address,
            SiloName = "silo-" + address.Generation.ToString(CultureInfo.InvariantCulture),
            HostName = "host-" + address.Generation.ToString(CultureInfo.InvariantCulture),
            Status = status,
            ProxyPort = 30000,
            StartTime = startTime ?? alive,
            IAmAliveTime = alive,
        };
    }

    private static SiloAddress NewAddress() => SiloAddress.New(IPAddress.Loopback, 11111, Interlocked.Increment(ref s_generation));

    /// <summary>Orleans writes votes to the millisecond; whole milliseconds also survive the database's microseconds exactly.</summary>
    private static DateTime WholeMilliseconds(DateTime time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    private static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.ProxyPort, actual.ProxyPort);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
        Assert.Equal(
            expected.SuspectTimes?.Select(v => (v.Item1, v.Item2)) ?? [],
            actual.SuspectTimes?.Select(v => (v.Item1, v.Item2)) ?? []);
    }
}
