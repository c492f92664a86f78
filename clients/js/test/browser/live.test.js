// The live clock in real browsers against a real server: a switch seen on another
// screen, the displayed time against the server's truth, a server-side time-out,
// phone layouts, and how little the page does while idle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration } from '../../src/index.js';
import {
  launchBrowser, startPageServer, createChess, apiOk, clockUrl, openPage, waitLive,
  runningPid, shot, recordFigures, percentile, sleep, randomUUID,
} from './helpers.js';

let server;
let browser;
const figures = {};

before(async () => {
  server = await startPageServer();
  browser = await launchBrowser();
});
after(async () => {
  recordFigures('live', figures);
  await browser?.close();
  await server?.stop();
});

// Records, in the page, each change of which tile runs (epoch ms, as the page sees it).
function watchActive(page) {
  return page.evaluate(() => {
    window.__activeChanges = [];
    const now = () => performance.timeOrigin + performance.now();
    let last = document.querySelector('.tile.running')?.dataset.participantId ?? null;
    new MutationObserver(() => {
      const cur = document.querySelector('.tile.running')?.dataset.participantId ?? null;
      if (cur !== last) { last = cur; window.__activeChanges.push({ t: now(), pid: cur }); }
    }).observe(document.querySelector('#clocks'), { subtree: true, attributes: true, attributeFilter: ['class'], childList: true });
  });
}

async function clickAt(page, pid) {
  // The page notes the instant its click handler ran (epoch ms, the same machine clock
  // as the other pages); Playwright's own click overhead is not part of the figure.
  const before = await page.evaluate(() => window.skStats.lastSwitchClickAt ?? 0);
  await page.click(`.tile[data-participant-id="${pid}"]`);
  const t = await page.evaluate(() => window.skStats.lastSwitchClickAt ?? 0);
  assert.ok(t > before, 'the click reached the page');
  return t;
}

async function waitChange(page, pid, sinceT, timeout = 5000) {
  const h = await page.waitForFunction(([p, since]) =>
    window.__activeChanges.find((c) => c.pid === p && c.t >= since), [pid, sinceT], { timeout });
  return h.jsonValue();
}

test('a switch on one screen shows on the others (two players and a viewer)', async () => {
  const { id, pids: [white, black] } = await createChess(server, { title: 'Switch latency' });
  await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const pw = await openPage(ctx, clockUrl(server, id, white));
    const pb = await openPage(ctx, clockUrl(server, id, black));
    const pv = await openPage(ctx, clockUrl(server, id, 'viewer'));
    for (const p of [pw, pb, pv]) await waitLive(p);
    assert.equal(await runningPid(pv), white);
    for (const p of [pw, pb, pv]) await watchActive(p);

    const toOther = [];
    const toViewer = [];
    const toSelf = [];
    for (let i = 0; i < 10; i++) {
      const [mover, other, from, to] = i % 2 === 0 ? [pw, pb, white, black] : [pb, pw, black, white];
      const t0 = await clickAt(mover, from);
      const [a, b, c] = await Promise.all([waitChange(other, to, t0), waitChange(pv, to, t0), waitChange(mover, to, t0)]);
      toOther.push(a.t - t0);
      toViewer.push(b.t - t0);
      toSelf.push(c.t - t0);
      await sleep(150);
    }
    // A player cannot switch a clock that is not running for them.
    const before = await runningPid(pv);
    await pb.click(`.tile[data-participant-id="${before === white ? black : white}"]`).catch(() => {});
    await pv.click(`.tile[data-participant-id="${before}"]`);
    await sleep(500);
    assert.equal(await runningPid(pv), before, 'a viewer click or an off-turn click changes nothing');

    await shot(pw, 'live-desktop-player');
    await shot(pv, 'live-viewer');
    const max = Math.max(...toOther, ...toViewer);
    figures.switchLatencyMs = {
      note: 'click on one page → the other page (player / viewer) shows the new running clock; 10 switches',
      otherPlayer: { max: round(Math.max(...toOther)), p50: round(percentile(toOther, 50)), all: toOther.map(round) },
      viewer: { max: round(Math.max(...toViewer)), p50: round(percentile(toViewer, 50)), all: toViewer.map(round) },
      clickingPage: { max: round(Math.max(...toSelf)), p50: round(percentile(toSelf, 50)) },
    };
    assert.ok(max < 1000, `switch seen elsewhere within 1 s (max ${max} ms)`);
    for (const p of [pw, pb, pv]) assert.deepEqual(p.problems, []);
  } finally {
    await ctx.close();
  }
});

