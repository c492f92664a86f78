-- 003 (issue 16): sync_events rebuilt as a table partitioned by day on the event's
-- time, with the snapshot and the event stored as `json` and only the indexes the
-- documented queries and recovery use (docs/design.md, "Audit trail at scale").
-- Every row of the old table is copied into the new one before the old one goes:
-- no data is lost.
--
-- Why each choice:
-- - RANGE ("timestamp"), one partition per UTC day: retention drops a whole day at
--   a time (DROP TABLE of a partition: no DELETE, no vacuum), and time-range queries
--   read only their days.
-- - PRIMARY KEY (id, "timestamp"): a unique index of a partitioned table must
--   include the partition key. The event's time is part of the event itself, so a
--   redelivered event carries the same id AND the same time and still hits the key
--   (ON CONFLICT DO NOTHING), whichever partition it is in.
-- - json, not jsonb: the exact text as recorded (validated as JSON, not converted
--   to jsonb's binary form, which was the largest item of PostgreSQL's CPU per
--   event); the ->, ->> and #>> operators still work on it.
-- - Indexes: the primary key (idempotency) and (session_id, recorded_at DESC,
--   version DESC), which serves both recovery (the newest event of a session) and a
--   session's history. The seeds' (session_id, "timestamp"), (event_type) and
--   ("timestamp") indexes are gone: no documented query uses them, a time range is
--   served by partition pruning, and each cost every insert an index entry.
-- - id COLLATE "C": the key compares ids byte by byte (they are ASCII) instead of
--   through the database's locale (strcoll on every comparison of a B-tree descent
--   under e.g. en_US.UTF-8).

ALTER TABLE sync_events RENAME TO sync_events_unpartitioned;
ALTER TABLE sync_events_unpartitioned
  RENAME CONSTRAINT sync_events_pkey TO sync_events_unpartitioned_pkey;
ALTER INDEX idx_sync_events_session RENAME TO idx_sync_events_unpartitioned_session;
ALTER INDEX idx_sync_events_type RENAME TO idx_sync_events_unpartitioned_type;
ALTER INDEX idx_sync_events_timestamp RENAME TO idx_sync_events_unpartitioned_timestamp;
ALTER INDEX idx_sync_events_recovery RENAME TO idx_sync_events_unpartitioned_recovery;

CREATE TABLE sync_events (
  id TEXT COLLATE "C" NOT NULL,
  session_id UUID NOT NULL,
  version BIGINT NOT NULL CHECK (version >= 1),
  event_type VARCHAR(50) NOT NULL,
  participant_id UUID,
  group_id UUID,
  time_remaining_ms BIGINT,
  time_elapsed_ms BIGINT,
  cycle_number BIGINT,
  "timestamp" TIMESTAMPTZ NOT NULL,
  recorded_at TIMESTAMPTZ,
  state_snapshot JSON NOT NULL,
  metadata JSON,
  PRIMARY KEY (id, "timestamp")
) PARTITION BY RANGE ("timestamp");

CREATE INDEX idx_sync_events_recovery ON sync_events (session_id, recorded_at DESC, version DESC);

-- Creates the daily partition of each day of `days` (UTC) that does not exist yet,
-- named sync_events_pYYYYMMDD; the number created. Serialised by an advisory lock so
-- that writers of several instances can call it at once. The writer calls it ahead
-- of time and for any day of a batch it has not seen yet; operators may call it too.
CREATE FUNCTION sync_events_ensure_partitions(days DATE[]) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  d DATE;
  part TEXT;
  made INTEGER := 0;
BEGIN
  IF days IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock(6001264935617397077);
  FOREACH d IN ARRAY days LOOP
    part := 'sync_events_p' || to_char(d, 'YYYYMMDD');
    IF to_regclass(quote_ident(part)) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF sync_events FOR VALUES FROM (%L) TO (%L)',
                     part, d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
      made := made + 1;
    END IF;
  END LOOP;
  RETURN made;
END
$$;

-- A partition for every day the old table has events on, today and tomorrow.
SELECT sync_events_ensure_partitions(ARRAY(
  SELECT DISTINCT ("timestamp" AT TIME ZONE 'UTC')::date FROM sync_events_unpartitioned
  UNION
  SELECT (now() AT TIME ZONE 'UTC')::date + i FROM generate_series(0, 1) AS i));

INSERT INTO sync_events (id, session_id, version, event_type, participant_id, group_id,
  time_remaining_ms, time_elapsed_ms, cycle_number, "timestamp", recorded_at,
  state_snapshot, metadata)
SELECT id, session_id, version, event_type, participant_id, group_id,
  time_remaining_ms, time_elapsed_ms, cycle_number, "timestamp", recorded_at,
  state_snapshot::json, metadata::json
FROM sync_events_unpartitioned;

-- Every row is in sync_events now (same transaction: all or nothing).
DROP TABLE sync_events_unpartitioned;

-- "A participant's totals" across sessions (docs/design.md) looks participants up by
-- id; within a session the primary key serves.
CREATE INDEX idx_sync_participants_participant ON sync_participants (participant_id);
