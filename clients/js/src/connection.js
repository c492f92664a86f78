// SessionConnection: one session's live state over a WebSocket, with long polling as
// the fallback, reconnects with full-jitter backoff, dead-socket detection, and the
// server clock kept in sync. See README.md for the state machine in words.
import { SyncKairosError, isFatal } from './errors.js';
import { fullJitterDelay, DEFAULT_BACKOFF } from './backoff.js';
import { ServerClock } from './clock.js';
import * as live from './live.js';

const DEFAULTS = {
  heartbeatMs: 5000,
  resyncIntervalMs: 60000,
  syncSamples: 5,
  wsFailuresBeforePolling: 2,
  wsRetryMs: 15000,     // while polling: how often a WebSocket is tried again
  pollWaitMs: 25000,
};
const PONG_WAIT_MS = 2000;        // a sync sample that takes longer is useless anyway
const PING_KEY_TTL_MS = 30000;    // forget unanswered pings
const GOING_AWAY_DELAY_MS = 250;  // 1001 (restart): come back soon, jittered in [0, this)
// After a 1001 the server is restarting or draining: it said it will be back (or a
// sibling is there), so for this long the retries stay short (capped, still jittered)
// instead of backing off to 20 s while it boots.
const GOING_AWAY_WINDOW_MS = 30000;
const GOING_AWAY_CAP_MS = 2000;
const ERROR_GRACE_MS = 50;        // after 'error', how long a 'close' (with its code) may take

// Close codes (SPEC §4 and the server's private range mirroring HTTP statuses).
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;
const CLOSE_DEAD = 4000; // ours: no message within two heartbeats

export class SessionConnection {
  /**
   * @param {import('./rest.js').SyncKairosClient} client
   * @param {string} sessionId
   * @param {import('./index.js').ConnectionOptions} [options]
   */
  constructor(client, sessionId, options = {}) {
    this.sessionId = sessionId;
    this._client = client;
    this._o = {
      transport: options.transport ?? 'auto',
      backoff: { ...DEFAULT_BACKOFF, ...(options.backoff ?? {}) },
      heartbeatMs: options.heartbeatMs ?? DEFAULTS.heartbeatMs,
      resyncIntervalMs: options.resyncIntervalMs ?? DEFAULTS.resyncIntervalMs,
      syncSamples: options.syncSamples ?? DEFAULTS.syncSamples,
      wsFailuresBeforePolling: options.wsFailuresBeforePolling ?? DEFAULTS.wsFailuresBeforePolling,
      wsRetryMs: options.wsRetryMs ?? DEFAULTS.wsRetryMs,
      pollWaitMs: options.pollWaitMs ?? DEFAULTS.pollWaitMs,
      connectTimeoutMs: options.connectTimeoutMs ?? client.timeoutMs,
      random: options.random ?? Math.random,
    };
    this.clock = options.clock ?? new ServerClock({ now: options.now });
    /** @type {'disconnected' | 'connecting' | 'connected'} */
    this._state = 'disconnected';
    /** @type {'websocket' | 'polling' | null} */
    this._transport = null;
    /** @type {any} */
    this._session = null;
    /** @type {SyncKairosError | null} */
    this.lastError = null;
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();

    this._stopped = false;     // close(), a fatal error or deletion: nothing more happens
    this._offline = false;
    this._attempt = 0;         // failed attempts since the last success (backoff)
    this._goingAwayUntil = -Infinity;  // retries stay short until then (after a 1001)
    this._wsFailures = 0;      // WebSockets that never opened, in a row
    this._retryTimer = undefined;
    this._retryAt = null;
    this._ws = null;           // the adopted socket
    this._probe = null;        // a socket being tried while polling
    this._probeTimer = undefined;
    this._poll = null;         // { controller } of the running polling loop
    this._heartbeatTimer = undefined;
    this._watchdogTimer = undefined;
    this._resyncTimer = undefined;
    this._lastMessageAt = 0;
    /** @type {Map<number, { t0: number, resolve?: (s: {t0:number,server:number,t1:number}|null) => void }>} */
    this._pings = new Map();
    this._syncingGeneration = -1; // the _generation a sync round is running for
    this._generation = 0;      // bumps on every teardown so stale callbacks do nothing

    this._netTarget = options.networkEvents
      ?? (typeof globalThis.addEventListener === 'function' ? globalThis : null);
    this._onOnline = () => this._handleOnline();
    this._onOffline = () => this._handleOffline();
  }