const round = (x) => (x == null ? null : Math.round(x * 10) / 10);

// Distance (ms) from `truth` to the nearest value that formatDuration shows as `text`.
function digitError(text, truth, direction = 'down') {
  if (formatDuration(truth, direction) === text) return 0;
  for (let d = 1; d <= 5000; d++) {
    if (formatDuration(truth + d, direction) === text) return d;   // the screen is behind (shows more left)
    if (truth - d >= 0 && formatDuration(truth - d, direction) === text) return -d;
  }
  return Infinity;
}

test('the displayed time stays with the server over 10 s (seconds and tenths)', async () => {
  // 16 s so that the 10 s window sees whole seconds and then tenths (under 10 s).
  const { id, pids: [white, black] } = await createChess(server, { totalMs: 16000, title: 'Accuracy' });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const pw = await openPage(ctx, clockUrl(server, id, white));
    const pv = await openPage(ctx, clockUrl(server, id, 'viewer'));
    for (const p of [pw, pv]) await waitLive(p);
    // Let the clock sync settle (the SDK syncs at connect).
    await Promise.all([pw, pv].map((p) => p.waitForFunction(() => /±\d+ ms/.test(document.querySelector('#sync').textContent))));
    await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
    await Promise.all([pw, pv].map((p) => p.waitForFunction((w) => document.querySelector('.tile.running')?.dataset.participantId === w, white)));

    const renderErr = [];   // value the digits were computed from, against the truth at that render instant
    const shownErr = [];    // digits on screen at the sampling instant, against the truth at that instant
    const began = Date.now();
    let tenthsSeen = 0;
    let secondsSeen = 0;
    while (Date.now() - began < 10000) {
      // Server truth: a fresh GET; while running, remaining(T) = r − (T − server_time_ms).
      const s = await apiOk(server, 'GET', `/v1/sessions/${id}`);
      const p = s.participants.find((x) => x.participant_id === white);
      assert.equal(s.status, 'running');
      const truthAt = (t) => Math.max(0, p.time_remaining_ms - (t - s.server_time_ms));
      for (const page of [pw, pv]) {
        const sample = await page.evaluate((pid) => {
          const now = performance.timeOrigin + performance.now();
          const el = document.querySelector(`.tile[data-participant-id="${pid}"]`);
          const d = window.skDisplay()[pid];
          return { now, text: el.querySelector('.digits').textContent, remainingMs: Number(el.dataset.remainingMs), renderedAt: d.renderedAt };
        }, white);
        if (sample.text.includes('.')) tenthsSeen++; else secondsSeen++;
        renderErr.push(sample.remainingMs - truthAt(sample.renderedAt));
        shownErr.push(digitError(sample.text, truthAt(sample.now)));
      }
      await sleep(37);
    }
    // Under 10 s: tenths and the low-time colour.
    assert.equal(await pw.$eval(`.tile[data-participant-id="${white}"]`, (t) => t.classList.contains('low')), true);
    await shot(pw, 'live-low-time');
    const abs = (xs) => xs.map((x) => Math.abs(x));
    figures.displayError = {
      note: 'ms; render = the value the page rendered vs server truth at that instant; shown = digits on screen vs truth at the sampling instant (0 when the digits are exactly what the truth shows); both pages',
      samples: renderErr.length,
      tenthsSamples: tenthsSeen,
      secondsSamples: secondsSeen,
      render: { maxAbs: round(Math.max(...abs(renderErr))), p95Abs: round(percentile(abs(renderErr), 95)), mean: round(renderErr.reduce((a, b) => a + b, 0) / renderErr.length) },
      shown: { maxAbs: round(Math.max(...abs(shownErr))), p95Abs: round(percentile(abs(shownErr), 95)), exactShare: round(shownErr.filter((x) => x === 0).length / shownErr.length) },
    };
    assert.ok(tenthsSeen > 0 && secondsSeen > 0, 'the window covered both seconds and tenths');
    assert.ok(Math.max(...abs(renderErr)) < 150, `render error ${Math.max(...abs(renderErr))} ms`);
    assert.ok(Math.max(...abs(shownErr)) < 150, `shown error ${Math.max(...abs(shownErr))} ms`);
    void black;
  } finally {
    await ctx.close();
  }
});

