// Time controls against a real server (SPEC §2 "Time controls", tc-wire): the SDK's
// liveClock()/remaining(), moved on from an older state, agree with what a fresh GET
// says at its own server_time_ms; byo-yomi and delay through their whole life; lag
// compensation on the switch; TIME_WARNING on the live connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { SyncKairosClient, liveClock, remaining } from '../../src/index.js';
import { uuid, sleep, waitFor, nextEvent } from './helpers.js';

let server;
let client;
const open = [];

before(async () => {
  server = await startServer();
  client = new SyncKairosClient({ baseUrl: server.url });
});
after(async () => {
  for (const c of open) c.close();
  await server?.stop();
});

function connect(id, options) {
  const conn = client.connect(id, options);
  open.push(conn);
  return conn;
}

/** A two-player (or two-team) session with a time control. */
function body(timeControl, { bankMs = 60000, mode = 'per_participant', extra = {} } = {}) {
  const ids = [uuid(), uuid()];
  const b = {
    session_id: uuid(), sync_mode: mode, total_time_ms: bankMs,
    participants: ids.map((participant_id, participant_index) => ({ participant_id, participant_index, total_time_ms: bankMs })),
    time_control: timeControl, ...extra,
  };
  if (mode === 'per_group') {
    const groups = [uuid(), uuid()];
    b.participants.forEach((p, i) => { p.group_id = groups[i % 2]; });
    b.groups = groups.map((group_id) => ({ group_id, total_time_ms: bankMs }));
  }
  return b;
}

// The fields a state carries for a time control, and the liveClock() name of each.
const WIRE = {
  time_remaining_ms: 'remainingMs', in_overtime: 'inOvertime', periods_left: 'periodsLeft',
  period_remaining_ms: 'periodRemainingMs', moves_left_in_period: 'movesLeftInPeriod',
  delay_remaining_ms: 'delayRemainingMs', stage_index: 'stageIndex',
  moves_to_next_stage: 'movesToNextStage', lag_quota_ms: 'lagQuotaMs',
};
// ms: the server computes live values from its own integer clock; the SDK from the
// older state's server_time_ms. They may differ by the server's rounding only.
const TOLERANCE_MS = 2;

/**
 * The older state moved on to the fresh state's server_time_ms must show what the fresh
 * state shows, for every owner and every live field it sends.
 */
function assertAgrees(older, fresh, what) {
  const at = fresh.server_time_ms;
  for (const p of fresh.participants) {
    const c = liveClock(older, p.participant_id, at);
    assert.ok(c, `${what}: a clock for ${p.participant_id}`);
    assert.ok(Math.abs(remaining(older, p.participant_id, at) - p.time_remaining_ms) <= TOLERANCE_MS,
      `${what}: remaining ${remaining(older, p.participant_id, at)} vs ${p.time_remaining_ms}`);
    for (const [wire, name] of Object.entries(WIRE)) {
      if (!(wire in p)) continue;
      // Before overtime a period field says what the first period will be (not compared).
      if ((wire === 'period_remaining_ms' || wire === 'moves_left_in_period') && p.in_overtime === false) continue;
      const got = c[name];
      if (typeof p[wire] === 'number') {
        assert.ok(typeof got === 'number' && Math.abs(got - p[wire]) <= TOLERANCE_MS,
          `${what}: ${wire} ${p[wire]}, SDK ${name} ${got} (participant ${p.participant_index})`);
      } else {
        assert.equal(got, p[wire], `${what}: ${wire} (participant ${p.participant_index})`);
      }
    }
  }
}

async function startAndWatch(b) {
  await client.createSession(b);
  const conn = connect(b.session_id);
  await waitFor(() => conn.session && conn.clock.synced, { what: 'a synced connection' });
  const started = await client.start(b.session_id);
  await waitFor(() => conn.session?.version >= started.version, { what: 'the start on the socket' });
  return { conn, started };
}

