using ConferenceCluster.Storage.Documents;

namespace ConferenceCluster.Storage.Tests.Documents;

/// <summary>
/// The semantics every <see cref="IClusterDocumentStore"/> must have, run against each implementation. Each test gets
/// a fresh random cluster id, so tests sharing one database do not see each other.
/// </summary>
public abstract class DocumentStoreConformanceTests : IAsyncLifetime
{
    private readonly List<IOwnedClusterDocumentStore> _stores = [];

    protected string ClusterId { get; } = NewClusterId();
    protected IOwnedClusterDocumentStore Documents { get; private set; } = null!;

    /// <summary>A store of <paramref name="clusterId"/> on this test's database (every call: the same database).</summary>
    protected abstract IOwnedClusterDocumentStore CreateStore(string clusterId);

    protected static string NewClusterId() => "test-" + Guid.NewGuid().ToString("N");

    /// <summary>Creates and initializes a store that this test disposes at its end.</summary>
    protected async Task<IOwnedClusterDocumentStore> OpenStoreAsync(string clusterId)
    {
        var store = CreateStore(clusterId);
        lock (_stores)
            _stores.Add(store);
        await store.InitializeAsync();
        return store;
    }

    public async Task InitializeAsync() => Documents = await OpenStoreAsync(ClusterId);

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
            await store.DisposeAsync();
    }

    [Fact]
    public async Task Initialize_is_idempotent_and_a_new_cluster_has_no_documents_and_counter_zero()
    {
        await Documents.InitializeAsync();
        Assert.Equal(ClusterId, Documents.ClusterId);
        Assert.Empty(await Documents.ListAsync("c"));
        Assert.Equal(0, await Documents.GetChangeCounterAsync());
    }

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

        // Ordinal is UTF-16 order: U+FF5E sorts after the surrogate pair of U+1F600, unlike in UTF-8 byte order.
        Assert.Equal(new[] { "B", "a", "a-2", "b", "é", "\U0001F600", "\uFF5E" }, list.Select(d => d.Id));
        Assert.All(list, d => Assert.Equal("nodes", d.Collection));
        Assert.Empty(await Documents.ListAsync("services"));
    }

    [Fact]
    public async Task The_change_counter_counts_successful_writes_only()
    {
        Assert.Equal(0, await Documents.GetChangeCounterAsync());

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

    [Fact]
    public async Task Concurrent_inserts_of_one_id_have_exactly_one_winner()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => Task.Run(() => Documents.TryInsertAsync("c", "contested", $"{i}"))));

        var winner = Assert.Single(results, r => r is not null)!;
        Assert.Equal(winner, await Documents.GetAsync("c", "contested"));
        Assert.Equal(1, await Documents.GetChangeCounterAsync());
    }

    [Fact]
    public async Task Two_clusters_in_one_database_are_isolated()
    {
        var other = await OpenStoreAsync(NewClusterId());

        await Documents.TryInsertAsync("c", "1", "{\"mine\":true}");
        Assert.Null(await other.GetAsync("c", "1"));
        Assert.Empty(await other.ListAsync("c"));
        Assert.Equal(0, await other.GetChangeCounterAsync());
        Assert.False(await other.DeleteAsync("c", "1"));
        Assert.Null(await other.TryUpdateAsync("c", "1", "{}", 1));

        Assert.NotNull(await other.TryInsertAsync("c", "1", "{\"theirs\":true}"));
        Assert.NotNull(await other.TryInsertAsync("c", "2", "{}"));
        Assert.True(await other.DeleteAsync("c", "1"));

        Assert.Equal("{\"mine\":true}", (await Documents.GetAsync("c", "1"))!.Json);
        Assert.Equal(["1"], (await Documents.ListAsync("c")).Select(d => d.Id));
        Assert.Equal(1, await Documents.GetChangeCounterAsync());
        Assert.Equal(3, await other.GetChangeCounterAsync());
    }
}
