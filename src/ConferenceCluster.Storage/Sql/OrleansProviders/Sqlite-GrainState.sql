-- Grain state for Orleans' ADO.NET grain storage on the embedded silo's SQLite file (Microsoft.Orleans.Persistence.AdoNet,
-- invariant "System.Data.SQLite", which Orleans serves through Microsoft.Data.Sqlite). The same design and contract
-- as PostgreSQL-GrainState.sql (README.md), with what SQLite lacks: no sequence, so a row counts its own etags from
-- 1; and no DeleteStorageKey, so rows are never deleted and a row's etags never start again (Orleans refuses
-- DeleteStateOnClear = true on this file at start, with a message saying so).
--
-- Orleans runs each query text as one command on a connection of its own, without a transaction: every text below
-- is a single statement, or statements of which at most one can write.

CREATE TABLE cc_grain_state
(
    service_id        TEXT    NOT NULL,
    grain_type        TEXT    NOT NULL,
    grain_id_n0       INTEGER NOT NULL,
    grain_id_n1       INTEGER NOT NULL,
    -- @GrainIdExtensionString with NULL spelt as ('', 0), so that a NULL extension stays apart from an empty one
    -- in the primary key.
    key_extension     TEXT    NOT NULL,
    has_key_extension INTEGER NOT NULL,
    payload           BLOB    NULL,     -- NULL once cleared: the row stays, with a new etag
    etag              INTEGER NOT NULL,
    written_at        TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP, -- UTC, for people reading the file
    PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, key_extension, has_key_extension)
);

-- ReadFromStorageKey: the grain's state and etag; no row when it was never written, a NULL payload when cleared.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT payload AS PayloadBinary, etag AS Version
  FROM cc_grain_state
 WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND key_extension = ifnull(@GrainIdExtensionString, '''') AND has_key_extension = (@GrainIdExtensionString IS NOT NULL)
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- WriteToStorageKey: with @GrainStateVersion set, update the row that still has that etag; with it NULL, insert the
-- row unless one exists (the primary key decides between two activations racing). The two statements exclude each
-- other, so at most one writes and returns the new etag as NewGrainStateVersion; no row at all means refused, which
-- Orleans raises as InconsistentStateException. The etag wraps from 2147483647 to 1, as Orleans reads it as an int.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
UPDATE cc_grain_state
   SET payload = @PayloadBinary, etag = etag % 2147483647 + 1, written_at = CURRENT_TIMESTAMP
 WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND key_extension = ifnull(@GrainIdExtensionString, '''') AND has_key_extension = (@GrainIdExtensionString IS NOT NULL)
   AND etag = @GrainStateVersion
RETURNING etag AS NewGrainStateVersion;
INSERT INTO cc_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, key_extension, has_key_extension, payload, etag)
SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, ifnull(@GrainIdExtensionString, ''''),
       @GrainIdExtensionString IS NOT NULL, @PayloadBinary, 1
 WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING etag AS NewGrainStateVersion
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ClearStorageKey: forget the state but keep the row and let its etag go on. Same etag rule and result as a write.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE cc_grain_state
   SET payload = NULL, etag = etag % 2147483647 + 1, written_at = CURRENT_TIMESTAMP
 WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND key_extension = ifnull(@GrainIdExtensionString, '''') AND has_key_extension = (@GrainIdExtensionString IS NOT NULL)
   AND etag = @GrainStateVersion
RETURNING etag AS NewGrainStateVersion
') ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
