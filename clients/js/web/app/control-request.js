// The create request's time-control part (SPEC §2 "Time controls", wire names of
// tc-wire): from the form's values, already in ms, to `time_control` or the plain
// top-level `increment_ms`. Pure (no DOM), so Node tests can call it. Throws an Error
// whose message is shown to the user.

/**
 * @param {{ type: string, totalMs: number, incrementMs: number, delayMs: number,
 *   periods: number, periodMs: number, moves: number, stageMoves: number | null,
 *   stageAddMs: number | null, lagCompensation: boolean, players: number,
 *   mode: string }} v
 * @returns {{ increment_ms?: number, time_control?: Record<string, unknown> }}
 */
export function controlRequest(v) {
  const staged = v.stageMoves != null;
  if (staged && !['fischer', 'bronstein', 'delay'].includes(v.type)) {
    throw new Error('A second stage works with increment, Bronstein or delay only.');
  }
  // A plain Fischer clock stays what every server (and old client) knows.
  if (v.type === 'fischer' && !staged && !v.lagCompensation) {
    return v.incrementMs ? { increment_ms: v.incrementMs } : {};
  }
  /** @type {Record<string, unknown>} */
  const tc = { type: v.type };
  switch (v.type) {
    case 'fischer':
      tc.increment_ms = v.incrementMs;
      break;
    case 'bronstein':
    case 'delay':
      if (!(v.delayMs >= 1)) throw new Error('Delay: enter a number of seconds above 0.');
      tc.delay_ms = v.delayMs;
      break;
    case 'byoyomi':
      if (!Number.isInteger(v.periods) || v.periods < 1 || v.periods > 100) throw new Error('Periods: a whole number from 1 to 100.');
      tc.periods = v.periods;
      tc.period_ms = v.periodMs;
      if (v.incrementMs) tc.increment_ms = v.incrementMs;
      break;
    case 'canadian':
      if (!Number.isInteger(v.moves) || v.moves < 1 || v.moves > 1000) throw new Error('Moves per period: a whole number from 1 to 1000.');
      tc.moves = v.moves;
      tc.period_ms = v.periodMs;
      break;
    case 'hourglass':
      if (v.mode !== 'per_participant' || v.players !== 2) {
        throw new Error('Hourglass needs the chess clock mode with exactly 2 players.');
      }
      break;
    default:
      throw new Error(`Unknown time control “${v.type}”.`);
  }
  if (staged) {
    if (!Number.isInteger(v.stageMoves) || v.stageMoves < 1 || v.stageMoves > 1000) {
      throw new Error('Second stage: after a whole number of moves from 1 to 1000.');
    }
    if (v.stageAddMs == null) throw new Error('Second stage: enter the minutes it adds.');
    // The first stage's add_ms is the starting bank (it replaces total_time_ms).
    tc.stages = [{ moves: v.stageMoves, add_ms: v.totalMs }, { add_ms: v.stageAddMs }];
  }
  if (v.lagCompensation) tc.lag_compensation = true;
  return { time_control: tc };
}

/**
 * "60, 10" (seconds left) → [60000, 10000]; '' → null. Up to 4 distinct values,
 * 1 s to 24 h each.
 * @param {string} text
 * @returns {number[] | null}
 */
export function parseWarnings(text) {
  const items = text.split(/[\s,;]+/).filter(Boolean);
  if (items.length === 0) return null;
  if (items.length > 4) throw new Error('Warnings: at most 4 values.');
  const ms = items.map((x) => {
    const v = Number(x);
    if (!Number.isFinite(v) || v < 1 || v > 86400) throw new Error('Warnings: seconds left, each between 1 and 86400.');
    return Math.round(v * 1000);
  });
  if (new Set(ms).size !== ms.length) throw new Error('Warnings: each value once.');
  return ms.sort((a, b) => b - a);
}
