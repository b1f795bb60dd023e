using ConferenceCluster.Runtime.Sql.Postgres;
using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Runtime.Sql.Tests;

/// <summary>
/// The suite on a real PostgreSQL server. Without one these tests fail on purpose: a store that was never
/// tested must not look green.
/// </summary>
public sealed class PostgresClusterStoreTests : SharedDatabaseConformanceTests
{
    public const string ConnectionStringVariable = "CONFERENCECLUSTER_TEST_POSTGRES";

    protected override IClusterStore CreateStore(string clusterId) => new PostgresClusterStore(clusterId, ConnectionString());

    protected override (ClusterStorageKind, string) ProcessConfiguration => (ClusterStorageKind.Postgres, ConnectionString());

    private static string ConnectionString() =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException(
                $"{ConnectionStringVariable} is not set, so the PostgreSQL store cannot be tested. Run " +
                $"`scripts/postgres.sh start && export {ConnectionStringVariable}=\"$(scripts/postgres.sh url)\"` and test again.");
}
