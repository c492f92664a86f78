// SessionConnection against a scripted WebSocket (no server): the rules that a real
// server rarely shows, made to happen on purpose.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { SyncKairosClient } from '../../src/index.js';
import { waitFor, record, sleep } from './helpers.js';

/** Scripted sockets: the test drives them through `sockets`. */
function scripted() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closedWith = null;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      sockets.push(this);
    }
    send(data) { this.sent.push(JSON.parse(data)); }
    close(code) { this.closedWith = code; }
    // test side
    deliver(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
    serverClose(code, reason = '') { this.onclose?.({ code, reason }); }
  }
  return { sockets, WebSocket: /** @type {any} */ (FakeWebSocket) };
}

const state = (version, extra = {}) => ({
  session_id: 's1', sync_mode: 'per_participant', status: 'running', version, participants: [],
  active_participant_id: null, server_time_ms: Date.now(), ...extra,
});

const open = [];
afterEach(() => { for (const c of open.splice(0)) c.close(); });

function connect(ws, options = {}) {
  // No server at this address: only the scripted socket is used (transport websocket).
  const client = new SyncKairosClient({ baseUrl: 'http://127.0.0.1:9', WebSocket: ws.WebSocket, token: 'tok' });
  const conn = client.connect('s1', { transport: 'websocket', backoff: { baseMs: 20, capMs: 40 }, ...options });
  open.push(conn);
  return conn;
}

test('the socket URL carries sessionId and token', () => {
  const ws = scripted();
  connect(ws);
  const url = new URL(ws.sockets[0].url);
  assert.equal(url.protocol, 'ws:');
  assert.equal(url.pathname, '/ws');
  assert.equal(url.searchParams.get('sessionId'), 's1');
  assert.equal(url.searchParams.get('token'), 'tok');
});

test('older or equal versions are never shown', () => {
  const ws = scripted();
  const conn = connect(ws);
  const log = record(conn);
  const s = ws.sockets[0];
  s.deliver({ type: 'CONNECTED', sessionId: 's1', timestamp: Date.now() });
  s.deliver({ type: 'STATE_SYNC', state: state(5) });
  s.deliver({ type: 'STATE_UPDATE', state: state(4) });
  s.deliver({ type: 'STATE_UPDATE', state: state(5) });
  s.deliver({ type: 'STATE_UPDATE', state: state(7) });
  s.deliver({ type: 'STATE_UPDATE', state: state(6) });
  assert.deepEqual(log.versions, [5, 7]);
  assert.equal(conn.session?.version, 7);
});

test('reconnect sends RECONNECT {last_version} and still drops what is older', async () => {
  const ws = scripted();
  const conn = connect(ws);
  const log = record(conn);
  const first = ws.sockets[0];
  first.deliver({ type: 'CONNECTED' });
  first.deliver({ type: 'STATE_SYNC', state: state(3) });
  assert.ok(!first.sent.some((m) => m.type === 'RECONNECT'), 'nothing to reconnect from yet');
  first.serverClose(1006);
  assert.equal(conn.state, 'disconnected');
  assert.ok(conn.retryInMs !== null && conn.retryInMs <= 20);
  await waitFor(() => ws.sockets.length === 2, { what: 'a second socket' });
  const second = ws.sockets[1];
  second.deliver({ type: 'CONNECTED' });
  assert.deepEqual(second.sent.find((m) => m.type === 'RECONNECT'), { type: 'RECONNECT', last_version: 3 });
  second.deliver({ type: 'STATE_SYNC', state: state(2) }); // a lagging instance
  second.deliver({ type: 'STATE_UPDATE', state: state(4) });
  assert.deepEqual(log.versions, [3, 4]);
  assert.deepEqual(log.states, ['connected', 'disconnected', 'connecting', 'connected']);
});

