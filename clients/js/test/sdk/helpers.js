// Helpers for the SDK tests against a real server (not a test file itself).
import { randomUUID } from 'node:crypto';

export const uuid = () => randomUUID();

/** A create body: `n` participants with 60 s banks (or as `extra` says). */
export function sessionBody(mode = 'per_participant', n = 2, extra = {}) {
  const participants = Array.from({ length: n }, (_, i) => ({
    participant_id: uuid(), participant_index: i, total_time_ms: 60000,
  }));
  const body = { session_id: uuid(), sync_mode: mode, participants, ...extra };
  if (mode === 'per_cycle' && body.time_per_cycle_ms === undefined) body.time_per_cycle_ms = 30000;
  if (mode === 'global' && body.total_time_ms === undefined) body.total_time_ms = 120000;
  return body;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns something truthy; generous default for a busy machine. */
export async function waitFor(check, { timeoutMs = 10000, intervalMs = 10, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The next `event` of a connection (optionally the first one passing `filter`). */
export function nextEvent(conn, event, { timeoutMs = 10000, filter = () => true } = {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no '${event}' within ${timeoutMs} ms`)); }, timeoutMs);
    const off = conn.on(event, (v) => {
      if (!filter(v)) return;
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

/** Records everything a connection does, for asserts at the end. */
export function record(conn) {
  const log = { states: [], versions: [], errors: [], deleted: 0, syncs: 0 };
  conn.on('state', (s) => log.states.push(s));
  conn.on('update', (s) => log.versions.push(s.version));
  conn.on('error', (e) => log.errors.push(e));
  conn.on('deleted', () => { log.deleted++; });
  conn.on('sync', () => { log.syncs++; });
  return log;
}

export function assertIncreasing(assert, versions) {
  for (let i = 1; i < versions.length; i++) {
    assert.ok(versions[i] > versions[i - 1], `versions not increasing: ${versions.join(',')}`);
  }
}

/**
 * A WebSocket class that records what goes out and comes in (the SDK's own handlers
 * are the on* properties; recording uses addEventListener so both see every frame).
 * `failFirst`: that many sockets fail like an unreachable endpoint (close 1006).
 */
export function instrumentedWebSocket({ failFirst = 0, failAlways = false } = {}) {
  const Real = globalThis.WebSocket;
  const log = { created: 0, failed: 0, sent: [], received: [] };
  class Failing {
    constructor() {
      this.readyState = 0;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      setTimeout(() => {
        this.readyState = 3;
        this.onerror?.({ type: 'error' });
        this.onclose?.({ code: 1006, reason: '', wasClean: false });
      }, 5);
    }
    send() { throw new Error('not open'); }
    close() { this.readyState = 3; }
  }
  class Instrumented extends Real {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (ev) => {
        try { log.received.push(JSON.parse(ev.data)); } catch { /* not JSON */ }
      });
    }
    send(data) {
      try { log.sent.push(JSON.parse(data)); } catch { /* not JSON */ }
      super.send(data);
    }
  }
  function Factory(url, protocols) {
    log.created++;
    if (failAlways || log.created <= failFirst) {
      log.failed++;
      return new Failing();
    }
    return new Instrumented(url, protocols);
  }
  return { WebSocket: /** @type {any} */ (Factory), log };
}
