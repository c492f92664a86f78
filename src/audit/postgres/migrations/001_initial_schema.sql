-- 001: the audit trail's tables (SPEC §6). Applied once by migrate(), in one
-- transaction together with its sync_schema_migrations row. Never edit an applied
-- migration: add a new numbered file instead, and never drop or rewrite data.

-- The names match domain::to_string(SyncMode / Status) exactly.
CREATE TYPE sync_mode AS ENUM (
  'per_participant',
  'per_cycle',
  'per_group',
  'global',
  'count_up'
);

CREATE TYPE sync_status AS ENUM (
  'pending',
  'running',
  'paused',
  'expired',
  'completed',
  'cancelled'
);

-- One row per session: the summary as of its newest audited event. Moves only
-- forward (last_updated_at, last_version); deleted_at is set by session_deleted and
-- cleared by a later session_created of the same id.
CREATE TABLE sync_sessions (
  session_id UUID PRIMARY KEY,
  sync_mode sync_mode NOT NULL,
  final_status sync_status NOT NULL,
  time_per_cycle_ms BIGINT,
  increment_ms BIGINT NOT NULL DEFAULT 0,
  max_time_ms BIGINT,
  total_time_ms BIGINT NOT NULL DEFAULT 0,
  time_used_ms BIGINT NOT NULL DEFAULT 0,
  total_cycles BIGINT NOT NULL DEFAULT 0,
  total_participants INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL,
  started_at TIMESTAMPTZ,
  completed_at TIMESTAMPTZ,
  deleted_at TIMESTAMPTZ,
  last_version BIGINT NOT NULL CHECK (last_version >= 1),
  last_updated_at TIMESTAMPTZ NOT NULL,
  metadata JSONB
);

-- One row per event. The id is the record's event_id ("<session>:<version>:<n>"), so
-- redelivery hits the primary key and is skipped. No foreign key to sync_sessions:
-- events are the source of truth and must be insertable in any order.
CREATE TABLE sync_events (
  id TEXT PRIMARY KEY,
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
  state_snapshot JSONB NOT NULL,
  metadata JSONB
);

-- Per-participant totals as of the newest audited state that listed the
-- participant (a removed participant keeps its last row).
CREATE TABLE sync_participants (
  session_id UUID NOT NULL,
  participant_id UUID NOT NULL,
  participant_index BIGINT NOT NULL,
  group_id UUID,
  total_time_ms BIGINT NOT NULL,
  time_used_ms BIGINT NOT NULL,
  cycle_count BIGINT NOT NULL,
  is_active BOOLEAN NOT NULL,
  has_expired BOOLEAN NOT NULL,
  last_version BIGINT NOT NULL CHECK (last_version >= 1),
  updated_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (session_id, participant_id)
);
