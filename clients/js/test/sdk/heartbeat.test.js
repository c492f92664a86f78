// Dead-socket detection: a frozen server (SIGSTOP) keeps the TCP connection open but
// says nothing; the SDK must notice within about two heartbeats and come back after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { SyncKairosClient } from '../../src/index.js';
import { sessionBody, waitFor, nextEvent, record, assertIncreasing, instrumentedWebSocket } from './helpers.js';

let server;
const open = [];
before(async () => { server = await startServer(); });
after(async () => {
  for (const c of open) c.close();
  await server?.stop();
});

test('app-level PINGs every heartbeat; silence for 2 heartbeats → reconnect', async (t) => {
  const HEARTBEAT = 300;
  const ws = instrumentedWebSocket();
  const client = new SyncKairosClient({ baseUrl: server.url, WebSocket: ws.WebSocket });
  const body = sessionBody();
  await client.createSession(body);
  const conn = client.connect(body.session_id, {
    transport: 'websocket', heartbeatMs: HEARTBEAT, connectTimeoutMs: 1000, backoff: { baseMs: 100, capMs: 500 },
  });
  open.push(conn);
  const log = record(conn);
  await nextEvent(conn, 'update');
  await waitFor(() => log.syncs > 0, { what: 'the first clock sync' });

  // Heartbeats go out with integer client_timestamp.
  const pingsBefore = ws.log.sent.filter((m) => m.type === 'PING').length;
  await new Promise((r) => setTimeout(r, HEARTBEAT * 3));
  const pings = ws.log.sent.filter((m) => m.type === 'PING');
  assert.ok(pings.length - pingsBefore >= 2, `${pings.length - pingsBefore} heartbeats in 3 periods`);
  assert.ok(pings.every((m) => Number.isInteger(m.client_timestamp)));
  assert.equal(conn.state, 'connected');

  const frozenAt = performance.now();
  server.freeze();
  let noticedAfter;
  try {
    await waitFor(() => conn.state !== 'connected', { timeoutMs: 10000, intervalMs: 5, what: 'the dead socket noticed' });
    noticedAfter = performance.now() - frozenAt;
  } finally {
    server.thaw();
  }
  // Two heartbeats of silence (600 ms) plus what was in flight: generous upper bound.
  assert.ok(noticedAfter >= HEARTBEAT, `noticed after ${noticedAfter} ms`);
  assert.ok(noticedAfter < HEARTBEAT * 2 + 1500, `noticed after ${noticedAfter} ms`);
  assert.ok(log.errors.some((e) => e.code === 'TIMEOUT'), log.errors.map((e) => e.code).join());

  await waitFor(() => conn.state === 'connected', { timeoutMs: 20000, what: 'reconnected after SIGCONT' });
  const started = await client.start(body.session_id);
  await waitFor(() => conn.session?.version === started.version, { what: 'an update after the reconnect' });
  assertIncreasing(assert, log.versions);
  t.diagnostic(`dead socket noticed after ${Math.round(noticedAfter)} ms (heartbeat ${HEARTBEAT} ms)`);
});
