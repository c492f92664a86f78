// Time controls on the live page against a real server (SPEC §2 "Time controls"): the
// byo-yomi periods and their digits, the delay's own digits and bar, the hourglass's
// growing side, and TIME_WARNING as a banner, each compared with a fresh GET.
//
// Comparisons are made at one instant on the page's synced server clock: the page's
// digits against the SDK's liveClock() of the GET state at that instant, within
// 150 ms (timer and frame jitter on a busy 2-core box). Samples within 150 ms of a
// period change are not held to the digits (either side is right there).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, liveClock } from '../../src/index.js';
import {
  launchBrowser, startPageServer, apiOk, api, clockUrl, openPage, waitLive, shot,
  recordFigures, sleep, randomUUID,
} from './helpers.js';

let server;
let browser;
const figures = {};
const SLACK_MS = 150;

before(async () => {
  server = await startPageServer();
  browser = await launchBrowser();
});
after(async () => {
  recordFigures('time-controls', figures);
  await browser?.close();
  await server?.stop();
});

/** A two-player session with a time control and names (the page's convention). */
async function createControlled(timeControl, { bankMs, title, extra = {} }) {
  const pids = [randomUUID(), randomUUID()];
  const body = {
    session_id: randomUUID(), sync_mode: 'per_participant', total_time_ms: bankMs,
    participants: pids.map((participant_id, participant_index) => ({ participant_id, participant_index })),
    metadata: { title, names: { [pids[0]]: 'Black', [pids[1]]: 'White' } },
    time_control: timeControl, ...extra,
  };
  const r = await api(server, 'POST', '/v1/sessions', { body });
  return { r, id: body.session_id, pids };
}

// Distance (ms) from `truth` to the nearest value that formatDuration shows as `text`
// (as in live.test.js).
function digitError(text, truth) {
  if (formatDuration(truth) === text) return 0;
  for (let d = 1; d <= 5000; d++) {
    if (formatDuration(truth + d) === text) return d;
    if (truth - d >= 0 && formatDuration(truth - d) === text) return -d;
  }
  return Infinity;
}

/** What one tile shows, read at one instant with the page's own server clock. */
function readTile(page, pid) {
  return page.evaluate((p) => {
    const el = document.querySelector(`.tile[data-participant-id="${p}"]`);
    const delay = el.querySelector('.delay');
    return {
      serverNow: window.skConn.now(),
      text: el.querySelector('.digits').textContent,
      line: el.querySelector('.tc-line').hidden ? '' : el.querySelector('.tc-line').textContent,
      periodsLeft: el.dataset.periodsLeft === undefined ? null : Number(el.dataset.periodsLeft),
      inOvertime: el.dataset.inOvertime ?? null,
      delayShown: !delay.hidden,
      delayText: el.querySelector('.delay-digits').textContent,
      delayWidth: parseFloat(el.querySelector('.delay-fill').style.width || '0'),
      expired: el.classList.contains('expired'),
    };
  }, pid);
}

async function openSynced(ctx, url) {
  const page = await openPage(ctx, url);
  await waitLive(page);
  await page.waitForFunction(() => /±\d+ ms/.test(document.querySelector('#sync').textContent));
  return page;
}

