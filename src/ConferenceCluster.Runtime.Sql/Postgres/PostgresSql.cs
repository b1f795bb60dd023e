namespace ConferenceCluster.Runtime.Sql.Postgres;

/// <summary>
/// Every statement the PostgreSQL store runs. The membership tables follow Orleans' PostgreSQL ADO.NET
/// clustering script (OrleansMembershipVersionTable / OrleansMembershipTable) in snake_case, with
/// <c>cluster_id</c> for Orleans' DeploymentId and an explicit row <c>etag</c> column.
/// </summary>
internal static class PostgresSql
{
    /// <summary>
    /// Key of the transaction-scoped advisory lock taken around schema creation: CREATE TABLE IF NOT EXISTS is
    /// not safe against itself in PostgreSQL (two sessions can both pass the check and one then fails on the
    /// pg_type unique index), so silos that start together take turns.
    /// </summary>
    public const long SchemaLockKey = 0x43435F534348454D; // "CC_SCHEM"

    public const string AcquireSchemaLock = "SELECT pg_advisory_xact_lock(@lock_key)";

    // address is wider than Orleans' varchar(45) because our silos may advertise a host name, not only an IP.
    public const string CreateSchema = """
        CREATE TABLE IF NOT EXISTS cc_membership_version (
            cluster_id    varchar(150)   NOT NULL PRIMARY KEY,
            "timestamp"   timestamptz(3) NOT NULL DEFAULT now(),
            version       integer        NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS cc_membership (
            cluster_id    varchar(150)   NOT NULL REFERENCES cc_membership_version (cluster_id),
            address       varchar(255)   NOT NULL,
            port          integer        NOT NULL,
            generation    integer        NOT NULL,
            silo_name     varchar(150)   NOT NULL,
            host_name     varchar(150)   NOT NULL,
            status        integer        NOT NULL,
            proxy_port    integer        NULL,
            suspect_times varchar(8000)  NULL,
            metadata_json text           NULL,
            start_time    timestamptz(3) NOT NULL,
            iamalive_time timestamptz(3) NOT NULL,
            etag          integer        NOT NULL DEFAULT 0,
            PRIMARY KEY (cluster_id, address, port, generation)
        );
        CREATE TABLE IF NOT EXISTS cc_grain_directory (
            cluster_id    varchar(150)   NOT NULL,
            grain_id      text           NOT NULL,
            silo_address  varchar(300)   NOT NULL,
            activation_id uuid           NOT NULL,
            PRIMARY KEY (cluster_id, grain_id)
        );
        CREATE INDEX IF NOT EXISTS cc_grain_directory_silo ON cc_grain_directory (cluster_id, silo_address);
        CREATE TABLE IF NOT EXISTS cc_documents (
            cluster_id    varchar(150)   NOT NULL,
            collection    varchar(150)   NOT NULL,
            id            text           NOT NULL,
            json          text           NOT NULL,
            version       bigint         NOT NULL,
            PRIMARY KEY (cluster_id, collection, id)
        );
        CREATE TABLE IF NOT EXISTS cc_change_counter (
            cluster_id    varchar(150)   NOT NULL PRIMARY KEY,
            counter       bigint         NOT NULL DEFAULT 0
        );
        """;

    // ---- membership (Orleans query keys in brackets) ----

    /// <summary>[InsertMembershipVersionKey]</summary>
    public const string InsertMembershipVersion = """
        INSERT INTO cc_membership_version (cluster_id) VALUES (@cluster_id)
        ON CONFLICT (cluster_id) DO NOTHING
        """;

    /// <summary>
    /// The optimistic check every membership write makes first: it also row-locks the version row, so the
    /// writers of one cluster queue on it and a loser re-reads the bumped version and matches nothing.
    /// </summary>
    public const string BumpMembershipVersion = """
        UPDATE cc_membership_version SET version = @version, "timestamp" = now()
        WHERE cluster_id = @cluster_id AND version = @version - 1
        """;

    /// <summary>[InsertMembershipKey]</summary>
    public const string InsertMembership = """
        INSERT INTO cc_membership (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port,
                                   suspect_times, metadata_json, start_time, iamalive_time, etag)
        VALUES (@cluster_id, @address, @port, @generation, @silo_name, @host_name, @status, @proxy_port,
                @suspect_times, @metadata_json, @start_time, @iamalive_time, 0)
        ON CONFLICT (cluster_id, address, port, generation) DO NOTHING
        """;

    /// <summary>[UpdateMembershipKey]</summary>
    public const string UpdateMembership = """
        UPDATE cc_membership
        SET silo_name = @silo_name, host_name = @host_name, status = @status, proxy_port = @proxy_port,
            suspect_times = @suspect_times, metadata_json = @metadata_json, start_time = @start_time,
            iamalive_time = @iamalive_time, etag = etag + 1
        WHERE cluster_id = @cluster_id AND address = @address AND port = @port AND generation = @generation
          AND etag = @etag
        """;

    /// <summary>[UpdateIAmAlivetimeKey]: blind, touches neither the version nor the etag.</summary>
    public const string UpdateIAmAlive = """
        UPDATE cc_membership SET iamalive_time = @iamalive_time
        WHERE cluster_id = @cluster_id AND address = @address AND port = @port AND generation = @generation
        """;

    /// <summary>[MembershipReadAllKey]: one statement, so the rows and the version come from one snapshot.</summary>
    public const string ReadAllMembership = """
        SELECT v.version, m.address, m.port, m.generation, m.silo_name, m.host_name, m.status, m.proxy_port,
               m.suspect_times, m.metadata_json, m.start_time, m.iamalive_time, m.etag
        FROM cc_membership_version v
        LEFT OUTER JOIN cc_membership m ON m.cluster_id = v.cluster_id
        WHERE v.cluster_id = @cluster_id
        """;

    /// <summary>[CleanupDefunctSiloEntriesKey]: status 3 is Active.</summary>
    public const string CleanupDefunctSiloEntries = """
        DELETE FROM cc_membership
        WHERE cluster_id = @cluster_id AND status <> 3 AND iamalive_time < @before
        """;

    /// <summary>
    /// [DeleteMembershipTableEntriesKey], except that the version row is reset rather than deleted: the
    /// in-memory reference resets to 0 and a cluster deleted under a running silo must still accept version 1.
    /// </summary>
    public const string DeleteMembershipCluster = """
        DELETE FROM cc_membership WHERE cluster_id = @cluster_id;
        UPDATE cc_membership_version SET version = 0, "timestamp" = now() WHERE cluster_id = @cluster_id;
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

    /// <summary>Takeover: only replaces the exact registration the caller saw (normally one on a dead silo).</summary>
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
