// Display helpers: what a clock face shows, and when that changes.
//
// Rounding: a count-down shows the value rounded UP to its unit, so "0:05" stays until
// exactly 5000 ms are left, "0.1" until exactly 100 ms, and "0.0" appears only at
// time-out. A count-up rounds DOWN, like a stopwatch. Under 10 s the unit is a tenth of
// a second ("9.8"), otherwise a second ("4:59", "1:02:03").

const TENTH = 100;
const SECOND = 1000;
const TENTHS_BELOW = 100; // 100 tenths = 10 s

/** @typedef {'down' | 'up'} Direction */

/** @param {number} ms @param {Direction} direction @returns {{ unit: number, count: number }} */
function displayed(ms, direction) {
  const v = Math.max(0, ms);
  const round = direction === 'up' ? Math.floor : Math.ceil;
  const tenths = round(v / TENTH);
  if (tenths < TENTHS_BELOW) return { unit: TENTH, count: tenths };
  return { unit: SECOND, count: round(v / SECOND) };
}

/**
 * @param {number} ms
 * @param {Direction} [direction] 'down' (default) rounds up, 'up' rounds down
 */
export function formatDuration(ms, direction = 'down') {
  if (!Number.isFinite(ms)) return '';
  const { unit, count } = displayed(ms, direction);
  if (unit === TENTH) return `${Math.floor(count / 10)}.${count % 10}`;
  const h = Math.floor(count / 3600);
  const m = Math.floor((count % 3600) / 60);
  const s = String(count % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * Milliseconds until formatDuration(ms) changes, if the value keeps moving in
 * `direction` at real speed. Infinity for a count-down already at 0.
 * @param {number} ms
 * @param {Direction} direction
 */
export function nextChangeIn(ms, direction) {
  const v = Math.max(0, ms);
  const { unit, count } = displayed(v, direction);
  if (direction === 'up') return (count + 1) * unit - v;
  if (v <= 0) return Infinity;
  let next = (count - 1) * unit;
  // From "0:10" the next face is "9.9", not "0:09".
  if (unit === SECOND) next = Math.max(next, (TENTHS_BELOW - 1) * TENTH);
  return v - next;
}

const IDLE_RECHECK_MS = 1000; // value not moving (paused, null, at 0): look again later

/**
 * Calls onChange(read()) now and then each time the displayed digits change, waking
 * with one setTimeout per change instead of a frame loop. A value that jumps (a switch,
 * a pause) is picked up at the next wake; call the returned `refresh()` to pick it up
 * at once (e.g. on a connection 'update').
 * @param {() => number | null} read
 * @param {(ms: number | null) => void} onChange
 * @param {{ direction?: Direction }} [o]
 * @returns {(() => void) & { refresh: () => void }} stop
 */
export function tick(read, onChange, o = {}) {
  const direction = o.direction ?? 'down';
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let stopped = false;
  /** @type {string | undefined} */
  let shown;
  /** @type {number | null | undefined} */
  let lastValue;

  const wake = () => {
    timer = undefined;
    if (stopped) return;
    const value = read();
    const face = value === null ? '\u0000null' : formatDuration(value, direction);
    if (face !== shown) {
      shown = face;
      onChange(value);
    }
    let wait = value === null ? IDLE_RECHECK_MS : nextChangeIn(value, direction);
    // Unchanged since the last wake: the clock is not running, no hurry.
    if (value === lastValue) wait = Math.max(wait === Infinity ? 0 : wait, IDLE_RECHECK_MS);
    if (wait === Infinity) wait = IDLE_RECHECK_MS;
    lastValue = value;
    // +1 ms: timers may fire a fraction early; landing just past the edge is what counts.
    timer = setTimeout(wake, Math.max(1, Math.ceil(wait) + 1));
  };

  const stop = () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  stop.refresh = () => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    lastValue = undefined;
    wake();
  };
  wake();
  return stop;
}
