using ConferenceCluster.Storage.Schema;
using Npgsql;

namespace ConferenceCluster.Storage.Tests.Contract;

/// <summary>
/// A database of the test server with the cluster schema applied, shared by the tests of one class (each test works
/// under a cluster or service id of its own); dropped when the class is done.
/// </summary>
public sealed class SchemaDatabase : IAsyncLifetime
{
    private TestDatabase? _database;

    internal TestDatabase Database => _database ?? throw new InvalidOperationException("the fixture has not started");

    public string ConnectionString => Database.ConnectionString;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        await OrleansPostgresSchema.ApplyAsync(_database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }

    /// <summary>
    /// Runs the catalog's text for <paramref name="queryKey"/> as Orleans runs it (one command, no transaction, named
    /// parameters), for the cases Orleans' own classes cannot reach on demand, such as a row changing between Orleans'
    /// read and its write. Returns the first column of every row.
    /// </summary>
    public async Task<List<object?>> RunCatalogQueryAsync(string queryKey, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        string text;
        await using (var read = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key", connection))
        {
            read.Parameters.AddWithValue("key", queryKey);
            text = (string)(await read.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no query {queryKey}"));
        }
        await using var command = new NpgsqlCommand(text, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<object?>();
        do
        {
            while (await reader.ReadAsync())
                values.Add(reader.FieldCount == 0 || reader.IsDBNull(0) ? null : reader.GetValue(0));
        } while (await reader.NextResultAsync());
        return values;
    }
}
