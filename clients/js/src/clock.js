// Server clock sync (NTP-style, simplified).
//
// A sample is one round trip: local t0 when the request left, the server's ms clock
// when it answered, local t1 when the answer arrived. Assuming a symmetric path the
// server read its clock at t0 + RTT/2, so offset = server − (t0 + RTT/2), wrong by at
// most RTT/2. Samples with a slow round trip (queueing, GC, a busy server) carry that
// delay on one leg only, so they are dropped rather than averaged in.

/** Local time in ms since the epoch with sub-ms precision and no wall-clock jumps. */
export function defaultLocalNow() {
  return performance.timeOrigin + performance.now();
}

// The server reports whole milliseconds, truncated: its true reading lies in
// [server, server + 1), so +0.5 centres it and 0.5 ms is added to the uncertainty.
const SERVER_ROUNDING_MS = 0.5;

/**
 * Offset (server − local) from round-trip samples: keeps the best half by RTT, and of
 * those only the ones within 1.5× the minimum RTT (plus 1 ms, so sub-ms loopback jitter
 * does not throw good samples away), then averages their offsets.
 * @param {{ t0: number, server: number, t1: number }[]} samples
 * @returns {{ offsetMs: number, uncertaintyMs: number, used: number } | null}
 */
export function estimateOffset(samples) {
  const valid = samples
    .filter((s) => Number.isFinite(s.t0) && Number.isFinite(s.server) && Number.isFinite(s.t1) && s.t1 >= s.t0)
    .map((s) => ({ rtt: s.t1 - s.t0, offset: s.server + SERVER_ROUNDING_MS - (s.t0 + (s.t1 - s.t0) / 2) }))
    .sort((a, b) => a.rtt - b.rtt);
  if (valid.length === 0) return null;
  const minRtt = valid[0].rtt;
  const limit = minRtt * 1.5 + 1;
  const kept = valid.slice(0, Math.ceil(valid.length / 2)).filter((s) => s.rtt <= limit);
  const offsetMs = kept.reduce((sum, s) => sum + s.offset, 0) / kept.length;
  return { offsetMs, uncertaintyMs: minRtt / 2 + SERVER_ROUNDING_MS, used: kept.length };
}

const WINDOW = 8;          // samples kept: a little more than one sync round
const INITIAL_SAMPLES = 5; // the first round's estimates apply at once
const MAX_SLEW_MS_PER_S = 500; // the clock may run at half speed, never backwards
const CONVERGE_S = 10;     // big corrections are slewed in within about this long

export class ServerClock {
  /** @param {{ now?: () => number, slewMsPerS?: number }} [options] */
  constructor(options = {}) {
    this._localNow = options.now ?? defaultLocalNow;
    this._slewMsPerS = Math.min(options.slewMsPerS ?? 5, MAX_SLEW_MS_PER_S);
    /** @type {{ t0: number, server: number, t1: number }[]} */
    this._samples = [];
    this._target = 0;
    this._applied = 0;
    this._appliedAt = 0;  // local time of the last slew step
    this._uncertainty = Infinity;
    this._lastReturned = -Infinity;
    this._synced = false;
    this._count = 0;
    this._rate = this._slewMsPerS;
  }

  get synced() { return this._synced; }
  get offsetMs() { this._slew(this._localNow()); return this._applied; }
  get targetOffsetMs() { return this._target; }
  get uncertaintyMs() { return this._uncertainty; }
  /** Smallest round trip among the samples kept (Infinity before sync). */
  get rttMs() {
    return this._samples.reduce((min, x) => Math.min(min, x.t1 - x.t0), Infinity);
  }
  /** Samples taken since this clock was made. */
  get sampleCount() { return this._count; }
  /** The local clock this one is built on. */
  localNow() { return this._localNow(); }

  /**
   * @param {number} t0 local time the request left
   * @param {number} serverMs server clock in the answer
   * @param {number} t1 local time the answer arrived
   */
  addSample(t0, serverMs, t1) {
    this._samples.push({ t0, server: serverMs, t1 });
    if (this._samples.length > WINDOW) this._samples.shift();
    const estimate = estimateOffset(this._samples);
    if (!estimate) return;
    this._count++;
    const local = this._localNow();
    this._slew(local);
    this._target = estimate.offsetMs;
    this._uncertainty = estimate.uncertaintyMs;
    // The rate is fixed per correction, so a correction of any size ends within about
    // CONVERGE_S (or at slewMsPerS, if that is faster), at most at half speed.
    this._rate = Math.min(MAX_SLEW_MS_PER_S,
      Math.max(this._slewMsPerS, Math.abs(this._target - this._applied) / CONVERGE_S));
    if (!this._synced || this._count <= INITIAL_SAMPLES) {
      // Nothing was shown from this clock yet (or only for the first few ms): a jump is
      // harmless; now() still never returns less than it already did.
      this._applied = this._target;
      this._appliedAt = local;
      this._synced = true;
    }
  }

  /** Server ms now: local time plus the applied offset; never goes backwards. */
  now() {
    const local = this._localNow();
    this._slew(local);
    const value = local + this._applied;
    if (value < this._lastReturned) return this._lastReturned;
    this._lastReturned = value;
    return value;
  }

  // Moves the applied offset toward the target at the correction's rate (below
  // 1000 ms/s, so that local + offset still only goes up).
  _slew(local) {
    const dt = local - this._appliedAt;
    this._appliedAt = local;
    const diff = this._target - this._applied;
    if (diff === 0 || !(dt > 0)) return;
    const step = (this._rate * dt) / 1000;
    this._applied = Math.abs(diff) <= step ? this._target : this._applied + Math.sign(diff) * step;
  }
}
