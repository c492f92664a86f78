// Types of the SyncKairos client SDK (src/index.js). Wire objects keep the server's
// snake_case names (SPEC §2–§4); SDK methods and options are camelCase.

// ---------- wire types (SPEC §2) ----------

export type SyncMode = 'per_participant' | 'per_cycle' | 'per_group' | 'global' | 'count_up';
export type SessionStatus = 'pending' | 'running' | 'paused' | 'completed' | 'cancelled' | 'expired';
export type ActionOnTimeout = 'end_session' | 'skip' | 'auto_advance';

export interface TimeControlStage {
  moves?: number; add_ms: number; increment_ms?: number; delay_ms?: number;
}
export interface TimeControl {
  type: 'fischer' | 'bronstein' | 'delay' | 'byoyomi' | 'canadian' | 'hourglass';
  increment_ms?: number; delay_ms?: number; periods?: number; period_ms?: number; moves?: number;
  stages?: TimeControlStage[]; lag_compensation?: boolean;
}

export interface Participant {
  participant_id: string;
  participant_index: number;
  group_id?: string;
  total_time_ms: number;          // bank booked at the last transition
  time_used_ms: number;
  time_remaining_ms?: number;     // live at server_time_ms (absent in count_up without a cap)
  cycle_count: number;
  is_active: boolean;
  has_expired: boolean;
  // Time-control live fields (SPEC §2 "Time controls"), present when they apply.
  periods_left?: number; in_overtime?: boolean; period_remaining_ms?: number;
  moves_left_in_period?: number; delay_remaining_ms?: number; stage_index?: number;
  moves_to_next_stage?: number; lag_quota_ms?: number;
}

export interface Group { group_id: string; total_time_ms?: number; [k: string]: unknown }

export interface Session {
  session_id: string;
  sync_mode: SyncMode;
  status: SessionStatus;
  version: number;
  /**
   * Which history `version` counts in: the same through ordinary changes, new when
   * the server's store lost writes (a failover), after which versions may repeat.
   * Compare for equality only. Absent from servers (or states) without epochs.
   */
  epoch?: string;
  participants: Participant[];
  active_participant_id: string | null;
  total_time_ms?: number;
  time_per_cycle_ms: number | null;
  increment_ms: number;
  max_time_ms?: number;
  action_on_timeout: ActionOnTimeout;
  cycle_started_at: string | null;
  session_started_at: string | null;
  session_completed_at: string | null;
  created_at: string;
  updated_at: string;
  deadline_at: string | null;
  server_time_ms: number;
  metadata?: Record<string, unknown>;
  groups?: Group[];
  time_remaining_ms?: number;     // global, count_up (with max_time_ms)
  time_elapsed_ms?: number;       // global, count_up
  expired_participant_id?: string;
  time_control?: TimeControl;
  warnings_ms?: number[];
  start_at?: string;
}

export interface NewParticipant {
  participant_id: string;
  participant_index?: number;
  total_time_ms?: number;
  group_id?: string;
  [k: string]: unknown;
}

export interface CreateSessionRequest {
  session_id: string;
  sync_mode: SyncMode;
  participants: NewParticipant[];
  total_time_ms?: number;
  time_per_cycle_ms?: number;
  increment_ms?: number;
  max_time_ms?: number;
  action_on_timeout?: ActionOnTimeout;
  metadata?: Record<string, unknown>;
  groups?: Group[];
  time_control?: TimeControl;
  warnings_ms?: number[];
  start_at?: string;
  [k: string]: unknown;
}

export interface SwitchResult {
  session_id: string;
  active_participant_id: string | null;
  cycle_started_at: string | null;
  participants: Participant[];
  status: SessionStatus;
  version: number;
  /** As Session.epoch. */
  epoch?: string;
  deadline_at: string | null;
  server_time_ms: number;
  expired_participant_id?: string;
}

/**
 * One owner's clock, live (liveClock()). The time-control fields are present only
 * where the session's control has them; before overtime the period fields say what the
 * first period will be.
 */
export interface LiveClock {
  /** remaining(): the main bank (time_remaining_ms), live. */
  remainingMs: number;
  /** What the big digits show: the period in overtime, else the bank. */
  displayMs: number;
  /** How long this clock can still run: bank + delay left + every period left. */
  untilTimeoutMs: number;
  /** It is the clock that runs now (and has not run out). */
  running: boolean;
  type?: TimeControl['type'];
  /** byoyomi, canadian */
  inOvertime?: boolean;
  /** byoyomi: counts the period in progress (0 once the last one ran out). */
  periodsLeft?: number;
  /** byoyomi, canadian */
  periodRemainingMs?: number;
  /** canadian */
  movesLeftInPeriod?: number;
  /** bronstein, delay: the owner on turn only. */
  delayRemainingMs?: number;
  /** stages: as of the last move. */
  stageIndex?: number;
  movesToNextStage?: number;
  /** lag compensation: as of the last move. */
  lagQuotaMs?: number;
}