  get state() { return this._state; }
  get transport() { return this._transport; }
  get session() { return this._session; }
  get retryInMs() {
    if (this._retryAt === null) return null;
    return Math.max(0, Math.round(this._retryAt - this.clock.localNow()));
  }

  /** @returns {() => void} unsubscribe */
  on(event, fn) {
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => { set.delete(fn); };
  }

  _emit(event, arg) {
    for (const fn of [...(this._listeners.get(event) ?? [])]) {
      try {
        fn(arg);
      } catch (e) {
        // A listener's bug must not break the connection; still make it visible.
        setTimeout(() => { throw e; }, 0);
      }
    }
  }

  _setState(s) {
    if (this._state === s) return;
    this._state = s;
    this._emit('state', s);
  }

  // ----- live values (calculate, don't count) -----
  now() { return this.clock.now(); }
  remaining(participantId) { return live.remaining(this._session, participantId, this.clock.now()); }
  liveClock(participantId) { return live.liveClock(this._session, participantId, this.clock.now()); }
  elapsed() { return live.elapsed(this._session, this.clock.now()); }
  used(participantId) { return live.used(this._session, participantId, this.clock.now()); }
  sessionElapsed() { return live.sessionElapsed(this._session, this.clock.now()); }
  activeParticipant() { return live.activeParticipant(this._session); }
  deadline() { return live.deadline(this._session); }

  /**
   * switchTurn on this session; when the session has time_control.lag_compensation
   * (SPEC §2), client_lag_ms is filled with the measured one-way delay (min RTT / 2).
   * @param {{ nextParticipantId?: string, currentParticipantId?: string,
   *           expectedVersion?: number, clientLagMs?: number }} [o]
   */
  switchTurn(o = {}) {
    const opts = { ...o };
    const lagComp = this._session?.time_control?.lag_compensation === true;
    if (lagComp && opts.clientLagMs === undefined && Number.isFinite(this.clock.rttMs)) {
      opts.clientLagMs = this.clock.rttMs / 2;
    }
    return this._client.switchTurn(this.sessionId, opts);
  }

  // ----- lifecycle -----

  /** Starts connecting (called by SyncKairosClient.connect). */
  open() {
    if (this._stopped) return;
    if (this._netTarget) {
      this._netTarget.addEventListener('online', this._onOnline);
      this._netTarget.addEventListener('offline', this._onOffline);
    }
    this._attemptNow();
  }

  close() {
    if (this._stopped) return;
    this._stop();
  }

  _stop() {
    this._stopped = true;
    this._teardown();
    if (this._netTarget) {
      this._netTarget.removeEventListener('online', this._onOnline);
      this._netTarget.removeEventListener('offline', this._onOffline);
    }
    this._setState('disconnected');
  }

  _fatal(err) {
    this.lastError = err;
    this._stop();
    this._emit('error', err);
  }

  _deleted() {
    this._stop();
    this._emit('deleted', undefined);
  }

  /** Drops sockets, polls and timers; the state is set by the caller. */
  _teardown() {
    this._generation++;
    this._clearRetry();
    clearTimeout(this._probeTimer);
    this._probeTimer = undefined;
    this._stopSocketTimers();
    this._dropSocket(this._ws);
    this._ws = null;
    this._dropSocket(this._probe);
    this._probe = null;
    if (this._poll) this._poll.controller.abort();
    this._poll = null;
    for (const p of this._pings.values()) p.resolve?.(null);
    this._pings.clear();
    this._transport = null;
  }

  _clearRetry() {
    clearTimeout(this._retryTimer);
    this._retryTimer = undefined;
    this._retryAt = null;
  }

