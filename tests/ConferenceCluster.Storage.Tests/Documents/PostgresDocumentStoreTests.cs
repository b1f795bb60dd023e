using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Documents.Postgres;

namespace ConferenceCluster.Storage.Tests.Documents;

/// <summary>The suite on the real PostgreSQL server, every test under a cluster id of its own in the configured database.</summary>
public sealed class PostgresDocumentStoreTests : SharedDatabaseDocumentTests
{
    protected override IOwnedClusterDocumentStore CreateStore(string clusterId) => new PostgresDocumentStore(clusterId, TestPostgres.ConnectionString);

    protected override (ClusterStorageKind, string) ProcessConfiguration => (ClusterStorageKind.Postgres, TestPostgres.ConnectionString);

    [Fact]
    public async Task Eight_silos_can_create_the_tables_of_an_empty_database_at_once()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        var clusterId = NewClusterId();
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgresDocumentStore(clusterId, database.ConnectionString)).ToList();
        try
        {
            await Task.WhenAll(stores.Select(store => Task.Run(() => store.InitializeAsync())));
            Assert.NotNull(await stores[0].TryInsertAsync("c", "1", "{}"));
            Assert.Single(await stores[7].ListAsync("c"));
            Assert.Equal(1, await stores[5].GetChangeCounterAsync());
        }
        finally
        {
            foreach (var store in stores)
                await store.DisposeAsync();
        }
        Assert.Equal(2L, await database.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'cc\\_%'"));
    }
}
