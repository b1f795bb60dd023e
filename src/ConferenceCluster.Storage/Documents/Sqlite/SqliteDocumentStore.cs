using ConferenceCluster.Storage.Schema;
using ConferenceCluster.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace ConferenceCluster.Storage.Documents.Sqlite;

/// <summary>
/// The documents in one SQLite file through Microsoft.Data.Sqlite: the embedded default, shared by the silo
/// processes of one host (see <see cref="SqliteFiles"/>). Each store has one connection and runs one operation at a
/// time; every write runs in a <c>BEGIN IMMEDIATE</c> transaction, so the optimistic checks hold across processes,
/// and bumps the change counter in the same transaction.
/// </summary>
public sealed class SqliteDocumentStore : IOwnedClusterDocumentStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private bool _disposed;

    /// <param name="path">The file (created with its directory if missing), or <c>:memory:</c> for a private in-memory database.</param>
    public SqliteDocumentStore(string clusterId, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ClusterId = clusterId;
        Path = SqliteFiles.FullPath(path);
    }

    public string ClusterId { get; }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(transaction =>
        {
            using (var create = transaction.Connection!.CreateCommand())
            {
                create.Transaction = transaction;
                create.CommandText = EmbeddedSql.Read(DocumentSql.CreateSqliteTables);
                create.ExecuteNonQuery();
            }
            using (var counter = Command(transaction, DocumentSql.InsertChangeCounter))
                counter.ExecuteNonQuery();
            return (true, true);
        }, cancellationToken);

    public Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        RunAsync(connection =>
        {
            using var command = Command(connection, DocumentSql.GetDocument).With("@collection", collection).With("@id", id);
            using var reader = command.ExecuteReader();
            return reader.Read() ? new StoredDocument(collection, id, reader.GetString(0), reader.GetInt64(1)) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<StoredDocument>>(connection =>
        {
            using var command = Command(connection, DocumentSql.ListDocuments).With("@collection", collection);
            using var reader = command.ExecuteReader();
            var documents = new List<StoredDocument>();
            while (reader.Read())
                documents.Add(new StoredDocument(collection, reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            // Sorted here because the contract is .NET ordinal (UTF-16) order; SQLite's BINARY collation compares UTF-8.
            documents.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
            return documents;
        }, cancellationToken);

    public Task<StoredDocument?> TryInsertAsync(string collection, string id, string json, CancellationToken cancellationToken = default) =>
        WriteCountedAsync(transaction =>
        {
            using var command = Command(transaction, DocumentSql.InsertDocument)
                .With("@collection", collection).With("@id", id).With("@json", json);
            return command.ExecuteNonQuery() == 1 ? Changed(new StoredDocument(collection, id, json, 1)) : Unchanged;
        }, cancellationToken);

    public Task<StoredDocument?> TryUpdateAsync(string collection, string id, string json, long expectedVersion, CancellationToken cancellationToken = default) =>
        WriteCountedAsync(transaction =>
        {
            using var command = Command(transaction, DocumentSql.UpdateDocument)
                .With("@collection", collection).With("@id", id).With("@json", json).With("@expected_version", expectedVersion);
            return command.ExecuteScalar() is long version ? Changed(new StoredDocument(collection, id, json, version)) : Unchanged;
        }, cancellationToken);

    public Task<bool> DeleteAsync(string collection, string id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        WriteCountedAsync(transaction =>
        {
            using var command = Command(transaction, expectedVersion is null ? DocumentSql.DeleteDocument : DocumentSql.DeleteDocumentIfVersion)
                .With("@collection", collection).With("@id", id);
            if (expectedVersion is { } version)
                command.With("@expected_version", version);
            var deleted = command.ExecuteNonQuery() == 1;
            return (deleted, deleted);
        }, cancellationToken);

    public Task<long> GetChangeCounterAsync(CancellationToken cancellationToken = default) =>
        RunAsync(connection =>
        {
            using var command = Command(connection, DocumentSql.GetChangeCounter);
            return command.ExecuteScalar() is long counter ? counter : 0;
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // Under the gate, so an operation in flight finishes first; one still queued then fails as disposed.
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _connection?.Dispose();
            _connection = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static (StoredDocument?, bool) Changed(StoredDocument document) => (document, true);

    private static readonly (StoredDocument?, bool) Unchanged = (null, false);

    /// <summary>Runs a document write and, only if it changed a row, bumps the change counter; both or neither commit.</summary>
    private Task<T> WriteCountedAsync<T>(Func<SqliteTransaction, (T Result, bool Changed)> write, CancellationToken cancellationToken) =>
        WriteAsync(transaction =>
        {
            var (result, changed) = write(transaction);
            if (changed)
            {
                using var bump = Command(transaction, DocumentSql.BumpChangeCounter);
                bump.ExecuteNonQuery();
            }
            return (result, changed);
        }, cancellationToken);

    /// <summary>Runs a read-modify-write under the file's write lock (BEGIN IMMEDIATE); it commits only if the work says so.</summary>
    private Task<T> WriteAsync<T>(Func<SqliteTransaction, (T Result, bool Commit)> work, CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var (result, commit) = work(transaction);
            if (commit)
                transaction.Commit();
            else
                transaction.Rollback();
            return result;
        }, cancellationToken);

    /// <summary>Runs statements that need no transaction: single reads.</summary>
    private async Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // SQLite blocks on the disk, and for up to the busy timeout on another process's write lock: keep that off
            // the caller's thread, which may be a grain's turn.
            return await Task.Run(() => work(_connection ??= SqliteFiles.Open(Path)), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A command with the cluster id bound (every statement of the store is scoped to it).</summary>
    private SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@cluster_id", ClusterId);
        return command;
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = Command(transaction.Connection!, sql);
        command.Transaction = transaction;
        return command;
    }
}

internal static class SqliteCommandExtensions
{
    public static SqliteCommand With(this SqliteCommand command, string name, object value)
    {
        command.Parameters.AddWithValue(name, value);
        return command;
    }
}