export interface TimeExpiredMessage {
  type: 'TIME_EXPIRED'; sessionId: string; timestamp: number;
  participant_id?: string; group_id?: string; action: ActionOnTimeout | string; deadline_ms?: number;
}
export interface TimeWarningMessage {
  type: 'TIME_WARNING'; sessionId: string; timestamp: number;
  participant_id?: string; group_id?: string; time_remaining_ms: number; threshold_ms: number;
  level: 'low' | 'critical';
}

// ---------- errors ----------

export type ErrorCode = 'VALIDATION_ERROR' | 'INVALID_STATE_TRANSITION' | 'UNAUTHORIZED' | 'FORBIDDEN'
  | 'SESSION_NOT_FOUND' | 'NOT_FOUND' | 'SESSION_EXISTS' | 'CONFLICT' | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMIT_EXCEEDED' | 'UNAVAILABLE' | 'INTERNAL_ERROR' | 'METHOD_NOT_ALLOWED'
  | 'NETWORK_ERROR' | 'TIMEOUT';

export class SyncKairosError extends Error {
  constructor(code: ErrorCode | string, message: string,
    extra?: { status?: number; details?: unknown; retryAfterMs?: number; cause?: unknown });
  code: ErrorCode;
  /** 0 when no HTTP answer arrived (NETWORK_ERROR, TIMEOUT, WebSocket failures). */
  status: number;
  /** VALIDATION_ERROR: [{field, message}]; CONFLICT: expected and actual. */
  details?: unknown;
  /** From Retry-After on 429/503. */
  retryAfterMs?: number;
}

// ---------- REST client ----------

export interface ClientOptions {
  /** Default: globalThis.location?.origin (required outside a page). */
  baseUrl?: string;
  /** Bearer on every call and ?token= on /ws; a function is asked each time. */
  token?: string | (() => string | undefined | null);
  fetch?: typeof fetch;
  /** Default globalThis.WebSocket; null: none (the connection long-polls). */
  WebSocket?: typeof WebSocket | null;
  /** Per request, default 10000 (long polls get waitMs on top). */
  timeoutMs?: number;
}

export interface ShareLinks {
  session_id: string; auth: boolean; can_mint: boolean; expires_at: string | null;
  host: { token: string | null };
  viewer: { token: string | null };
  participants: { participant_id: string; token: string | null }[];
}

export interface TimeResponse { timestamp_ms: number; server_version: string; drift_tolerance_ms: number }

export class SyncKairosClient {
  constructor(options?: ClientOptions);
  readonly baseUrl: string;
  readonly timeoutMs: number;
  createSession(body: CreateSessionRequest): Promise<Session>;
  getSession(id: string, o?: { signal?: AbortSignal }): Promise<Session>;
  /** null = 304: nothing newer than sinceVersion within waitMs (default 25000). */
  pollSession(id: string, o: { sinceVersion: number; waitMs?: number; signal?: AbortSignal }): Promise<Session | null>;
  start(id: string): Promise<Session>;
  pause(id: string): Promise<Session>;
  resume(id: string): Promise<Session>;
  complete(id: string): Promise<Session>;
  cancel(id: string): Promise<Session>;
  switchTurn(id: string, o?: {
    nextParticipantId?: string; currentParticipantId?: string; expectedVersion?: number;
    /** Lag compensation (time_control.lag_compensation): the client's own network delay. */
    clientLagMs?: number;
  }): Promise<SwitchResult>;
  addParticipant(id: string, p: NewParticipant): Promise<Session>;
  removeParticipant(id: string, participantId: string): Promise<Session>;
  adjustTime(id: string, participantId: string, deltaMs: number, reason?: string): Promise<Session>;
  deleteSession(id: string): Promise<void>;
  share(id: string): Promise<ShareLinks>;
  time(): Promise<TimeResponse>;
  health(): Promise<{ status: string }>;
  ready(): Promise<{ status: string }>;
  connect(sessionId: string, options?: ConnectionOptions): SessionConnection;
  /** Low level: one request; `flat` skips the {data} unwrap; `notModified` turns 304 into null. */
  request(method: string, path: string, o?: {
    body?: unknown; flat?: boolean; signal?: AbortSignal; timeoutMs?: number; notModified?: boolean;
  }): Promise<any>;
  /** The current token (function tokens are asked). */
  token(): string | undefined;
  webSocketUrl(sessionId: string): string;
}

// ---------- live connection ----------

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

