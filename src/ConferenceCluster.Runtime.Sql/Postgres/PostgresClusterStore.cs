using ConferenceCluster.Runtime.Directory;
using ConferenceCluster.Runtime.Membership;
using ConferenceCluster.Runtime.Storage;
using Npgsql;

namespace ConferenceCluster.Runtime.Sql.Postgres;

/// <summary>
/// The cluster database in PostgreSQL (the store for real, multi-host clusters). Many clusters may share one
/// database: every row carries its cluster id. Connections come from one pooled <see cref="NpgsqlDataSource"/>.
/// </summary>
public sealed class PostgresClusterStore : IClusterStore
{
    private readonly PostgresDatabase _database;

    public PostgresClusterStore(string clusterId, string connectionString)
        : this(clusterId, NpgsqlDataSource.Create(connectionString), ownsDataSource: true)
    {
    }

    /// <summary>Uses a data source owned by the caller (for example one shared with other components).</summary>
    public PostgresClusterStore(string clusterId, NpgsqlDataSource dataSource)
        : this(clusterId, dataSource, ownsDataSource: false)
    {
    }

    private PostgresClusterStore(string clusterId, NpgsqlDataSource dataSource, bool ownsDataSource)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        ClusterId = clusterId;
        _database = new PostgresDatabase(clusterId, dataSource, ownsDataSource);
        Membership = new PostgresMembershipTable(_database);
        Directory = new PostgresGrainDirectoryStore(_database);
        Documents = new PostgresDocumentStore(_database);
    }

    public string ClusterId { get; }
    public IMembershipTable Membership { get; }
    public IGrainDirectoryStore Directory { get; }
    public IClusterDocumentStore Documents { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await Membership.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await Directory.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await Documents.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

/// <summary>What the three PostgreSQL tables of one store share: the cluster id, the pool, and the schema.</summary>
internal sealed class PostgresDatabase(string clusterId, NpgsqlDataSource dataSource, bool ownsDataSource) : IAsyncDisposable
{
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private bool _schemaCreated;

    public string ClusterId { get; } = clusterId;
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>Creates the tables once per store; safe when many processes do it at once (advisory lock).</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _schemaCreated))
            return;
        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaCreated)
                return;
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var lockCommand = new NpgsqlCommand(PostgresSql.AcquireSchemaLock, connection, transaction))
            {
                lockCommand.Parameters.Add(new NpgsqlParameter<long>("lock_key", PostgresSql.SchemaLockKey));
                await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using (var schemaCommand = new NpgsqlCommand(PostgresSql.CreateSchema, connection, transaction))
                await schemaCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _schemaCreated, true);
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    /// <summary>A command on <paramref name="connection"/> with the cluster id already bound.</summary>
    public NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction? transaction = null)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("cluster_id", ClusterId));
        return command;
    }

    /// <summary>A command on a pooled connection of its own, for single statements.</summary>
    public NpgsqlCommand Command(string sql)
    {
        var command = DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("cluster_id", ClusterId));
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        if (ownsDataSource)
            await DataSource.DisposeAsync().ConfigureAwait(false);
        _schemaGate.Dispose();
    }
}

internal static class NpgsqlParameterExtensions
{
    public static NpgsqlParameterCollection With<T>(this NpgsqlParameterCollection parameters, string name, T value)
    {
        parameters.Add(new NpgsqlParameter<T>(name, value));
        return parameters;
    }

    /// <summary>A nullable text parameter: a null value must still carry its type for PostgreSQL to accept it.</summary>
    public static NpgsqlParameterCollection WithNullableText(this NpgsqlParameterCollection parameters, string name, string? value)
    {
        parameters.Add(new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });
        return parameters;
    }
}
