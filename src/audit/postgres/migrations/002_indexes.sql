-- 002: indexes for the queries the seeds name (sessions by age, a session's events,
-- events by type and by time) and for recovery: latest_state() reads the newest
-- event of one session by (recorded_at, version), an index-only descent.
CREATE INDEX idx_sync_sessions_created ON sync_sessions (created_at DESC);
CREATE INDEX idx_sync_events_session ON sync_events (session_id, "timestamp" DESC);
CREATE INDEX idx_sync_events_type ON sync_events (event_type);
CREATE INDEX idx_sync_events_timestamp ON sync_events ("timestamp" DESC);
CREATE INDEX idx_sync_events_recovery ON sync_events (session_id, recorded_at DESC, version DESC);
