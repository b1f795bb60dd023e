using ConferenceCluster.Runtime.Testing;

namespace ConferenceCluster.Runtime.Tests;

internal static class Clusters
{
    public static TestClusterOptions Options(int silos) => new()
    {
        InitialSilosCount = silos,
        ConfigureSilo = builder => builder
            .AddGrainsFromAssembly(typeof(TestGrains).Assembly)
            .ConfigureCollection(o => o.CollectionQuantum = TimeSpan.FromMilliseconds(200))
            .ConfigureMessaging(o => o.ResponseTimeout = TimeSpan.FromSeconds(10)),
    };

    public static Task<TestCluster> StartAsync(int silos) => TestCluster.StartAsync(Options(silos));
}

/// <summary>Anchor type for the test grain assembly.</summary>
public sealed class TestGrains;
