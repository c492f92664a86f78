import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, nextChangeIn, tick } from '../../src/index.js';

test('formatDuration: m:ss, h:mm:ss, tenths under 10 s, count-down rounds up', () => {
  assert.equal(formatDuration(299_001), '5:00');
  assert.equal(formatDuration(299_000), '4:59');
  assert.equal(formatDuration(3_723_000), '1:02:03');
  assert.equal(formatDuration(36_000_000), '10:00:00');
  assert.equal(formatDuration(60_000), '1:00');
  assert.equal(formatDuration(10_000), '0:10');
  assert.equal(formatDuration(9_901), '0:10');
  assert.equal(formatDuration(9_900), '9.9');
  assert.equal(formatDuration(9_750), '9.8');
  assert.equal(formatDuration(5_001), '5.1');
  assert.equal(formatDuration(5_000), '5.0');
  assert.equal(formatDuration(1), '0.1');
  assert.equal(formatDuration(0), '0.0');
  assert.equal(formatDuration(-250), '0.0', 'never negative');
});

test('formatDuration: count-up rounds down', () => {
  assert.equal(formatDuration(0, 'up'), '0.0');
  assert.equal(formatDuration(99, 'up'), '0.0');
  assert.equal(formatDuration(9_999, 'up'), '9.9');
  assert.equal(formatDuration(10_000, 'up'), '0:10');
  assert.equal(formatDuration(59_999, 'up'), '0:59');
  assert.equal(formatDuration(3_600_000, 'up'), '1:00:00');
});

test('nextChangeIn: exactly to the next digit change', () => {
  assert.equal(nextChangeIn(5_000, 'down'), 100);   // 5.0 → 4.9 at 4900
  assert.equal(nextChangeIn(5_050, 'down'), 50);    // 5.1 → 5.0 at 5000
  assert.equal(nextChangeIn(65_400, 'down'), 400);  // 1:06 → 1:05 at 65000
  assert.equal(nextChangeIn(65_000, 'down'), 1000);
  assert.equal(nextChangeIn(10_000, 'down'), 100);  // 0:10 → 9.9 at 9900
  assert.equal(nextChangeIn(10_500, 'down'), 500);  // 0:11 → 0:10 at 10000
  assert.equal(nextChangeIn(0, 'down'), Infinity);
  assert.equal(nextChangeIn(0, 'up'), 100);
  assert.equal(nextChangeIn(9_950, 'up'), 50);      // 9.9 → 0:10
  assert.equal(nextChangeIn(10_000, 'up'), 1000);
  assert.equal(nextChangeIn(61_250, 'up'), 750);
});

test('nextChangeIn agrees with formatDuration at every edge', () => {
  for (const direction of /** @type {const} */ (['down', 'up'])) {
    for (let ms = 1; ms < 70_000; ms += 37) {
      const wait = nextChangeIn(ms, direction);
      const sign = direction === 'down' ? -1 : 1;
      const face = formatDuration(ms, direction);
      assert.equal(formatDuration(ms + sign * (wait - 0.5), direction), face, `${direction} ${ms}`);
      assert.notEqual(formatDuration(ms + sign * wait, direction), face, `${direction} ${ms}`);
    }
  }
});

test('tick: wakes once per displayed change, not on a frame loop', async () => {
  const start = performance.now();
  const read = () => Math.max(0, 1500 - (performance.now() - start)); // 1.5 s count-down
  const seen = [];
  const wakesBefore = countTimers();
  await new Promise((resolve) => {
    const stop = tick(read, (ms) => {
      seen.push(formatDuration(/** @type {number} */ (ms)));
      if (ms === 0) { stop(); resolve(undefined); }
    });
  });
  const wakes = countTimers() - wakesBefore;
  // 1.5 → 0.0 is 16 faces; a 16 ms loop would have woken ~95 times. A busy machine may
  // wake late and skip a face, so: strictly decreasing, ending at 0.0, most of them seen.
  const tenths = seen.map((f) => Math.round(Number(f) * 10));
  for (let i = 1; i < tenths.length; i++) assert.ok(tenths[i] < tenths[i - 1], seen.join(' '));
  assert.equal(seen.at(-1), '0.0');
  assert.ok(seen.length >= 12, seen.join(' '));
  assert.ok(wakes <= 25, `${wakes} timers`);
});

let timerCount = 0;
const realSetTimeout = globalThis.setTimeout;
// Count setTimeout calls made by tick (wrapped once for this file).
globalThis.setTimeout = /** @type {any} */ ((fn, ms, ...a) => { timerCount++; return realSetTimeout(fn, ms, ...a); });
function countTimers() { return timerCount; }

test('tick: stop() ends it; a paused value is only looked at about once a second', async () => {
  let calls = 0;
  const before = countTimers();
  const stop = tick(() => 5300, () => { calls++; });
  await new Promise((r) => realSetTimeout(r, 1200));
  stop();
  const timers = countTimers() - before;
  assert.equal(calls, 1);
  assert.ok(timers <= 4, `${timers} timers in 1.2 s for a constant value`);
});

test('tick: refresh() shows a jump at once; null is shown as null', () => {
  let value = /** @type {number | null} */ (60_000);
  const seen = [];
  const stop = tick(() => value, (ms) => seen.push(ms));
  value = null;
  stop.refresh();
  value = 30_000;
  stop.refresh();
  stop();
  assert.deepEqual(seen, [60_000, null, 30_000]);
});