export interface ConnectionOptions {
  /** auto: WebSocket, long-poll fallback after 2 failed sockets, back to WebSocket. */
  transport?: 'auto' | 'websocket' | 'polling';
  /** Full jitter, default 500 → 20000. */
  backoff?: { baseMs?: number; capMs?: number };
  /** App-level PING period, default 5000; dead after 2 heartbeats without any message. */
  heartbeatMs?: number;
  /** Clock re-sync period, default 60000. */
  resyncIntervalMs?: number;
  // Additions (defaults in README):
  /** Samples per sync round, default 5. */
  syncSamples?: number;
  /** Failed WebSockets in a row before auto falls back to polling, default 2. */
  wsFailuresBeforePolling?: number;
  /** While polling, try a WebSocket again this often, default 15000. */
  wsRetryMs?: number;
  /** Long-poll wait_ms, default 25000. */
  pollWaitMs?: number;
  /** A socket without CONNECTED after this long failed, default: the client's timeoutMs. */
  connectTimeoutMs?: number;
  /** Where 'online'/'offline' come from, default globalThis when it is an EventTarget. */
  networkEvents?: EventTarget | null;
  /** The local clock of the connection's ServerClock (tests inject a skewed one). */
  now?: () => number;
  /** Use this clock instead of a new one. */
  clock?: ServerClock;
  /** Random source for the backoff jitter. */
  random?: () => number;
}

export class SessionConnection {
  readonly sessionId: string;
  readonly state: ConnectionState;
  readonly transport: 'websocket' | 'polling' | null;
  /**
   * The last state, never older than a version already seen in its epoch (a state of
   * a new epoch replaces it whatever its version: see Session.epoch).
   */
  readonly session: Session | null;
  readonly clock: ServerClock;
  readonly lastError: SyncKairosError | null;
  /** When disconnected with a retry scheduled: ms until it. */
  readonly retryInMs: number | null;
  on(event: 'state', fn: (s: ConnectionState) => void): () => void;
  on(event: 'update', fn: (session: Session) => void): () => void;
  on(event: 'expired', fn: (m: TimeExpiredMessage) => void): () => void;
  on(event: 'warning', fn: (m: TimeWarningMessage) => void): () => void;
  on(event: 'deleted', fn: () => void): () => void;
  on(event: 'error', fn: (e: SyncKairosError) => void): () => void;
  on(event: 'sync', fn: (c: ServerClock) => void): () => void;
  /** Server ms now (clock.now()). */
  now(): number;
  /** Live ms left (default: the active participant); null when the mode has none.
   *  With a time control: the main bank (liveClock() has periods, delay, stages). */
  remaining(participantId?: string): number | null;
  /** Live clock with the time control's fields (default: the active participant). */
  liveClock(participantId?: string): LiveClock | null;
  /** Live ms of the current turn; 0 unless running. */
  elapsed(): number;
  /** Live total ms the participant has used (default: active). */
  used(participantId?: string): number | null;
  /** Live session-level elapsed (global, count_up), else null. */
  sessionElapsed(): number | null;
  activeParticipant(): Participant | null;
  /** deadline_at as ms since the epoch, or null. */
  deadline(): number | null;
  /** client.switchTurn for this session; fills clientLagMs (min RTT / 2) when the
   *  session has time_control.lag_compensation. */
  switchTurn(o?: { nextParticipantId?: string; currentParticipantId?: string; expectedVersion?: number;
    clientLagMs?: number }): Promise<SwitchResult>;
  /** State → disconnected, no more retries. */
  close(): void;
}

export class ServerClock {
  constructor(options?: { now?: () => number; slewMsPerS?: number });
  readonly synced: boolean;
  /** server − local, as currently applied (slewed). */
  readonly offsetMs: number;
  /** The latest estimate. */
  readonly targetOffsetMs: number;
  /** ≈ RTT/2 of the best samples + 0.5 ms (Infinity before sync). */
  readonly uncertaintyMs: number;
  readonly sampleCount: number;
  /** Smallest round trip among the kept samples (Infinity before sync). */
  readonly rttMs: number;
  addSample(t0: number, serverMs: number, t1: number): void;
  /** Local time plus the applied offset; never goes backwards. */
  now(): number;
  /** The local clock underneath. */
  localNow(): number;
}

// ---------- pure helpers ----------

export function fullJitterDelay(attempt: number, o?: { baseMs?: number; capMs?: number; random?: () => number }): number;
export function estimateOffset(samples: { t0: number; server: number; t1: number }[]):
  { offsetMs: number; uncertaintyMs: number; used: number } | null;
/** "4:59", "1:02:03", "9.8" under 10 s. direction 'down' (default) rounds up, 'up' rounds down. */
export function formatDuration(ms: number, direction?: 'down' | 'up'): string;
export function nextChangeIn(ms: number, direction: 'down' | 'up'): number;
export function tick(read: () => number | null, onChange: (ms: number | null) => void,
  o?: { direction?: 'down' | 'up' }): (() => void) & { refresh(): void };

export function remaining(session: Session | null, participantId: string | undefined, now: number): number | null;
export function liveClock(session: Session | null, participantId: string | undefined, now: number): LiveClock | null;
export function elapsed(session: Session | null, now: number): number;
export function used(session: Session | null, participantId: string | undefined, now: number): number | null;
export function sessionElapsed(session: Session | null, now: number): number | null;
export function activeParticipant(session: Session | null): Participant | null;
export function deadline(session: Session | null): number | null;