  _stopSocketTimers() {
    clearInterval(this._heartbeatTimer);
    clearTimeout(this._watchdogTimer);
    clearTimeout(this._resyncTimer);
    this._heartbeatTimer = this._watchdogTimer = this._resyncTimer = undefined;
  }

  // Stops listening before closing: a dead socket's close handshake may never finish,
  // and nothing it says afterwards may reach the session any more.
  _dropSocket(ws, code = CLOSE_NORMAL) {
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    try { ws.close(code); } catch { /* already closing */ }
  }

  _handleOffline() {
    if (this._stopped) return;
    // No retries are burnt while the browser knows there is no network.
    this._offline = true;
    this._teardown();
    this._setState('disconnected');
  }

  _handleOnline() {
    if (this._stopped) return;
    if (!this._offline && this._state === 'connected') return; // nothing was lost
    this._offline = false;
    this._attempt = 0;
    this._teardown();
    this._attemptNow();
  }

  // ----- attempts and retries -----

  _wantsWebSocket() {
    if (this._o.transport === 'polling') return false;
    if (!this._client.webSocketClass()) return false;
    if (this._o.transport === 'websocket') return true;
    return this._wsFailures < this._o.wsFailuresBeforePolling;
  }

  _attemptNow() {
    if (this._stopped || this._offline) return;
    this._clearRetry();
    this._setState('connecting');
    if (this._wantsWebSocket()) this._openSocket(false);
    else this._startPolling();
  }

  /** After a failure: disconnected, then the next attempt after a full-jitter delay. */
  _retryLater(err, delayMs) {
    if (this._stopped) return;
    this._teardown();
    if (err) {
      this.lastError = err;
      this._emit('error', err);
    }
    if (this._offline) {
      this._setState('disconnected');
      return;
    }
    const now = this.clock.localNow();
    const backoff = { ...this._o.backoff, random: this._o.random };
    if (now < this._goingAwayUntil) {
      backoff.capMs = Math.min(backoff.capMs ?? DEFAULT_BACKOFF.capMs, GOING_AWAY_CAP_MS);
    }
    const delay = delayMs ?? fullJitterDelay(this._attempt, backoff);
    this._attempt++;
    // Scheduled before the state is announced, so listeners can show "retry in …".
    this._retryAt = now + delay;
    this._retryTimer = setTimeout(() => {
      this._retryTimer = undefined;
      this._retryAt = null;
      this._attemptNow();
    }, delay);
    this._setState('disconnected');
  }

  _succeeded() {
    this._attempt = 0;
    this.lastError = null;
    this._setState('connected');
  }

  // ----- WebSocket -----