test('byo-yomi 1 s + 3×2 s: the page shows the periods left and the period digits the server has', async () => {
  const { r, id, pids: [black] } = await createControlled({ type: 'byoyomi', periods: 3, period_ms: 2000 },
    { bankMs: 1000, title: 'Byo-yomi' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openSynced(ctx, clockUrl(server, id, 'viewer'));
    const before = await readTile(page, black);
    assert.equal(before.text, '1.0');
    assert.match(before.line, /then 3 × 2 s/);
    const started = await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
    const deadline = Date.parse(started.deadline_at);
    // The page learns of the start over its WebSocket: sample once it shows it.
    await page.waitForFunction((p) => document.querySelector('.tile.running')?.dataset.participantId === p,
      black, { timeout: 5000 });
    const phases = { main: 0, 3: 0, 2: 0, 1: 0 };
    const errors = [];
    let skipped = 0;
    // Until shortly before the last period runs out (deadline = start + 1 s + 3 × 2 s).
    while (Date.now() < deadline - 300) {
      const s = await apiOk(server, 'GET', `/v1/sessions/${id}`);
      if (s.status !== 'running') break;
      const shown = await readTile(page, black);
      const truth = liveClock(s, black, shown.serverNow);
      const early = liveClock(s, black, shown.serverNow - SLACK_MS);
      const late = liveClock(s, black, shown.serverNow + SLACK_MS);
      const nearChange = early.periodsLeft !== late.periodsLeft || early.inOvertime !== late.inOvertime;
      if (nearChange) {
        skipped++;
        assert.ok([early.periodsLeft, late.periodsLeft].includes(shown.periodsLeft), `periods ${shown.periodsLeft} near a change`);
      } else {
        const err = digitError(shown.text, truth.displayMs);
        errors.push(err);
        assert.ok(Math.abs(err) <= SLACK_MS, `digits "${shown.text}" vs ${truth.displayMs} ms (${err})`);
        assert.equal(shown.periodsLeft, truth.periodsLeft);
        assert.equal(shown.inOvertime, String(truth.inOvertime));
        if (!truth.inOvertime) {
          phases.main++;
          assert.match(shown.line, /then 3 × 2 s/);
        } else {
          phases[truth.periodsLeft]++;
          assert.match(shown.line, truth.periodsLeft === 1 ? /last period/ : new RegExp(`${truth.periodsLeft} periods left`));
        }
        if (truth.inOvertime && truth.periodsLeft === 2 && phases[2] === 1) await shot(page, 'tc-byoyomi-overtime');
      }
      await sleep(60);
    }
    figures.byoyomi = {
      note: 'viewer page vs GET, ms (digits); samples per phase; samples near a period change not held to the digits',
      phases, skipped, maxAbsError: Math.max(...errors.map(Math.abs)),
    };
    for (const [phase, n] of Object.entries(phases)) assert.ok(n > 0, `no sample in phase ${phase}: ${JSON.stringify(phases)}`);
    // The last period runs out at the deadline: a time-out like any other.
    await page.waitForFunction((p) => document.querySelector(`.tile[data-participant-id="${p}"]`).classList.contains('expired'),
      black, { timeout: 10000 });
    assert.equal((await readTile(page, black)).text, '0.0');
    assert.deepEqual(page.problems, []);
  } finally {
    await ctx.close();
  }
});

test('delay 2 s on a 3 s bank: the delay digits and bar count down first, then the bank; a switch gives the next a whole delay', async () => {
  const { r, id, pids: [black, white] } = await createControlled({ type: 'delay', delay_ms: 2000 },
    { bankMs: 3000, title: 'Delay' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const host = await openSynced(ctx, clockUrl(server, id, 'host'));
    const started = await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
    const t0 = started.server_time_ms;
    // The page learns of the start over its WebSocket: sample once it shows it.
    await host.waitForFunction((p) => !document.querySelector(`.tile[data-participant-id="${p}"] .delay`).hidden,
      black, { timeout: 5000 });
    const phases = { delay: 0, bank: 0 };
    const errors = { bank: [], delay: [] };
    // 2 s of delay, then 0.6 s of bank.
    while (Date.now() < t0 + 2600) {
      const s = await apiOk(server, 'GET', `/v1/sessions/${id}`);
      const shown = await readTile(host, black);
      const truth = liveClock(s, black, shown.serverNow);
      const bankErr = digitError(shown.text, truth.remainingMs);
      const delayErr = digitError(shown.delayText, truth.delayRemainingMs);
      errors.bank.push(bankErr);
      errors.delay.push(delayErr);
      assert.ok(Math.abs(bankErr) <= SLACK_MS, `bank "${shown.text}" vs ${truth.remainingMs} ms`);
      assert.ok(shown.delayShown, 'the delay shows for the side on turn');
      assert.ok(Math.abs(delayErr) <= SLACK_MS, `delay "${shown.delayText}" vs ${truth.delayRemainingMs} ms`);
      // The bar: the share of the delay left (as of the last digit change, a tenth at most).
      assert.ok(Math.abs(shown.delayWidth - (100 * truth.delayRemainingMs) / 2000) <= 10,
        `bar ${shown.delayWidth}% vs ${truth.delayRemainingMs} ms`);
      if (truth.delayRemainingMs > SLACK_MS) {
        phases.delay++;
        assert.equal(shown.text, '3.0', 'the bank waits for the delay');
        if (phases.delay === 3) await shot(host, 'tc-delay-running');
      } else if (truth.delayRemainingMs === 0 && truth.remainingMs < 3000 - SLACK_MS) {
        phases.bank++;
        assert.equal(shown.delayText, '0.0');
      }
      await sleep(60);
    }
    figures.delay = {
      note: 'host page vs GET, ms; samples while the delay runs and while the bank runs',
      phases,
      maxAbsErrorBank: Math.max(...errors.bank.map(Math.abs)),
      maxAbsErrorDelay: Math.max(...errors.delay.map(Math.abs)),
    };
    assert.ok(phases.delay > 0 && phases.bank > 0, JSON.stringify(phases));
    const other = await readTile(host, white);
    assert.equal(other.delayShown, false, 'the waiting side has no delay');

    await host.keyboard.press('Space');
    await host.waitForFunction((p) => document.querySelector('.tile.running')?.dataset.participantId === p, white);
    await host.waitForFunction((p) => !document.querySelector(`.tile[data-participant-id="${p}"] .delay`).hidden, white);
    const s = await apiOk(server, 'GET', `/v1/sessions/${id}`);
    const shown = await readTile(host, white);
    const truth = liveClock(s, white, shown.serverNow);
    assert.ok(Math.abs(digitError(shown.delayText, truth.delayRemainingMs)) <= SLACK_MS, `${shown.delayText} vs ${truth.delayRemainingMs}`);
    assert.equal(shown.text, '3.0');
    assert.equal((await readTile(host, black)).delayShown, false);
    assert.deepEqual(host.problems, []);
  } finally {
    await ctx.close();
  }
});

test('hourglass: the waiting side grows by what the mover uses, on the page as on the server', async () => {
  const { r, id, pids: [black, white] } = await createControlled({ type: 'hourglass' }, { bankMs: 20000, title: 'Hourglass' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openSynced(ctx, clockUrl(server, id, 'viewer'));
    await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
    await sleep(2500);
    const s = await apiOk(server, 'GET', `/v1/sessions/${id}`);
    for (const pid of [black, white]) {
      const shown = await readTile(page, pid);
      const truth = liveClock(s, pid, shown.serverNow);
      assert.ok(Math.abs(digitError(shown.text, truth.displayMs)) <= SLACK_MS, `${shown.text} vs ${truth.displayMs}`);
    }
    const grown = await readTile(page, white);
    assert.match(grown.text, /^0:2[2-3]$/, `the waiting side grew: ${grown.text}`);
    assert.deepEqual(page.problems, []);
  } finally {
    await ctx.close();
  }
});

test('TIME_WARNING: a short banner names the owner and the threshold', async (t) => {
  const { r, id, pids: [black] } = await createControlled({ type: 'fischer', increment_ms: 0 },
    { bankMs: 6000, title: 'Warnings', extra: { warnings_ms: [4000] } });
  if (r.status === 400) { t.skip(`this server refuses warnings_ms: ${JSON.stringify(r.body)}`); return; }
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openSynced(ctx, clockUrl(server, id, 'viewer'));
    await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
    await page.waitForFunction(() => document.querySelector('#banner').dataset.kind === 'critical', null, { timeout: 5000 });
    assert.match(await page.textContent('#banner'), /^Black: 4 s left$/);
    await shot(page, 'tc-warning-banner');
    const warnings = await page.evaluate(() => window.skStats.warnings);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].participant_id, black);
    assert.equal(warnings[0].threshold_ms, 4000);
    assert.deepEqual(page.problems, []);
  } finally {
    await ctx.close();
  }
});
