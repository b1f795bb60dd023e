using ConferenceCluster.Storage.Schema;
using Npgsql;

namespace ConferenceCluster.Integration.Tests;

/// <summary>The shared PostgreSQL server the clustering tests run on (scripts/postgres.sh), and a database of one test on it.</summary>
internal static class TestDatabases
{
    public const string PostgresVariable = "CONFERENCECLUSTER_TEST_POSTGRES";

    /// <summary>The PostgreSQL server started by scripts/test.sh (scripts/postgres.sh) on 127.0.0.1.</summary>
    public static string Postgres =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{PostgresVariable} is not set: run the tests with scripts/test.sh, or `scripts/postgres.sh start` and export {PostgresVariable}=\"$(scripts/postgres.sh url)\"");

    /// <summary>A cluster id no other test uses: the membership rows and our documents are keyed by it.</summary>
    public static string NewClusterId(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(purpose.Length + 13, 40)];
}

/// <summary>
/// A database of this test alone on the shared server, with the cluster schema applied; dropped when disposed. The
/// server is shared with other engineers' tests, whose schema (a branch's manifest) may differ from this build's: a
/// database of one's own keeps both apart.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _name;

    private TestDatabase(string name, string connectionString)
    {
        _name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var name = "cc_it_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteOnServerAsync($"CREATE DATABASE {name}");
        var database = new TestDatabase(name, new NpgsqlConnectionStringBuilder(TestDatabases.Postgres) { Database = name }.ConnectionString);
        try
        {
            await OrleansPostgresSchema.ApplyAsync(database.ConnectionString);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        // FORCE: a killed silo's connections may not have been closed by the server yet.
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabases.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
