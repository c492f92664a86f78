// Pure tests: offset estimation and the slewed, monotonic server clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateOffset, ServerClock } from '../../src/index.js';

test('estimateOffset: empty or invalid samples give null', () => {
  assert.equal(estimateOffset([]), null);
  assert.equal(estimateOffset([{ t0: 10, server: 5, t1: 9 }]), null); // t1 < t0
});

test('estimateOffset: symmetric path gives the exact offset (+0.5 for integer server ms)', () => {
  // local 1000 → server read at local 1002 (= server 1502), answer at local 1004.
  const r = estimateOffset([{ t0: 1000, server: 1502, t1: 1004 }]);
  assert.ok(r);
  assert.equal(r.offsetMs, 500.5);
  assert.equal(r.uncertaintyMs, 2.5);
  assert.equal(r.used, 1);
});

test('estimateOffset: slow round trips are dropped, not averaged in', () => {
  const fast = [
    { t0: 0, server: 101, t1: 2 },      // offset 100.5 (rtt 2)
    { t0: 10, server: 111, t1: 12 },    // offset 100.5 (rtt 2)
    { t0: 20, server: 121.5, t1: 22.5 },// offset 100.75 (rtt 2.5)
  ];
  const slow = [
    { t0: 30, server: 231, t1: 130 },   // rtt 100: delayed on the way back
    { t0: 140, server: 250, t1: 200 },  // rtt 60
    { t0: 210, server: 400, t1: 300 },  // rtt 90
  ];
  const r = estimateOffset([...slow, ...fast]);
  assert.ok(r);
  assert.equal(r.used, 3);
  assert.ok(Math.abs(r.offsetMs - (100.5 + 100.5 + 100.75) / 3) < 1e-9, String(r.offsetMs));
  assert.equal(r.uncertaintyMs, 1.5);
});

test('estimateOffset: keeps at most the best half', () => {
  const same = Array.from({ length: 6 }, (_, i) => ({ t0: i * 10, server: i * 10 + 1, t1: i * 10 + 2 }));
  assert.equal(estimateOffset(same)?.used, 3);
});

test('estimateOffset: samples beyond 1.5x min RTT (+1 ms) are dropped even in the best half', () => {
  const r = estimateOffset([
    { t0: 0, server: 50, t1: 10 },  // rtt 10, offset 45.5
    { t0: 0, server: 50, t1: 20 },  // rtt 20 > 16: dropped
    { t0: 0, server: 50, t1: 30 },
    { t0: 0, server: 50, t1: 40 },
  ]);
  assert.equal(r?.used, 1);
  assert.equal(r?.offsetMs, 45.5);
});

/** A hand-driven local clock. */
function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

test('ServerClock: unsynced before samples, first offset applies at once', () => {
  const local = manualClock();
  const clock = new ServerClock({ now: local.now });
  assert.equal(clock.synced, false);
  assert.equal(clock.uncertaintyMs, Infinity);
  clock.addSample(local.now(), local.now() + 5000, local.now() + 2);
  assert.equal(clock.synced, true);
  assert.equal(clock.offsetMs, 5000 - 1 + 0.5);
  assert.equal(clock.now(), local.now() + 4999.5);
});

test('ServerClock: later corrections are slewed in and now() never goes backwards', () => {
  const local = manualClock();
  const clock = new ServerClock({ now: local.now, slewMsPerS: 5 });
  // Initial burst: 5 samples at offset ≈ +1000.
  for (let i = 0; i < 5; i++) {
    clock.addSample(local.now(), local.now() + 1001, local.now() + 2);
    local.advance(10);
  }
  const before = clock.offsetMs;
  assert.ok(Math.abs(before - 1000.5) < 1e-9);
  // The server now says the offset is 40 ms smaller: fill the window with it.
  for (let i = 0; i < 8; i++) {
    clock.addSample(local.now(), local.now() + 961, local.now() + 2);
  }
  assert.ok(Math.abs(clock.targetOffsetMs - 960.5) < 1e-9);
  assert.ok(Math.abs(clock.offsetMs - before) < 1e-9, 'not applied at once');
  let last = clock.now();
  let steps = 0;
  while (Math.abs(clock.offsetMs - clock.targetOffsetMs) > 1e-9 && steps < 100000) {
    local.advance(7);
    const n = clock.now();
    assert.ok(n >= last, `went back: ${n} < ${last}`);
    // The clock still runs forward, at no less than half speed.
    assert.ok(n - last >= 7 * 0.5 - 1e-9);
    last = n;
    steps++;
  }
  const took = steps * 7;
  // 40 ms at max(5 ms/s, diff/10 s): about 8 s (minimum rate 5 ms/s ⇒ at most 8 s).
  assert.ok(took > 1000 && took <= 8100, `slewed in ${took} ms`);
});

test('ServerClock: a big backwards correction converges within about 20 s, still monotonic', () => {
  const local = manualClock();
  const clock = new ServerClock({ now: local.now });
  for (let i = 0; i < 5; i++) clock.addSample(local.now(), local.now() + 10_000, local.now());
  for (let i = 0; i < 8; i++) clock.addSample(local.now(), local.now(), local.now());
  let last = clock.now();
  let ms = 0;
  while (Math.abs(clock.offsetMs - clock.targetOffsetMs) > 1e-6 && ms < 120_000) {
    local.advance(50);
    ms += 50;
    const n = clock.now();
    assert.ok(n >= last);
    last = n;
  }
  assert.ok(ms >= 19_000 && ms <= 21_000, `took ${ms} ms`); // 10 s at 500 ms/s
});
