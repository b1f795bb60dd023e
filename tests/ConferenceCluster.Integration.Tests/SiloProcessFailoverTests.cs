using ConferenceCluster.Integration.TestGrains;
using ConferenceCluster.Runtime.Client;
using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Sql;
using ConferenceCluster.Runtime.Storage;
using Xunit.Abstractions;

namespace ConferenceCluster.Integration.Tests;

/// <summary>Three silo processes on a real database; one is SIGKILLed; the others carry on.</summary>
public sealed class SiloProcessFailoverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Killing_the_process_that_hosts_a_grain_gets_it_declared_dead_and_the_grain_reactivates_on_a_survivor(string storage)
    {
        var clusterId = $"it-{storage}-{Guid.NewGuid():N}"[..24];
        var connectionString = TestDatabases.ConnectionString(storage);
        await using var store = ClusterStoreFactory.Create(Enum.Parse<ClusterStorageKind>(storage, ignoreCase: true), clusterId, connectionString);
        await store.InitializeAsync();

        var silos = new List<SiloProcess>();
        try
        {
            silos.AddRange(Enumerable.Range(1, 3).Select(i => SiloProcess.Start($"node{i}", clusterId, storage, connectionString)));
            await WaitForAsync(async () => (await store.Membership.ReadAllAsync()).Rows.Count(r => r.Entry.Status == SiloStatus.Active) == 3,
                TimeSpan.FromSeconds(90), "three active silos", silos);

            await using var client = new ClusterClient(new ClusterClientOptions(), store.Membership);
            var key = "failover-" + Guid.NewGuid().ToString("N");
            var before = await client.GetGrain<IProbeGrain>(key).Where();
            var victim = silos.Single(s => s.Name == before.SiloName);
            Assert.Equal(victim.ProcessId, before.ProcessId);

            victim.Kill();
            var table = await store.Membership.ReadAllAsync();
            var victimAddress = table.Rows.Single(r => r.Entry.SiloName == victim.Name && r.Entry.Status == SiloStatus.Active).Entry.SiloAddress;

            // Bounded wait: a few times the detection bound the timings give, for a loaded 2-core machine.
            await WaitForAsync(async () => (await store.Membership.ReadAllAsync()).Find(victimAddress)!.Entry.Status == SiloStatus.Dead,
                SiloProcess.FastDetectionBound * 5, $"{victim.Name} declared dead", silos);
            var deadRow = (await store.Membership.ReadAllAsync()).Find(victimAddress)!.Entry;
            Assert.NotEmpty(deadRow.SuspectTimes);
            Assert.All(deadRow.SuspectTimes, vote => Assert.NotEqual(victimAddress, vote.Voter));

            ProbeAnswer? after = null;
            await WaitForAsync(async () =>
            {
                try
                {
                    after = await client.GetGrain<IProbeGrain>(key).Where();
                    return true;
                }
                catch (SiloUnavailableException)
                {
                    return false; // the client's gateway was the victim; the next attempt picks another
                }
            }, TimeSpan.FromSeconds(30), "a call after the failover", silos);
            Assert.NotEqual(victim.Name, after!.SiloName);
            Assert.NotEqual(before.ActivationId, after.ActivationId);
            Assert.Contains(after.SiloName, silos.Where(s => s != victim).Select(s => s.Name));
            // Every later call meets that one new activation.
            for (var i = 0; i < 10; i++)
                Assert.Equal(after.ActivationId, (await client.GetGrain<IProbeGrain>(key).Where()).ActivationId);
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_cluster_client_keeps_working_when_the_silo_process_it_is_connected_to_is_killed()
    {
        var clusterId = $"it-gw-{Guid.NewGuid():N}"[..24];
        var connectionString = TestDatabases.Postgres;
        await using var store = ClusterStoreFactory.Create(ClusterStorageKind.Postgres, clusterId, connectionString);
        await store.InitializeAsync();
        var silos = new List<SiloProcess>();
        try
        {
            silos.AddRange(Enumerable.Range(1, 3).Select(i => SiloProcess.Start($"gw{i}", clusterId, "postgres", connectionString)));
            await WaitForAsync(async () => (await store.Membership.ReadAllAsync()).Rows.Count(r => r.Entry.Status == SiloStatus.Active) == 3,
                TimeSpan.FromSeconds(90), "three active silos", silos);

            await using var client = new ClusterClient(new ClusterClientOptions(), store.Membership);
            await client.ConnectAsync();
            var gateway = silos.Single(s => client.ConnectedGateway == $"127.0.0.1:{s.GatewayPort}");
            // Grains on the other silos, so only the gateway goes away.
            var keys = Enumerable.Range(0, 40).Select(i => $"gw-{i}-{Guid.NewGuid():N}").ToList();
            var before = new Dictionary<string, ProbeAnswer>();
            foreach (var key in keys) before[key] = await client.GetGrain<IProbeGrain>(key).Where();
            var survivingKeys = keys.Where(k => before[k].SiloName != gateway.Name).ToList();
            Assert.NotEmpty(survivingKeys);

            gateway.Kill();

            // The first call after the kill may be the one in flight on the dead connection; after that the client
            // has moved to another gateway, and the grains on the surviving silos are the same activations.
            await WaitForAsync(async () =>
            {
                try
                {
                    await client.GetGrain<IProbeGrain>(survivingKeys[0]).Where();
                    return true;
                }
                catch (SiloUnavailableException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), "the client to reach another gateway", silos);
            Assert.NotEqual($"127.0.0.1:{gateway.GatewayPort}", client.ConnectedGateway);
            foreach (var key in survivingKeys)
                Assert.Equal(before[key].ActivationId, (await client.GetGrain<IProbeGrain>(key).Where()).ActivationId);
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    private async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, IEnumerable<SiloProcess> silos)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                foreach (var silo in silos) output.WriteLine($"--- {silo.Name} ---\n{silo.Output}");
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            }
            await Task.Delay(100);
        }
    }
}
