// Pure tests: every time control moved on between two server states (SPEC §2 "Time
// controls"), through remaining() and liveClock(). Each case: a state at T, then the
// clock read at T + t. No server, no sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remaining, liveClock } from '../../src/index.js';

const T = Date.parse('2026-01-01T00:00:00.000Z'); // server_time_ms of every state below
const iso = (ms) => new Date(ms).toISOString();

function p(id, extra = {}) {
  return {
    participant_id: id, participant_index: Number(id.slice(1)), total_time_ms: 60000, time_used_ms: 0,
    time_remaining_ms: 60000, cycle_count: 0, is_active: false, has_expired: false, ...extra,
  };
}

function state(timeControl, participants, extra = {}) {
  return {
    session_id: 's', sync_mode: 'per_participant', status: 'running', version: 3, participants,
    active_participant_id: 'p0', time_per_cycle_ms: null, increment_ms: 0,
    action_on_timeout: 'end_session', cycle_started_at: iso(T - 2000), session_started_at: iso(T - 5000),
    session_completed_at: null, created_at: iso(T - 9000), updated_at: iso(T - 2000),
    deadline_at: iso(T + 58000), server_time_ms: T, time_control: timeControl, ...extra,
  };
}

/** liveClock of p0 (the active one) at T + t, without the fields a case does not name. */
function at(s, t, pid = 'p0') {
  return liveClock(s, pid, T + t);
}

function check(c, want, name) {
  for (const [k, v] of Object.entries(want)) assert.deepEqual(c?.[k], v, `${name}: ${k}`);
}

