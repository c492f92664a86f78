// Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff And
// Jitter"): a uniformly random delay in [0, min(cap, base * 2^attempt)). The jitter
// keeps a crowd of clients that lost the same server from coming back in lockstep.

export const DEFAULT_BACKOFF = Object.freeze({ baseMs: 500, capMs: 20000 });

/**
 * @param {number} attempt 0 for the first retry
 * @param {{ baseMs?: number, capMs?: number, random?: () => number }} [o]
 * @returns {number} milliseconds
 */
export function fullJitterDelay(attempt, o = {}) {
  const baseMs = o.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const capMs = o.capMs ?? DEFAULT_BACKOFF.capMs;
  const random = o.random ?? Math.random;
  // 2^attempt overflows to Infinity for huge attempts; min() with the cap handles it.
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
