using ConferenceCluster.Storage.Documents;
using ConferenceCluster.Storage.Schema;
using Orleans.Hosting;
using Xunit.Abstractions;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// The same surges with the cluster on a real PostgreSQL server (the one scripts/test.sh starts): the conference grains'
/// state (Orleans' ADO.NET grain storage), their deadline reminders, the configuration and the history all go through it.
/// </summary>
public sealed class PostgresSurgeTests(ITestOutputHelper output) : SurgeTests(output)
{
    protected override async Task<IOwnedClusterDocumentStore?> CreateStoreAsync()
    {
        await OrleansPostgresSchema.ApplyAsync(PostgresGrainStorage.ConnectionString);
        var store = ClusterDocumentStores.Create(ClusterStorageKind.Postgres, $"surge-{Guid.NewGuid():N}"[..22], PostgresGrainStorage.ConnectionString);
        await store.InitializeAsync();
        return store;
    }

    protected override Action<ISiloBuilder> GrainStorage => PostgresGrainStorage.Configure;
}
