// Pure tests: live values from a state plus the server time (SPEC §2 per mode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remaining, elapsed, used, sessionElapsed, activeParticipant, deadline } from '../../src/index.js';

const T = Date.parse('2026-01-01T00:00:00.000Z'); // server_time_ms of every state below
const iso = (ms) => new Date(ms).toISOString();

function p(id, extra = {}) {
  return {
    participant_id: id, participant_index: Number(id.slice(1)), total_time_ms: 60000, time_used_ms: 0,
    time_remaining_ms: 60000, cycle_count: 0, is_active: false, has_expired: false, ...extra,
  };
}

function state(mode, participants, extra = {}) {
  return {
    session_id: 's', sync_mode: mode, status: 'running', version: 3, participants,
    active_participant_id: 'p0', time_per_cycle_ms: null, increment_ms: 0,
    action_on_timeout: 'end_session', cycle_started_at: iso(T - 2000), session_started_at: iso(T - 5000),
    session_completed_at: null, created_at: iso(T - 9000), updated_at: iso(T - 2000),
    deadline_at: iso(T + 58000), server_time_ms: T, ...extra,
  };
}

test('per_participant: only the active bank runs, from server_time_ms on; clamped at 0', () => {
  const s = state('per_participant', [p('p0', { time_remaining_ms: 58000, is_active: true }), p('p1', { time_remaining_ms: 40000 })]);
  assert.equal(remaining(s, undefined, T), 58000);
  assert.equal(remaining(s, 'p0', T + 1500), 56500);
  assert.equal(remaining(s, 'p1', T + 1500), 40000);
  assert.equal(remaining(s, 'p0', T + 100000), 0);
  assert.equal(remaining(s, 'p0', T - 500), 58000, 'a clock behind the state adds nothing');
  assert.equal(remaining(s, 'nobody', T), null);
});

test('paused, pending and expired sessions do not run', () => {
  for (const status of ['paused', 'pending', 'expired', 'completed']) {
    const s = state('per_participant', [p('p0', { time_remaining_ms: 58000 })], { status });
    assert.equal(remaining(s, 'p0', T + 5000), 58000, status);
    assert.equal(elapsed(s, T + 5000), 0, status);
  }
});

test('per_cycle: the turn budget runs for the active one; the others show the full budget', () => {
  const s = state('per_cycle', [p('p0', { time_remaining_ms: 8000 }), p('p1', { time_remaining_ms: 10000 })],
    { time_per_cycle_ms: 10000 });
  assert.equal(remaining(s, undefined, T + 3000), 5000);
  assert.equal(remaining(s, 'p1', T + 3000), 10000);
});

test('per_group: every member of the active group shows the group bank running', () => {
  const s = state('per_group', [
    p('p0', { group_id: 'a', time_remaining_ms: 30000 }), p('p1', { group_id: 'b', time_remaining_ms: 45000 }),
    p('p2', { group_id: 'a', time_remaining_ms: 30000 }),
  ]);
  assert.equal(remaining(s, 'p0', T + 1000), 29000);
  assert.equal(remaining(s, 'p2', T + 1000), 29000);
  assert.equal(remaining(s, 'p1', T + 1000), 45000);
});

test('global: the session bank, whoever asks', () => {
  const s = state('global', [p('p0'), p('p1')], { time_remaining_ms: 100000, time_elapsed_ms: 20000 });
  assert.equal(remaining(s, undefined, T + 2500), 97500);
  assert.equal(remaining(s, 'p1', T + 2500), 97500);
  assert.equal(sessionElapsed(s, T + 2500), 22500);
});

test('count_up: elapsed counts up; remaining only with max_time_ms', () => {
  const capped = state('count_up', [p('p0', { time_used_ms: 4000 })],
    { max_time_ms: 60000, time_remaining_ms: 40000, time_elapsed_ms: 20000 });
  assert.equal(remaining(capped, undefined, T + 1000), 39000);
  assert.equal(sessionElapsed(capped, T + 1000), 21000);
  // booked 4000 + the running turn, counted from cycle_started_at (T − 2000)
  assert.equal(used(capped, 'p0', T + 1000), 7000);
  const { time_remaining_ms: _a, ...noCapP } = p('p0', { time_used_ms: 4000 });
  const open = state('count_up', [noCapP], { time_elapsed_ms: 20000 });
  assert.equal(remaining(open, undefined, T + 1000), null);
  assert.equal(elapsed(open, T + 1000), 3000); // cycle started at T − 2000
});

test('delay control: the bank waits for the delay left', () => {
  const s = state('per_participant', [p('p0', { time_remaining_ms: 30000, delay_remaining_ms: 2000 })],
    { time_control: { type: 'delay', delay_ms: 3000 } });
  assert.equal(remaining(s, 'p0', T + 1500), 30000);
  assert.equal(remaining(s, 'p0', T + 2500), 29500);
});

test('activeParticipant, elapsed, deadline', () => {
  const s = state('per_participant', [p('p0'), p('p1')], { active_participant_id: 'p1' });
  assert.equal(activeParticipant(s)?.participant_id, 'p1');
  assert.equal(elapsed(s, T), 2000);
  assert.equal(deadline(s), T + 58000);
  assert.equal(deadline({ ...s, deadline_at: null }), null);
  assert.equal(activeParticipant({ ...s, active_participant_id: null }), null);
  assert.equal(activeParticipant(null), null);
  assert.equal(remaining(null, undefined, T), null);
});
