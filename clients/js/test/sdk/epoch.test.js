// The session epoch (issue 16): when the server's store loses writes (a Redis failover
// to a replica that missed them, an AOF restart), the session gets a new epoch and
// its versions may count again. A connection must take a state of a new epoch even at
// a lower version, and order versions from it; without epochs nothing changes.
//
// First against a scripted socket (the lower version on purpose), then end to end: a
// real server on a real redis-server, the session's key put back to an older copy
// with redis-cli, and the connection seeing the new epoch.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, freePort } from '../support/server.js';
import { SyncKairosClient } from '../../src/index.js';
import { sessionBody, uuid, waitFor, record, sleep } from './helpers.js';

function scripted() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      sockets.push(this);
    }
    send(data) { this.sent.push(JSON.parse(data)); }
    close() {}
    deliver(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
  }
  return { sockets, WebSocket: /** @type {any} */ (FakeWebSocket) };
}

const state = (version, epoch) => ({
  session_id: 's1', sync_mode: 'per_participant', status: 'running', version, participants: [],
  active_participant_id: null, server_time_ms: Date.now(), ...(epoch === undefined ? {} : { epoch }),
});

const open = [];
after(() => { for (const c of open.splice(0)) c.close(); });

function connectScripted(ws) {
  const client = new SyncKairosClient({ baseUrl: 'http://127.0.0.1:9', WebSocket: ws.WebSocket });
  const conn = client.connect('s1', { transport: 'websocket', backoff: { baseMs: 20, capMs: 40 } });
  open.push(conn);
  return conn;
}

test('a state of a new epoch is shown even at a lower version, and orders from there', () => {
  const ws = scripted();
  const conn = connectScripted(ws);
  const log = record(conn);
  const s = ws.sockets[0];
  s.deliver({ type: 'CONNECTED', sessionId: 's1', timestamp: Date.now() });
  s.deliver({ type: 'STATE_SYNC', state: state(32, 'c1') });
  s.deliver({ type: 'STATE_UPDATE', state: state(13, 'c1') });  // same epoch: older, dropped
  s.deliver({ type: 'STATE_UPDATE', state: state(13, 'r13.ab') });  // new epoch: shown
  s.deliver({ type: 'STATE_UPDATE', state: state(12, 'r13.ab') });  // older in it: dropped
  s.deliver({ type: 'STATE_UPDATE', state: state(14, 'r13.ab') });
  assert.deepEqual(log.versions, [32, 13, 14]);
  assert.equal(conn.session?.epoch, 'r13.ab');
  assert.equal(conn.session?.version, 14);
});

test('states without an epoch (an older server) keep the plain version order', () => {
  const ws = scripted();
  const conn = connectScripted(ws);
  const log = record(conn);
  const s = ws.sockets[0];
  s.deliver({ type: 'CONNECTED' });
  s.deliver({ type: 'STATE_SYNC', state: state(5) });
  s.deliver({ type: 'STATE_UPDATE', state: state(4) });
  s.deliver({ type: 'STATE_UPDATE', state: state(3, 'c1') });  // one side only: no epoch change
  s.deliver({ type: 'STATE_UPDATE', state: state(6) });
  assert.deepEqual(log.versions, [5, 6]);
});

// ---- end to end, on a real redis-server ----

function redisCli(port, ...args) {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trimEnd();
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sk-epoch-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
    '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      if (redisCli(port, 'PING') === 'PONG') break;
    } catch { /* not up yet */ }
    await sleep(25);
  }
  return {
    port,
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('end to end: a key put back to an older copy gives the connection a new epoch', async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const prefix = 'ep:';
  const server = await startServer({ env: { REDIS_URL: `redis://127.0.0.1:${redis.port}`, KEY_PREFIX: prefix } });
  t.after(() => server.stop());
  const client = new SyncKairosClient({ baseUrl: server.url });
  const id = uuid();
  await client.createSession(sessionBody('per_participant', 2, { session_id: id }));
  await client.start(id);

  const conn = client.connect(id, { transport: 'websocket' });
  open.push(conn);
  const log = record(conn);
  await waitFor(() => conn.session?.version === 2, { what: 'STATE_SYNC at version 2' });
  const firstEpoch = conn.session.epoch;
  assert.equal(typeof firstEpoch, 'string');
  assert.ok(firstEpoch.length > 0);

  // The session's hash; the copy of version 4 (state and version fields).
  const key = redisCli(redis.port, '--scan', '--pattern', `${prefix}*${id}*`).split('\n')[0];
  for (let v = 3; v <= 4; v++) await client.switchTurn(id);
  const copy = redisCli(redis.port, 'HGET', key, 's');
  for (let v = 5; v <= 8; v++) await client.switchTurn(id);
  await waitFor(() => conn.session?.version === 8, { what: 'version 8 shown' });

  // The rollback: versions 5..8 lost.
  execFileSync('redis-cli', ['-p', String(redis.port), 'HSET', key, 's', copy, 'v', '4']);
  await client.switchTurn(id);  // the instance's cache knows 8: the rollback is stamped

  await waitFor(() => conn.session && conn.session.epoch !== firstEpoch,
    { what: 'the new epoch', timeoutMs: 10000 });
  const shown = conn.session;
  assert.ok(shown.version > 8, `the stamped state comes after every version seen (${shown.version})`);
  const now = await client.getSession(id);
  assert.equal(now.epoch, shown.epoch);
  assert.ok(log.versions.length >= 8);
});
