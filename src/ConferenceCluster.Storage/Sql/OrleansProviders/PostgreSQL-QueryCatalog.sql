-- The query catalog. Orleans' ADO.NET providers run no SQL of their own: at start each one reads
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- and from then on runs the text stored under a key, with named parameters (@DeploymentId, ...), reading the
-- results by column name. The table and column names are Orleans'; everything the texts touch is ours (README.md).
--
-- The names stay unquoted, so PostgreSQL folds them to lower case exactly as it folds Orleans' unquoted SELECT, and
-- Npgsql finds "QueryKey" among the result columns case-insensitively.
--
-- IF NOT EXISTS, unlike the rest of our schema: this one table is shared with whatever else puts Orleans queries into
-- the database (Orleans' own scripts, an Orleans provider we do not use). Our scripts insert or replace only their
-- own keys.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);
