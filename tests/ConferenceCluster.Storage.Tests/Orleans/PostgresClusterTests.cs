using System.Net;
using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Schema;
using Orleans.Hosting;

namespace ConferenceCluster.Storage.Tests.Orleans;

/// <summary>
/// Orleans' ADO.NET clustering, grain storage and reminders on the PostgreSQL schema that
/// <see cref="OrleansPostgresSchema.ApplyAsync"/> created in an empty database (invariant "Npgsql").
/// </summary>
public sealed class PostgresClusterTests
{
    [Fact]
    public async Task Two_silos_join_state_round_trips_a_reminder_fires_and_another_cluster_on_the_database_stays_apart()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        Assert.Equal(OrleansPostgresSchema.ScriptNames, (await OrleansPostgresSchema.ApplyAsync(database.ConnectionString)).Applied);
        var (cluster, other) = ("cluster-" + Guid.NewGuid().ToString("N")[..8], "other-" + Guid.NewGuid().ToString("N")[..8]);

        await using var silo1 = await StartAsync("silo-1", cluster, database.ConnectionString);
        await using var silo2 = await StartAsync("silo-2", cluster, database.ConnectionString);
        await using var stranger = await StartAsync("stranger", other, database.ConnectionString);

        // Membership: each cluster sees its own silos only, from the one shared table.
        Assert.Equal(["silo-1", "silo-2"], await silo1.WaitForActiveSilosAsync("silo-1", "silo-2"));
        Assert.Equal(["silo-1", "silo-2"], await silo2.WaitForActiveSilosAsync("silo-1", "silo-2"));
        Assert.Equal(["stranger"], await stranger.WaitForActiveSilosAsync("stranger"));
        Assert.Equal([$"{cluster} 2", $"{other} 1"], await database.ColumnAsync(
            "SELECT cluster_id || ' ' || count(*) FROM cc_membership_silo WHERE status = 3 GROUP BY cluster_id ORDER BY cluster_id"));

        // Grain state: written through one silo, read back from storage (a new activation) through the other.
        await silo1.Grains.GetGrain<INoteGrain>("room-1").WriteAsync("persisted");
        await silo2.Grains.GetGrain<INoteGrain>("room-1").ForgetAsync();
        Assert.Equal("persisted", await silo2.Grains.GetGrain<INoteGrain>("room-1").ReadAsync());
        Assert.Null(await stranger.Grains.GetGrain<INoteGrain>("room-1").ReadAsync()); // other service id, other state
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM cc_grain_state WHERE service_id = '{cluster}-service'"));

        // Reminders: registered in the table and delivered.
        var alarm = silo1.Grains.GetGrain<IAlarmGrain>("alarm-1");
        await alarm.ArmAsync(TimeSpan.FromSeconds(1));
        Assert.True(await alarm.IsArmedAsync());
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM cc_reminder WHERE service_id = '{cluster}-service'"));
        Assert.True(await WaitForTickAsync(alarm), "the reminder did not fire within the bound");

        // Documents of both clusters in the same database keep apart too.
        await using var documents = ClusterDocumentStores.Create(ClusterStorageKind.Postgres, cluster, database.ConnectionString);
        await using var otherDocuments = ClusterDocumentStores.Create(ClusterStorageKind.Postgres, other, database.ConnectionString);
        await documents.InitializeAsync();
        await otherDocuments.InitializeAsync();
        Assert.NotNull(await documents.TryInsertAsync("locations", "london", "{}"));
        Assert.Null(await otherDocuments.GetAsync("locations", "london"));

        // The stranger leaving touches nothing of the cluster's.
        await stranger.DisposeAsync();
        Assert.Equal(["silo-1", "silo-2"], await silo1.WaitForActiveSilosAsync("silo-1", "silo-2"));
        Assert.Equal([$"{cluster} 3 2"], await database.ColumnAsync(
            $"SELECT cluster_id || ' ' || status || ' ' || count(*) FROM cc_membership_silo WHERE cluster_id = '{cluster}' GROUP BY cluster_id, status"));
    }

    private static Task<TestSilo> StartAsync(string name, string clusterId, string connectionString) =>
        TestSilo.StartAsync(name, clusterId, clusterId + "-service", (silo, siloPort, gatewayPort) =>
        {
            silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
            silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));
            silo.AddAdoNetGrainStorage(TestSilo.StorageName, o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));
            silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));
        });

    /// <summary>Polls (bounded in time) until the reminder has ticked once.</summary>
    private static async Task<bool> WaitForTickAsync(IAlarmGrain alarm)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!guard.IsCancellationRequested)
        {
            if (await alarm.TicksAsync() > 0)
                return true;
            await Task.Delay(200);
        }
        return false;
    }
}