test('sync PINGs carry integer client_timestamps; PONGs feed the clock', async () => {
  const ws = scripted();
  const conn = connect(ws);
  const s = ws.sockets[0];
  s.deliver({ type: 'CONNECTED' });
  for (let i = 0; i < 5; i++) {
    await waitFor(() => s.sent.filter((m) => m.type === 'PING').length > i, { what: `PING ${i}` });
    const ping = s.sent.filter((m) => m.type === 'PING')[i];
    assert.ok(Number.isInteger(ping.client_timestamp));
    // A server clock exactly 1000 ms ahead.
    s.deliver({ type: 'PONG', timestamp: Math.round(performance.timeOrigin + performance.now()) + 1000, client_timestamp: ping.client_timestamp });
  }
  await waitFor(() => conn.clock.sampleCount === 5, { what: '5 samples' });
  assert.ok(Math.abs(conn.clock.offsetMs - 1000) < 5, String(conn.clock.offsetMs));
});

test('silence for two heartbeats: closed (4000) and reconnected', async () => {
  const ws = scripted();
  const conn = connect(ws, { heartbeatMs: 100 });
  const log = record(conn);
  const s = ws.sockets[0];
  s.deliver({ type: 'CONNECTED' });
  const t0 = Date.now();
  await waitFor(() => s.closedWith !== null, { what: 'the dead socket closed' });
  const after = Date.now() - t0;
  assert.equal(s.closedWith, 4000);
  assert.ok(after >= 190 && after < 1000, `closed after ${after} ms`);
  assert.equal(log.errors.at(-1)?.code, 'TIMEOUT');
  assert.ok(s.sent.filter((m) => m.type === 'PING').length >= 1);
  await waitFor(() => ws.sockets.length === 2, { what: 'a new socket' });
});

test('any message keeps the socket alive', async () => {
  const ws = scripted();
  const conn = connect(ws, { heartbeatMs: 100 });
  const s = ws.sockets[0];
  s.deliver({ type: 'CONNECTED' });
  const until = Date.now() + 600;
  while (Date.now() < until) {
    s.deliver({ type: 'SOMETHING_NEW' });
    await sleep(50);
  }
  assert.equal(s.closedWith, null);
  assert.equal(conn.state, 'connected');
});

test('4401 / 4403 stop with UNAUTHORIZED / FORBIDDEN; 1001 retries soon', async () => {
  for (const [code, name] of [[4401, 'UNAUTHORIZED'], [4403, 'FORBIDDEN']]) {
    const ws = scripted();
    const conn = connect(ws);
    const log = record(conn);
    ws.sockets[0].deliver({ type: 'ERROR', code: name, message: 'no' });
    ws.sockets[0].serverClose(code);
    assert.equal(log.errors.length, 1);
    assert.equal(log.errors[0].code, name);
    await sleep(100);
    assert.equal(ws.sockets.length, 1, 'no retry');
    assert.equal(conn.retryInMs, null);
  }
  const ws = scripted();
  const conn = connect(ws, { backoff: { baseMs: 5000, capMs: 5000 } });
  const log = record(conn);
  ws.sockets[0].deliver({ type: 'CONNECTED' });
  ws.sockets[0].serverClose(1001, 'server shutting down');
  assert.ok((conn.retryInMs ?? Infinity) <= 250, String(conn.retryInMs));
  assert.equal(log.errors.length, 0, '1001 is no error');
  await waitFor(() => ws.sockets.length === 2, { timeoutMs: 1000, what: 'the quick retry' });
});

test('backoff grows while the server stays away (full jitter, capped)', async () => {
  const ws = scripted();
  const client = new SyncKairosClient({ baseUrl: 'http://127.0.0.1:9', WebSocket: ws.WebSocket });
  const conn = client.connect('s1', { transport: 'websocket', backoff: { baseMs: 10, capMs: 80 }, random: () => 0.999 });
  open.push(conn);
  const delays = [];
  for (let i = 0; i < 5; i++) {
    await waitFor(() => ws.sockets.length === i + 1, { what: `socket ${i + 1}` });
    ws.sockets[i].serverClose(1006);
    delays.push(conn.retryInMs);
  }
  assert.deepEqual(delays.map((d) => Math.round((d ?? 0) / 10) * 10), [10, 20, 40, 80, 80]);
});

