using ConferenceCluster.Runtime.Sql.Postgres;
using ConferenceCluster.Runtime.Storage;
using Npgsql;

namespace ConferenceCluster.Runtime.Sql.Tests;

/// <summary>
/// The suite on a real PostgreSQL server. Without one these tests fail on purpose: a store that was never
/// tested must not look green.
/// </summary>
public sealed class PostgresClusterStoreTests : SharedDatabaseConformanceTests
{
    public const string ConnectionStringVariable = "CONFERENCECLUSTER_TEST_POSTGRES";

    protected override IClusterStore CreateStore(string clusterId) => new PostgresClusterStore(clusterId, ConnectionString());

    protected override (ClusterStorageKind, string) ProcessConfiguration => (ClusterStorageKind.Postgres, ConnectionString());

    private static string ConnectionString()
    {
        if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is not { Length: > 0 } connectionString)
            throw new InvalidOperationException(
                $"{ConnectionStringVariable} is not set, so the PostgreSQL store cannot be tested. Run " +
                $"`scripts/postgres.sh start && export {ConnectionStringVariable}=\"$(scripts/postgres.sh url)\"` and test again.");
        // The races open many connections at once, from up to four processes; a small pool per store keeps them
        // within a stock server's max_connections (100) and makes the claims queue on the pool as well.
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, 20);
        return builder.ConnectionString;
    }

    [Fact]
    public async Task Many_silos_can_create_the_schema_at_once()
    {
        // A PostgreSQL schema of its own makes the tables new again, whatever earlier tests created.
        var schema = "cc_test_" + Guid.NewGuid().ToString("N");
        await using var admin = NpgsqlDataSource.Create(ConnectionString());
        await using (var create = admin.CreateCommand($"CREATE SCHEMA {schema}"))
            await create.ExecuteNonQueryAsync();
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString()) { SearchPath = schema }.ConnectionString;
            var clusterId = NewClusterId();
            var stores = Enumerable.Range(0, 8).Select(_ => new PostgresClusterStore(clusterId, connectionString)).ToList();
            try
            {
                await Task.WhenAll(stores.Select(store => Task.Run(() => store.InitializeAsync())));
                Assert.True(await stores[0].Membership.InsertRowAsync(Entry(1), (await stores[0].Membership.ReadAllAsync()).Version.Next()));
                Assert.Single((await stores[7].Membership.ReadAllAsync()).Rows);
            }
            finally
            {
                foreach (var store in stores)
                    await store.DisposeAsync();
            }
            await using var count = admin.CreateCommand(
                $"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}' AND table_name LIKE 'cc\\_%'");
            Assert.Equal(5L, await count.ExecuteScalarAsync());
        }
        finally
        {
            await using var drop = admin.CreateCommand($"DROP SCHEMA {schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }
}
