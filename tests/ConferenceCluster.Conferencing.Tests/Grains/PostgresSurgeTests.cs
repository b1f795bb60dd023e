using ConferenceCluster.Runtime.Sql;
using ConferenceCluster.Runtime.Storage;
using Xunit.Abstractions;

namespace ConferenceCluster.Conferencing.Tests.Grains;

/// <summary>
/// The same surges with the cluster on a real PostgreSQL server (the one scripts/test.sh starts): the directory
/// claims of 50 conference grains, the configuration and the history all go through the database.
/// </summary>
public sealed class PostgresSurgeTests(ITestOutputHelper output) : SurgeTests(output)
{
    private const string PostgresVariable = "CONFERENCECLUSTER_TEST_POSTGRES";

    protected override async Task<IClusterStore?> CreateStoreAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{PostgresVariable} is not set: run the tests with scripts/test.sh, or `scripts/postgres.sh start` and export {PostgresVariable}=\"$(scripts/postgres.sh url)\"");
        var store = ClusterStoreFactory.Create(ClusterStorageKind.Postgres, $"surge-{Guid.NewGuid():N}"[..22], connectionString);
        await store.InitializeAsync();
        return store;
    }
}