test('a server-side time-out appears on every screen without a click', async () => {
  const { id, pids: [white] } = await createChess(server, { totalMs: 2000, title: 'Time-out' });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const pw = await openPage(ctx, clockUrl(server, id, white));
    const pv = await openPage(ctx, clockUrl(server, id, 'viewer'));
    for (const p of [pw, pv]) await waitLive(p);
    const started = await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
    const deadline = Date.parse(started.deadline_at);
    const seen = [];
    for (const p of [pw, pv]) {
      await p.waitForFunction((w) => document.querySelector(`.tile[data-participant-id="${w}"]`)?.classList.contains('expired') &&
        /Time out/.test(document.querySelector('#banner').textContent) &&
        document.querySelector('#status').textContent === 'Time out', white, { timeout: 10000 });
      const t = await p.evaluate(() => window.skStats.expiredShownAt);
      seen.push(t == null ? null : t - deadline);
      assert.match(await p.textContent(`.tile[data-participant-id="${white}"] .digits`), /^0\.0$/);
    }
    await shot(pv, 'live-timeout-viewer');
    figures.timeoutShownAfterDeadlineMs = { note: 'TIME_EXPIRED shown on the page, ms after deadline_at (player, viewer)', values: seen.map(round) };
    for (const v of seen) if (v != null) assert.ok(v < 2000, `time-out shown ${v} ms after the deadline`);
    for (const p of [pw, pv]) assert.deepEqual(p.problems, []);
  } finally {
    await ctx.close();
  }
});

