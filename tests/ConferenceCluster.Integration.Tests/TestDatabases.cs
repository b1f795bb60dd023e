namespace ConferenceCluster.Integration.Tests;

/// <summary>The real databases the clustering tests run on.</summary>
internal static class TestDatabases
{
    public const string PostgresVariable = "CONFERENCECLUSTER_TEST_POSTGRES";

    /// <summary>The PostgreSQL server started by scripts/test.sh (scripts/postgres.sh) on 127.0.0.1.</summary>
    public static string Postgres =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{PostgresVariable} is not set: run the tests with scripts/test.sh, or `scripts/postgres.sh start` and export {PostgresVariable}=\"$(scripts/postgres.sh url)\"");

    /// <summary>A fresh SQLite file shared by every silo process of one test.</summary>
    public static string NewSqliteFile() =>
        Path.Combine(Path.GetTempPath(), "cc-it-" + Guid.NewGuid().ToString("N"), "cluster.db");

    public static string ConnectionString(string storage) => storage switch
    {
        "postgres" => Postgres,
        "sqlite" => $"Data Source={NewSqliteFile()}",
        _ => throw new ArgumentOutOfRangeException(nameof(storage), storage, null),
    };
}
