using ConferenceCluster.Integration.TestGrains;

namespace ConferenceCluster.Integration.Tests;

/// <summary>
/// The worst bug the product can have is a conference split in two: the single-activation race of the grain tests,
/// with three silo processes on PostgreSQL and the first calls entering through each of their gateways at once.
/// </summary>
public sealed class SingleActivationRaceTests
{
    [Fact]
    public async Task A_thousand_concurrent_first_calls_through_three_silo_processes_meet_one_activation()
    {
        var clusterId = TestDatabases.NewClusterId("it-race");
        await using var testDatabase = await TestDatabase.CreateAsync();
        var database = testDatabase.ConnectionString;
        await using var group = new SiloGroup();
        for (var i = 1; i <= 3; i++) group.Start($"race{i}", clusterId, database);
        await group.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        // One client per silo, each talking only to that silo's gateway: the first calls reach the grain directory
        // from three processes. The grain is randomly placed, so the racing silos pick different hosts for it.
        var clients = new List<ClusterClient>();
        try
        {
            foreach (var silo in group.Silos) clients.Add(await ClusterClient.ConnectThroughAsync(clusterId, silo.GatewayPort));

            var key = "race-" + Guid.NewGuid().ToString("N");
            var answers = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => clients[i % clients.Count].Grains.GetGrain<IProbeGrain>(key).Where()));

            Assert.Single(answers.Select(a => a.ActivationId).Distinct());
            // One activation, one turn at a time: every call saw a different count.
            Assert.Equal(Enumerable.Range(1, 1000), answers.Select(a => a.Calls).Order());
            var management = clients[0].Grains.GetGrain<IManagementGrain>(0);
            var grain = clients[0].Grains.GetGrain<IProbeGrain>(key);
            Assert.Equal(1, await management.GetGrainActivationCount((GrainReference)grain));
            // The grain directory's registration is that activation's silo.
            var registered = await management.GetActivationAddress(grain);
            var host = (await management.GetDetailedHosts(onlyActive: true)).Single(h => h.SiloAddress.Equals(registered));
            Assert.Equal(answers[0].SiloName, host.SiloName);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }
}
