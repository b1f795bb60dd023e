using System.Net;
using ConferenceCluster.Storage.Schema;
using Orleans.Configuration;
using Orleans.Hosting;

namespace ConferenceCluster.Storage.Tests.Orleans;

/// <summary>Three Orleans 10.4.2 silos on 127.0.0.1 clustered through our PostgreSQL schema: one of them goes down.</summary>
public sealed class PostgresThreeSiloTests
{
    [Fact]
    public async Task When_one_of_three_silos_stops_ungracefully_the_other_two_see_it_dead_and_stay_active()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);
        var cluster = "three-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo1 = await StartAsync("silo-1", cluster, database.ConnectionString);
        await using var silo2 = await StartAsync("silo-2", cluster, database.ConnectionString);
        await using var silo3 = await StartAsync("silo-3", cluster, database.ConnectionString);
        foreach (var silo in new[] { silo1, silo2, silo3 })
            Assert.Equal(["silo-1", "silo-2", "silo-3"], await silo.WaitForActiveSilosAsync("silo-1", "silo-2", "silo-3"));
        var versionBefore = await database.ScalarAsync<int>($"SELECT version FROM cc_membership_version WHERE cluster_id = '{cluster}'");
        var silo3Address = silo3.Address;

        await silo3.KillAsync();

        Assert.Equal(SiloStatus.Dead, await silo1.WaitForStatusAsync("silo-3", SiloStatus.Dead));
        Assert.Equal(SiloStatus.Dead, await silo2.WaitForStatusAsync("silo-3", SiloStatus.Dead));
        Assert.Equal(["silo-1", "silo-2"], await silo1.WaitForActiveSilosAsync("silo-1", "silo-2"));
        Assert.Equal(["silo-1", "silo-2"], await silo2.WaitForActiveSilosAsync("silo-1", "silo-2"));
        // What they saw is what the table says: silo-3's row Dead, the others Active, the version moved on.
        Assert.Equal(["silo-1 3", "silo-2 3", "silo-3 6"], await database.ColumnAsync(
            $"SELECT silo_name || ' ' || status FROM cc_membership_silo WHERE cluster_id = '{cluster}' ORDER BY silo_name"));
        Assert.Equal(["6"], await database.ColumnAsync(
            $"SELECT status FROM cc_membership_silo WHERE cluster_id = '{cluster}' AND port = {silo3Address.Endpoint.Port} AND generation = {silo3Address.Generation}"));
        Assert.True(await database.ScalarAsync<int>($"SELECT version FROM cc_membership_version WHERE cluster_id = '{cluster}'") > versionBefore);
    }

    [Fact]
    public async Task When_a_silo_process_is_killed_the_other_two_vote_it_dead_through_the_table()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);
        var cluster = "crash-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo1 = await StartAsync("silo-1", cluster, database.ConnectionString);
        await using var silo2 = await StartAsync("silo-2", cluster, database.ConnectionString);
        await using var silo3 = await SiloProcess.StartAsync("silo-3", cluster, database.ConnectionString);
        Assert.Equal(["silo-1", "silo-2", "silo-3"], await silo1.WaitForActiveSilosAsync("silo-1", "silo-2", "silo-3"));
        Assert.Equal(["silo-1", "silo-2", "silo-3"], await silo2.WaitForActiveSilosAsync("silo-1", "silo-2", "silo-3"));

        await silo3.KillAsync();

        Assert.Equal(SiloStatus.Dead, await silo1.WaitForStatusAsync("silo-3", SiloStatus.Dead));
        Assert.Equal(SiloStatus.Dead, await silo2.WaitForStatusAsync("silo-3", SiloStatus.Dead));
        Assert.Equal(["silo-1", "silo-2"], await silo1.WaitForActiveSilosAsync("silo-1", "silo-2"));
        Assert.Equal(["silo-1 3", "silo-2 3", "silo-3 6"], await database.ColumnAsync(
            $"SELECT silo_name || ' ' || status FROM cc_membership_silo WHERE cluster_id = '{cluster}' ORDER BY silo_name"));
        // The dead silo could write nothing: the votes in its row are the survivors', written with UpdateMembershipKey.
        var votes = await database.ScalarAsync<string>($"SELECT suspect_times FROM cc_membership_silo WHERE cluster_id = '{cluster}' AND silo_name = 'silo-3'");
        var voters = votes.Split('|').Select(vote => SiloAddress.FromParsableString(vote.Split(',')[0])).ToList();
        Assert.NotEmpty(voters);
        Assert.All(voters, voter => Assert.Contains(voter, new[] { silo1.Address, silo2.Address }));
    }

    /// <summary>
    /// A silo of the cluster (in this process, or in a <see cref="SiloProcess"/>), with membership timings short enough
    /// for a test and long enough that a loaded 2-core machine does not make live silos miss three probes in a row.
    /// </summary>
    internal static Task<TestSilo> StartAsync(string name, string clusterId, string connectionString) =>
        TestSilo.StartAsync(name, clusterId, clusterId + "-service", (silo, siloPort, gatewayPort) =>
        {
            silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
            silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.MaxProbeTimeout = TimeSpan.FromSeconds(5);
                o.NumMissedProbesLimit = 3;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
        });
}
