using ConferenceCluster.Runtime.Storage;
using Npgsql;

namespace ConferenceCluster.Runtime.Sql.Postgres;

/// <summary>
/// Configuration documents on PostgreSQL. The JSON is kept as text (not jsonb) so it reads back byte for byte;
/// each successful write bumps the cluster's change counter in the same transaction.
/// </summary>
internal sealed class PostgresDocumentStore(PostgresDatabase database) : IClusterDocumentStore
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = database.Command(PostgresSql.InsertChangeCounter);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        await using var command = database.Command(PostgresSql.GetDocument);
        command.Parameters.With("collection", collection).With("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new StoredDocument(collection, id, reader.GetString(0), reader.GetInt64(1));
    }

    public async Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default)
    {
        await using var command = database.Command(PostgresSql.ListDocuments);
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
            await using var command = database.Command(PostgresSql.InsertDocument, connection, transaction);
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
            await using var command = database.Command(PostgresSql.UpdateDocument, connection, transaction);
            command.Parameters.With("collection", collection).With("id", id).With("json", json).With("expected_version", expectedVersion);
            newVersion = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
            return newVersion is not null;
        }, cancellationToken).ConfigureAwait(false);
        return newVersion is { } version ? new StoredDocument(collection, id, json, version) : null;
    }

    public Task<bool> DeleteAsync(string collection, string id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        WriteCountedAsync(async (connection, transaction) =>
        {
            await using var command = database.Command(
                expectedVersion is null ? PostgresSql.DeleteDocument : PostgresSql.DeleteDocumentIfVersion, connection, transaction);
            command.Parameters.With("collection", collection).With("id", id);
            if (expectedVersion is { } version)
                command.Parameters.With("expected_version", version);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);

    public async Task<long> GetChangeCounterAsync(CancellationToken cancellationToken = default)
    {
        await using var command = database.Command(PostgresSql.GetChangeCounter);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long? ?? 0;
    }

    /// <summary>Runs a document write and, only if it changed a row, bumps the change counter; both or neither commit.</summary>
    private async Task<bool> WriteCountedAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>> write, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await write(connection, transaction).ConfigureAwait(false))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        await using (var bump = database.Command(PostgresSql.BumpChangeCounter, connection, transaction))
            await bump.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