// [name, time_control, active participant's fields at T, ms later, expected liveClock fields]
const CASES = [
  ['fischer: the bank runs', { type: 'fischer', increment_ms: 2000 },
    { time_remaining_ms: 30000 }, 4500,
    { remainingMs: 25500, displayMs: 25500, untilTimeoutMs: 25500, running: true, type: 'fischer' }],
  ['fischer: clamped at 0, no longer running', { type: 'fischer', increment_ms: 0 },
    { time_remaining_ms: 3000 }, 5000,
    { remainingMs: 0, displayMs: 0, untilTimeoutMs: 0, running: false }],

  ['bronstein: the bank runs from the start, the delay counts down beside it', { type: 'bronstein', delay_ms: 5000 },
    { time_remaining_ms: 30000, delay_remaining_ms: 5000 }, 3000,
    { remainingMs: 27000, delayRemainingMs: 2000, untilTimeoutMs: 27000 }],
  ['bronstein: nothing is given back during the turn', { type: 'bronstein', delay_ms: 5000 },
    { time_remaining_ms: 30000, delay_remaining_ms: 5000 }, 7000,
    { remainingMs: 23000, delayRemainingMs: 0 }],
  ['bronstein: the flag falls at the bank, whatever the delay', { type: 'bronstein', delay_ms: 5000 },
    { time_remaining_ms: 2000, delay_remaining_ms: 5000 }, 2000,
    { remainingMs: 0, delayRemainingMs: 3000, untilTimeoutMs: 0, running: false }],

  ['delay: the delay first, the bank holds', { type: 'delay', delay_ms: 5000 },
    { time_remaining_ms: 30000, delay_remaining_ms: 5000 }, 3000,
    { remainingMs: 30000, displayMs: 30000, delayRemainingMs: 2000, untilTimeoutMs: 32000 }],
  ['delay: then the bank', { type: 'delay', delay_ms: 5000 },
    { time_remaining_ms: 30000, delay_remaining_ms: 5000 }, 7000,
    { remainingMs: 28000, delayRemainingMs: 0, untilTimeoutMs: 28000 }],
  ['delay: a state taken mid-delay (after a pause) keeps what was left', { type: 'delay', delay_ms: 5000 },
    { time_remaining_ms: 30000, delay_remaining_ms: 1200 }, 2000,
    { remainingMs: 29200, delayRemainingMs: 0 }],
  ['delay: runs out at delay + bank', { type: 'delay', delay_ms: 5000 },
    { time_remaining_ms: 1000, delay_remaining_ms: 5000 }, 6000,
    { remainingMs: 0, delayRemainingMs: 0, untilTimeoutMs: 0, running: false }],

  ['byoyomi: main time first, periods waiting', { type: 'byoyomi', periods: 3, period_ms: 30000 },
    { time_remaining_ms: 10000, in_overtime: false, periods_left: 3, period_remaining_ms: 30000 }, 4000,
    { remainingMs: 6000, displayMs: 6000, inOvertime: false, periodsLeft: 3, periodRemainingMs: 30000,
      untilTimeoutMs: 96000, running: true }],
  ['byoyomi: the bank runs out, a fresh period starts (the state knew no overtime yet)', { type: 'byoyomi', periods: 3, period_ms: 30000 },
    { time_remaining_ms: 10000, in_overtime: false, periods_left: 3, period_remaining_ms: 0 }, 15000,
    { remainingMs: 0, displayMs: 25000, inOvertime: true, periodsLeft: 3, periodRemainingMs: 25000, untilTimeoutMs: 85000 }],
  ['byoyomi: 20 s into a period keeps 3 periods', { type: 'byoyomi', periods: 3, period_ms: 30000 },
    { time_remaining_ms: 0, in_overtime: true, periods_left: 3, period_remaining_ms: 30000 }, 20000,
    { inOvertime: true, periodsLeft: 3, periodRemainingMs: 10000, displayMs: 10000 }],
  ['byoyomi: 65 s into overtime leaves 1 period with 25 s', { type: 'byoyomi', periods: 3, period_ms: 30000 },
    { time_remaining_ms: 0, in_overtime: true, periods_left: 3, period_remaining_ms: 30000 }, 65000,
    { periodsLeft: 1, periodRemainingMs: 25000, untilTimeoutMs: 25000, running: true }],
  ['byoyomi: exactly at a period boundary the next one is whole', { type: 'byoyomi', periods: 3, period_ms: 30000 },
    { time_remaining_ms: 0, in_overtime: true, periods_left: 2, period_remaining_ms: 12000 }, 12000,
    { periodsLeft: 1, periodRemainingMs: 30000 }],
  ['byoyomi: the bank ending exactly now shows the first period, not 0', { type: 'byoyomi', periods: 2, period_ms: 30000 },
    { time_remaining_ms: 5000, in_overtime: false, periods_left: 2 }, 5000,
    { remainingMs: 0, inOvertime: true, periodsLeft: 2, displayMs: 30000 }],
  ['byoyomi: the last period runs out', { type: 'byoyomi', periods: 3, period_ms: 30000 },
    { time_remaining_ms: 0, in_overtime: true, periods_left: 1, period_remaining_ms: 4000 }, 9000,
    { periodsLeft: 0, periodRemainingMs: 0, displayMs: 0, untilTimeoutMs: 0, running: false }],
  ['byoyomi: many periods at once (a screen that slept)', { type: 'byoyomi', periods: 5, period_ms: 10000 },
    { time_remaining_ms: 2000, in_overtime: false, periods_left: 5 }, 2000 + 10000 * 3 + 4000,
    { periodsLeft: 2, periodRemainingMs: 6000 }],

  ['canadian: main time first', { type: 'canadian', moves: 25, period_ms: 600000 },
    { time_remaining_ms: 60000, in_overtime: false, moves_left_in_period: 0 }, 10000,
    { remainingMs: 50000, displayMs: 50000, inOvertime: false, movesLeftInPeriod: 25, periodRemainingMs: 600000,
      untilTimeoutMs: 650000 }],
  ['canadian: the bank runs out, the period starts with all its moves', { type: 'canadian', moves: 25, period_ms: 600000 },
    { time_remaining_ms: 60000, in_overtime: false }, 70000,
    { remainingMs: 0, inOvertime: true, movesLeftInPeriod: 25, periodRemainingMs: 590000, displayMs: 590000 }],
  ['canadian: in overtime the moves left stay as sent during the turn', { type: 'canadian', moves: 25, period_ms: 600000 },
    { time_remaining_ms: 0, in_overtime: true, moves_left_in_period: 7, period_remaining_ms: 120000 }, 30000,
    { movesLeftInPeriod: 7, periodRemainingMs: 90000, untilTimeoutMs: 90000, running: true }],
  ['canadian: the period runs out first: time-out', { type: 'canadian', moves: 25, period_ms: 600000 },
    { time_remaining_ms: 0, in_overtime: true, moves_left_in_period: 3, period_remaining_ms: 5000 }, 8000,
    { periodRemainingMs: 0, displayMs: 0, untilTimeoutMs: 0, running: false }],

  ['stages: stage and moves to the next stage as sent', { type: 'fischer', increment_ms: 30000,
    stages: [{ moves: 40, add_ms: 5400000 }, { add_ms: 1800000 }] },
    { time_remaining_ms: 1000000, stage_index: 0, moves_to_next_stage: 12 }, 60000,
    { remainingMs: 940000, stageIndex: 0, movesToNextStage: 12 }],
  ['stages: the last stage has no moves to the next', { type: 'delay', delay_ms: 10000,
    stages: [{ moves: 40, add_ms: 5400000 }, { add_ms: 1800000, delay_ms: 5000 }] },
    { time_remaining_ms: 100000, stage_index: 1, delay_remaining_ms: 5000 }, 6000,
    { remainingMs: 99000, stageIndex: 1, movesToNextStage: undefined, delayRemainingMs: 0 }],
  ['lag compensation: the quota as sent', { type: 'fischer', increment_ms: 2000, lag_compensation: true },
    { time_remaining_ms: 100000, lag_quota_ms: 2100 }, 1000,
    { remainingMs: 99000, lagQuotaMs: 2100 }],
];