// A server that said 1001 is restarting: while it boots the retries stay under 2 s
// instead of backing off towards the cap (full jitter, random() near 1: the bound).
test('after a 1001 the retries stay short while the server comes back', async () => {
  const ws = scripted();
  const client = new SyncKairosClient({ baseUrl: 'http://127.0.0.1:9', WebSocket: ws.WebSocket });
  const conn = client.connect('s1', { transport: 'websocket', backoff: { baseMs: 500, capMs: 20000 }, random: () => 0.999 });
  open.push(conn);
  ws.sockets[0].deliver({ type: 'CONNECTED' });
  ws.sockets[0].serverClose(1001, 'restarting');
  await waitFor(() => ws.sockets.length === 2, { timeoutMs: 1000, what: 'the quick retry' });
  const delays = [];
  for (let i = 1; i < 6; i++) {
    ws.sockets[i].serverClose(1006);      // the server is not up yet
    delays.push(conn.retryInMs ?? Infinity);
    conn._clearRetry();                   // do not wait the delays out: retry at once
    conn._attemptNow();
  }
  assert.ok(delays.every((d) => d <= 2000), delays.join(', '));
  assert.ok(delays[delays.length - 1] > 1900, 'still jittered up to the short cap');
});

test('switchTurn fills client_lag_ms only with lag compensation', async () => {
  const ws = scripted();
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, body: init.body ? JSON.parse(init.body) : undefined });
    return new Response(JSON.stringify({ data: state(9) }), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  const client = new SyncKairosClient({ baseUrl: 'http://127.0.0.1:9', WebSocket: ws.WebSocket, fetch });
  const conn = client.connect('s1', { transport: 'websocket' });
  open.push(conn);
  const s = ws.sockets[0];
  s.deliver({ type: 'CONNECTED' });
  s.deliver({ type: 'STATE_SYNC', state: state(1) });
  await conn.switchTurn({ expectedVersion: 1 });
  assert.deepEqual(calls[0].body, { expected_version: 1 });
  assert.match(calls[0].url, /\/v1\/sessions\/s1\/switch$/);
  // Lag compensation on, and one clock sample with a 30 ms round trip.
  s.deliver({ type: 'STATE_UPDATE', state: state(2, { time_control: { type: 'fischer', increment_ms: 0, lag_compensation: true } }) });
  conn.clock.addSample(1000, 5000, 1030);
  await conn.switchTurn();
  assert.deepEqual(calls[1].body, { client_lag_ms: 15 });
});

test('TIME_WARNING frames surface as warning events, as sent; TIME_EXPIRED as expired', () => {
  const ws = scripted();
  const conn = connect(ws);
  const warnings = [];
  const expired = [];
  conn.on('warning', (m) => warnings.push(m));
  conn.on('expired', (m) => expired.push(m));
  const s = ws.sockets[0];
  s.deliver({ type: 'CONNECTED' });
  const w = { type: 'TIME_WARNING', sessionId: 's1', timestamp: 1000, participant_id: 'p0', time_remaining_ms: 9990, threshold_ms: 10000, level: 'critical' };
  s.deliver(w);
  s.deliver({ type: 'TIME_WARNING', sessionId: 's1', timestamp: 1001, group_id: 'g', time_remaining_ms: 59000, threshold_ms: 60000, level: 'low' });
  s.deliver({ type: 'TIME_EXPIRED', sessionId: 's1', timestamp: 1002, participant_id: 'p0', action: 'end_session' });
  assert.deepEqual(warnings[0], w);
  assert.equal(warnings[1].group_id, 'g');
  assert.equal(warnings[1].level, 'low');
  assert.equal(expired.length, 1);
  assert.equal(conn.state, 'connected', 'a warning changes nothing else');
});
