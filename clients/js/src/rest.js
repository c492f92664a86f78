// REST client for SPEC §3. Each method is one request: Bearer token on every call,
// a per-request timeout, `{data}` unwrapped, errors thrown as SyncKairosError.
import { SyncKairosError, errorFromResponse } from './errors.js';
import { SessionConnection } from './connection.js';

const DEFAULT_TIMEOUT_MS = 10000;
const DEFAULT_WAIT_MS = 25000;
const MAX_CLIENT_LAG_MS = 60000;

/** @typedef {import('./index.js').ClientOptions} ClientOptions */

export class SyncKairosClient {
  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    const base = options.baseUrl ?? globalThis.location?.origin;
    if (!base) throw new TypeError('SyncKairosClient: baseUrl is required outside a browser page');
    this.baseUrl = String(base).replace(/\/+$/, '');
    this._token = options.token;
    this._fetch = options.fetch;
    // Given as null (or undefined, explicitly): there is no WebSocket, poll instead.
    this._hasWebSocketOption = 'WebSocket' in options;
    this._WebSocket = options.WebSocket;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The current token (a function token is asked each time, so it can be renewed). */
  token() {
    const t = typeof this._token === 'function' ? this._token() : this._token;
    return t || undefined;
  }

  /** The WebSocket constructor to use, or undefined when there is none. */
  webSocketClass() {
    return (this._hasWebSocketOption ? this._WebSocket : globalThis.WebSocket) ?? undefined;
  }

  /** ws(s)://host/ws?sessionId=…&token=… */
  webSocketUrl(/** @type {string} */ sessionId) {
    const url = new URL('/ws', this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('sessionId', sessionId);
    const token = this.token();
    if (token) url.searchParams.set('token', token);
    return url.toString();
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {{ body?: unknown, flat?: boolean, signal?: AbortSignal, timeoutMs?: number,
   *           notModified?: boolean }} [o]
   * @returns {Promise<any>}
   */
  async request(method, path, o = {}) {
    const doFetch = this._fetch ?? globalThis.fetch;
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json' };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    /** @type {string | undefined} */
    let body;
    if (o.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.body);
    }

    // One controller for both the timeout and the caller's signal.
    const controller = new AbortController();
    const timeoutMs = o.timeoutMs ?? this.timeoutMs;
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
    const onAbort = () => controller.abort();
    if (o.signal) {
      if (o.signal.aborted) controller.abort();
      else o.signal.addEventListener('abort', onAbort, { once: true });
    }
    try {
      let res;
      try {
        res = await doFetch(this.baseUrl + path, { method, headers, body, signal: controller.signal });
      } catch (e) {
        throw this._transportError(e, timedOut, o.signal, method, path, timeoutMs);
      }
      if (res.status === 304 && o.notModified) return null;
      if (res.status === 204) return undefined;
      let text;
      try {
        text = await res.text();
      } catch (e) {
        throw this._transportError(e, timedOut, o.signal, method, path, timeoutMs);
      }
      let json = null;
      if (text) {
        try { json = JSON.parse(text); } catch { /* not JSON: a proxy page, say */ }
      }
      if (!res.ok) throw errorFromResponse(res.status, json, res.headers.get('Retry-After'));
      if (json === null) {
        throw new SyncKairosError('INTERNAL_ERROR', `${method} ${path}: answer is not JSON`, { status: res.status });
      }
      return o.flat ? json : json.data;
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  _transportError(e, timedOut, signal, method, path, timeoutMs) {
    // The caller's own abort stays an AbortError: it is not a failure to report.
    if (signal?.aborted && !timedOut) return signal.reason ?? e;
    if (timedOut) return new SyncKairosError('TIMEOUT', `${method} ${path}: no answer in ${timeoutMs} ms`, { cause: e });
    return new SyncKairosError('NETWORK_ERROR', `${method} ${path}: ${e?.message ?? 'network error'}`, { cause: e });
  }

  _sessionPath(/** @type {string} */ id, suffix = '') {
    return `/v1/sessions/${encodeURIComponent(id)}${suffix}`;
  }

  createSession(body) { return this.request('POST', '/v1/sessions', { body }); }
  getSession(id, o = {}) { return this.request('GET', this._sessionPath(id), { signal: o.signal }); }

  /** Long poll: the next state after sinceVersion, or null (304) when none came in waitMs. */
  pollSession(id, { sinceVersion, waitMs = DEFAULT_WAIT_MS, signal }) {
    const query = `?since_version=${encodeURIComponent(sinceVersion)}&wait_ms=${encodeURIComponent(waitMs)}`;
    return this.request('GET', this._sessionPath(id, query), {
      signal, notModified: true, timeoutMs: this.timeoutMs + waitMs,
    });
  }

  start(id) { return this.request('POST', this._sessionPath(id, '/start')); }
  pause(id) { return this.request('POST', this._sessionPath(id, '/pause')); }
  resume(id) { return this.request('POST', this._sessionPath(id, '/resume')); }
  complete(id) { return this.request('POST', this._sessionPath(id, '/complete')); }
  cancel(id) { return this.request('POST', this._sessionPath(id, '/cancel')); }

  /**
   * The hot path. Guards (currentParticipantId, expectedVersion) make a double tap safe:
   * a stale one is refused with 409 CONFLICT and changes nothing.
   */
  switchTurn(id, o = {}) {
    /** @type {Record<string, unknown>} */
    const body = {};
    if (o.nextParticipantId !== undefined) body.next_participant_id = o.nextParticipantId;
    if (o.currentParticipantId !== undefined) body.current_participant_id = o.currentParticipantId;
    if (o.expectedVersion !== undefined) body.expected_version = o.expectedVersion;
    // The server takes 0–60000 (SPEC §3): a wild estimate is capped, not refused.
    if (o.clientLagMs !== undefined) body.client_lag_ms = Math.min(MAX_CLIENT_LAG_MS, Math.max(0, Math.round(o.clientLagMs)));
    return this.request('POST', this._sessionPath(id, '/switch'),
      Object.keys(body).length ? { body } : {});
  }

  addParticipant(id, p) {
    return this.request('POST', this._sessionPath(id, '/participants'), { body: p });
  }
  removeParticipant(id, participantId) {
    return this.request('DELETE', this._sessionPath(id, `/participants/${encodeURIComponent(participantId)}`));
  }
  adjustTime(id, participantId, deltaMs, reason) {
    /** @type {Record<string, unknown>} */
    const body = { delta_ms: deltaMs };
    if (reason !== undefined) body.reason = reason;
    return this.request('POST', this._sessionPath(id, `/participants/${encodeURIComponent(participantId)}/time`), { body });
  }
  async deleteSession(id) { await this.request('DELETE', this._sessionPath(id)); }
  share(id) { return this.request('POST', this._sessionPath(id, '/share')); }

  time() { return this.request('GET', '/v1/time', { flat: true }); }
  health() { return this.request('GET', '/health', { flat: true }); }
  ready() { return this.request('GET', '/ready', { flat: true }); }

  /**
   * A live connection to one session (WebSocket, long-poll fallback, clock sync).
   * @param {string} sessionId
   * @param {import('./index.js').ConnectionOptions} [options]
   */
  connect(sessionId, options) {
    const connection = new SessionConnection(this, sessionId, options);
    connection.open();
    return connection;
  }
}
