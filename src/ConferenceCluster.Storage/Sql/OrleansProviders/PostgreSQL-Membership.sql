-- Cluster membership for Orleans' ADO.NET clustering (Microsoft.Orleans.Clustering.AdoNet, invariant "Npgsql").
-- The contract (query keys, parameters, result columns, what each must do) is in README.md beside this file.
--
-- Orleans' membership protocol keeps one version per cluster: a silo reads the whole table with its version, decides,
-- and writes one silo's row quoting the version it read. The write succeeds only if nobody wrote in between; then the
-- version goes up by exactly 1. A refused write makes Orleans read again and retry. Heartbeats are the exception: a
-- silo stamps its own row's IAmAliveTime without quoting or changing the version.
--
-- Lock order, the same for every writer so that no two can deadlock: a silo's row before its cluster's version row.

-- One row per cluster: Orleans' ClusterId, which its ADO.NET code calls DeploymentId.
CREATE TABLE cc_membership_version
(
    cluster_id varchar(150) NOT NULL PRIMARY KEY,
    version    integer      NOT NULL DEFAULT 0 CHECK (version >= 0),
    changed_at timestamptz  NOT NULL DEFAULT now() -- when the version last went up; for people reading the table
);

-- One row per silo incarnation. A silo restarting on the same address and port gets a new generation, so a new row.
-- Orleans reads every column back, so none may be NULL except the suspicions.
CREATE TABLE cc_membership_silo
(
    cluster_id      varchar(150) NOT NULL REFERENCES cc_membership_version (cluster_id),
    address         varchar(64)  NOT NULL,  -- IPAddress.ToString(): IPv4 or IPv6
    port            integer      NOT NULL,  -- the silo-to-silo port
    generation      integer      NOT NULL,
    silo_name       varchar(150) NOT NULL,
    host_name       varchar(150) NOT NULL,
    status          integer      NOT NULL,  -- Orleans.Runtime.SiloStatus: 2 Joining, 3 Active, 4 ShuttingDown,
                                            -- 5 Stopping, 6 Dead
    proxy_port      integer      NOT NULL,  -- the gateway port; 0 = no gateway
    -- Votes against the silo as Orleans writes them, voter and time per vote:
    -- "10.0.0.1:11111@155640296,2026-12-07 07:57:55.084 GMT|...". A silo stopping writes its own address here.
    suspect_times   text         NULL,
    start_time      timestamptz  NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,  -- the silo's last heartbeat
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- The step every membership change shares: raise the cluster's version by 1 if it is still the one the writer read.
-- The version row is the cluster's write lock: of two writers quoting the same version, the second waits here until
-- the first commits, then finds the version changed and gets false.
CREATE FUNCTION cc_membership_advance(p_cluster_id text, p_read_version integer)
    RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE cc_membership_version
       SET version = version + 1, changed_at = now()
     WHERE cluster_id = p_cluster_id AND version = p_read_version;
    RETURN FOUND;
END
$$;

-- InsertMembershipKey: a silo announces itself. Inserts its row and raises the version, both or neither.
-- Refused (false) when the row exists already or the version is no longer the one the silo read.
CREATE FUNCTION cc_membership_insert(
    p_cluster_id text, p_address text, p_port integer, p_generation integer, p_silo_name text, p_host_name text,
    p_status integer, p_proxy_port integer, p_start_time timestamptz, p_i_am_alive_time timestamptz,
    p_read_version integer)
    RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cc_membership_silo
               WHERE cluster_id = p_cluster_id AND address = p_address AND port = p_port AND generation = p_generation) THEN
        RETURN false;
    END IF;
    IF NOT cc_membership_advance(p_cluster_id, p_read_version) THEN
        RETURN false;
    END IF;
    -- Nothing can have inserted this silo since the check above without raising the version we now hold; if it did
    -- anyway, the primary key raises an error and the whole call, version included, rolls back.
    INSERT INTO cc_membership_silo (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port,
                                    suspect_times, start_time, i_am_alive_time)
    VALUES (p_cluster_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
            NULL, p_start_time, p_i_am_alive_time);
    RETURN true;
END
$$;

-- UpdateMembershipKey: a silo changes a row (its own status, or a vote or a death sentence on another silo).
-- Updates the row and raises the version, both or neither. Refused (false) when the row is gone or the version is
-- no longer the one the writer read. Checks come before writes, so a refusal has written nothing and needs no undo.
CREATE FUNCTION cc_membership_update(
    p_cluster_id text, p_address text, p_port integer, p_generation integer, p_status integer, p_suspect_times text,
    p_i_am_alive_time timestamptz, p_read_version integer)
    RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    -- The silo's row first (the lock order): a row that a cleanup deletes meanwhile is not found, rather than found
    -- by this check and gone by the time of the update below.
    PERFORM 1 FROM cc_membership_silo
     WHERE cluster_id = p_cluster_id AND address = p_address AND port = p_port AND generation = p_generation
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF NOT cc_membership_advance(p_cluster_id, p_read_version) THEN
        RETURN false;
    END IF;
    UPDATE cc_membership_silo
       SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time
     WHERE cluster_id = p_cluster_id AND address = p_address AND port = p_port AND generation = p_generation;
    RETURN true;
