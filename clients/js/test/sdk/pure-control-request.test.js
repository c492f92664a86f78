// Pure tests of the create page's time-control request (web/app/control-request.js):
// each preset's control on the wire as tc-wire names it, and the form's refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlRequest, parseWarnings } from '../../web/app/control-request.js';

const base = {
  type: 'fischer', mode: 'per_participant', players: 2, totalMs: 180000, incrementMs: 0, delayMs: 0,
  periods: 5, periodMs: 30000, moves: 25, stageMoves: null, stageAddMs: null, lagCompensation: false,
};

const CASES = [
  ['blitz 3+2: a plain increment, no time_control', { incrementMs: 2000 }, { increment_ms: 2000 }],
  ['sudden death: nothing at all', {}, {}],
  ['rapid 15+10 Bronstein', { type: 'bronstein', totalMs: 900000, delayMs: 10000 },
    { time_control: { type: 'bronstein', delay_ms: 10000 } }],
  ['classical 90/40 + 30 min + 30 s', { totalMs: 5400000, incrementMs: 30000, stageMoves: 40, stageAddMs: 1800000 },
    { time_control: { type: 'fischer', increment_ms: 30000, stages: [{ moves: 40, add_ms: 5400000 }, { add_ms: 1800000 }] } }],
  ['Go 60 min + 5×30 s', { type: 'byoyomi', totalMs: 3600000 },
    { time_control: { type: 'byoyomi', periods: 5, period_ms: 30000 } }],
  ['Canadian 10 min / 25', { type: 'canadian', totalMs: 600000, periodMs: 600000 },
    { time_control: { type: 'canadian', moves: 25, period_ms: 600000 } }],
  ['hourglass 1 min', { type: 'hourglass', totalMs: 60000 }, { time_control: { type: 'hourglass' } }],
  ['lag compensation turns a Fischer clock into a time_control', { incrementMs: 2000, lagCompensation: true },
    { time_control: { type: 'fischer', increment_ms: 2000, lag_compensation: true } }],
  ['delay with a second stage', { type: 'delay', delayMs: 5000, stageMoves: 40, stageAddMs: 0 },
    { time_control: { type: 'delay', delay_ms: 5000, stages: [{ moves: 40, add_ms: 180000 }, { add_ms: 0 }] } }],
];

for (const [name, values, want] of CASES) {
  test(name, () => assert.deepEqual(controlRequest({ ...base, ...values }), want));
}

test('the form refuses what the server would refuse, in words', () => {
  assert.throws(() => controlRequest({ ...base, type: 'hourglass', players: 3 }), /exactly 2 players/);
  assert.throws(() => controlRequest({ ...base, type: 'hourglass', mode: 'per_group' }), /chess clock mode/);
  assert.throws(() => controlRequest({ ...base, type: 'byoyomi', periods: 0 }), /Periods/);
  assert.throws(() => controlRequest({ ...base, type: 'canadian', moves: 2.5 }), /Moves per period/);
  assert.throws(() => controlRequest({ ...base, type: 'byoyomi', stageMoves: 40, stageAddMs: 0 }), /second stage/i);
  assert.throws(() => controlRequest({ ...base, stageMoves: 40 }), /minutes it adds/);
});

test('warnings: seconds left to ms, sorted, at most 4, each once', () => {
  assert.equal(parseWarnings(''), null);
  assert.deepEqual(parseWarnings('10, 60'), [60000, 10000]);
  assert.deepEqual(parseWarnings(' 30 5 '), [30000, 5000]);
  assert.throws(() => parseWarnings('1,2,3,4,5'), /at most 4/);
  assert.throws(() => parseWarnings('10, 10'), /once/);
  assert.throws(() => parseWarnings('0.5'), /between 1 and 86400/);
  assert.throws(() => parseWarnings('soon'), /seconds left/);
});
