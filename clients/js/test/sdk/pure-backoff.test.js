import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullJitterDelay } from '../../src/index.js';

test('fullJitterDelay: the ceiling doubles from 500 ms and stops at 20 s', () => {
  const top = () => 0.999999;
  const ceilings = Array.from({ length: 10 }, (_, a) => fullJitterDelay(a, { random: top }) + 1);
  assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000, 20000]);
});

test('fullJitterDelay: random 0 gives 0, and every draw stays in [0, ceiling)', () => {
  assert.equal(fullJitterDelay(5, { random: () => 0 }), 0);
  for (let attempt = 0; attempt < 40; attempt++) {
    for (const r of [0, 0.1, 0.5, 0.9, 0.999]) {
      const d = fullJitterDelay(attempt, { random: () => r });
      const ceiling = Math.min(20000, 500 * 2 ** attempt);
      assert.ok(d >= 0 && d < ceiling, `attempt ${attempt} r ${r}: ${d}`);
    }
  }
});

test('fullJitterDelay: custom base and cap; huge attempts do not overflow', () => {
  assert.equal(fullJitterDelay(3, { baseMs: 10, capMs: 1000, random: () => 0.5 }), 40);
  assert.equal(fullJitterDelay(3000, { baseMs: 10, capMs: 1000, random: () => 0.5 }), 500);
});

test('fullJitterDelay: with Math.random the mean is about half the ceiling', () => {
  let sum = 0;
  const n = 2000;
  for (let i = 0; i < n; i++) sum += fullJitterDelay(2);
  const mean = sum / n;
  assert.ok(mean > 800 && mean < 1200, String(mean)); // ceiling 2000
});