for (const [name, tc, fields, t, want] of CASES) {
  test(name, () => {
    const s = state(tc, [p('p0', { is_active: true, ...fields }), p('p1', { time_remaining_ms: 45000 })]);
    const c = at(s, t);
    check(c, want, name);
    assert.equal(remaining(s, 'p0', T + t), c.remainingMs, 'remaining() is the bank of liveClock()');
    // The waiting side does not move (hourglass aside).
    assert.equal(remaining(s, 'p1', T + t), 45000);
    assert.equal(at(s, t, 'p1').running, false);
  });
}

test('a clock that is not running shows the state as sent (paused, waiting side)', () => {
  const tc = { type: 'byoyomi', periods: 3, period_ms: 30000 };
  const paused = state(tc, [p('p0', { time_remaining_ms: 0, in_overtime: true, periods_left: 2, period_remaining_ms: 7000 })],
    { status: 'paused' });
  check(at(paused, 60000), { periodsLeft: 2, periodRemainingMs: 7000, displayMs: 7000, untilTimeoutMs: 37000, running: false }, 'paused');
  const waiting = state(tc, [p('p0', { is_active: true }), p('p1', { time_remaining_ms: 0, in_overtime: true, periods_left: 1, period_remaining_ms: 30000 })]);
  check(at(waiting, 60000, 'p1'), { periodsLeft: 1, periodRemainingMs: 30000, running: false }, 'waiting');
});

test('delay: only the owner on turn has a delay (the others show none)', () => {
  const s = state({ type: 'delay', delay_ms: 5000 }, [p('p0', { is_active: true, delay_remaining_ms: 5000 }), p('p1')]);
  assert.equal(at(s, 1000, 'p1').delayRemainingMs, undefined);
  assert.equal(at(s, 1000, 'p0').delayRemainingMs, 4000);
});

test('hourglass: the waiting side gains what the mover uses; the sum stays constant', () => {
  const s = state({ type: 'hourglass' }, [p('p0', { is_active: true, time_remaining_ms: 600000 }), p('p1', { time_remaining_ms: 600000 })]);
  // 10:00/10:00, 90 s into the move: 8:30/11:30.
  assert.equal(remaining(s, 'p0', T + 90000), 510000);
  assert.equal(remaining(s, 'p1', T + 90000), 690000);
  check(at(s, 90000, 'p1'), { displayMs: 690000, untilTimeoutMs: 690000, running: false, type: 'hourglass' }, 'opponent');
  // The mover runs out: the opponent has everything, no more.
  assert.equal(remaining(s, 'p0', T + 700000), 0);
  assert.equal(remaining(s, 'p1', T + 700000), 1200000);
  // Paused: nothing flows.
  const paused = { ...s, status: 'paused' };
  assert.equal(remaining(paused, 'p1', T + 90000), 600000);
});

test('per_group: the team clock, shown on every member of the team on turn', () => {
  const tc = { type: 'byoyomi', periods: 2, period_ms: 20000 };
  const team = { time_remaining_ms: 0, in_overtime: true, periods_left: 2, period_remaining_ms: 20000 };
  const s = state(tc, [
    p('p0', { group_id: 'a', is_active: true, ...team }), p('p1', { group_id: 'b', time_remaining_ms: 40000, in_overtime: false, periods_left: 2 }),
    p('p2', { group_id: 'a', ...team }),
  ], { sync_mode: 'per_group' });
  for (const pid of ['p0', 'p2']) check(at(s, 25000, pid), { periodsLeft: 1, periodRemainingMs: 15000, running: true }, pid);
  check(at(s, 25000, 'p1'), { remainingMs: 40000, inOvertime: false, periodsLeft: 2, running: false }, 'p1');
});

test('without a time control: the same numbers as remaining(), and no control fields', () => {
  const s = state(undefined, [p('p0', { is_active: true, time_remaining_ms: 30000 }), p('p1')]);
  const c = at(s, 1000);
  assert.deepEqual(c, { remainingMs: 29000, displayMs: 29000, untilTimeoutMs: 29000, running: true });
  assert.equal(liveClock(s, 'nobody', T), null);
  assert.equal(liveClock(null, undefined, T), null);
  const global = state(undefined, [p('p0'), p('p1')], { sync_mode: 'global', time_remaining_ms: 100000, time_elapsed_ms: 0 });
  assert.deepEqual(liveClock(global, 'p1', T + 2500), { remainingMs: 97500, displayMs: 97500, untilTimeoutMs: 97500, running: true });
  const { time_remaining_ms: _x, ...open } = p('p0');
  assert.equal(liveClock(state(undefined, [open], { sync_mode: 'count_up', time_elapsed_ms: 0 }), undefined, T), null);
});

test('older fields only (a state from before time controls) decode with the defaults', () => {
  // A byoyomi session whose state carries no live fields at all: periods as configured.
  const s = state({ type: 'byoyomi', periods: 4, period_ms: 10000 }, [p('p0', { is_active: true, time_remaining_ms: 1000 })]);
  check(at(s, 500), { inOvertime: false, periodsLeft: 4, periodRemainingMs: 10000, untilTimeoutMs: 40500 }, 'main');
  check(at(s, 3000), { inOvertime: true, periodsLeft: 4, periodRemainingMs: 8000 }, 'overtime');
});
