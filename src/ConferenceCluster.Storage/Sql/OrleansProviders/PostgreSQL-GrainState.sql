-- Grain state for Orleans' ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet, invariant "Npgsql").
-- The contract is in README.md beside this file.
--
-- A grain is identified by its service, its grain type and its key, which Orleans passes in three parts: two 64-bit
-- halves (@GrainIdN0, @GrainIdN1: a Guid key, or 0 and an integer key) and a string (@GrainIdExtensionString: a string
-- key, a key extension, or NULL). That identity is the primary key. Orleans also passes two 32-bit hashes of it
-- (@GrainIdHash, @GrainTypeHash) for narrow indexes; we neither store nor use them, so a changed hash function
-- (AdoNetGrainStorageOptions.HashPicker) cannot make a grain miss its own state.
--
-- Optimistic concurrency: every write quotes the etag the grain last read or wrote, and succeeds only if the row
-- still has it; the row then gets a new etag. Etags come from one sequence, so an etag is never handed out twice
-- (until the sequence wraps after 2^31 writes): a grain whose row was deleted (DeleteStateOnClear) and created again
-- by another activation cannot be overwritten by a holder of the old row's etag.

CREATE SEQUENCE cc_grain_state_etag AS integer CYCLE;

CREATE TABLE cc_grain_state
(
    service_id        varchar(150)  NOT NULL,
    grain_type        varchar(512)  NOT NULL,
    grain_id_n0       bigint        NOT NULL,
    grain_id_n1       bigint        NOT NULL,
    -- @GrainIdExtensionString with NULL spelt as ('', false), so that the key can be the primary key (which
    -- allows no NULL) and a NULL extension stays apart from an empty one.
    key_extension     varchar(1024) NOT NULL,
    has_key_extension boolean       NOT NULL,
    payload           bytea         NULL,   -- NULL once cleared: the row stays, with a new etag
    etag              integer       NOT NULL,
    written_at        timestamptz   NOT NULL DEFAULT now(), -- for people reading the table; Orleans does not read it
    PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, key_extension, has_key_extension)
);

-- ReadFromStorageKey: the grain's state and etag; no row when it was never written. A row with a NULL payload is a
-- cleared state: Orleans then starts from a default state but keeps the etag for its next write.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", etag AS "Version"
  FROM cc_grain_state
 WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND key_extension = coalesce(@GrainIdExtensionString, '') AND has_key_extension = (@GrainIdExtensionString IS NOT NULL)
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- WriteToStorageKey: store the state. With @GrainStateVersion NULL (the grain believes it has no row) insert the row,
-- unless one exists; otherwise update the row that still has etag @GrainStateVersion. Returns the new etag as
-- NewGrainStateVersion, or no row when refused, which Orleans raises as InconsistentStateException. Of two
-- activations inserting the same new grain at once, the primary key lets one through.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE cc_grain_state
       SET payload = @PayloadBinary, etag = nextval('cc_grain_state_etag'), written_at = now()
     WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
       AND key_extension = coalesce(@GrainIdExtensionString, '') AND has_key_extension = (@GrainIdExtensionString IS NOT NULL)
       AND etag = @GrainStateVersion
    RETURNING etag),
inserted AS (
    INSERT INTO cc_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, key_extension, has_key_extension, payload, etag)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, coalesce(@GrainIdExtensionString, ''),
           @GrainIdExtensionString IS NOT NULL, @PayloadBinary, nextval('cc_grain_state_etag')
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING etag)
SELECT etag AS "NewGrainStateVersion" FROM updated
UNION ALL
SELECT etag FROM inserted
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ClearStorageKey: forget the state but keep the row, so that its etag goes on (Orleans' default,
-- DeleteStateOnClear = false). Same etag rule and result as a write.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', $q$
UPDATE cc_grain_state
   SET payload = NULL, etag = nextval('cc_grain_state_etag'), written_at = now()
 WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND key_extension = coalesce(@GrainIdExtensionString, '') AND has_key_extension = (@GrainIdExtensionString IS NOT NULL)
   AND etag = @GrainStateVersion
RETURNING etag AS "NewGrainStateVersion"
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- DeleteStorageKey (optional key; used when AdoNetGrainStorageOptions.DeleteStateOnClear = true): delete the row that
-- still has etag @GrainStateVersion. Orleans needs a value different from that etag to know the delete happened (and
-- then forgets it): a fresh etag, like every other successful write. No row when refused.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', $q$
DELETE FROM cc_grain_state
 WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND key_extension = coalesce(@GrainIdExtensionString, '') AND has_key_extension = (@GrainIdExtensionString IS NOT NULL)
   AND etag = @GrainStateVersion
RETURNING nextval('cc_grain_state_etag') AS "NewGrainStateVersion"
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
