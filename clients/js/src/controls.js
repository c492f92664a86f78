// Time controls between two server states (SPEC §2 "Time controls"): how one owner's
// clock moves on from what the last state said. Pure: a clock in, a clock out, the time
// handed in; no session lookups (live.js does those), no timers, no I/O.
//
// A state is exact at its server_time_ms; while the session runs only the clock owner's
// time moves, by t = now − server_time_ms. Each control spends t like this:
//   fischer    the bank
//   bronstein  the bank; delay_remaining_ms counts down beside it (the time used, up to
//              the delay, is given back only after the move, by the server)
//   delay      delay_remaining_ms first, then the bank
//   byoyomi    the bank, then the period in progress; a period that runs out uses one
//              up and a fresh period_ms starts, until the last one runs out
//   canadian   the bank, then the period (moves_left_in_period changes only at a move)
//   hourglass  the mover's bank; the opponent's grows by as much (live.js adds it)
// stage_index, moves_to_next_stage and lag_quota_ms change only at a move: kept as sent.

/** @typedef {import('./index.js').TimeControl} TimeControl */
/** @typedef {import('./index.js').Participant} Participant */

/**
 * One owner's clock in SDK terms. `bankMs` is the main bank (the wire's
 * time_remaining_ms); the other fields are set only where the control has them.
 * @typedef {{
 *   bankMs: number,
 *   inOvertime?: boolean, periodsLeft?: number, periodRemainingMs?: number,
 *   movesLeftInPeriod?: number, delayRemainingMs?: number,
 *   stageIndex?: number, movesToNextStage?: number, lagQuotaMs?: number,
 * }} OwnerClock
 */

const num = (/** @type {unknown} */ v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const isOvertimeType = (/** @type {string} */ t) => t === 'byoyomi' || t === 'canadian';

/**
 * The clock a state shows for one owner (a participant, or a team's fields mirrored
 * on its members), at the state's server_time_ms. Before overtime, the period fields
 * say what the first period will be (period_ms, all periods, `moves`).
 * @param {TimeControl | undefined} tc
 * @param {Participant} p
 * @returns {OwnerClock}
 */
export function ownerClock(tc, p) {
  /** @type {OwnerClock} */
  const c = { bankMs: Math.max(0, num(p.time_remaining_ms) ?? 0) };
  if (!tc) return c;
  if (isOvertimeType(tc.type)) {
    const over = p.in_overtime === true;
    c.inOvertime = over;
    c.periodRemainingMs = Math.max(0, (over ? num(p.period_remaining_ms) : undefined) ?? tc.period_ms ?? 0);
    if (tc.type === 'byoyomi') {
      c.periodsLeft = over ? num(p.periods_left) ?? tc.periods ?? 0 : tc.periods ?? num(p.periods_left) ?? 0;
    } else {
      c.movesLeftInPeriod = (over ? num(p.moves_left_in_period) : undefined) ?? tc.moves ?? 0;
    }
  }
  if ((tc.type === 'bronstein' || tc.type === 'delay') && num(p.delay_remaining_ms) !== undefined) {
    c.delayRemainingMs = Math.max(0, /** @type {number} */ (p.delay_remaining_ms));
  }
  if (num(p.stage_index) !== undefined) c.stageIndex = p.stage_index;
  if (num(p.moves_to_next_stage) !== undefined) c.movesToNextStage = p.moves_to_next_stage;
  if (num(p.lag_quota_ms) !== undefined) c.lagQuotaMs = p.lag_quota_ms;
  return c;
}

/**
 * The clock after it ran `ms` more (0 or less: unchanged). Never below zero: a clock
 * that ran out stays at its end (the server's time-out state follows).
 * @param {TimeControl | undefined} tc
 * @param {OwnerClock} c
 * @param {number} ms
 * @returns {OwnerClock}
 */
export function run(tc, c, ms) {
  let t = Math.max(0, ms);
  if (t === 0) return { ...c };
  const next = { ...c };
  const type = tc?.type ?? 'fischer';

  if (type === 'delay' && next.delayRemainingMs !== undefined) {
    const held = Math.min(t, next.delayRemainingMs);
    next.delayRemainingMs -= held;
    t -= held;
  } else if (type === 'bronstein' && next.delayRemainingMs !== undefined) {
    next.delayRemainingMs = Math.max(0, next.delayRemainingMs - t);
  }

  if (!isOvertimeType(type) || !next.inOvertime) {
    const fromBank = Math.min(t, next.bankMs);
    next.bankMs -= fromBank;
    t -= fromBank;
    if (!isOvertimeType(type) || next.bankMs > 0) return next;
    // The bank ran out on this turn: overtime starts with a fresh period.
    next.inOvertime = true;
    next.periodRemainingMs = tc?.period_ms ?? 0;
    if (type === 'canadian') next.movesLeftInPeriod = tc?.moves ?? next.movesLeftInPeriod;
  }
  return runOvertime(tc, next, t);
}

/** @param {TimeControl | undefined} tc @param {OwnerClock} c @param {number} t */
function runOvertime(tc, c, t) {
  const period = tc?.period_ms ?? 0;
  let left = c.periodRemainingMs ?? 0;
  if (tc?.type !== 'byoyomi') {
    c.periodRemainingMs = Math.max(0, left - t);
    return c;
  }
  let periods = c.periodsLeft ?? 1;
  // A period that runs out with more to come uses one up; the next one starts fresh.
  while (t >= left && periods > 1 && period > 0) {
    t -= left;
    periods--;
    left = period;
  }
  if (t >= left) {
    // The last period ran out: nothing is in progress any more.
    c.periodsLeft = 0;
    c.periodRemainingMs = 0;
    return c;
  }
  c.periodsLeft = periods;
  c.periodRemainingMs = left - t;
  return c;
}

/** True when the clock has nothing left to run (its owner's flag has fallen). */
export function ranOut(/** @type {TimeControl | undefined} */ tc, /** @type {OwnerClock} */ c) {
  return untilTimeout(tc, c) <= 0;
}

/**
 * How long the clock can still run before its owner times out: the bank, plus the
 * delay left (delay), plus every period left (byoyomi, canadian).
 * @param {TimeControl | undefined} tc
 * @param {OwnerClock} c
 */
export function untilTimeout(tc, c) {
  const type = tc?.type ?? 'fischer';
  if (type === 'delay') return c.bankMs + (c.delayRemainingMs ?? 0);
  if (type === 'byoyomi') {
    const period = tc?.period_ms ?? 0;
    const periods = c.periodsLeft ?? 0;
    if (c.inOvertime) return periods > 0 ? (c.periodRemainingMs ?? 0) + (periods - 1) * period : 0;
    return c.bankMs + periods * period;
  }
  if (type === 'canadian') {
    if (c.inOvertime) return c.periodRemainingMs ?? 0;
    return c.bankMs + (tc?.period_ms ?? 0);
  }
  return c.bankMs;
}

/**
 * What a clock face shows as its big digits: the period in overtime, else the bank
 * (the delay is shown beside it, not in it).
 * @param {OwnerClock} c
 */
export function faceMs(c) {
  return c.inOvertime ? c.periodRemainingMs ?? 0 : c.bankMs;
}
