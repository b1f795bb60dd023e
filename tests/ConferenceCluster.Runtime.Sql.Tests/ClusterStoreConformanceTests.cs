using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Runtime.Sql.Tests;

/// <summary>
/// The semantics every <see cref="IClusterStore"/> must have, run against each implementation. Each test gets
/// a fresh random cluster id, so tests sharing one database do not see each other.
/// </summary>
public abstract class ClusterStoreConformanceTests : IAsyncLifetime
{
    private readonly List<IClusterStore> _stores = [];

    protected string ClusterId { get; } = NewClusterId();
    protected IClusterStore Store { get; private set; } = null!;
    private IMembershipTable Membership => Store.Membership;
    private IGrainDirectoryStore Directory => Store.Directory;
    private IClusterDocumentStore Documents => Store.Documents;

    /// <summary>A store of <paramref name="clusterId"/> on this test's database (every call: the same database).</summary>
    protected abstract IClusterStore CreateStore(string clusterId);

    protected static string NewClusterId() => "test-" + Guid.NewGuid().ToString("N");

    /// <summary>Creates and initializes a store that this test disposes at its end.</summary>
    protected async Task<IClusterStore> OpenStoreAsync(string clusterId)
    {
        var store = CreateStore(clusterId);
        _stores.Add(store);
        await store.InitializeAsync();
        return store;
    }

