-- Reminders for Orleans' ADO.NET reminder table (Microsoft.Orleans.Reminders.AdoNet, invariant "Npgsql").
-- The contract is in README.md beside this file.
--
-- A reminder is identified by its service, its grain (GrainId.ToString()) and its name. Each silo's reminder service
-- reads the reminders of the grains whose uniform hash falls in its share of the hash ring, so the hash is stored
-- and indexed. Every upsert gives the row a new etag from one sequence: an etag is never handed out twice (until the
-- sequence wraps after 2^31 upserts), so a stale etag cannot remove a reminder that was removed and registered again.

CREATE SEQUENCE cc_reminder_etag AS integer CYCLE;

CREATE TABLE cc_reminder
(
    service_id    varchar(150)  NOT NULL,
    grain_id      varchar(1024) NOT NULL,
    reminder_name varchar(256)  NOT NULL,
    grain_hash    integer       NOT NULL,  -- GrainId.GetUniformHashCode(), a uint that Orleans passes cast to int
    start_time    timestamptz   NOT NULL,
    period_ms     bigint        NOT NULL,
    etag          integer       NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- The range reads: one silo's share of the ring.
CREATE INDEX cc_reminder_by_hash ON cc_reminder (service_id, grain_hash);

-- UpsertReminderRowKey: register a reminder, or replace its schedule. Returns the row's new etag as Version.
-- @Period is milliseconds (Orleans sends an int, or a bigint for periods past 24.8 days).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', $q$
INSERT INTO cc_reminder (service_id, grain_id, reminder_name, grain_hash, start_time, period_ms, etag)
VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, nextval('cc_reminder_etag'))
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
   SET grain_hash = excluded.grain_hash, start_time = excluded.start_time, period_ms = excluded.period_ms,
       etag = excluded.etag
RETURNING etag AS "Version"
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ReadReminderRowKey: one reminder of a grain; no row when it has none by that name.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
       etag AS "Version"
  FROM cc_reminder
 WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ReadReminderRowsKey: all reminders of a grain.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
       etag AS "Version"
  FROM cc_reminder
 WHERE service_id = @ServiceId AND grain_id = @GrainId
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ReadRangeRows1Key: the reminders whose hash lies in (@BeginHash, @EndHash]. Orleans passes both as signed ints and
-- picks this key when @BeginHash < @EndHash as signed ints: the range does not wrap in signed order. (Reading the
-- unsigned ring in signed order is only a rotation by 2^31, so signed comparisons select the same reminders.)
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
       etag AS "Version"
  FROM cc_reminder
 WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- ReadRangeRows2Key: the same for a range that wraps around (@BeginHash >= @EndHash as signed ints): above
-- @BeginHash or up to @EndHash. @BeginHash = @EndHash is the whole ring.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period_ms AS "Period",
       etag AS "Version"
  FROM cc_reminder
 WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- DeleteReminderRowKey: remove a reminder if it still has etag @Version. Returns one boolean: whether it was removed.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM cc_reminder
     WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND etag = @Version
    RETURNING 1)
SELECT count(*) > 0 AS "Removed" FROM removed
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- DeleteReminderRowsKey: remove every reminder of a service (Orleans' TestOnlyClearTable).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', $q$
DELETE FROM cc_reminder WHERE service_id = @ServiceId
$q$) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