test('phone sizes, portrait and landscape: no sideways scrolling, digits visible', async () => {
  const { id, pids: [white, black] } = await createChess(server, { totalMs: 300000, incrementMs: 3000, names: ['Alexandra the Great', 'Bartholomew'], title: 'A rather long title for a phone screen' });
  await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
  const sizes = { portrait: { width: 390, height: 844 }, landscape: { width: 844, height: 390 } };
  const out = {};
  for (const [name, viewport] of Object.entries(sizes)) {
    for (const as of ['host', white]) {
      const ctx = await browser.newContext({ viewport, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      try {
        const page = await openPage(ctx, clockUrl(server, id, as));
        await waitLive(page);
        const m = await page.evaluate(() => {
          const vw = innerWidth;
          const vh = innerHeight;
          const digits = [...document.querySelectorAll('.tile .digits')].map((d) => {
            const r = d.getBoundingClientRect();
            return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, fontPx: parseFloat(getComputedStyle(d).fontSize), text: d.textContent };
          });
          return { vw, vh, scrollWidth: document.scrollingElement.scrollWidth, digits };
        });
        assert.ok(m.scrollWidth <= m.vw, `${name} ${as}: scrollWidth ${m.scrollWidth} > ${m.vw}`);
        assert.equal(m.digits.length, 2);
        for (const d of m.digits) {
          assert.ok(d.left >= 0 && d.right <= m.vw, `${name}: digits inside the width (${JSON.stringify(d)})`);
          assert.ok(d.top >= 0 && d.bottom <= m.vh, `${name}: digits inside the height (${JSON.stringify(d)})`);
          assert.ok(d.fontPx >= 40, `${name}: digits big enough (${d.fontPx}px)`);
          assert.match(d.text, /^\d+:\d\d$/);
        }
        out[`${name}-${as === 'host' ? 'host' : 'player'}`] = { scrollWidth: m.scrollWidth, innerWidth: m.vw, digitFontPx: m.digits.map((d) => round(d.fontPx)) };
        await shot(page, `phone-${name}-${as === 'host' ? 'host' : 'player'}`);
        assert.deepEqual(page.problems, []);
      } finally {
        await ctx.close();
      }
    }
  }
  // Four turn-timer clocks: still no sideways scrolling and nothing below the fold.
  const four = Array.from({ length: 4 }, () => randomUUID());
  const turns = await apiOk(server, 'POST', '/v1/sessions', { body: {
    session_id: randomUUID(), sync_mode: 'per_cycle', time_per_cycle_ms: 30000,
    participants: four.map((participant_id, participant_index) => ({ participant_id, participant_index })),
    metadata: { title: 'Four players', names: Object.fromEntries(four.map((p, i) => [p, `Player ${i + 1}`])) },
  } });
  await apiOk(server, 'POST', `/v1/sessions/${turns.session_id}/start`);
  for (const [name, viewport] of Object.entries(sizes)) {
    const ctx = await browser.newContext({ viewport, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const page = await openPage(ctx, clockUrl(server, turns.session_id, 'host'));
      await waitLive(page);
      const m = await page.evaluate(() => ({
        vw: innerWidth, vh: innerHeight, sw: document.scrollingElement.scrollWidth, sh: document.scrollingElement.scrollHeight,
        digits: [...document.querySelectorAll('.tile .digits')].map((d) => d.getBoundingClientRect().bottom),
      }));
      assert.ok(m.sw <= m.vw, `four clocks ${name}: scrollWidth ${m.sw} > ${m.vw}`);
      assert.equal(m.digits.length, 4);
      for (const b of m.digits) assert.ok(b <= m.vh, `four clocks ${name}: digits below the fold`);
      out[`four-${name}`] = { scrollWidth: m.sw, innerWidth: m.vw, scrollHeight: m.sh, innerHeight: m.vh };
      await shot(page, `phone-${name}-four-clocks`);
    } finally {
      await ctx.close();
    }
  }
  figures.phone = out;
  void black;
});

async function idleRun(totalMs, windowMs, label) {
  const { id, pids: [white] } = await createChess(server, { totalMs, title: `Idle ${label}` });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openPage(ctx, clockUrl(server, id, 'viewer'));
    await waitLive(page);
    await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
    await page.waitForFunction((w) => document.querySelector('.tile.running')?.dataset.participantId === w, white);
    await sleep(300);
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
    const read = () => page.evaluate(() => ({ ...window.skStats, connHistory: undefined, at: performance.now() }));
    const a = await read();
    const ma = await metric();
    await sleep(windowMs);
    const b = await read();
    const mb = await metric();
    const seconds = (b.at - a.at) / 1000;
    return {
      windowS: round(seconds),
      redraws: b.redraws - a.redraws,
      fullRenders: b.fullRenders - a.fullRenders,
      renderMs: round(b.renderMs - a.renderMs),
      // Chromium's own counters for the whole renderer (script, layout, style, paint tasks).
      taskMs: round((mb.TaskDuration - ma.TaskDuration) * 1000),
      scriptMs: round((mb.ScriptDuration - ma.ScriptDuration) * 1000),
      layouts: mb.LayoutCount - ma.LayoutCount,
    };
  } finally {
    await ctx.close();
  }
}

test('idle: one redraw per displayed change, little work (seconds, then tenths)', async () => {
  const secondsRun = await idleRun(300000, 10000, 'seconds');
  const tenthsRun = await idleRun(10500, 9000, 'tenths');
  figures.idle = {
    note: 'a running clock on a viewer page; redraws = digit texts written; renderMs = the page’s own rendering time (performance.now); taskMs/scriptMs = Chromium Performance metrics for the renderer',
    seconds: secondsRun, tenths: tenthsRun,
  };
  // 10 s of whole seconds: about 10 changes; 9 s of tenths: about 90.
  assert.ok(secondsRun.redraws >= 8 && secondsRun.redraws <= 13, `seconds redraws ${secondsRun.redraws}`);
  assert.ok(tenthsRun.redraws >= 75 && tenthsRun.redraws <= 100, `tenths redraws ${tenthsRun.redraws}`);
  assert.ok(secondsRun.renderMs < 200, `renderMs ${secondsRun.renderMs}`);
  assert.ok(tenthsRun.renderMs < 500, `renderMs ${tenthsRun.renderMs}`);
});

test('a turn timer that runs out hands the turn on by itself (per_cycle, auto_advance)', async () => {
  const a = randomUUID();
  const b = randomUUID();
  const body = {
    session_id: randomUUID(), sync_mode: 'per_cycle', time_per_cycle_ms: 1500,
    participants: [{ participant_id: a, participant_index: 0 }, { participant_id: b, participant_index: 1 }],
    metadata: { title: 'Fast turns', names: { [a]: 'Ann', [b]: 'Bob' } },
  };
  const s = await apiOk(server, 'POST', '/v1/sessions', { body });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openPage(ctx, clockUrl(server, s.session_id, 'viewer'));
    await waitLive(page);
    await watchActive(page);
    await apiOk(server, 'POST', `/v1/sessions/${s.session_id}/start`);
    await page.waitForFunction(() => /ran out/.test(document.querySelector('#banner').textContent), null, { timeout: 5000 });
    await page.waitForFunction(([x, y]) => {
      const seq = window.__activeChanges.map((c) => c.pid);
      return seq.includes(x) && seq.includes(y) && seq.lastIndexOf(x) > seq.indexOf(y);
    }, [a, b], { timeout: 10000 });
    assert.equal(await page.textContent('#status'), 'Running');
    assert.deepEqual(page.problems, []);
  } finally {
    await ctx.close();
  }
});

