-- Which schema scripts this database has had, each once (ConferenceCluster.Storage.Schema, scripts/postgres.sh).
-- sha256 is the script's as applied (NULL only in rows that an older release wrote for scripts applied by hand).
CREATE TABLE IF NOT EXISTS conferencecluster_schema_version
(
    script     varchar(200) NOT NULL PRIMARY KEY,
    sha256     char(64)     NULL,
    applied_at timestamptz  NOT NULL DEFAULT now(),
    applied_by varchar(200) NOT NULL
);
