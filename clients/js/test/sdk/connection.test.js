// SessionConnection over WebSocket against a real server: STATE_SYNC then updates in
// version order, deletion, refusals, reconnect after a restart, online/offline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/server.js';
import { SyncKairosClient } from '../../src/index.js';
import { sessionBody, uuid, waitFor, nextEvent, record, assertIncreasing, instrumentedWebSocket, sleep } from './helpers.js';

const SECRET = 'sdk-test-secret-that-is-at-least-32-bytes-long';
const dir = mkdtempSync(join(tmpdir(), 'sk-sdk-'));
let server;   // memory engine with an audit trail, so a session survives a restart
let secured;
let client;
const open = [];

before(async () => {
  [server, secured] = await Promise.all([
    startServer({ args: ['--audit-db', `sqlite:${join(dir, 'audit.db')}`, '--durability', 'sync'] }),
    startServer({ args: ['--jwt-secret', SECRET] }),
  ]);
  client = new SyncKairosClient({ baseUrl: server.url });
});
after(async () => {
  for (const c of open) c.close();
  await Promise.all([server?.stop(), secured?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

function connect(c, id, options) {
  const conn = c.connect(id, options);
  open.push(conn);
  return conn;
}

test('STATE_SYNC first, then every update in version order', async () => {
  const ws = instrumentedWebSocket();
  const c = new SyncKairosClient({ baseUrl: server.url, WebSocket: ws.WebSocket });
  const body = sessionBody('per_participant', 3);
  await client.createSession(body);
  const conn = connect(c, body.session_id);
  const log = record(conn);
  assert.equal(conn.state, 'connecting');
  const first = await nextEvent(conn, 'update');
  assert.equal(first.version, 1);
  assert.equal(conn.state, 'connected');
  assert.equal(conn.transport, 'websocket');
  assert.deepEqual(ws.log.received.slice(0, 2).map((m) => m.type), ['CONNECTED', 'STATE_SYNC']);

  await client.start(body.session_id);
  let last;
  for (let i = 0; i < 5; i++) last = await client.switchTurn(body.session_id);
  await waitFor(() => conn.session?.version === last.version, { what: `version ${last.version}` });
  assertIncreasing(assert, log.versions);
  assert.deepEqual(log.versions, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(conn.activeParticipant()?.participant_id, last.active_participant_id);
  const left = conn.remaining();
  assert.ok(left !== null && left > 55000 && left <= 60000, String(left));
  assert.ok(conn.elapsed() >= 0);
  assert.ok((conn.deadline() ?? 0) > Date.now());
  assert.deepEqual(log.states, ['connected']); // 'connecting' came before the listener
  conn.close();
  assert.equal(conn.state, 'disconnected');
});

test('a deleted session emits deleted and stops', async () => {
  const body = sessionBody();
  await client.createSession(body);
  const conn = connect(client, body.session_id);
  const log = record(conn);
  await nextEvent(conn, 'update');
  const deleted = nextEvent(conn, 'deleted');
  await client.deleteSession(body.session_id);
  await deleted;
  assert.equal(conn.state, 'disconnected');
  assert.equal(conn.retryInMs, null);
  await sleep(300);
  assert.equal(conn.state, 'disconnected');
  assert.equal(log.deleted, 1);
});

test('an unknown session: error SESSION_NOT_FOUND, no retries', async () => {
  const conn = connect(client, uuid());
  const log = record(conn);
  const e = await nextEvent(conn, 'error');
  assert.equal(e.code, 'SESSION_NOT_FOUND');
  await sleep(300);
  assert.equal(conn.state, 'disconnected');
  assert.equal(conn.retryInMs, null);
  assert.ok(!log.states.includes('connecting'), log.states.join());
});

test('a malformed session id (close 1008 before CONNECTED): error, no retries', async () => {
  const conn = connect(client, 'not-a-uuid', { transport: 'websocket' });
  const log = record(conn);
  const e = await nextEvent(conn, 'error');
  assert.equal(e.code, 'VALIDATION_ERROR');
  await sleep(300);
  assert.equal(conn.state, 'disconnected');
  assert.ok(!log.states.includes('connecting'), log.states.join());
});

test('401/403 on the socket (4401/4403): error, then no retries', async () => {
  const admin = new SyncKairosClient({ baseUrl: secured.url, token: secured.mintToken({ role: 'admin', sub: 'a', sessions: ['*'] }) });
  const body = sessionBody();
  await admin.createSession(body);

  const anonymous = new SyncKairosClient({ baseUrl: secured.url });
  const c401 = connect(anonymous, body.session_id);
  const e401 = await nextEvent(c401, 'error');
  assert.equal(e401.code, 'UNAUTHORIZED');
  assert.equal(e401.status, 401);

  const other = new SyncKairosClient({ baseUrl: secured.url, token: secured.mintToken({ role: 'arbiter', sub: 'b', sessions: [uuid()] }) });
  const c403 = connect(other, body.session_id);
  const l403 = record(c403);
  const e403 = await nextEvent(c403, 'error');
  assert.equal(e403.code, 'FORBIDDEN');
  await sleep(500);
  for (const c of [c401, c403]) {
    assert.equal(c.state, 'disconnected');
    assert.equal(c.retryInMs, null);
  }
  assert.ok(!l403.states.includes('connecting'), l403.states.join());

  // Polling gets the same answer over HTTP, and stops the same way.
  const polled = connect(anonymous, body.session_id, { transport: 'polling' });
  assert.equal((await nextEvent(polled, 'error')).code, 'UNAUTHORIZED');
  await sleep(300);
  assert.equal(polled.state, 'disconnected');
  assert.equal(polled.retryInMs, null);

  // The token reaches the socket: with one, the same session connects.
  const ok = connect(admin, body.session_id);
  assert.equal((await nextEvent(ok, 'update')).session_id, body.session_id);
});

test('server restart (1001): reconnects, sends RECONNECT {last_version}, never goes back', async () => {
  const ws = instrumentedWebSocket();
  const c = new SyncKairosClient({ baseUrl: server.url, WebSocket: ws.WebSocket });
  const body = sessionBody();
  await client.createSession(body);
  const conn = connect(c, body.session_id, { transport: 'websocket', backoff: { baseMs: 100, capMs: 1000 } });
  const log = record(conn);
  await nextEvent(conn, 'update');
  const started = await client.start(body.session_id);
  await waitFor(() => conn.session?.version === started.version, { what: 'the start' });

  const syncsBefore = log.syncs;
  await server.restart();
  // Recovered from the audit trail on first access.
  await waitFor(() => conn.state === 'connected' && ws.log.sent.some((m) => m.type === 'RECONNECT'),
    { timeoutMs: 20000, what: 'the reconnect' });
  assert.ok(log.states.includes('disconnected'), log.states.join());
  const reconnect = ws.log.sent.find((m) => m.type === 'RECONNECT');
  assert.deepEqual(reconnect, { type: 'RECONNECT', last_version: started.version });
  await waitFor(() => log.syncs > syncsBefore, { what: 'a clock sync on the new socket' });

  const sw = await client.switchTurn(body.session_id);
  await waitFor(() => conn.session?.version === sw.version, { what: 'the switch after the restart' });
  assertIncreasing(assert, log.versions);
  assert.equal(log.versions.at(-1), sw.version);
  // The restart is no error (1001 means come back soon).
  assert.ok(!log.errors.some((e) => e.code === 'UNAUTHORIZED' || e.code === 'SESSION_NOT_FOUND'));
});

test('close(): disconnected, and nothing more happens', async () => {
  const body = sessionBody();
  await client.createSession(body);
  const conn = connect(client, body.session_id);
  await nextEvent(conn, 'update');
  conn.close();
  const log = record(conn);
  await client.start(body.session_id);
  await sleep(400);
  assert.equal(conn.state, 'disconnected');
  assert.equal(conn.retryInMs, null);
  assert.deepEqual(log.versions, []);
  assert.deepEqual(log.states, []);
});

test('offline: disconnected without retrying; online: reconnects at once', async () => {
  const net = new EventTarget();
  const body = sessionBody();
  await client.createSession(body);
  const conn = connect(client, body.session_id, { networkEvents: net });
  const log = record(conn);
  await nextEvent(conn, 'update');
  net.dispatchEvent(new Event('offline'));
  assert.equal(conn.state, 'disconnected');
  assert.equal(conn.retryInMs, null);
  await sleep(400);
  assert.equal(conn.state, 'disconnected');
  const t0 = Date.now();
  net.dispatchEvent(new Event('online'));
  assert.equal(conn.state, 'connecting');
  await waitFor(() => conn.state === 'connected', { what: 'connected after online' });
  assert.ok(Date.now() - t0 < 5000);
  await client.start(body.session_id);
  await waitFor(() => conn.session?.status === 'running', { what: 'the start' });
  assertIncreasing(assert, log.versions);
});

test('TIME_EXPIRED reaches expired; the state shows 0 left', async () => {
  const body = sessionBody('per_participant', 2);
  for (const p of body.participants) p.total_time_ms = 1500;
  await client.createSession(body);
  const conn = connect(client, body.session_id);
  await nextEvent(conn, 'update');
  const expired = nextEvent(conn, 'expired', { timeoutMs: 15000 });
  await client.start(body.session_id);
  const x = await expired;
  assert.equal(x.participant_id, body.participants[0].participant_id);
  await waitFor(() => conn.session?.status === 'expired', { what: 'the expired state' });
  assert.equal(conn.remaining(body.participants[0].participant_id), 0);
});

test('TIME_WARNING reaches warning', async (t) => {
  const body = sessionBody('per_participant', 2, { warnings_ms: [1500] });
  for (const p of body.participants) p.total_time_ms = 2500;
  try {
    await client.createSession(body);
  } catch (e) {
    if (e.code === 'VALIDATION_ERROR' && e.details?.some?.((d) => d.field === 'warnings_ms')) {
      t.skip('this server has no warnings_ms');
      return;
    }
    throw e;
  }
  const conn = connect(client, body.session_id);
  await nextEvent(conn, 'update');
  const warning = nextEvent(conn, 'warning', { timeoutMs: 15000 });
  await client.start(body.session_id);
  const w = await warning;
  assert.equal(w.threshold_ms, 1500);
  assert.equal(w.level, 'critical');
});
