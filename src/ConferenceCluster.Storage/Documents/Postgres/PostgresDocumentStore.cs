using ConferenceCluster.Storage.Schema;
using Npgsql;

namespace ConferenceCluster.Storage.Documents.Postgres;

/// <summary>
/// The documents on PostgreSQL (real, multi-host clusters). Many clusters may share one database: every row carries
/// its cluster id. Connections come from one pooled <see cref="NpgsqlDataSource"/>; each successful write bumps the
/// cluster's change counter in the same transaction.
/// </summary>
public sealed class PostgresDocumentStore : IOwnedClusterDocumentStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    public PostgresDocumentStore(string clusterId, string connectionString)
        : this(clusterId, NpgsqlDataSource.Create(connectionString), ownsDataSource: true)
    {
    }

    /// <summary>Uses a data source owned by the caller (for example one shared with other components).</summary>
    public PostgresDocumentStore(string clusterId, NpgsqlDataSource dataSource)
        : this(clusterId, dataSource, ownsDataSource: false)
    {
    }

    private PostgresDocumentStore(string clusterId, NpgsqlDataSource dataSource, bool ownsDataSource)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        ClusterId = clusterId;
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
    }

    public string ClusterId { get; }

    /// <summary>
    /// Creates the document tables if missing (under the schema's lock, which orders silos that start together) and
    /// the cluster's counter row. Where the tables exist it runs no DDL, so a database user without CREATE rights works
    /// on a schema that a DBA applied.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await TablesExistAsync(connection, transaction, cancellationToken).ConfigureAwait(false))
            {
                await OrleansPostgresSchema.LockAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await using var create = new NpgsqlCommand(EmbeddedSql.Read(DocumentSql.CreatePostgresTables), connection, transaction);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await using var command = Command(DocumentSql.InsertChangeCounter);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        await using var command = Command(DocumentSql.GetDocument);
        command.Parameters.With("collection", collection).With("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new StoredDocument(collection, id, reader.GetString(0), reader.GetInt64(1));
    }

    public async Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default)
    {
        await using var command = Command(DocumentSql.ListDocuments);
        command.Parameters.With("collection", collection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var documents = new List<StoredDocument>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            documents.Add(new StoredDocument(collection, reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        // Sorted here because the contract is .NET ordinal order, which no database collation promises.
        documents.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return documents;
    }

    public async Task<StoredDocument?> TryInsertAsync(string collection, string id, string json, CancellationToken cancellationToken = default)
    {
        var inserted = await WriteCountedAsync(async (connection, transaction) =>
        {
            await using var command = Command(DocumentSql.InsertDocument, connection, transaction);
            command.Parameters.With("collection", collection).With("id", id).With("json", json);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
        return inserted ? new StoredDocument(collection, id, json, 1) : null;
    }

    public async Task<StoredDocument?> TryUpdateAsync(string collection, string id, string json, long expectedVersion, CancellationToken cancellationToken = default)
    {
        long? newVersion = null;
        await WriteCountedAsync(async (connection, transaction) =>
        {
            await using var command = Command(DocumentSql.UpdateDocument, connection, transaction);
            command.Parameters.With("collection", collection).With("id", id).With("json", json).With("expected_version", expectedVersion);
            newVersion = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
            return newVersion is not null;
        }, cancellationToken).ConfigureAwait(false);
        return newVersion is { } version ? new StoredDocument(collection, id, json, version) : null;
    }

    public Task<bool> DeleteAsync(string collection, string id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        WriteCountedAsync(async (connection, transaction) =>
        {
            await using var command = Command(
                expectedVersion is null ? DocumentSql.DeleteDocument : DocumentSql.DeleteDocumentIfVersion, connection, transaction);
            command.Parameters.With("collection", collection).With("id", id);
            if (expectedVersion is { } version)
                command.Parameters.With("expected_version", version);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);

    public async Task<long> GetChangeCounterAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Command(DocumentSql.GetChangeCounter);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long? ?? 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
            await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<bool> TablesExistAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        await SchemaApplier.TableExistsAsync(connection, transaction, OrleansPostgresSchema.Dialect, "cc_documents", cancellationToken).ConfigureAwait(false)
        && await SchemaApplier.TableExistsAsync(connection, transaction, OrleansPostgresSchema.Dialect, "cc_change_counter", cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a document write and, only if it changed a row, bumps the change counter; both or neither commit.</summary>
    private async Task<bool> WriteCountedAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>> write, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await write(connection, transaction).ConfigureAwait(false))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        await using (var bump = Command(DocumentSql.BumpChangeCounter, connection, transaction))
            await bump.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>A command on <paramref name="connection"/> with the cluster id already bound.</summary>
    private NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("cluster_id", ClusterId));
        return command;
    }

    /// <summary>A command on a pooled connection of its own, for single statements.</summary>
    private NpgsqlCommand Command(string sql)
    {
        var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("cluster_id", ClusterId));
        return command;
    }
}

internal static class NpgsqlParameterExtensions
{
    public static NpgsqlParameterCollection With<T>(this NpgsqlParameterCollection parameters, string name, T value)
    {
        parameters.Add(new NpgsqlParameter<T>(name, value));
        return parameters;
    }
}
