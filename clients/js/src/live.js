// Live values computed from the last state and the (synced) server time: calculate,
// don't count. Every value in a state is exact at its `server_time_ms`; while the
// session runs only the clock owner's time moves, by (now − server_time_ms).
//
// What time_remaining_ms means per mode (SPEC §2):
//   per_participant  the participant's own bank (runs while it is active)
//   per_cycle        what is left of the current turn; the full budget when not on turn
//   per_group        the participant's group bank (runs while its group is on turn)
//   global           the session bank (session-level time_remaining_ms)
//   count_up         what is left to max_time_ms (absent without a cap); elapsed counts up
// A session's time control (per_participant, per_group) moves each owner's clock by its
// own rules between states: controls.js.

/** @typedef {import('./index.js').Session} Session */
/** @typedef {import('./index.js').Participant} Participant */
import { ownerClock, run, ranOut, untilTimeout, faceMs } from './controls.js';

/** ms of server time since the state was computed, while the clock runs; else 0. */
export function runningFor(/** @type {Session} */ session, /** @type {number} */ now) {
  if (session.status !== 'running') return 0;
  return Math.max(0, now - session.server_time_ms);
}

/** @returns {Participant | null} */
export function activeParticipant(/** @type {Session | null} */ session) {
  if (!session || session.active_participant_id == null) return null;
  return session.participants.find((p) => p.participant_id === session.active_participant_id) ?? null;
}

/** @returns {Participant | null} */
function participant(/** @type {Session} */ session, /** @type {string | undefined} */ id) {
  if (id === undefined) return activeParticipant(session);
  return session.participants.find((p) => p.participant_id === id) ?? null;
}

/**
 * A participant's own clock (bank modes and per_cycle) as the state says, and moved on
 * to `now` when it is the one running. Hourglass: the opponent's bank grows by what the
 * mover uses (the sum stays constant), capped at what the mover had.
 * @returns {{ clock: import('./controls.js').OwnerClock, running: boolean } | null}
 */
function ownerNow(/** @type {Session} */ session, /** @type {string | undefined} */ participantId, /** @type {number} */ now) {
  const p = participant(session, participantId);
  if (!p || typeof p.time_remaining_ms !== 'number') return null;
  const tc = session.time_control;
  const since = runningFor(session, now);
  const owner = activeParticipant(session);
  let runs = false;
  if (owner) {
    runs = session.sync_mode === 'per_group'
      ? owner.group_id !== undefined && owner.group_id === p.group_id
      : owner.participant_id === p.participant_id;
  }
  const clock = ownerClock(tc, p);
  if (runs) {
    const moved = run(tc, clock, since);
    return { clock: moved, running: session.status === 'running' && !ranOut(tc, moved) };
  }
  if (tc?.type === 'hourglass' && owner && since > 0 && typeof owner.time_remaining_ms === 'number') {
    clock.bankMs += Math.min(since, Math.max(0, owner.time_remaining_ms));
  }
  return { clock, running: false };
}

/**
 * Live remaining ms for a participant (default: the active one), or null when the mode
 * has no remaining time (count_up without max_time_ms) or there is no such participant.
 * With a time control this is the main bank (the wire's time_remaining_ms): it holds
 * during a delay, stays 0 in overtime, and grows for the waiting side of an hourglass.
 * liveClock() has the rest.
 * @param {Session | null} session
 * @param {string | undefined} participantId
 * @param {number} now server ms
 * @returns {number | null}
 */
export function remaining(session, participantId, now) {
  if (!session) return null;
  const since = runningFor(session, now);
  const mode = session.sync_mode;

  if (mode === 'global' || mode === 'count_up') {
    // One session-wide figure, whoever asks.
    if (typeof session.time_remaining_ms === 'number') {
      return Math.max(0, session.time_remaining_ms - since);
    }
    if (mode === 'global') return null;
    const p = participant(session, participantId);
    if (!p || typeof p.time_remaining_ms !== 'number') return null;
    return Math.max(0, p.time_remaining_ms - since);
  }
  return ownerNow(session, participantId, now)?.clock.bankMs ?? null;
}

/**
 * Everything a clock face shows for a participant (default: the active one), live;
 * null where remaining() is null. `remainingMs` is remaining() itself; `displayMs` is
 * what the big digits show (the period in overtime, else the bank); `untilTimeoutMs`
 * is how long the clock can still run (bank + delay left + periods left). The time
 * control's own fields are present only where the control has them (see controls.js);
 * per_group shows the team's clock on each member.
 * @param {Session | null} session
 * @param {string | undefined} participantId
 * @param {number} now server ms
 * @returns {import('./index.js').LiveClock | null}
 */
export function liveClock(session, participantId, now) {
  if (!session) return null;
  const mode = session.sync_mode;
  if (mode === 'global' || mode === 'count_up') {
    const ms = remaining(session, participantId, now);
    if (ms === null) return null;
    const running = session.status === 'running' && ms > 0;
    return { remainingMs: ms, displayMs: ms, untilTimeoutMs: ms, running };
  }
  const o = ownerNow(session, participantId, now);
  if (!o) return null;
  const tc = session.time_control;
  const { bankMs, ...fields } = o.clock;
  /** @type {import('./index.js').LiveClock} */
  const out = {
    remainingMs: bankMs, displayMs: faceMs(o.clock), untilTimeoutMs: untilTimeout(tc, o.clock),
    running: o.running, ...fields,
  };
  if (tc) out.type = tc.type;
  return out;
}

/** Live ms of the current turn (since cycle_started_at); 0 unless running. */
export function elapsed(/** @type {Session | null} */ session, /** @type {number} */ now) {
  if (!session || session.status !== 'running' || !session.cycle_started_at) return 0;
  return Math.max(0, now - Date.parse(session.cycle_started_at));
}

/** Live total ms a participant has used (time_used_ms plus the running turn). */
export function used(/** @type {Session | null} */ session, /** @type {string | undefined} */ participantId, /** @type {number} */ now) {
  if (!session) return null;
  const p = participant(session, participantId);
  if (!p) return null;
  // time_used_ms is booked at transitions only: the running turn counts from
  // cycle_started_at, not from the state's server_time_ms.
  const running = session.active_participant_id === p.participant_id;
  return p.time_used_ms + (running ? elapsed(session, now) : 0);
}

/** Live session-level elapsed ms (global, count_up), else null. */
export function sessionElapsed(/** @type {Session | null} */ session, /** @type {number} */ now) {
  if (!session || typeof session.time_elapsed_ms !== 'number') return null;
  return session.time_elapsed_ms + runningFor(session, now);
}

/** deadline_at as ms since the epoch, or null. */
export function deadline(/** @type {Session | null} */ session) {
  if (!session || !session.deadline_at) return null;
  const at = Date.parse(session.deadline_at);
  return Number.isNaN(at) ? null : at;
}
