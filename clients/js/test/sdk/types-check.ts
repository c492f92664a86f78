// Not run: `npm run typecheck` compiles it against src/index.d.ts so the declarations
// are exercised the way an application uses them.
import {
  SyncKairosClient, SyncKairosError, ServerClock, estimateOffset, fullJitterDelay,
  formatDuration, nextChangeIn, tick, liveClock,
  type LiveClock, type TimeControl,
  type Session, type SwitchResult, type ConnectionState, type ShareLinks, type ErrorCode,
} from '../../src/index.js';

async function demo(): Promise<void> {
  const client = new SyncKairosClient({ baseUrl: 'http://127.0.0.1:1', token: () => 'jwt', timeoutMs: 5000 });
  const created: Session = await client.createSession({
    session_id: '00000000-0000-4000-8000-000000000001',
    sync_mode: 'per_participant',
    participants: [{ participant_id: '00000000-0000-4000-8000-000000000002', total_time_ms: 60000 }],
  });
  const v: number = created.version;
  const polled: Session | null = await client.pollSession(created.session_id, { sinceVersion: v, waitMs: 1000 });
  if (polled) polled.participants.forEach((p) => p.time_remaining_ms);
  const sw: SwitchResult = await client.switchTurn(created.session_id, { expectedVersion: v });
  await client.start(sw.session_id);
  await client.pause(sw.session_id);
  await client.resume(sw.session_id);
  await client.addParticipant(sw.session_id, { participant_id: 'x', total_time_ms: 1000 });
  await client.adjustTime(sw.session_id, 'x', -500, 'penalty');
  await client.removeParticipant(sw.session_id, 'x');
  await client.complete(sw.session_id);
  await client.cancel(sw.session_id);
  const links: ShareLinks = await client.share(sw.session_id);
  const viewer: string | null = links.viewer.token;
  void viewer;
  await client.deleteSession(sw.session_id);
  const t: number = (await client.time()).timestamp_ms;
  const h: string = (await client.health()).status + (await client.ready()).status;
  void t; void h;

  const conn = client.connect(created.session_id, { transport: 'auto', heartbeatMs: 5000, backoff: { baseMs: 500 } });
  const off = conn.on('state', (s: ConnectionState) => { void s; });
  conn.on('update', (s: Session) => { void s.version; });
  conn.on('expired', (m) => { void m.participant_id; });
  conn.on('warning', (m) => { const lvl: 'low' | 'critical' = m.level; void lvl; });
  conn.on('deleted', () => {});
  conn.on('error', (e: SyncKairosError) => { const c: ErrorCode = e.code; void c; void e.retryAfterMs; });
  conn.on('sync', (c: ServerClock) => { void c.uncertaintyMs; });
  off();
  const r: number | null = conn.remaining();
  const e: number = conn.elapsed();
  const d: number | null = conn.deadline();
  const now: number = conn.now();
  const who = conn.activeParticipant()?.participant_id;
  const tr: 'websocket' | 'polling' | null = conn.transport;
  const retry: number | null = conn.retryInMs;
  void r; void e; void d; void now; void who; void tr; void retry;
  const lc: LiveClock | null = conn.liveClock();
  if (lc) {
    const face: number = lc.displayMs + lc.untilTimeoutMs + lc.remainingMs;
    const periods: number | undefined = lc.periodsLeft;
    const over: boolean | undefined = lc.inOvertime;
    const kind: TimeControl['type'] | undefined = lc.type;
    void face; void periods; void over; void kind; void lc.delayRemainingMs; void lc.movesToNextStage;
  }
  const pure: LiveClock | null = liveClock(conn.session, undefined, conn.now());
  void pure;
  const stop = tick(() => conn.remaining(), (ms) => { if (ms !== null) formatDuration(ms); });
  stop.refresh();
  stop();
  const res: SwitchResult = await conn.switchTurn({ expectedVersion: conn.session?.version });
  void res; void conn.clock.rttMs;
  conn.close();
}

const clock = new ServerClock({ now: () => 0, slewMsPerS: 5 });
clock.addSample(0, 10, 2);
const o: number = clock.offsetMs + clock.targetOffsetMs + clock.now();
const est = estimateOffset([{ t0: 0, server: 1, t1: 2 }]);
const used: number | undefined = est?.used;
const delay: number = fullJitterDelay(3, { baseMs: 100, capMs: 1000, random: () => 0.5 });
const next: number = nextChangeIn(5000, 'down');
void demo; void o; void used; void delay; void next;
// @ts-expect-error: transport names are checked
void new SyncKairosClient().connect('id', { transport: 'sse' });