test('byo-yomi 1 s + 3×2 s: main time, each period, the deadline and the time-out, as the server says', async () => {
  const b = body({ type: 'byoyomi', periods: 3, period_ms: 2000 }, { bankMs: 1000 });
  const { conn, started } = await startAndWatch(b);
  const [p0] = b.participants.map((p) => p.participant_id);
  const t0 = started.server_time_ms;
  // The deadline holds the main bank and every period.
  assert.equal(Date.parse(started.deadline_at), t0 + 1000 + 3 * 2000);
  const s0 = started.participants.find((p) => p.participant_id === p0);
  assert.equal(s0.in_overtime, false);
  assert.equal(s0.periods_left, 3);

  const seen = [];
  // Into main time, then the first, second and last period (never near a boundary).
  for (const at of [400, 1900, 3500, 6300]) {
    await sleep(Math.max(0, t0 + at - conn.now()));
    const fresh = await client.getSession(b.session_id);
    assertAgrees(started, fresh, `${at} ms after the start`);
    const p = fresh.participants.find((x) => x.participant_id === p0);
    seen.push({ at, overtime: p.in_overtime, periods: p.periods_left });
    // The connection's own reading (its synced clock) agrees with the GET within the sync's error.
    const mine = conn.liveClock(p0);
    const truth = liveClock(fresh, p0, conn.now());
    assert.ok(Math.abs(mine.displayMs - truth.displayMs) <= 50, `${at}: displayMs ${mine.displayMs} vs ${truth.displayMs}`);
    assert.equal(mine.periodsLeft, truth.periodsLeft);
  }
  assert.deepEqual(seen.map((x) => [x.overtime, x.periods]), [[false, 3], [true, 3], [true, 2], [true, 1]]);

  const expired = nextEvent(conn, 'expired', { timeoutMs: 10000 });
  const x = await expired;
  assert.equal(x.participant_id, p0);
  await waitFor(() => conn.session?.status === 'expired', { what: 'the expired state' });
  const end = conn.liveClock(p0);
  assert.equal(end.displayMs, 0);
  assert.equal(end.running, false);
});

test('byo-yomi: a move inside a period resets it; the other side is still in main time', async () => {
  const b = body({ type: 'byoyomi', periods: 2, period_ms: 3000 }, { bankMs: 1000 });
  const { conn, started } = await startAndWatch(b);
  const [p0, p1] = b.participants.map((p) => p.participant_id);
  await sleep(Math.max(0, started.server_time_ms + 2000 - conn.now())); // 1 s into the first period
  const sw = await client.switchTurn(b.session_id);
  const a = sw.participants.find((p) => p.participant_id === p0);
  assert.equal(a.in_overtime, true);
  assert.equal(a.periods_left, 2);
  assert.equal(a.period_remaining_ms, 3000, 'a move within a period resets it');
  await waitFor(() => conn.session?.version >= sw.version, { what: 'the switch on the socket' });
  await sleep(300);
  const fresh = await client.getSession(b.session_id);
  assertAgrees(conn.session, fresh, 'after the move');
  assert.equal(liveClock(fresh, p1, fresh.server_time_ms).inOvertime, false);
});

test('delay 2 s on a 3 s bank: the delay runs first, then the bank; a move keeps the bank whole', async () => {
  const b = body({ type: 'delay', delay_ms: 2000 }, { bankMs: 3000 });
  const { conn, started } = await startAndWatch(b);
  const [p0, p1] = b.participants.map((p) => p.participant_id);
  const t0 = started.server_time_ms;
  assert.equal(Date.parse(started.deadline_at), t0 + 2000 + 3000, 'the deadline holds the delay and the bank');
  assert.equal(started.participants.find((p) => p.participant_id === p0).delay_remaining_ms, 2000);

  for (const at of [700, 2600]) {
    await sleep(Math.max(0, t0 + at - conn.now()));
    const fresh = await client.getSession(b.session_id);
    assertAgrees(started, fresh, `${at} ms after the start`);
    const mine = conn.liveClock(p0);
    const truth = liveClock(fresh, p0, conn.now());
    assert.ok(Math.abs(mine.remainingMs - truth.remainingMs) <= 50);
    assert.ok(Math.abs(mine.delayRemainingMs - truth.delayRemainingMs) <= 50);
    const p = fresh.participants.find((x) => x.participant_id === p0);
    if (at < 2000) assert.equal(p.time_remaining_ms, 3000, 'the bank waits for the delay');
    else assert.ok(p.time_remaining_ms < 3000 && p.delay_remaining_ms === 0);
  }
  // Switch at once: the next one gets a whole delay; the first keeps what it had.
  const sw = await client.switchTurn(b.session_id);
  const next = sw.participants.find((p) => p.participant_id === p1);
  assert.equal(next.delay_remaining_ms, 2000);
  assert.equal(next.time_remaining_ms, 3000);
  await waitFor(() => conn.session?.version >= sw.version, { what: 'the switch on the socket' });
  await sleep(400);
  assertAgrees(conn.session, await client.getSession(b.session_id), 'after the switch');
});

