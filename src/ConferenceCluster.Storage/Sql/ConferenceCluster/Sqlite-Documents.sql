-- The configuration documents of every cluster id in this file (ConferenceCluster.Storage.Documents): the same
-- tables as the runtime before Orleans, so the embedded silo's configuration survives the move. Idempotent.
CREATE TABLE IF NOT EXISTS cc_documents
(
    cluster_id    TEXT    NOT NULL,
    collection    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    json          TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, collection, id)
);

CREATE TABLE IF NOT EXISTS cc_change_counter
(
    cluster_id    TEXT    NOT NULL PRIMARY KEY,
    counter       INTEGER NOT NULL DEFAULT 0
);