END
$$;

-- The two membership reads: a cluster's silos (all of them, or the one at p_address, p_port, p_generation) with the
-- version, in the columns Orleans reads. Always at least one row, the version row (silo columns NULL when no silo
-- matches): Orleans takes the version from the first row and treats a NULL StartTime as "no silo". No row at all
-- (no version row) is an error in Orleans. One SELECT, so the silos and the version come from one snapshot.
CREATE FUNCTION cc_membership_read(p_cluster_id text, p_address text, p_port integer, p_generation integer)
    RETURNS TABLE ("Version" integer, "Address" varchar, "Port" integer, "Generation" integer, "SiloName" varchar,
                   "HostName" varchar, "Status" integer, "ProxyPort" integer, "SuspectTimes" text,
                   "StartTime" timestamptz, "IAmAliveTime" timestamptz)
    LANGUAGE sql
    STABLE
AS $$
SELECT v.version, s.address, s.port, s.generation, s.silo_name, s.host_name, s.status, s.proxy_port, s.suspect_times,
       s.start_time, s.i_am_alive_time
  FROM cc_membership_version v
  LEFT JOIN cc_membership_silo s
         ON s.cluster_id = v.cluster_id
        AND (p_address IS NULL OR (s.address = p_address AND s.port = p_port AND s.generation = p_generation))
 WHERE v.cluster_id = p_cluster_id
$$;

-- The catalog rows. Each query's text is dollar-quoted ($q$ ... $q$); result columns are named with quotes exactly as
-- Orleans reads them.

-- InsertMembershipVersionKey: a silo starting makes sure its cluster has a version row (0 for a new cluster).
-- Safe when many silos start together. Returns one boolean: whether this call created the row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO cc_membership_version (cluster_id) VALUES (@DeploymentId)
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING 1)
SELECT count(*) > 0 AS "Created" FROM created
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- InsertMembershipKey: see cc_membership_insert. @Version is the version the silo read. Returns one boolean.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', $q$
SELECT cc_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
                            @StartTime, @IAmAliveTime, @Version) AS "Inserted"
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- UpdateMembershipKey: see cc_membership_update. @Version is the version the silo read. Returns one boolean.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', $q$
SELECT cc_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime,
                            @Version) AS "Updated"
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- UpdateIAmAlivetimeKey: a silo's heartbeat. One keyed assignment; the version stays as it is, so a heartbeat never
-- makes another silo's write fail. Orleans reads no result.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', $q$
UPDATE cc_membership_silo SET i_am_alive_time = @IAmAliveTime
 WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- MembershipReadAllKey: the whole table of a cluster and its version, in one snapshot (cc_membership_read).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', $q$
SELECT * FROM cc_membership_read(@DeploymentId, NULL, NULL, NULL)
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- MembershipReadRowKey: one silo's row and the version, in the same shape.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', $q$
SELECT * FROM cc_membership_read(@DeploymentId, @Address, @Port, @Generation)
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- GatewaysQueryKey: where clients may connect: silos in @Status (Orleans passes 3, Active) that run a gateway.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
  FROM cc_membership_silo
 WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- DeleteMembershipTableEntriesKey: forget a cluster, its silos and its version (Orleans' tests and tools call it).
-- Two statements in one command run in one implicit transaction; silos first, the lock order.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', $q$
DELETE FROM cc_membership_silo WHERE cluster_id = @DeploymentId;
DELETE FROM cc_membership_version WHERE cluster_id = @DeploymentId
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- CleanupDefunctSiloEntryKey (optional key, read by Orleans 10.4.2 and preferred to the one below): delete one Dead
-- silo's row that Orleans judged old enough (started, last heartbeat and last vote before the cutoff), but only if
-- the row is still exactly as Orleans read it: a row that changed since is left for the next cleanup. Orleans
-- rewrites the suspicions from their parsed form, so NULL and '' both mean "no vote". No version change: the row
-- of a long-dead silo matters to nobody.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', $q$
DELETE FROM cc_membership_silo
 WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
   AND status = 6 AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
   AND coalesce(suspect_times, '') = coalesce(@SuspectTimes, '')
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- CleanupDefunctSiloEntriesKey (required key; Orleans 10.4.2 uses it only where the key above is missing): delete the
-- rows of Dead silos whose last heartbeat is older than @IAmAliveTime. Dead only, as in 10.4.2: a silo that is still
-- Joining or Stopping is not ours to forget.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM cc_membership_silo
 WHERE cluster_id = @DeploymentId AND status = 6 AND i_am_alive_time < @IAmAliveTime
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