// One sample per control (and per_group): the older state moved on equals the fresh one.
const EVERY = [
  ['fischer with stages', { type: 'fischer', increment_ms: 1000, stages: [{ moves: 2, add_ms: 5000 }, { add_ms: 3000 }] }],
  ['bronstein', { type: 'bronstein', delay_ms: 3000 }],
  ['delay', { type: 'delay', delay_ms: 500 }],
  ['byoyomi', { type: 'byoyomi', periods: 2, period_ms: 2000 }, { bankMs: 1000 }],
  ['canadian', { type: 'canadian', moves: 2, period_ms: 2000 }, { bankMs: 1000 }],
  ['hourglass', { type: 'hourglass' }, { bankMs: 5000 }],
  ['byoyomi per_group', { type: 'byoyomi', periods: 2, period_ms: 2000 }, { bankMs: 1000, mode: 'per_group' }],
  ['delay per_group', { type: 'delay', delay_ms: 500 }, { mode: 'per_group' }],
  ['lag compensation', { type: 'fischer', increment_ms: 0, lag_compensation: true }],
];

for (const [name, tc, o] of EVERY) {
  test(`${name}: remaining() and liveClock() agree with the server while it runs`, async () => {
    const b = body(tc, { bankMs: 5000, ...o });
    const { conn, started } = await startAndWatch(b);
    await sleep(1300);
    assertAgrees(started, await client.getSession(b.session_id), name);
    // After a move too (stages, periods and delays change at a move).
    const sw = await client.switchTurn(b.session_id);
    await waitFor(() => conn.session?.version >= sw.version, { what: 'the switch on the socket' });
    await sleep(300);
    assertAgrees(conn.session, await client.getSession(b.session_id), `${name} after a move`);
  });
}

