namespace ConferenceCluster.Storage.Documents;

/// <summary>
/// Every statement of the SQL document stores, in SQL that PostgreSQL and SQLite (3.35 and later) both take; only
/// the tables' types differ (Sql/ConferenceCluster/PostgreSQL-Documents.sql and Sqlite-Documents.sql).
/// </summary>
internal static class DocumentSql
{
    public const string CreatePostgresTables = "ConferenceCluster/PostgreSQL-Documents.sql";
    public const string CreateSqliteTables = "ConferenceCluster/Sqlite-Documents.sql";

    public const string GetDocument = """
        SELECT json, version FROM cc_documents
        WHERE cluster_id = @cluster_id AND collection = @collection AND id = @id
        """;

    public const string ListDocuments = """
        SELECT id, json, version FROM cc_documents
        WHERE cluster_id = @cluster_id AND collection = @collection
        """;

    public const string InsertDocument = """
        INSERT INTO cc_documents (cluster_id, collection, id, json, version)
        VALUES (@cluster_id, @collection, @id, @json, 1)
        ON CONFLICT (cluster_id, collection, id) DO NOTHING
        """;

    public const string UpdateDocument = """
        UPDATE cc_documents SET json = @json, version = version + 1
        WHERE cluster_id = @cluster_id AND collection = @collection AND id = @id AND version = @expected_version
        RETURNING version
        """;

    public const string DeleteDocument = """
        DELETE FROM cc_documents WHERE cluster_id = @cluster_id AND collection = @collection AND id = @id
        """;

    public const string DeleteDocumentIfVersion = """
        DELETE FROM cc_documents
        WHERE cluster_id = @cluster_id AND collection = @collection AND id = @id AND version = @expected_version
        """;

    public const string InsertChangeCounter = """
        INSERT INTO cc_change_counter (cluster_id) VALUES (@cluster_id)
        ON CONFLICT (cluster_id) DO NOTHING
        """;

    /// <summary>An upsert, so a document write never depends on InitializeAsync having created the row.</summary>
    public const string BumpChangeCounter = """
        INSERT INTO cc_change_counter (cluster_id, counter) VALUES (@cluster_id, 1)
        ON CONFLICT (cluster_id) DO UPDATE SET counter = cc_change_counter.counter + 1
        """;

    public const string GetChangeCounter = "SELECT counter FROM cc_change_counter WHERE cluster_id = @cluster_id";
}
