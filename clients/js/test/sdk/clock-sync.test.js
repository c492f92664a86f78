// Clock sync against the real server on loopback: the server's clock is this machine's
// wall clock, so the offset must come out ≈ 0 (or ≈ −10 s with a local clock 10 s ahead).
// Figures are printed as diagnostics and, with env SDK_FIGURES=<file>, appended there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { startServer } from '../support/server.js';
import { SyncKairosClient } from '../../src/index.js';
import { defaultLocalNow } from '../../src/clock.js';
import { sessionBody, waitFor, record } from './helpers.js';

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

function figure(t, name, conn) {
  const line = `${name}: offset ${conn.clock.offsetMs.toFixed(3)} ms, uncertainty ${conn.clock.uncertaintyMs.toFixed(3)} ms, samples ${conn.clock.sampleCount}`;
  t.diagnostic(line);
  if (process.env.SDK_FIGURES) appendFileSync(process.env.SDK_FIGURES, `${new Date().toISOString()} ${line}\n`);
}

async function synced(options) {
  const body = sessionBody();
  await client.createSession(body);
  const conn = client.connect(body.session_id, options);
  open.push(conn);
  const log = record(conn);
  await waitFor(() => log.syncs > 0, { what: 'a sync round' });
  return conn;
}

test('WebSocket PING/PONG: uncertainty < 5 ms, offset ≈ 0', async (t) => {
  const conn = await synced({ transport: 'websocket' });
  figure(t, 'websocket', conn);
  assert.ok(conn.clock.synced);
  assert.ok(conn.clock.sampleCount >= 3, String(conn.clock.sampleCount));
  assert.ok(conn.clock.uncertaintyMs < 5, `uncertainty ${conn.clock.uncertaintyMs}`);
  assert.ok(Math.abs(conn.clock.offsetMs) < 20, `offset ${conn.clock.offsetMs}`);
  assert.ok(Math.abs(conn.now() - Date.now()) < 25);
});

test('a local clock 10 s ahead: offset ≈ −10 s, now() ≈ the server clock', async (t) => {
  const skewed = () => defaultLocalNow() + 10_000;
  const conn = await synced({ transport: 'websocket', now: skewed });
  figure(t, 'websocket, local +10 s', conn);
  assert.ok(Math.abs(conn.clock.offsetMs + 10_000) < 20, `offset ${conn.clock.offsetMs}`);
  assert.ok(Math.abs(conn.now() - Date.now()) < 25, `now() − Date.now() = ${conn.now() - Date.now()}`);
  // Live values use the synced clock, not the local one.
  const left = conn.remaining(conn.session?.participants[0].participant_id);
  assert.equal(left, 60000); // pending: not running
});

test('polling: /v1/time samples, offset ≈ 0 and a small uncertainty', async (t) => {
  const conn = await synced({ transport: 'polling' });
  figure(t, 'polling (/v1/time)', conn);
  assert.ok(conn.clock.uncertaintyMs < 10, `uncertainty ${conn.clock.uncertaintyMs}`);
  assert.ok(Math.abs(conn.clock.offsetMs) < 20, `offset ${conn.clock.offsetMs}`);
});

test('periodic re-sync keeps the clock monotonic', async () => {
  const conn = await synced({ transport: 'websocket', resyncIntervalMs: 200 });
  const before = conn.clock.sampleCount;
  let last = conn.now();
  const until = Date.now() + 1200;
  while (Date.now() < until) {
    const n = conn.now();
    assert.ok(n >= last, `went back by ${last - n} ms`);
    last = n;
    await new Promise((r) => setTimeout(r, 3));
  }
  assert.ok(conn.clock.sampleCount >= before + 5, `${conn.clock.sampleCount - before} new samples`);
});
