using ConferenceCluster.Integration.TestGrains;
using ConferenceCluster.Runtime.Sql;
using ConferenceCluster.Runtime.Storage;
using ConferenceCluster.Runtime.Testing;

namespace ConferenceCluster.Integration.Tests;

/// <summary>The single-activation race of the runtime tests, with the directory in a real database.</summary>
public sealed class SqlSingleActivationTests
{
    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task A_thousand_concurrent_first_calls_from_three_silos_meet_one_activation_claimed_in_the_database(string storage)
    {
        var clusterId = $"race-{storage}-{Guid.NewGuid():N}"[..24];
        await using var store = ClusterStoreFactory.Create(Enum.Parse<ClusterStorageKind>(storage, ignoreCase: true), clusterId, TestDatabases.ConnectionString(storage));
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            ClusterId = clusterId,
            InitialSilosCount = 3,
            Store = store,
            ConfigureSilo = b => b.AddGrainsFromAssembly(typeof(IProbeGrain).Assembly),
        });

        var key = "race-" + Guid.NewGuid().ToString("N");
        var silos = cluster.Silos;
        var answers = await Task.WhenAll(Enumerable.Range(0, 1000)
            .Select(i => silos[i % silos.Count].GrainFactory.GetGrain<IProbeGrain>(key).Where()));

        Assert.Single(answers.Select(a => a.ActivationId).Distinct());
        Assert.Equal(Enumerable.Range(1, 1000), answers.Select(a => a.Calls).Order());
        var registration = await store.Directory.LookupAsync(new Runtime.Core.GrainId(typeof(IProbeGrain).FullName!, key));
        Assert.NotNull(registration);
        Assert.Equal(answers[0].ActivationId, registration.ActivationId);
    }
}
