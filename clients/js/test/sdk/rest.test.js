// Every REST method of SPEC §3 and the typed errors, against a real synckairos process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { SyncKairosClient, SyncKairosError } from '../../src/index.js';
import { sessionBody, uuid } from './helpers.js';

const SECRET = 'sdk-test-secret-that-is-at-least-32-bytes-long';
let open;     // auth off
let secured;  // --jwt-secret
let client;

before(async () => {
  [open, secured] = await Promise.all([
    startServer(),
    startServer({ args: ['--jwt-secret', SECRET] }),
  ]);
  client = new SyncKairosClient({ baseUrl: open.url });
});
after(async () => {
  await Promise.all([open?.stop(), secured?.stop()]);
});

/** Runs `fn`, expects a SyncKairosError, returns it. */
async function refused(fn) {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof SyncKairosError, `not a SyncKairosError: ${e}`);
    return e;
  }
  assert.fail('expected an error');
}

test('time, health, ready are flat', async () => {
  const t = await client.time();
  assert.equal(typeof t.timestamp_ms, 'number');
  assert.ok(Math.abs(t.timestamp_ms - Date.now()) < 5000);
  assert.equal(typeof t.server_version, 'string');
  assert.equal(typeof t.drift_tolerance_ms, 'number');
  assert.deepEqual(await client.health(), { status: 'ok' });
  assert.equal((await client.ready()).status, 'ready');
});

test('create, get, start, switch, pause, resume, complete', async () => {
  const body = sessionBody('per_participant', 3);
  const [a, b, c] = body.participants.map((p) => p.participant_id);
  const created = await client.createSession(body);
  assert.equal(created.session_id, body.session_id);
  assert.equal(created.status, 'pending');
  assert.equal(created.version, 1);
  assert.equal((await client.getSession(body.session_id)).version, 1);

  const started = await client.start(body.session_id);
  assert.equal(started.status, 'running');
  assert.equal(started.active_participant_id, a);

  const sw = await client.switchTurn(body.session_id);
  assert.equal(sw.active_participant_id, b);
  assert.equal(sw.version, started.version + 1);
  const picked = await client.switchTurn(body.session_id, { nextParticipantId: a, currentParticipantId: b, expectedVersion: sw.version });
  assert.equal(picked.active_participant_id, a);

  const paused = await client.pause(body.session_id);
  assert.equal(paused.status, 'paused');
  const resumed = await client.resume(body.session_id);
  assert.equal(resumed.status, 'running');
  assert.equal(resumed.active_participant_id, a);

  const completed = await client.complete(body.session_id);
  assert.equal(completed.status, 'completed');
  assert.ok(completed.participants.some((p) => p.participant_id === c));
});

test('participants: add, adjust time, remove; cancel; delete (idempotent)', async () => {
  const body = sessionBody('per_participant', 2);
  await client.createSession(body);
  const extra = uuid();
  const added = await client.addParticipant(body.session_id, { participant_id: extra, participant_index: 2, total_time_ms: 30000 });
  assert.equal(added.participants.length, 3);
  const adjusted = await client.adjustTime(body.session_id, extra, 5000, 'bonus');
  assert.equal(adjusted.participants.find((p) => p.participant_id === extra)?.total_time_ms, 35000);
  const removed = await client.removeParticipant(body.session_id, extra);
  assert.equal(removed.participants.length, 2);
  const cancelled = await client.cancel(body.session_id);
  assert.equal(cancelled.status, 'cancelled');
  assert.equal(await client.deleteSession(body.session_id), undefined);
  await client.deleteSession(body.session_id); // 204 again
  const e = await refused(() => client.getSession(body.session_id));
  assert.equal(e.code, 'SESSION_NOT_FOUND');
});

test('pollSession: 304 → null after wait_ms, a change → the new state', async () => {
  const body = sessionBody('per_participant', 2);
  const created = await client.createSession(body);
  const t0 = Date.now();
  assert.equal(await client.pollSession(body.session_id, { sinceVersion: created.version, waitMs: 300 }), null);
  assert.ok(Date.now() - t0 >= 250, 'waited');
  const pending = client.pollSession(body.session_id, { sinceVersion: created.version, waitMs: 10000 });
  setTimeout(() => { client.start(body.session_id); }, 100);
  const next = await pending;
  assert.ok(next);
  assert.equal(next.status, 'running');
  assert.equal(next.version, created.version + 1);
  // Older than current: at once.
  assert.equal((await client.pollSession(body.session_id, { sinceVersion: 0, waitMs: 10000 }))?.version, next.version);
});

