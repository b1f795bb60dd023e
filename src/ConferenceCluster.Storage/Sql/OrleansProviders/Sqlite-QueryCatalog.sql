-- The query catalog of the embedded silo's SQLite file. Orleans' ADO.NET grain storage reads it at start
-- (SELECT QueryKey, QueryText FROM OrleansQuery WHERE QueryKey = ...) and from then on runs the text stored under a
-- key, with named parameters, reading the results by column name. The table and column names are Orleans';
-- everything the texts touch is ours (README.md). IF NOT EXISTS because the table is shared with whatever else puts
-- Orleans queries into the file; our scripts insert or replace only their own keys.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