test('lag compensation: the SDK sends client_lag_ms = RTT/2 and the switch shows lag_quota_ms', async () => {
  const sent = [];
  const recording = new SyncKairosClient({
    baseUrl: server.url,
    fetch: (url, init) => {
      if (String(url).endsWith('/switch')) sent.push(init?.body ? JSON.parse(String(init.body)) : {});
      return fetch(url, init);
    },
  });
  // 60 s + 2 s: gain = min(1000, 150 + 4 × (60000 + 40 × 2000) / 1000) = 710 ms, quota 3 × gain.
  const b = body({ type: 'fischer', increment_ms: 2000, lag_compensation: true }, { bankMs: 60000 });
  await client.createSession(b);
  const conn = recording.connect(b.session_id);
  open.push(conn);
  await waitFor(() => conn.session && conn.clock.synced, { what: 'a synced connection' });
  const started = await client.start(b.session_id);
  await waitFor(() => conn.session?.version >= started.version, { what: 'the start on the socket' });
  const [p0] = b.participants.map((p) => p.participant_id);
  assert.equal(started.time_control.lag_compensation, true);
  assert.equal(started.participants[0].lag_quota_ms, 2130);

  // The server's rule (SPEC §2): credit = min(claimed, quota, used); the move is charged
  // used − credit; quota = min(quota + gain − credit, 7 × gain). `used` is known exactly:
  // the switch's server_time_ms minus the turn's cycle_started_at.
  const GAIN = 710;
  const expectMove = (was, cycleStartedAt, r, claimed) => {
    const used = r.server_time_ms - Date.parse(cycleStartedAt);
    const credit = Math.max(0, Math.min(claimed, was.lag_quota_ms, used));
    return {
      used,
      bank: was.total_time_ms - (used - credit) + 2000,
      quota: Math.min(was.lag_quota_ms + GAIN - credit, 7 * GAIN),
    };
  };

  await sleep(300);
  const before = conn.session;
  const sw = await conn.switchTurn();
  assert.equal(sent.length, 1);
  assert.equal(typeof sent[0].client_lag_ms, 'number');
  assert.equal(sent[0].client_lag_ms, Math.round(conn.clock.rttMs / 2));
  assert.ok(sent[0].client_lag_ms >= 0 && sent[0].client_lag_ms <= 60000);
  const a = sw.participants.find((p) => p.participant_id === p0);
  const want = expectMove(before.participants.find((p) => p.participant_id === p0), before.cycle_started_at, sw, sent[0].client_lag_ms);
  assert.equal(a.lag_quota_ms, want.quota, `quota after the RTT/2 claim (used ${want.used} ms)`);
  assert.equal(a.time_remaining_ms, want.bank);

  // A client that claims 5 s of lag on every move gains at most its quota: each move
  // of ~1 s is free while the quota lasts, the quota shrinks by what was credited and
  // grows back by one gain a move; no bank ever ends above bank + increment.
  await waitFor(() => conn.session?.version >= sw.version, { what: 'the switch on the socket' });
  for (let i = 0; i < 4; i++) {
    await sleep(1000);
    const was = conn.session;
    const mover = was.active_participant_id;
    const w = was.participants.find((p) => p.participant_id === mover);
    const r = await conn.switchTurn({ clientLagMs: 5000 });
    assert.equal(sent.at(-1).client_lag_ms, 5000);
    const after = r.participants.find((p) => p.participant_id === mover);
    const x = expectMove(w, was.cycle_started_at, r, 5000);
    assert.equal(after.lag_quota_ms, x.quota, `move ${i}: quota (used ${x.used} ms, quota was ${w.lag_quota_ms})`);
    assert.equal(after.time_remaining_ms, x.bank, `move ${i}: bank`);
    assert.ok(after.time_remaining_ms <= w.total_time_ms + 2000, 'the bank never grows from lag');
    await waitFor(() => conn.session?.version >= r.version, { what: 'the switch on the socket' });
  }
});

test('TIME_WARNING: each threshold once per turn, low then critical, with the owner', async (t) => {
  const b = body({ type: 'fischer', increment_ms: 0 }, { bankMs: 3500, extra: { warnings_ms: [1000, 2500] } });
  try {
    await client.createSession(b);
  } catch (e) {
    if (e.code === 'VALIDATION_ERROR') { t.skip(`this server refuses warnings_ms: ${JSON.stringify(e.details)}`); return; }
    throw e;
  }
  const conn = connect(b.session_id);
  await waitFor(() => conn.session, { what: 'the first state' });
  const got = [];
  conn.on('warning', (m) => got.push(m));
  const expired = nextEvent(conn, 'expired', { timeoutMs: 15000 });
  const started = await client.start(b.session_id);
  assert.deepEqual(started.warnings_ms, [2500, 1000], 'stored descending');
  await expired;
  await sleep(200);
  const [p0] = b.participants.map((p) => p.participant_id);
  assert.deepEqual(got.map((m) => [m.threshold_ms, m.level]), [[2500, 'low'], [1000, 'critical']]);
  for (const m of got) {
    assert.equal(m.type, 'TIME_WARNING');
    assert.equal(m.sessionId, b.session_id);
    assert.equal(m.participant_id, p0);
    assert.ok(m.time_remaining_ms <= m.threshold_ms && m.time_remaining_ms > m.threshold_ms - 500,
      `${m.threshold_ms}: ${m.time_remaining_ms} left when it came`);
  }
});
