using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Schema;
using Microsoft.Data.Sqlite;
using Orleans.Hosting;

namespace ConferenceCluster.Storage.Tests.Orleans;

/// <summary>
/// The embedded default's grain state: one silo on localhost clustering, Orleans' ADO.NET grain storage on the SQLite
/// file that <see cref="OrleansSqliteSchema"/> prepared, invariant "System.Data.SQLite" (which Orleans 10.4.2 serves
/// through Microsoft.Data.Sqlite: shared/spec/orleans.md §9).
/// </summary>
public sealed class SqliteGrainStateTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cc-storage-orleans-sqlite", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_grains_persistent_state_survives_a_silo_restart()
    {
        var connectionString = ClusterDocumentStores.SqliteConnectionString(Path.Combine(_directory, "cluster.db"));
        await OrleansSqliteSchema.ApplyAsync(connectionString);
        var text = "Zürich ✓ " + Guid.NewGuid();

        await using (var first = await StartAsync(connectionString))
        {
            await first.Grains.GetGrain<INoteGrain>("room-1").WriteAsync(text);
        }
        Assert.Equal(1L, Scalar(connectionString, "SELECT count(*) FROM cc_grain_state WHERE payload IS NOT NULL"));

        await using (var second = await StartAsync(connectionString))
        {
            Assert.Equal(text, await second.Grains.GetGrain<INoteGrain>("room-1").ReadAsync());
            Assert.Null(await second.Grains.GetGrain<INoteGrain>("room-2").ReadAsync());
            // A second write after the restart goes through Orleans' optimistic version check.
            await second.Grains.GetGrain<INoteGrain>("room-1").WriteAsync("again");
        }
        Assert.Equal(2L, Scalar(connectionString, "SELECT etag FROM cc_grain_state"));
    }

    private static Task<TestSilo> StartAsync(string connectionString) =>
        TestSilo.StartAsync("embedded", "embedded-cluster", "embedded-service", (silo, siloPort, gatewayPort) =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            silo.AddAdoNetGrainStorage(TestSilo.StorageName, o =>
            {
                o.Invariant = "System.Data.SQLite";
                o.ConnectionString = connectionString;
            });
        });

    private static object? Scalar(string connectionString, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