test('pollSession honours an abort signal', async () => {
  const body = sessionBody();
  const created = await client.createSession(body);
  const controller = new AbortController();
  const pending = client.pollSession(body.session_id, { sinceVersion: created.version, waitMs: 20000, signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(pending, (e) => e.name === 'AbortError');
});

test('share: links for host, viewer and each participant', async () => {
  const body = sessionBody();
  await client.createSession(body);
  const links = await client.share(body.session_id);
  assert.equal(links.session_id, body.session_id);
  assert.equal(links.auth, false);
  assert.equal(links.host.token, null);
  assert.equal(links.participants.length, 2);
});

test('errors: 404 SESSION_NOT_FOUND, 404 NOT_FOUND', async () => {
  const e = await refused(() => client.getSession(uuid()));
  assert.equal(e.code, 'SESSION_NOT_FOUND');
  assert.equal(e.status, 404);
  const r = await refused(() => client.request('GET', '/v1/nothing-here'));
  assert.equal(r.code, 'NOT_FOUND');
});

test('errors: 400 VALIDATION_ERROR with field details', async () => {
  const body = sessionBody();
  body.participants[0].total_time_ms = 5; // below 1000
  const e = await refused(() => client.createSession(body));
  assert.equal(e.code, 'VALIDATION_ERROR');
  assert.equal(e.status, 400);
  assert.ok(Array.isArray(e.details), JSON.stringify(e.details));
  assert.ok(e.details.some((d) => d.field === 'participants.0.total_time_ms'), JSON.stringify(e.details));
});

test('errors: 400 INVALID_STATE_TRANSITION, 409 SESSION_EXISTS', async () => {
  const body = sessionBody();
  await client.createSession(body);
  const e = await refused(() => client.pause(body.session_id));
  assert.equal(e.code, 'INVALID_STATE_TRANSITION');
  const again = await refused(() => client.createSession(body));
  assert.equal(again.code, 'SESSION_EXISTS');
  assert.equal(again.status, 409);
});

test('errors: 409 CONFLICT on a stale expected_version changes nothing', async () => {
  const body = sessionBody();
  await client.createSession(body);
  const started = await client.start(body.session_id);
  const e = await refused(() => client.switchTurn(body.session_id, { expectedVersion: started.version - 1 }));
  assert.equal(e.code, 'CONFLICT');
  assert.equal(e.status, 409);
  assert.ok(e.details !== undefined, 'details name expected and actual');
  assert.equal((await client.getSession(body.session_id)).version, started.version);
});

test('errors: NETWORK_ERROR and TIMEOUT have status 0', async () => {
  const dead = new SyncKairosClient({ baseUrl: 'http://127.0.0.1:1' });
  const e = await refused(() => dead.time());
  assert.equal(e.code, 'NETWORK_ERROR');
  assert.equal(e.status, 0);
  const body = sessionBody();
  const created = await client.createSession(body);
  const impatient = new SyncKairosClient({ baseUrl: open.url, timeoutMs: 100 });
  // A long poll gets waitMs on top of timeoutMs: ask for a plain GET that cannot answer in time
  // by long-polling through request() without that allowance.
  const t = await refused(() => impatient.request('GET',
    `/v1/sessions/${body.session_id}?since_version=${created.version}&wait_ms=2000`, { notModified: true }));
  assert.equal(t.code, 'TIMEOUT');
  assert.equal(t.status, 0);
});

test('errors: 429 RATE_LIMIT_EXCEEDED carries retryAfterMs from Retry-After', async () => {
  const limited = await startServer({ args: ['--rate-limit-client-max', '2', '--rate-limit-window-ms', '60000'] });
  try {
    const c = new SyncKairosClient({ baseUrl: limited.url });
    let e;
    for (let i = 0; i < 5 && !e; i++) {
      try { await c.getSession(uuid()); } catch (err) { if (err.code === 'RATE_LIMIT_EXCEEDED') e = err; }
    }
    assert.ok(e, 'no 429 after 5 requests with a limit of 2');
    assert.equal(e.status, 429);
    assert.ok(typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0, String(e.retryAfterMs));
  } finally {
    await limited.stop();
  }
});

test('auth: token on every call; 401 without, 403 outside the token\'s sessions', async () => {
  const admin = new SyncKairosClient({ baseUrl: secured.url, token: () => secured.mintToken({ role: 'admin', sub: 'admin', sessions: ['*'] }) });
  const body = sessionBody();
  await admin.createSession(body);
  assert.equal((await admin.getSession(body.session_id)).session_id, body.session_id);

  const anonymous = new SyncKairosClient({ baseUrl: secured.url });
  const e401 = await refused(() => anonymous.getSession(body.session_id));
  assert.equal(e401.code, 'UNAUTHORIZED');
  assert.equal(e401.status, 401);
  assert.equal((await anonymous.time()).timestamp_ms > 0, true, '/v1/time stays open');

  const other = new SyncKairosClient({ baseUrl: secured.url, token: secured.mintToken({ role: 'arbiter', sub: 'x', sessions: [uuid()] }) });
  const e403 = await refused(() => other.getSession(body.session_id));
  assert.equal(e403.code, 'FORBIDDEN');
  assert.equal(e403.status, 403);

  const links = await admin.share(body.session_id);
  assert.equal(links.auth, true);
  assert.ok(links.viewer.token);
  const host = new SyncKairosClient({ baseUrl: secured.url, token: links.host.token ?? undefined });
  assert.equal((await host.start(body.session_id)).status, 'running');
  const player = links.participants[0];
  const asPlayer = new SyncKairosClient({ baseUrl: secured.url, token: player.token ?? undefined });
  assert.equal((await asPlayer.switchTurn(body.session_id, { currentParticipantId: player.participant_id })).status, 'running');
});

// The viewer token reads, and can never switch (its sub is a UUID no participant has).
test('share: the viewer token can read the session and cannot switch', async () => {
  const admin = new SyncKairosClient({ baseUrl: secured.url, token: secured.mintToken({ role: 'admin', sub: 'admin', sessions: ['*'] }) });
  const body = sessionBody();
  await admin.createSession(body);
  const links = await admin.share(body.session_id);
  const viewer = new SyncKairosClient({ baseUrl: secured.url, token: links.viewer.token ?? undefined });
  assert.equal((await viewer.getSession(body.session_id)).session_id, body.session_id);
  const host = new SyncKairosClient({ baseUrl: secured.url, token: links.host.token ?? undefined });
  await host.start(body.session_id);
  await assert.rejects(viewer.switchTurn(body.session_id), (e) => e instanceof SyncKairosError && e.code === 'FORBIDDEN');
  assert.equal((await viewer.getSession(body.session_id)).version, 2, 'a refused switch changed nothing');
});
