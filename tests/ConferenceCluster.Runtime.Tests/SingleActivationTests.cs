using ConferenceCluster.Runtime.Core;
using ConferenceCluster.Runtime.Testing;

namespace ConferenceCluster.Runtime.Tests;

public sealed class SingleActivationTests
{
    [Fact]
    public async Task A_thousand_concurrent_first_calls_from_three_silos_meet_exactly_one_activation()
    {
        await using var cluster = await Clusters.StartAsync(3);
        var key = "race-" + Guid.NewGuid().ToString("N");
        var silos = cluster.Silos;
        var calls = Enumerable.Range(0, 1000)
            .Select(i => silos[i % 3].GrainFactory.GetGrain<ISingletonGrain>(key).Touch())
            .ToList();
        var answers = await Task.WhenAll(calls);

        var id = new GrainId(typeof(ISingletonGrain).FullName!, key);
        Assert.Equal(1, ActivationLedger.ActivationsOf(id));
        Assert.Single(answers.Select(a => a.ActivationId).Distinct());
        // Every call was a turn of that one activation: the call counter saw each exactly once.
        Assert.Equal(Enumerable.Range(1, 1000), answers.Select(a => a.Calls).Order());
    }

    [Fact]
    public async Task Many_keys_raced_from_every_silo_each_get_one_activation()
    {
        await using var cluster = await Clusters.StartAsync(3);
        var keys = Enumerable.Range(0, 50).Select(i => $"many-{i}-{Guid.NewGuid():N}").ToList();
        var calls = keys.SelectMany(key => cluster.Silos.SelectMany(silo =>
            Enumerable.Range(0, 4).Select(_ => silo.GrainFactory.GetGrain<ISingletonGrain>(key).Touch())));
        var answers = await Task.WhenAll(calls);
        Assert.Equal(keys.Count, answers.Select(a => a.ActivationId).Distinct().Count());
        foreach (var key in keys)
            Assert.Equal(1, ActivationLedger.ActivationsOf(new GrainId(typeof(ISingletonGrain).FullName!, key)));
    }

    [Fact]
    public async Task When_the_hosting_silo_is_killed_the_survivors_declare_it_dead_and_the_grain_reactivates_on_a_survivor()
    {
        await using var cluster = await Clusters.StartAsync(3);
        var key = "failover-" + Guid.NewGuid().ToString("N");
        var host = await cluster.Silos[0].GrainFactory.GetGrain<ISingletonGrain>(key).WhereAmI();
        var victim = cluster.Silos.Single(s => s.Name == host);
        var survivors = cluster.Silos.Where(s => s != victim).ToList();

        await cluster.KillSiloAsync(victim);
        await cluster.WaitForDeathAsync(victim.Address);

        var newHost = await survivors[0].GrainFactory.GetGrain<ISingletonGrain>(key).WhereAmI();
        Assert.NotEqual(host, newHost);
        Assert.Contains(newHost, survivors.Select(s => s.Name));
        Assert.Equal(newHost, await survivors[1].GrainFactory.GetGrain<ISingletonGrain>(key).WhereAmI());
    }

    [Fact]
    public async Task A_silo_that_joins_or_leaves_during_a_race_does_not_split_a_grain()
    {
        await using var cluster = await Clusters.StartAsync(2);
        var key = "churn-" + Guid.NewGuid().ToString("N");
        var id = new GrainId(typeof(ISingletonGrain).FullName!, key);
        var joining = cluster.StartSiloAsync();
        var calls = Enumerable.Range(0, 300)
            .Select(i => cluster.Silos[i % cluster.Silos.Count].GrainFactory.GetGrain<ISingletonGrain>(key).Touch())
            .ToList();
        await joining;
        calls.AddRange(Enumerable.Range(0, 300).Select(i => cluster.Silos[i % cluster.Silos.Count].GrainFactory.GetGrain<ISingletonGrain>(key).Touch()));
        var answers = await Task.WhenAll(calls);
        Assert.Single(answers.Select(a => a.ActivationId).Distinct());
        Assert.Equal(1, ActivationLedger.MaxConcurrentActivationsOf(id));
    }
}
