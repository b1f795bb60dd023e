namespace ConferenceCluster.Runtime.Sql.Sqlite;

/// <summary>
/// Every statement the SQLite store runs: the same tables and statements as <see cref="Postgres.PostgresSql"/>,
/// in SQLite's types. Times are INTEGER milliseconds since the Unix epoch (exact, and ordered for the
/// cleanup's comparison); foreign keys are left out because SQLite only enforces them per connection on request.
/// </summary>
internal static class SqliteSql
{
    /// <summary>Milliseconds since the epoch, written without unixepoch() so that SQLite older than 3.38 works.</summary>
    private const string NowMilliseconds = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    // WAL lets readers run beside the one writer, across processes; NORMAL sync is durable enough in WAL mode
    // (a power cut may lose the last commits, never corrupt the file) and saves an fsync per commit.
    public const string JournalModeWal = "PRAGMA journal_mode=WAL";
    public const string SynchronousNormal = "PRAGMA synchronous=NORMAL";

    public const string CreateSchema = $"""
        CREATE TABLE IF NOT EXISTS cc_membership_version (
            cluster_id    TEXT    NOT NULL PRIMARY KEY,
            "timestamp"   INTEGER NOT NULL DEFAULT ({NowMilliseconds}),
            version       INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS cc_membership (
            cluster_id    TEXT    NOT NULL,
            address       TEXT    NOT NULL,
            port          INTEGER NOT NULL,
            generation    INTEGER NOT NULL,
            silo_name     TEXT    NOT NULL,
            host_name     TEXT    NOT NULL,
            status        INTEGER NOT NULL,
            proxy_port    INTEGER NULL,
            suspect_times TEXT    NULL,
            metadata_json TEXT    NULL,
            start_time    INTEGER NOT NULL,
            iamalive_time INTEGER NOT NULL,
            etag          INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (cluster_id, address, port, generation)
        );
        CREATE TABLE IF NOT EXISTS cc_grain_directory (
            cluster_id    TEXT    NOT NULL,
            grain_id      TEXT    NOT NULL,
            silo_address  TEXT    NOT NULL,
            activation_id TEXT    NOT NULL,
            PRIMARY KEY (cluster_id, grain_id)
        );
        CREATE INDEX IF NOT EXISTS cc_grain_directory_silo ON cc_grain_directory (cluster_id, silo_address);
        CREATE TABLE IF NOT EXISTS cc_documents (
            cluster_id    TEXT    NOT NULL,
            collection    TEXT    NOT NULL,
            id            TEXT    NOT NULL,
            json          TEXT    NOT NULL,
            version       INTEGER NOT NULL,
            PRIMARY KEY (cluster_id, collection, id)
        );
        CREATE TABLE IF NOT EXISTS cc_change_counter (
            cluster_id    TEXT    NOT NULL PRIMARY KEY,
            counter       INTEGER NOT NULL DEFAULT 0
        );
        """;

    // ---- membership ----

    public const string InsertMembershipVersion = """
        INSERT INTO cc_membership_version (cluster_id) VALUES (@cluster_id)
        ON CONFLICT (cluster_id) DO NOTHING
        """;

    public const string BumpMembershipVersion = $"""
        UPDATE cc_membership_version SET version = @version, "timestamp" = {NowMilliseconds}
        WHERE cluster_id = @cluster_id AND version = @version - 1
        """;

    public const string InsertMembership = """
        INSERT INTO cc_membership (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port,
                                   suspect_times, metadata_json, start_time, iamalive_time, etag)
        VALUES (@cluster_id, @address, @port, @generation, @silo_name, @host_name, @status, @proxy_port,
                @suspect_times, @metadata_json, @start_time, @iamalive_time, 0)
        ON CONFLICT (cluster_id, address, port, generation) DO NOTHING
        """;

    public const string UpdateMembership = """
        UPDATE cc_membership
        SET silo_name = @silo_name, host_name = @host_name, status = @status, proxy_port = @proxy_port,
            suspect_times = @suspect_times, metadata_json = @metadata_json, start_time = @start_time,
            iamalive_time = @iamalive_time, etag = etag + 1
        WHERE cluster_id = @cluster_id AND address = @address AND port = @port AND generation = @generation
          AND etag = @etag
        """;

    public const string UpdateIAmAlive = """
        UPDATE cc_membership SET iamalive_time = @iamalive_time
        WHERE cluster_id = @cluster_id AND address = @address AND port = @port AND generation = @generation
        """;

    public const string ReadAllMembership = """
        SELECT v.version, m.address, m.port, m.generation, m.silo_name, m.host_name, m.status, m.proxy_port,
               m.suspect_times, m.metadata_json, m.start_time, m.iamalive_time, m.etag
        FROM cc_membership_version v
        LEFT OUTER JOIN cc_membership m ON m.cluster_id = v.cluster_id
        WHERE v.cluster_id = @cluster_id
        """;

    public const string CleanupDefunctSiloEntries = """
        DELETE FROM cc_membership
        WHERE cluster_id = @cluster_id AND status <> 3 AND iamalive_time < @before
        """;

    public const string DeleteMembershipRows = "DELETE FROM cc_membership WHERE cluster_id = @cluster_id";

    public const string ResetMembershipVersion = $"""
        UPDATE cc_membership_version SET version = 0, "timestamp" = {NowMilliseconds} WHERE cluster_id = @cluster_id
        """;

    // ---- grain directory ----

    public const string LookupRegistration = """
        SELECT silo_address, activation_id FROM cc_grain_directory
        WHERE cluster_id = @cluster_id AND grain_id = @grain_id
        """;

    public const string InsertRegistration = """
        INSERT INTO cc_grain_directory (cluster_id, grain_id, silo_address, activation_id)
        VALUES (@cluster_id, @grain_id, @silo_address, @activation_id)
        ON CONFLICT (cluster_id, grain_id) DO NOTHING
        """;

    public const string TakeOverRegistration = """
        UPDATE cc_grain_directory SET silo_address = @silo_address, activation_id = @activation_id
        WHERE cluster_id = @cluster_id AND grain_id = @grain_id
          AND silo_address = @previous_silo_address AND activation_id = @previous_activation_id
        """;

    public const string DeleteRegistration = """
        DELETE FROM cc_grain_directory
        WHERE cluster_id = @cluster_id AND grain_id = @grain_id
          AND silo_address = @silo_address AND activation_id = @activation_id
        """;

    public const string DeleteSiloRegistrations = """
        DELETE FROM cc_grain_directory WHERE cluster_id = @cluster_id AND silo_address = @silo_address
        """;

    // ---- documents ----

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

    public const string BumpChangeCounter = """
        INSERT INTO cc_change_counter (cluster_id, counter) VALUES (@cluster_id, 1)
        ON CONFLICT (cluster_id) DO UPDATE SET counter = counter + 1
        """;

    public const string GetChangeCounter = "SELECT counter FROM cc_change_counter WHERE cluster_id = @cluster_id";
}
