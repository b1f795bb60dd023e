using Npgsql;

namespace ConferenceCluster.Storage.Tests;

/// <summary>
/// The PostgreSQL server the tests run on: the one scripts/test.sh starts (scripts/postgres.sh) and names in
/// CONFERENCECLUSTER_TEST_POSTGRES. Without it these tests fail on purpose, as everywhere in this repository: a store
/// that was never tested must not look green. Other engineers share the server, so every test works in a database
/// or under a cluster id of its own and drops only what it created.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "CONFERENCECLUSTER_TEST_POSTGRES";

    /// <summary>The configured database; its pool kept small because the races open many connections from several processes.</summary>
    public static string ConnectionString
    {
        get
        {
            if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } connectionString)
                throw new InvalidOperationException(
                    $"{Variable} is not set, so PostgreSQL cannot be tested. Run `scripts/postgres.sh start && " +
                    $"export {Variable}=\"$(scripts/postgres.sh url)\"` (scripts/test.sh does) and test again.");
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, 20);
            return builder.ConnectionString;
        }
    }

    /// <summary>A new, empty database on the server; disposing drops it (and only it).</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync()
    {
        var name = "cc_storage_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new TestDatabase(name, new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString);
    }
}

internal sealed class TestDatabase(string name, string connectionString) : IAsyncDisposable
{
    public string Name { get; } = name;
    public string ConnectionString { get; } = connectionString;

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<List<string>> ColumnAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
            values.Add(reader.IsDBNull(0) ? "NULL" : Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return values;
    }

    public async ValueTask DisposeAsync()
    {
        await using (var pooled = new NpgsqlConnection(ConnectionString))
            NpgsqlConnection.ClearPool(pooled);
        await using var admin = new NpgsqlConnection(TestPostgres.ConnectionString);
        await admin.OpenAsync();
        // FORCE: a silo that was stopped may still hold pooled connections in its own data source.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