  /** @param {boolean} probe true: tried while polling, adopted only once it works */
  _openSocket(probe) {
    const WS = this._client.webSocketClass();
    const generation = this._generation;
    let ws;
    try {
      if (!WS) throw new Error('no WebSocket constructor');
      ws = new WS(this._client.webSocketUrl(this.sessionId));
    } catch (e) {
      this._socketNeverOpened(probe, e);
      return;
    }
    if (probe) this._probe = ws;
    else this._ws = ws;
    let connected = false;
    const openTimer = setTimeout(() => {
      if (connected || generation !== this._generation) return;
      this._dropSocket(ws);
      this._socketNeverOpened(probe, new Error(`no CONNECTED within ${this._o.connectTimeoutMs} ms`));
    }, this._o.connectTimeoutMs);

    /** @type {any} an ERROR that came before CONNECTED (a refusal): names the close */
    let refusal = null;
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (!connected) {
        if (msg.type === 'ERROR') refusal = msg;
        if (msg.type !== 'CONNECTED') return;
        connected = true;
        clearTimeout(openTimer);
        if (probe) this._adoptProbe(ws);
        this._socketConnected(ws);
      }
      if (ws === this._ws) this._onMessage(ws, msg);
    };
    // Browsers follow 'error' with 'close' (which carries the code); Node 20's WebSocket
    // may fire only 'error' for a refused connection and stay CONNECTING for ever. So an
    // error ends the socket too, a moment later unless the close came first.
    let ended = false;
    /** @param {{ code: number, reason?: string }} ev */
    const end = (ev) => {
      if (ended) return;
      ended = true;
      clearTimeout(openTimer);
      // 1008 before CONNECTED is a refused upgrade (a bad sessionId): retrying cannot
      // help. After it (e.g. a message flood) a reconnect with backoff is the answer.
      const refused = ev.code === CLOSE_UNAUTHORIZED || ev.code === CLOSE_FORBIDDEN
        || (ev.code === CLOSE_POLICY && !connected);
      if (ws === this._probe) {
        this._dropSocket(ws);
        this._probe = null;
        if (refused) this._onSocketClosed(ev, refusal, connected);
        else this._scheduleProbe();
        return;
      }
      if (ws !== this._ws) return;
      this._dropSocket(ws);
      this._ws = null;
      if (!connected && !refused) {
        this._socketNeverOpened(false, new Error(`WebSocket closed (${ev.code}) before CONNECTED`));
        return;
      }
      this._onSocketClosed(ev, refusal, connected);
    };
    ws.onerror = () => { setTimeout(() => end({ code: 1006, reason: 'WebSocket error' }), ERROR_GRACE_MS); };
    ws.onclose = (ev) => end(ev);
  }

  _socketNeverOpened(probe, cause) {
    if (probe) {
      this._probe = null;
      this._scheduleProbe();
      return;
    }
    this._wsFailures++;
    const err = new SyncKairosError('NETWORK_ERROR', `WebSocket failed: ${cause?.message ?? cause}`, { cause });
    // With the fallback still available, switch to polling without waiting.
    if (this._o.transport === 'auto' && !this._wantsWebSocket()) {
      this._teardown();
      this.lastError = err;
      this._emit('error', err);
      this._attemptNow();
      return;
    }
    this._retryLater(err);
  }

  /** The probe socket works: polling stops, the socket takes over. */
  _adoptProbe(ws) {
    if (this._poll) this._poll.controller.abort();
    this._poll = null;
    this._stopSocketTimers();
    this._probe = null;
    this._ws = ws;
  }

  _socketConnected(ws) {
    this._wsFailures = 0;
    this._transport = 'websocket';
    this._lastMessageAt = this.clock.localNow();
    // After a reconnect: ask only for what is newer than what we show.
    if (this._session) this._send(ws, { type: 'RECONNECT', last_version: this._session.version });
    this._succeeded();
    this._startHeartbeat(ws);
    this._syncRound();
  }

  /**
   * @param {{code: number, reason?: string}} ev
   * @param {any} refusal an ERROR frame that came before CONNECTED, if any
   * @param {boolean} wasConnected CONNECTED had arrived on this socket
   */
  _onSocketClosed(ev, refusal, wasConnected) {
    this._stopSocketTimers();
    const code = ev.code;
    if (code === CLOSE_UNAUTHORIZED || code === CLOSE_FORBIDDEN) {
      const unauthorized = code === CLOSE_UNAUTHORIZED;
      const message = refusal?.message || ev.reason || (unauthorized ? 'unauthorized' : 'forbidden');
      this._fatal(new SyncKairosError(unauthorized ? 'UNAUTHORIZED' : 'FORBIDDEN', message,
        { status: unauthorized ? 401 : 403 }));
      return;
    }
    if (code === CLOSE_POLICY && !wasConnected) {
      this._fatal(new SyncKairosError('VALIDATION_ERROR', ev.reason || 'WebSocket refused (1008)', { status: 400 }));
      return;
    }
    if (code === CLOSE_GOING_AWAY) {
      // A restart or a drain: another instance (or this one, restarted) is there soon.
      this._goingAwayUntil = this.clock.localNow() + GOING_AWAY_WINDOW_MS;
      this._retryLater(null, Math.floor(this._o.random() * GOING_AWAY_DELAY_MS));
      return;
    }
    this._retryLater(new SyncKairosError('NETWORK_ERROR', `WebSocket closed (${code}${ev.reason ? `: ${ev.reason}` : ''})`));
  }

  _send(ws, msg) {
    try { ws.send(JSON.stringify(msg)); } catch { /* closing: the close event handles it */ }
  }

  _onMessage(ws, msg) {
    this._lastMessageAt = this.clock.localNow();
    switch (msg.type) {
      case 'STATE_SYNC':
      case 'STATE_UPDATE':
        if (msg.state) this._applyState(msg.state);
        break;
      case 'PONG': this._onPong(msg); break;
      case 'TIME_EXPIRED': this._emit('expired', msg); break;
      case 'TIME_WARNING': this._emit('warning', msg); break;
      case 'SESSION_DELETED': this._deleted(); break;
      case 'ERROR': this._onServerError(msg); break;
      default: break; // CONNECTED, AUTHENTICATED, and whatever a newer server adds
    }
  }

  _onServerError(msg) {
    const code = msg.code;
    if (code === 'SESSION_NOT_FOUND') {
      // Seen before and gone now: it was deleted while we were away.
      if (this._session) this._deleted();
      else this._fatal(new SyncKairosError(code, msg.message || 'session not found', { status: 404 }));
      return;
    }
    // UNAUTHORIZED/FORBIDDEN come with a 4401/4403 close right after: handled there.
    if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') return;
    const err = new SyncKairosError(code || 'INTERNAL_ERROR', msg.message || 'server error');
    this.lastError = err;
    this._emit('error', err);
  }

  // Browsers cannot see protocol-level pings, so liveness is checked with app-level
  // PINGs: any message resets the watchdog; two heartbeats of silence mean dead.
  _startHeartbeat(ws) {
    this._stopSocketTimers();
    const hb = this._o.heartbeatMs;
    this._heartbeatTimer = setInterval(() => {
      this._send(ws, { type: 'PING', client_timestamp: this._pingKey(this.clock.localNow(), undefined) });
      this._prunePings();
    }, hb);
    const watch = () => {
      const silent = this.clock.localNow() - this._lastMessageAt;
      if (silent >= 2 * hb) {
        this._dropSocket(ws, CLOSE_DEAD);
        if (ws === this._ws) this._ws = null;
        this._retryLater(new SyncKairosError('TIMEOUT', `no message from the server for ${Math.round(silent)} ms`));
        return;
      }
      this._watchdogTimer = setTimeout(watch, 2 * hb - silent + 1);
    };
    this._watchdogTimer = setTimeout(watch, 2 * hb);
    this._scheduleResync();
  }

  /** An integer key for PING.client_timestamp; the precise t0 stays here. */
  _pingKey(t0, resolve) {
    let key = Math.floor(t0);
    while (this._pings.has(key)) key++;
    this._pings.set(key, { t0, resolve });
    return key;
  }

  _prunePings() {
    const old = this.clock.localNow() - PING_KEY_TTL_MS;
    for (const [key, p] of this._pings) {
      if (p.t0 < old) {
        p.resolve?.(null);
        this._pings.delete(key);
      }
    }
  }

  _onPong(msg) {
    const t1 = this.clock.localNow();
    const key = msg.client_timestamp;
    if (typeof key !== 'number') return;
    const p = this._pings.get(key);
    if (!p) return;
    this._pings.delete(key);
    p.resolve?.({ t0: p.t0, server: msg.timestamp, t1 });
  }

  _scheduleResync() {
    clearTimeout(this._resyncTimer);
    this._resyncTimer = setTimeout(() => this._syncRound(), this._o.resyncIntervalMs);
  }

  // ----- clock sync -----

  /** One round: a few samples, one after the other (not in parallel: no self-queueing). */
  async _syncRound() {
    // One round at a time per transport; a round of a torn-down socket is ending anyway.
    if (this._syncingGeneration === this._generation || this._stopped) return;
    const generation = this._generation;
    this._syncingGeneration = generation;
    let added = 0;
    try {
      for (let i = 0; i < this._o.syncSamples; i++) {
        if (generation !== this._generation || this._stopped) return;
        const sample = this._transport === 'websocket' ? await this._sampleSocket() : await this._sampleHttp();
        if (generation !== this._generation) return;
        if (sample) {
          this.clock.addSample(sample.t0, sample.server, sample.t1);
          added++;
        }
      }
    } finally {
      if (this._syncingGeneration === generation) this._syncingGeneration = -1;
      if (generation === this._generation && !this._stopped) {
        if (this._transport) this._scheduleResync();
        if (added > 0) this._emit('sync', this.clock);
      }
    }
  }

  _sampleSocket() {
    const ws = this._ws;
    if (!ws) return Promise.resolve(null);
    return new Promise((resolve) => {
      let key = 0;
      const timer = setTimeout(() => { this._pings.delete(key); resolve(null); }, PONG_WAIT_MS);
      key = this._pingKey(this.clock.localNow(), (s) => { clearTimeout(timer); resolve(s); });
      this._send(ws, { type: 'PING', client_timestamp: key });
    });
  }

  async _sampleHttp() {
    const t0 = this.clock.localNow();
    try {
      const r = await this._client.time();
      return { t0, server: r.timestamp_ms, t1: this.clock.localNow() };
    } catch {
      return null;
    }
  }

  // ----- state -----

  _applyState(state) {
    // Never show an older version than one already shown (an equal one adds nothing)
    // within one epoch. A new epoch means the server's store lost writes and counts
    // versions again (issue 16): its state is the truth even at a lower version, and
    // the order starts over from it. (A server without epochs sends none: no change.)
    const newEpoch = this._session && typeof state.epoch === 'string'
      && typeof this._session.epoch === 'string' && state.epoch !== this._session.epoch;
    if (this._session && !newEpoch && state.version <= this._session.version) return;
    this._session = state;
    this._emit('update', state);
  }

  // ----- long polling -----

  _startPolling() {
    const controller = new AbortController();
    const run = { controller };
    this._poll = run;
    this._pollLoop(run).catch(() => { /* every failure is handled inside */ });
  }

  async _pollLoop(run) {
    const { signal } = run.controller;
    const mine = () => this._poll === run && !signal.aborted && !this._stopped;
    try {
      // A plain read first: connected at once, and caught up, without waiting 25 s.
      const first = await this._client.getSession(this.sessionId, { signal });
      if (!mine()) return;
      this._transport = 'polling';
      this._succeeded();
      this._applyState(first);
      this._syncRound();
      this._scheduleProbe();
      while (mine()) {
        const next = await this._client.pollSession(this.sessionId, {
          sinceVersion: this._session ? this._session.version : 0, waitMs: this._o.pollWaitMs, signal,
        });
        if (!mine()) return;
        if (next) this._applyState(next);
      }
    } catch (e) {
      if (!mine()) return;
      this._pollFailed(e);
    }
  }

  _pollFailed(e) {
    const err = e instanceof SyncKairosError ? e
      : new SyncKairosError('NETWORK_ERROR', String(e?.message ?? e), { cause: e });
    if (err.code === 'SESSION_NOT_FOUND') {
      if (this._session) this._deleted();
      else this._fatal(err);
      return;
    }
    if (isFatal(err)) {
      this._fatal(err);
      return;
    }
    // The HTTP API is down too: the WebSocket was not the problem, so it may try again.
    if (err.code === 'NETWORK_ERROR' && this._o.transport === 'auto') this._wsFailures = 0;
    this._retryLater(err, err.retryAfterMs);
  }

  /** While polling, a WebSocket is tried again every wsRetryMs. */
  _scheduleProbe() {
    if (this._o.transport !== 'auto' || !this._client.webSocketClass() || this._stopped) return;
    if (!this._poll) return;
    clearTimeout(this._probeTimer);
    this._probeTimer = setTimeout(() => {
      this._probeTimer = undefined;
      if (this._poll && !this._probe && !this._stopped) this._openSocket(true);
    }, this._o.wsRetryMs);
  }
}
