using ConferenceCluster.Runtime.Storage;

namespace ConferenceCluster.Runtime.Sql.Sqlite;

/// <summary>Configuration documents on SQLite; each successful write bumps the change counter in the same transaction.</summary>
internal sealed class SqliteDocumentStore(SqliteDatabase database) : IClusterDocumentStore
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await database.RunAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.InsertChangeCounter);
            return statement.Execute();
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default) =>
        database.RunAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.GetDocument).Bind("@collection", collection).Bind("@id", id);
            return statement.Step() ? new StoredDocument(collection, id, statement.GetString(0)!, statement.GetInt64(1)) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default) =>
        database.RunAsync<IReadOnlyList<StoredDocument>>(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.ListDocuments).Bind("@collection", collection);
            var documents = new List<StoredDocument>();
            while (statement.Step())
                documents.Add(new StoredDocument(collection, statement.GetString(0)!, statement.GetString(1)!, statement.GetInt64(2)));
            // Sorted here because the contract is .NET ordinal (UTF-16) order; SQLite's BINARY collation compares UTF-8.
            documents.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
            return documents;
        }, cancellationToken);

    public Task<StoredDocument?> TryInsertAsync(string collection, string id, string json, CancellationToken cancellationToken = default) =>
        WriteCountedAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.InsertDocument)
                .Bind("@collection", collection).Bind("@id", id).Bind("@json", json);
            return statement.Execute() == 1 ? Changed(new StoredDocument(collection, id, json, 1)) : Unchanged;
        }, cancellationToken);

    public Task<StoredDocument?> TryUpdateAsync(string collection, string id, string json, long expectedVersion, CancellationToken cancellationToken = default) =>
        WriteCountedAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.UpdateDocument)
                .Bind("@collection", collection).Bind("@id", id).Bind("@json", json).Bind("@expected_version", expectedVersion);
            return statement.Execute() == 1 ? Changed(new StoredDocument(collection, id, json, expectedVersion + 1)) : Unchanged;
        }, cancellationToken);

    public Task<bool> DeleteAsync(string collection, string id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        WriteCountedAsync(connection =>
        {
            using var statement = database.Prepare(connection,
                expectedVersion is null ? SqliteSql.DeleteDocument : SqliteSql.DeleteDocumentIfVersion);
            statement.Bind("@collection", collection).Bind("@id", id);
            if (expectedVersion is { } version)
                statement.Bind("@expected_version", version);
            var deleted = statement.Execute() == 1;
            return (deleted, deleted);
        }, cancellationToken);

    public Task<long> GetChangeCounterAsync(CancellationToken cancellationToken = default) =>
        database.RunAsync(connection =>
        {
            using var statement = database.Prepare(connection, SqliteSql.GetChangeCounter);
            return statement.Step() ? statement.GetInt64(0) : 0;
        }, cancellationToken);

    private static (StoredDocument?, bool) Changed(StoredDocument document) => (document, true);

    private static readonly (StoredDocument?, bool) Unchanged = (null, false);

    /// <summary>Runs a document write and, only if it changed a row, bumps the change counter; both or neither commit.</summary>
    private Task<T> WriteCountedAsync<T>(Func<SqliteConnection, (T Result, bool Changed)> write, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            var (result, changed) = write(connection);
            if (changed)
            {
                using var bump = database.Prepare(connection, SqliteSql.BumpChangeCounter);
                bump.Execute();
            }
            return (result, changed);
        }, cancellationToken);
}
