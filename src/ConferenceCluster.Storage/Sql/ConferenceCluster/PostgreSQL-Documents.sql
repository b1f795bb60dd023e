-- The configuration documents of every cluster id in this database (ConferenceCluster.Storage.Documents).
-- The same tables as the runtime before Orleans, so a cluster's configuration survives the move. The JSON is text,
-- not jsonb, so that it reads back byte for byte. Idempotent.
CREATE TABLE IF NOT EXISTS cc_documents
(
    cluster_id    varchar(150)   NOT NULL,
    collection    varchar(150)   NOT NULL,
    id            text           NOT NULL,
    json          text           NOT NULL,
    version       bigint         NOT NULL,
    PRIMARY KEY (cluster_id, collection, id)
);

-- Bumped by every document write of a cluster, so a silo polls one value to see that configuration changed.
CREATE TABLE IF NOT EXISTS cc_change_counter
(
    cluster_id    varchar(150)   NOT NULL PRIMARY KEY,
    counter       bigint         NOT NULL DEFAULT 0
);