test('h:mm:ss and many clocks: the digits never spill out of their tile', async () => {
  const cases = [[1, 3600000, 'global'], [2, 7200000, 'per_participant'], [3, 5400000, 'per_participant'], [6, 3600000, 'per_participant']];
  const viewports = [[390, 844], [844, 390], [1280, 800], [1920, 1080]];
  const out = {};
  for (const [n, total, mode] of cases) {
    const pids = Array.from({ length: n }, () => randomUUID());
    const s = await apiOk(server, 'POST', '/v1/sessions', { body: {
      session_id: randomUUID(), sync_mode: mode, total_time_ms: total,
      participants: pids.map((participant_id, participant_index) => ({ participant_id, participant_index })),
      metadata: { names: Object.fromEntries(pids.map((p, i) => [p, `Player ${i + 1}`])) },
    } });
    for (const [width, height] of viewports) {
      const ctx = await browser.newContext({ viewport: { width, height } });
      try {
        const page = await openPage(ctx, clockUrl(server, s.session_id, 'host'));
        await waitLive(page);
        const m = await page.evaluate(() => ({
          sw: document.scrollingElement.scrollWidth,
          vw: innerWidth,
          spilled: [...document.querySelectorAll('.tile .digits')].filter((d) => {
            const r = d.getBoundingClientRect();
            const t = d.closest('.tile').getBoundingClientRect();
            return r.left < t.left || r.right > t.right;
          }).length,
          fontPx: parseFloat(getComputedStyle(document.querySelector('.tile .digits')).fontSize),
        }));
        assert.ok(m.sw <= m.vw, `${n} clocks ${width}x${height}: sideways scrolling`);
        assert.equal(m.spilled, 0, `${n} clocks ${width}x${height}: digits wider than their tile`);
        out[`${n}x${total / 60000}min@${width}x${height}`] = Math.round(m.fontPx);
      } finally {
        await ctx.close();
      }
    }
  }
  figures.digitFontPx = out;
});
