// Recovery: a dropped socket, the network going away, and the server restarting
// (memory engine with an SQLite audit trail, so the session is recovered).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  launchBrowser, startPageServer, createChess, apiOk, clockUrl, openPage, waitLive,
  shot, recordFigures, sleep,
} from './helpers.js';

let server;
let browser;
let dir;
const figures = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sk-browser-'));
  server = await startPageServer(['--audit-db', `sqlite:${join(dir, 'audit.db')}`, '--durability', 'sync']);
  browser = await launchBrowser();
});
after(async () => {
  recordFigures('recovery', figures);
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Keeps every WebSocket the page opens, so the test can drop it like a network would.
const TRACK_SOCKETS = () => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...a) { super(...a); window.__sockets.push(this); }
  };
};

const connText = (page) => page.textContent('#conn');
const digitsOf = (page, pid) => page.textContent(`.tile[data-participant-id="${pid}"] .digits`);

async function waitDigitsChange(page, pid, timeout = 5000) {
  const first = await digitsOf(page, pid);
  await page.waitForFunction(([p, f]) => document.querySelector(`.tile[data-participant-id="${p}"] .digits`).textContent !== f, [pid, first], { timeout });
}

/** Connection labels the page showed since index `from` of its history. */
const labelsSince = (page, from) => page.evaluate((i) => window.skStats.connHistory.slice(i).map((x) => x.text), from);
const historyLength = (page) => page.evaluate(() => window.skStats.connHistory.length);

test('a dropped WebSocket: reconnecting, then the live clock again', async () => {
  const { id, pids: [white] } = await createChess(server, { title: 'Dropped socket' });
  await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await ctx.addInitScript(TRACK_SOCKETS);
    const page = await openPage(ctx, clockUrl(server, id, 'viewer'));
    await waitLive(page);
    const from = await historyLength(page);
    const t0 = Date.now();
    await page.evaluate(() => { for (const ws of window.__sockets) ws.close(); });
    await page.waitForFunction(() => document.querySelector('#conn').dataset.conn !== 'connected', null, { timeout: 5000 });
    await waitLive(page, 30000);
    const backMs = Date.now() - t0;
    const labels = await labelsSince(page, from);
    assert.ok(labels.some((l) => /reconnecting|connecting/.test(l)), `showed reconnecting: ${labels}`);
    assert.equal(labels.at(-1), 'connected');
    await waitDigitsChange(page, white);
    figures.droppedSocket = { labels, backToConnectedMs: backMs };
    assert.deepEqual(page.problems, []);
  } finally {
    await ctx.close();
  }
});

test('the network goes away and comes back: offline, then the live clock again', async () => {
  const { id, pids: [white] } = await createChess(server, { title: 'Offline' });
  await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openPage(ctx, clockUrl(server, id, white));
    await waitLive(page);
    const from = await historyLength(page);
    await ctx.setOffline(true);
    await page.waitForFunction(() => document.querySelector('#conn').textContent === 'offline', null, { timeout: 5000 });
    // The clock keeps being calculated from the last state while offline.
    await waitDigitsChange(page, white);
    await shot(page, 'live-offline');
    const t0 = Date.now();
    await ctx.setOffline(false);
    await waitLive(page, 30000);
    const backMs = Date.now() - t0;
    const labels = await labelsSince(page, from);
    assert.ok(labels.includes('offline'));
    assert.equal(labels.at(-1), 'connected');
    figures.offline = { labels, backToConnectedMs: backMs };
    // Page errors about failed fetches while offline are expected; nothing else.
    assert.deepEqual(page.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|WebSocket/i.test(p)), []);
  } finally {
    await ctx.close();
  }
});

test('the server restarts: "reconnecting in N s", then the recovered session, still counting right', async () => {
  const { id, pids: [white, black] } = await createChess(server, { title: 'Restart' });
  await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
  await apiOk(server, 'POST', `/v1/sessions/${id}/switch`, { body: { current_participant_id: white } });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const pv = await openPage(ctx, clockUrl(server, id, 'viewer'));
    const ph = await openPage(ctx, clockUrl(server, id, 'host'));
    for (const p of [pv, ph]) await waitLive(p);
    const from = await historyLength(pv);

    // Down for a few seconds: long enough to see the countdown to the next attempt.
    const t0 = Date.now();
    const restarting = server.restart({ downMs: 4000 });
    await pv.waitForFunction(() => /reconnecting in \d+ s/.test(document.querySelector('#conn').textContent), null, { timeout: 15000 });
    await shot(pv, 'live-reconnecting');
    assert.ok(await pv.isVisible(`.tile[data-participant-id="${black}"] .digits`), 'the clock stays on screen while reconnecting');
    await restarting;
    await waitLive(pv, 40000);
    await waitLive(ph, 40000);
    const backMs = Date.now() - t0;
    const labels = await labelsSince(pv, from);
    assert.equal(labels.at(-1), 'connected');

    // The recovered session: still black's turn, the page agrees with the server.
    const s = await apiOk(server, 'GET', `/v1/sessions/${id}`);
    assert.equal(s.status, 'running');
    assert.equal(s.active_participant_id, black);
    await waitDigitsChange(pv, black);
    const d = await pv.evaluate((pid) => {
      const el = document.querySelector(`.tile[data-participant-id="${pid}"]`);
      return { remainingMs: Number(el.dataset.remainingMs), renderedAt: Number(el.dataset.renderedAt) };
    }, black);
    const fresh = await apiOk(server, 'GET', `/v1/sessions/${id}`);
    const p = fresh.participants.find((x) => x.participant_id === black);
    const truth = p.time_remaining_ms - (d.renderedAt - fresh.server_time_ms);
    const err = d.remainingMs - truth;
    assert.ok(Math.abs(err) < 250, `after the restart the page is ${err} ms off`);

    // The host can act on the recovered session.
    await ph.click('#pause');
    await pv.waitForFunction(() => document.querySelector('#status').textContent === 'Paused', null, { timeout: 5000 });
    figures.restart = { labels: [...new Set(labels)].slice(0, 20), backToConnectedMs: backMs, errorAfterRestartMs: Math.round(err) };
    for (const page of [pv, ph]) {
      assert.deepEqual(page.problems.filter((x) => !/Failed to load resource|WebSocket|ERR_CONNECTION_REFUSED|Failed to fetch/i.test(x)), []);
    }
  } finally {
    await ctx.close();
  }
});

test('no WebSocket at all (a proxy that refuses it): long-polling, and the clock still follows', async () => {
  const { id, pids: [white, black] } = await createChess(server, { title: 'Long-polling' });
  await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await ctx.routeWebSocket(/\/ws/, (ws) => ws.close({ code: 1011, reason: 'no websockets here' }));
    const page = await openPage(ctx, clockUrl(server, id, 'viewer'));
    await page.waitForFunction(() => document.querySelector('#conn').textContent === 'long-polling' &&
      document.querySelector('#clocks .tile'), null, { timeout: 30000 });
    await waitDigitsChange(page, white);
    const t0 = Date.now();
    await apiOk(server, 'POST', `/v1/sessions/${id}/switch`, { body: { current_participant_id: white } });
    await page.waitForFunction((b) => document.querySelector('.tile.running')?.dataset.participantId === b, black, { timeout: 10000 });
    figures.longPolling = { switchSeenMs: Date.now() - t0 };
    await shot(page, 'live-long-polling');
    assert.deepEqual(page.problems.filter((x) => !/WebSocket/i.test(x)), []);
  } finally {
    await ctx.close();
  }
});