    public async Task InitializeAsync() => Store = await OpenStoreAsync(ClusterId);

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
            await store.DisposeAsync();
    }

    // ---------------------------------------------------------------- membership

    [Fact]
    public async Task Initialize_is_idempotent_and_a_new_cluster_is_at_version_zero()
    {
        await Store.InitializeAsync();
        var data = await Membership.ReadAllAsync();
        Assert.Empty(data.Rows);
        Assert.Equal(0, data.Version.Version);
    }

    [Fact]
    public async Task InsertRow_with_the_next_version_adds_the_row_and_bumps_the_version()
    {
        var entry = Entry(11111);
        Assert.True(await Membership.InsertRowAsync(entry, await NextVersionAsync()));

        var data = await Membership.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        AssertSameEntry(entry, Assert.Single(data.Rows).Entry);
    }

    [Fact]
    public async Task InsertRow_with_a_stale_version_is_rejected()
    {
        var stale = await NextVersionAsync();
        Assert.True(await Membership.InsertRowAsync(Entry(1), stale));

        Assert.False(await Membership.InsertRowAsync(Entry(2), stale));
        Assert.False(await Membership.InsertRowAsync(Entry(2), new TableVersion(5, "5")));

        var data = await Membership.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.Single(data.Rows);
    }

    [Fact]
    public async Task InsertRow_of_an_existing_silo_is_rejected_and_leaves_the_version_alone()
    {
        Assert.True(await Membership.InsertRowAsync(Entry(1), await NextVersionAsync()));

        Assert.False(await Membership.InsertRowAsync(Entry(1, SiloStatus.Dead), await NextVersionAsync()));

        var data = await Membership.ReadAllAsync();
        Assert.Equal(1, data.Version.Version); // the version bump was rolled back with the failed insert
        Assert.Equal(SiloStatus.Active, Assert.Single(data.Rows).Entry.Status);
    }

    [Fact]
    public async Task UpdateRow_with_the_current_etag_and_next_version_replaces_the_row()
    {
        Assert.True(await Membership.InsertRowAsync(Entry(1, SiloStatus.Joining), await NextVersionAsync()));
        var before = await Membership.ReadAllAsync();
        var row = Assert.Single(before.Rows);

        var active = row.Entry with { Status = SiloStatus.Active, IAmAliveTime = Now().AddSeconds(1) };
        Assert.True(await Membership.UpdateRowAsync(active, row.ETag, before.Version.Next()));

        var after = await Membership.ReadAllAsync();
        Assert.Equal(2, after.Version.Version);
        var updated = Assert.Single(after.Rows);
        AssertSameEntry(active, updated.Entry);
        Assert.NotEqual(row.ETag, updated.ETag);
    }

    [Fact]
    public async Task UpdateRow_with_a_stale_etag_is_rejected()
    {
        Assert.True(await Membership.InsertRowAsync(Entry(1, SiloStatus.Joining), await NextVersionAsync()));
        var first = await Membership.ReadAllAsync();
        var staleETag = Assert.Single(first.Rows).ETag;
        Assert.True(await Membership.UpdateRowAsync(Entry(1, SiloStatus.Active), staleETag, first.Version.Next()));

        var second = await Membership.ReadAllAsync();
        Assert.False(await Membership.UpdateRowAsync(Entry(1, SiloStatus.Dead), staleETag, second.Version.Next()));
        Assert.False(await Membership.UpdateRowAsync(Entry(1, SiloStatus.Dead), "not-an-etag", second.Version.Next()));

        var third = await Membership.ReadAllAsync();
        Assert.Equal(second.Version.Version, third.Version.Version);
        Assert.Equal(SiloStatus.Active, Assert.Single(third.Rows).Entry.Status);
    }

    [Fact]
    public async Task UpdateRow_with_a_stale_version_is_rejected()
    {
        Assert.True(await Membership.InsertRowAsync(Entry(1, SiloStatus.Joining), await NextVersionAsync()));
        var seen = await Membership.ReadAllAsync();
        Assert.True(await Membership.InsertRowAsync(Entry(2), seen.Version.Next())); // someone else moved the version on

        var row = Assert.Single(seen.Rows);
        Assert.False(await Membership.UpdateRowAsync(row.Entry with { Status = SiloStatus.Active }, row.ETag, seen.Version.Next()));

        var after = await Membership.ReadAllAsync();
        Assert.Equal(2, after.Version.Version);
        Assert.Equal(SiloStatus.Joining, after.Find(Silo(1))!.Entry.Status);
    }

    [Fact]
    public async Task UpdateRow_of_a_missing_row_is_rejected()
    {
        var version = await NextVersionAsync();
        Assert.False(await Membership.UpdateRowAsync(Entry(1), "0", version));
        Assert.Equal(0, (await Membership.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task UpdateIAmAlive_writes_only_the_time_and_bumps_neither_version_nor_etag()
    {
        var entry = Entry(1);
        Assert.True(await Membership.InsertRowAsync(entry, await NextVersionAsync()));
        var before = await Membership.ReadAllAsync();
        var later = entry.IAmAliveTime.AddMinutes(1);

        await Membership.UpdateIAmAliveAsync(entry with { IAmAliveTime = later, Status = SiloStatus.Dead, SiloName = "ignored" });

        var after = await Membership.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        var row = Assert.Single(after.Rows);
        Assert.Equal(Assert.Single(before.Rows).ETag, row.ETag);
        AssertSameEntry(entry with { IAmAliveTime = later }, row.Entry);
        // The etag read before the IAmAlive write is still good for an update.
        Assert.True(await Membership.UpdateRowAsync(row.Entry with { Status = SiloStatus.ShuttingDown }, row.ETag, after.Version.Next()));
    }

    [Fact]
    public async Task UpdateIAmAlive_of_a_missing_row_does_nothing()
    {
        await Membership.UpdateIAmAliveAsync(Entry(1));
        var data = await Membership.ReadAllAsync();
        Assert.Empty(data.Rows);
        Assert.Equal(0, data.Version.Version);
    }

    [Fact]
    public async Task Suspect_votes_metadata_and_every_column_round_trip()
    {
        var start = Now().AddMinutes(-5);
        var entry = new MembershipEntry
        {
            SiloAddress = new SiloAddress("node-1.example.org", 11111, 98765432),
            SiloName = "conferencing-node-1",
            HostName = "host-ä",
            Status = SiloStatus.ShuttingDown,
            GatewayPort = 30000,
            StartTime = start,
            IAmAliveTime = start.AddMinutes(4),
            SuspectTimes =
            [
                new SuspectVote(new SiloAddress("10.0.0.2", 11111, 5), start.AddMinutes(1)),
                new SuspectVote(new SiloAddress("10.0.0.3", 11112, 6), start.AddMinutes(2).AddMilliseconds(7)),
            ],
            Metadata = new Dictionary<string, string>
            {
                ["location"] = "London, UK",
                ["role"] = "transcoding",
                ["odd"] = "a|b,c\"d'e\\f{}[]",
                ["unicode"] = "Zürich ✓",
                ["empty"] = "",
            },
        };
        Assert.True(await Membership.InsertRowAsync(entry, await NextVersionAsync()));
        var read = Assert.Single((await Membership.ReadAllAsync()).Rows).Entry;
        AssertSameEntry(entry, read);

        // Votes are what an update adds most often; they must survive a replace as well.
        var data = await Membership.ReadAllAsync();
        var voted = read with { SuspectTimes = [.. read.SuspectTimes, new SuspectVote(Silo(4), Now())] };
        Assert.True(await Membership.UpdateRowAsync(voted, data.Rows[0].ETag, data.Version.Next()));
        AssertSameEntry(voted, Assert.Single((await Membership.ReadAllAsync()).Rows).Entry);
    }

    [Fact]
    public async Task A_row_without_votes_metadata_or_gateway_reads_back_empty()
    {
        var entry = Entry(1) with { GatewayPort = 0, SuspectTimes = [], Metadata = new Dictionary<string, string>() };
        Assert.True(await Membership.InsertRowAsync(entry, await NextVersionAsync()));
        var read = Assert.Single((await Membership.ReadAllAsync()).Rows).Entry;
        Assert.Empty(read.SuspectTimes);
        Assert.Empty(read.Metadata);
        Assert.Equal(0, read.GatewayPort);
    }

    [Fact]
    public async Task Concurrent_writers_of_the_same_next_version_have_exactly_one_winner()
    {
        var version = await NextVersionAsync();
        var results = await Task.WhenAll(Enumerable.Range(1, 20)
            .Select(port => Task.Run(() => Membership.InsertRowAsync(Entry(port), version))));

        Assert.Single(results, won => won);
        var data = await Membership.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.Single(data.Rows);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_deletes_old_rows_that_are_not_active()
    {
        var now = Now();
        var old = now.AddDays(-8);
        var rows = new[]
        {
            Entry(1, SiloStatus.Dead, old),          // deleted
            Entry(2, SiloStatus.ShuttingDown, old),  // deleted
            Entry(3, SiloStatus.Active, old),        // kept: Active rows are never defunct
            Entry(4, SiloStatus.Dead, now),          // kept: recent
        };
        foreach (var row in rows)
            Assert.True(await Membership.InsertRowAsync(row, await NextVersionAsync()));

        await Membership.CleanupDefunctSiloEntriesAsync(now.AddDays(-7));

        var data = await Membership.ReadAllAsync();
        Assert.Equal([3, 4], data.Rows.Select(r => r.Entry.SiloAddress.Port).Order());
    }

    [Fact]
    public async Task DeleteCluster_removes_the_rows_and_resets_the_version()
    {
        Assert.True(await Membership.InsertRowAsync(Entry(1), await NextVersionAsync()));
        Assert.True(await Membership.InsertRowAsync(Entry(2), await NextVersionAsync()));

        await Membership.DeleteClusterAsync();
        await Membership.InitializeAsync();

        var data = await Membership.ReadAllAsync();
        Assert.Empty(data.Rows);
        Assert.Equal(0, data.Version.Version);
        Assert.True(await Membership.InsertRowAsync(Entry(1), data.Version.Next()));
    }

    // ---------------------------------------------------------------- grain directory

    [Fact]
    public async Task Lookup_of_an_unregistered_grain_is_null()
    {
        Assert.Null(await Directory.LookupAsync(Grain("nobody")));
    }

    [Fact]
    public async Task Register_claims_a_free_grain()
    {
        var address = Activation("room-1", 1);
        Assert.Equal(address, await Directory.RegisterAsync(address, previousAddress: null));
        Assert.Equal(address, await Directory.LookupAsync(address.GrainId));
    }

    [Fact]
    public async Task Register_of_a_claimed_grain_returns_the_existing_registration()
    {
        var first = Activation("room-1", 1);
        await Directory.RegisterAsync(first, null);

        Assert.Equal(first, await Directory.RegisterAsync(Activation("room-1", 2), null));
        Assert.Equal(first, await Directory.RegisterAsync(first, null)); // registering again is harmless
        Assert.Equal(first, await Directory.LookupAsync(first.GrainId));
    }

    [Fact]
    public async Task Register_takes_over_only_from_the_exact_previous_registration()
    {
        var onDeadSilo = Activation("room-1", 1);
        await Directory.RegisterAsync(onDeadSilo, null);
        var replacement = Activation("room-1", 2);

        // Same silo, other activation: not what is registered, so no takeover.
        var wrongActivation = onDeadSilo with { ActivationId = Guid.NewGuid() };
        Assert.Equal(onDeadSilo, await Directory.RegisterAsync(replacement, wrongActivation));
        // Same activation id, other silo: no takeover either.
        Assert.Equal(onDeadSilo, await Directory.RegisterAsync(replacement, onDeadSilo with { Silo = Silo(9) }));
        // A registration of another grain never matches.
        Assert.Equal(onDeadSilo, await Directory.RegisterAsync(replacement, Activation("room-2", 1) with { ActivationId = onDeadSilo.ActivationId }));

        Assert.Equal(replacement, await Directory.RegisterAsync(replacement, onDeadSilo));
        Assert.Equal(replacement, await Directory.LookupAsync(replacement.GrainId));

        // A late taker that still believes in the dead registration loses to the replacement.
        Assert.Equal(replacement, await Directory.RegisterAsync(Activation("room-1", 3), onDeadSilo));
    }

    [Fact]
    public async Task Register_with_a_previous_address_claims_a_free_grain()
    {
        var address = Activation("room-1", 2);
        Assert.Equal(address, await Directory.RegisterAsync(address, Activation("room-1", 1)));
    }

    [Fact]
    public async Task Unregister_removes_only_a_matching_registration()
    {
        var address = Activation("room-1", 1);
        await Directory.RegisterAsync(address, null);

        await Directory.UnregisterAsync(address with { ActivationId = Guid.NewGuid() });
        await Directory.UnregisterAsync(address with { Silo = Silo(2) });
        Assert.Equal(address, await Directory.LookupAsync(address.GrainId));

        await Directory.UnregisterAsync(address);
        Assert.Null(await Directory.LookupAsync(address.GrainId));

        var next = Activation("room-1", 2);
        Assert.Equal(next, await Directory.RegisterAsync(next, null));
    }

    [Fact]
    public async Task UnregisterSilo_removes_every_registration_of_that_silo_only()
    {
        var dead = new[] { Activation("room-1", 1), Activation("room-2", 1), Activation("room-3", 1) };
        var alive = Activation("room-4", 2);
        var otherGeneration = new GrainAddress(Grain("room-5"), Silo(1) with { Generation = 2 }, Guid.NewGuid());
        foreach (var address in dead.Append(alive).Append(otherGeneration))
            await Directory.RegisterAsync(address, null);

        await Directory.UnregisterSiloAsync(Silo(1));

        foreach (var address in dead)
            Assert.Null(await Directory.LookupAsync(address.GrainId));
        Assert.Equal(alive, await Directory.LookupAsync(alive.GrainId));
        Assert.Equal(otherGeneration, await Directory.LookupAsync(otherGeneration.GrainId));
    }

    [Fact]
    public async Task Fifty_parallel_registrations_of_one_grain_agree_on_one_winner()
    {
        var candidates = Enumerable.Range(1, 50).Select(port => Activation("contested", port)).ToList();

        var results = await Task.WhenAll(candidates.Select(c => Task.Run(() => Directory.RegisterAsync(c, null))));

        var winner = Assert.Single(results.Distinct());
        Assert.Contains(winner, candidates);
        Assert.Equal(winner, await Directory.LookupAsync(winner.GrainId));
    }

    [Fact]
    public async Task Parallel_takeovers_from_one_dead_registration_agree_on_one_winner()
    {
        var onDeadSilo = Activation("contested", 1);
        await Directory.RegisterAsync(onDeadSilo, null);
        var candidates = Enumerable.Range(2, 20).Select(port => Activation("contested", port)).ToList();

        var results = await Task.WhenAll(candidates.Select(c => Task.Run(() => Directory.RegisterAsync(c, onDeadSilo))));

        var winner = Assert.Single(results.Distinct());
        Assert.Contains(winner, candidates);
        Assert.Equal(winner, await Directory.LookupAsync(winner.GrainId));
    }

    [Fact]
    public async Task Grain_keys_with_separators_and_unicode_are_kept_apart()
    {
        var slashKey = new GrainAddress(new GrainId("IConferenceGrain", "meet/alice@example.com"), Silo(1), Guid.NewGuid());
        var unicodeKey = new GrainAddress(new GrainId("IConferenceGrain", "Besprechungsraum-Zürich"), Silo(2), Guid.NewGuid());
        var otherType = new GrainAddress(new GrainId("ILocationGrain", "meet/alice@example.com"), Silo(3), Guid.NewGuid());
        foreach (var address in new[] { slashKey, unicodeKey, otherType })
            Assert.Equal(address, await Directory.RegisterAsync(address, null));

        Assert.Equal(slashKey, await Directory.LookupAsync(slashKey.GrainId));
        Assert.Equal(unicodeKey, await Directory.LookupAsync(unicodeKey.GrainId));
        Assert.Equal(otherType, await Directory.LookupAsync(otherType.GrainId));
    }

    // ---------------------------------------------------------------- documents

    [Fact]
    public async Task Documents_are_inserted_updated_and_deleted_with_versions()
    {
        var inserted = await Documents.TryInsertAsync("locations", "london", """{"name":"London"}""");
        Assert.Equal(new StoredDocument("locations", "london", """{"name":"London"}""", 1), inserted);
        Assert.Null(await Documents.TryInsertAsync("locations", "london", """{"name":"other"}"""));
        Assert.Equal(inserted, await Documents.GetAsync("locations", "london"));

        var updated = await Documents.TryUpdateAsync("locations", "london", """{"name":"London","capacity":3}""", expectedVersion: 1);
        Assert.Equal(new StoredDocument("locations", "london", """{"name":"London","capacity":3}""", 2), updated);
        Assert.Null(await Documents.TryUpdateAsync("locations", "london", "{}", expectedVersion: 1));
        Assert.Null(await Documents.TryUpdateAsync("locations", "paris", "{}", expectedVersion: 1));
        Assert.Equal(updated, await Documents.GetAsync("locations", "london"));

        Assert.False(await Documents.DeleteAsync("locations", "london", expectedVersion: 1));
        Assert.True(await Documents.DeleteAsync("locations", "london", expectedVersion: 2));
        Assert.Null(await Documents.GetAsync("locations", "london"));
        Assert.False(await Documents.DeleteAsync("locations", "london"));

        Assert.NotNull(await Documents.TryInsertAsync("locations", "london", "{}"));
        Assert.True(await Documents.DeleteAsync("locations", "london")); // without a version: unconditional
        Assert.Equal(1, (await Documents.TryInsertAsync("locations", "london", "{}"))!.Version); // a new life starts at 1
    }

    [Fact]
    public async Task Documents_are_listed_per_collection_in_ordinal_id_order()
    {
        foreach (var id in new[] { "b", "a", "B", "a-2", "é", "\U0001F600", "\uFF5E" })
            Assert.NotNull(await Documents.TryInsertAsync("nodes", id, $$"""{"id":"{{id}}"}"""));
        Assert.NotNull(await Documents.TryInsertAsync("locations", "a", "{}"));

        var list = await Documents.ListAsync("nodes");

        Assert.Equal(new[] { "B", "a", "a-2", "b", "é", "\U0001F600", "\uFF5E" }, list.Select(d => d.Id));
        Assert.All(list, d => Assert.Equal("nodes", d.Collection));
        Assert.Empty(await Documents.ListAsync("services"));
    }

    [Fact]
    public async Task The_change_counter_counts_successful_writes_only()
    {
        var start = await Documents.GetChangeCounterAsync();
        Assert.Equal(0, start);

        await Documents.TryInsertAsync("c", "1", "{}");                 // +1
        await Documents.TryInsertAsync("c", "1", "{}");                 // duplicate: no change
        await Documents.TryUpdateAsync("c", "1", "{\"x\":1}", 1);       // +1
        await Documents.TryUpdateAsync("c", "1", "{}", 1);              // stale: no change
        await Documents.DeleteAsync("c", "1", expectedVersion: 1);      // stale: no change
        await Documents.DeleteAsync("c", "1");                          // +1
        await Documents.DeleteAsync("c", "1");                          // gone: no change

        Assert.Equal(3, await Documents.GetChangeCounterAsync());
    }

    [Fact]
    public async Task Document_json_round_trips_exactly()
    {
        var json = "{ \"name\" : \"Zürich ✓ \\u00e9\",\n  \"nested\": {\"a\": [1, 2.50, null]},   \"emoji\": \"\U0001F600\" }";
        await Documents.TryInsertAsync("c", "exact", json);
        await Documents.TryInsertAsync("c", "empty", "");

        Assert.Equal(json, (await Documents.GetAsync("c", "exact"))!.Json);
        Assert.Equal("", (await Documents.GetAsync("c", "empty"))!.Json);
    }

    // ---------------------------------------------------------------- isolation

    [Fact]
    public async Task Two_clusters_in_one_database_are_isolated()
    {
        var other = await OpenStoreAsync(NewClusterId());

        Assert.True(await Membership.InsertRowAsync(Entry(1), await NextVersionAsync()));
        Assert.True(await Membership.InsertRowAsync(Entry(2), await NextVersionAsync()));
        var otherData = await other.Membership.ReadAllAsync();
        Assert.Empty(otherData.Rows);
        Assert.Equal(0, otherData.Version.Version);
        Assert.True(await other.Membership.InsertRowAsync(Entry(1), otherData.Version.Next())); // same silo, other cluster

        var grain = Activation("room-1", 1);
        await Directory.RegisterAsync(grain, null);
        Assert.Null(await other.Directory.LookupAsync(grain.GrainId));
        var otherGrain = Activation("room-1", 2);
        Assert.Equal(otherGrain, await other.Directory.RegisterAsync(otherGrain, null));
        await other.Directory.UnregisterSiloAsync(Silo(1));
        Assert.Equal(grain, await Directory.LookupAsync(grain.GrainId));

        await Documents.TryInsertAsync("c", "1", "{\"mine\":true}");
        Assert.Null(await other.Documents.GetAsync("c", "1"));
        Assert.Empty(await other.Documents.ListAsync("c"));
        Assert.Equal(0, await other.Documents.GetChangeCounterAsync());
        Assert.NotNull(await other.Documents.TryInsertAsync("c", "1", "{}"));

        await other.Membership.DeleteClusterAsync();
        Assert.Equal(2, (await Membership.ReadAllAsync()).Rows.Count);
        Assert.Equal(1, await Documents.GetChangeCounterAsync());
    }

    // ---------------------------------------------------------------- helpers

    protected async Task<TableVersion> NextVersionAsync() => (await Membership.ReadAllAsync()).Version.Next();

    /// <summary>Stores keep times to the millisecond (Orleans' timestamptz(3)), so tests use such times.</summary>
    protected static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    protected static SiloAddress Silo(int port) => new("10.0.0.1", port, 42);

    protected static GrainId Grain(string key) => new("IConferenceGrain", key);

    protected static GrainAddress Activation(string key, int siloPort) => new(Grain(key), Silo(siloPort), Guid.NewGuid());

    protected static MembershipEntry Entry(int port, SiloStatus status = SiloStatus.Active, DateTimeOffset? iAmAlive = null)
    {
        var now = Now();
        return new MembershipEntry
        {
            SiloAddress = Silo(port),
            SiloName = $"silo-{port}",
            HostName = "test-host",
            Status = status,
            GatewayPort = 30000 + port,
            StartTime = now.AddMinutes(-1),
            IAmAliveTime = iAmAlive ?? now,
            Metadata = new Dictionary<string, string> { ["location"] = "london" },
        };
    }

    /// <summary>Field by field: the entry's lists and dictionaries compare by reference in record equality.</summary>
    protected static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.GatewayPort, actual.GatewayPort);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
        Assert.Equal(expected.SuspectTimes, actual.SuspectTimes);
        Assert.Equal(expected.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
