// Long-poll fallback: forced, automatic when WebSockets fail, and the way back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { SyncKairosClient } from '../../src/index.js';
import { sessionBody, waitFor, nextEvent, record, assertIncreasing, instrumentedWebSocket } from './helpers.js';

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

function connect(c, id, options) {
  const conn = c.connect(id, options);
  open.push(conn);
  return conn;
}

async function switches(id, n) {
  let last;
  for (let i = 0; i < n; i++) last = await client.switchTurn(id);
  return last;
}

test("transport 'polling': connected by GET, updates by long poll, clock by /v1/time", async () => {
  const ws = instrumentedWebSocket();
  const c = new SyncKairosClient({ baseUrl: server.url, WebSocket: ws.WebSocket });
  const body = sessionBody();
  await client.createSession(body);
  const conn = connect(c, body.session_id, { transport: 'polling' });
  const log = record(conn);
  await nextEvent(conn, 'update');
  assert.equal(conn.state, 'connected');
  assert.equal(conn.transport, 'polling');
  await client.start(body.session_id);
  const last = await switches(body.session_id, 4);
  await waitFor(() => conn.session?.version === last.version, { what: `version ${last.version}` });
  assertIncreasing(assert, log.versions);
  await waitFor(() => conn.clock.synced && log.syncs > 0, { what: 'a clock sync over HTTP' });
  assert.ok(conn.clock.uncertaintyMs < 50, String(conn.clock.uncertaintyMs));
  assert.equal(ws.log.created, 0, 'never tried a WebSocket');
});

test('no WebSocket constructor at all: polls', async () => {
  const c = new SyncKairosClient({ baseUrl: server.url, WebSocket: null });
  const body = sessionBody();
  await client.createSession(body);
  const conn = connect(c, body.session_id);
  await nextEvent(conn, 'update');
  assert.equal(conn.transport, 'polling');
});

test('auto: two failed WebSockets in a row → long polling, updates keep coming', async () => {
  const ws = instrumentedWebSocket({ failAlways: true });
  const c = new SyncKairosClient({ baseUrl: server.url, WebSocket: ws.WebSocket });
  const body = sessionBody();
  await client.createSession(body);
  const conn = connect(c, body.session_id, { backoff: { baseMs: 50, capMs: 200 }, wsRetryMs: 200 });
  const log = record(conn);
  await nextEvent(conn, 'update');
  assert.equal(conn.transport, 'polling');
  assert.ok(ws.log.failed >= 2);
  assert.ok(log.errors.every((e) => e.code === 'NETWORK_ERROR'), log.errors.map((e) => e.code).join());
  await client.start(body.session_id);
  const last = await switches(body.session_id, 3);
  await waitFor(() => conn.session?.version === last.version, { what: 'updates while polling' });
  // It keeps trying WebSockets in the background (every wsRetryMs), stays on polling.
  await waitFor(() => ws.log.created >= 4, { what: 'more WebSocket probes' });
  assert.equal(conn.transport, 'polling');
  assert.equal(conn.state, 'connected');
  assertIncreasing(assert, log.versions);
});

test('auto: back to WebSocket once one opens, without losing or repeating versions', async () => {
  const ws = instrumentedWebSocket({ failFirst: 3 });
  const c = new SyncKairosClient({ baseUrl: server.url, WebSocket: ws.WebSocket });
  const body = sessionBody();
  await client.createSession(body);
  const conn = connect(c, body.session_id, { backoff: { baseMs: 50, capMs: 200 }, wsRetryMs: 300 });
  const log = record(conn);
  await nextEvent(conn, 'update');
  assert.equal(conn.transport, 'polling');
  await client.start(body.session_id);
  await waitFor(() => conn.transport === 'websocket', { timeoutMs: 15000, what: 'the switch back to WebSocket' });
  assert.equal(conn.state, 'connected');
  const last = await switches(body.session_id, 3);
  await waitFor(() => conn.session?.version === last.version, { what: 'updates over the WebSocket' });
  assertIncreasing(assert, log.versions);
  assert.deepEqual(log.versions, Array.from({ length: last.version }, (_, i) => i + 1));
  // The adopted socket told the server what it had.
  assert.ok(ws.log.sent.some((m) => m.type === 'RECONNECT'));
});

test('polling: a deleted session emits deleted (404 on the poll)', async () => {
  const body = sessionBody();
  await client.createSession(body);
  const conn = connect(client, body.session_id, { transport: 'polling' });
  await nextEvent(conn, 'update');
  const deleted = nextEvent(conn, 'deleted');
  await client.deleteSession(body.session_id);
  await deleted;
  assert.equal(conn.state, 'disconnected');
});

test('polling: the server going away → disconnected with a retry, then back', async (t) => {
  const local = await startServer();
  try {
    const c = new SyncKairosClient({ baseUrl: local.url, WebSocket: null, timeoutMs: 2000 });
    const body = sessionBody();
    await c.createSession(body);
    const conn = connect(c, body.session_id, { backoff: { baseMs: 100, capMs: 400 } });
    const trail = [];
    conn.on('state', (s) => trail.push(`${s}${s === 'disconnected' ? ` retry ${conn.retryInMs}` : ''}`));
    conn.on('error', (e) => trail.push(`error ${e.code} ${e.message}`));
    t.after(() => t.diagnostic(trail.slice(-12).join('\n')));
    await nextEvent(conn, 'update');
    await local.stop();
    await waitFor(() => conn.state === 'disconnected' && conn.retryInMs !== null, { what: 'disconnected' });
    assert.equal(conn.lastError?.code, 'NETWORK_ERROR');
    // The session is gone with the old process: a 404 after it was seen means deleted.
    // (Listening first: the SDK may reach the new process before restart() returns.)
    const deleted = nextEvent(conn, 'deleted', { timeoutMs: 20000 });
    await local.restart(); // a new, empty memory engine on the same port
    await deleted;
  } finally {
    await local.stop();
  }
});
