-- Which schema scripts this database file has had, each once (ConferenceCluster.Storage.Schema).
-- sha256 is the script's as applied (NULL only in rows that an older release wrote for scripts applied by hand).
CREATE TABLE IF NOT EXISTS conferencecluster_schema_version
(
    script     TEXT NOT NULL PRIMARY KEY,
    sha256     TEXT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    applied_by TEXT NOT NULL
);
