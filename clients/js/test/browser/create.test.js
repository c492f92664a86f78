// The create page: every preset makes a valid session, a hand-made one too, share
// links for host, players and viewers, and the access-token field when auth is on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, startPageServer, apiOk, openPage, waitLive, shot, recordFigures,
} from './helpers.js';

const SECRET = 'browser-test-secret-create-0123456789abcdef';
let open;
let secured;
let browser;
let viewerLink;
const figures = {};

before(async () => {
  [open, secured] = await Promise.all([startPageServer(), startPageServer(['--jwt-secret', SECRET])]);
  browser = await launchBrowser();
});
after(async () => {
  recordFigures('create', figures);
  await browser?.close();
  await Promise.all([open?.stop(), secured?.stop()]);
});

/** The share links shown after create: [{kind, label, href}]. */
function links(page) {
  return page.$$eval('#links .link', (items) => items.map((li) => ({
    kind: li.dataset.kind,
    label: li.querySelector('strong').textContent,
    href: li.querySelector('.link-url').value,
  })));
}

const PRESETS = {
  'chess-5-3': { mode: 'per_participant', total: 300000, increment: 3000, players: 2 },
  'rapid-15-10': { mode: 'per_participant', total: 900000, increment: 10000, players: 2 },
  'blitz-3-2': { mode: 'per_participant', total: 180000, increment: 2000, players: 2 },
  'rapid-15-10-bronstein': { mode: 'per_participant', total: 900000, players: 2, tc: { type: 'bronstein', delay_ms: 10000 } },
  'classical-90-40': { mode: 'per_participant', total: 5400000, increment: 30000, players: 2,
    tc: { type: 'fischer', increment_ms: 30000, stages: [{ moves: 40, add_ms: 5400000 }, { add_ms: 1800000 }] } },
  'go-byoyomi': { mode: 'per_participant', total: 3600000, players: 2, tc: { type: 'byoyomi', periods: 5, period_ms: 30000 } },
  'canadian-10-25': { mode: 'per_participant', total: 600000, players: 2, tc: { type: 'canadian', moves: 25, period_ms: 600000 } },
  'hourglass-1': { mode: 'per_participant', total: 60000, players: 2, tc: { type: 'hourglass' } },
  'exam-60': { mode: 'global', total: 3600000, players: 1 },
  debate: { mode: 'per_group', players: 4, groups: 2 },
  'turn-30': { mode: 'per_cycle', cycle: 30000, players: 3 },
  stopwatch: { mode: 'count_up', players: 1 },
};

test('every preset creates the session it names, with share links', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  try {
    const page = await openPage(ctx, `${open.url}/`);
    await page.waitForSelector('#preset-buttons .preset');
    assert.equal(await page.isVisible('#boot-message'), false);
    await shot(page, 'create-page');
    const made = {};
    for (const [preset, want] of Object.entries(PRESETS)) {
      await page.click(`.preset[data-preset="${preset}"]`);
      await page.click('#create');
      await page.waitForSelector('#result:not([hidden])');
      const got = await links(page);
      assert.equal(got.filter((l) => l.kind === 'host').length, 1);
      assert.equal(got.filter((l) => l.kind === 'viewer').length, 1);
      assert.equal(got.filter((l) => l.kind === 'player').length, want.players);
      const host = new URL(got[0].href);
      assert.equal(host.pathname, '/clock');
      assert.equal(host.searchParams.get('as'), 'host');
      assert.equal(host.hash, '', 'no tokens when auth is off');
      const id = host.searchParams.get('session');
      const s = await apiOk(open, 'GET', `/v1/sessions/${id}`);
      assert.equal(s.sync_mode, want.mode);
      assert.equal(s.participants.length, want.players);
      if (want.total && want.mode !== 'global') assert.equal(s.participants[0].time_remaining_ms, want.total);
      if (want.mode === 'global') assert.equal(s.time_remaining_ms, want.total);
      if (want.increment) assert.equal(s.increment_ms, want.increment);
      // A preset's time control as sent (the server may add its defaults: compared key by key).
      if (want.tc) for (const [k, v] of Object.entries(want.tc)) assert.deepEqual(s.time_control?.[k], v, `${preset}: time_control.${k}`);
      else assert.equal(s.time_control, undefined, `${preset}: a plain clock has no time_control`);
      if (want.cycle) assert.equal(s.time_per_cycle_ms, want.cycle);
      if (want.groups) assert.equal(s.groups.length, want.groups);
      // Names travel in metadata, one per participant.
      for (const p of s.participants) assert.ok(s.metadata.names[p.participant_id]);
      for (const l of got.filter((x) => x.kind === 'player')) {
        const pid = new URL(l.href).searchParams.get('as');
        assert.equal(s.metadata.names[pid], l.label);
      }
      made[preset] = s.session_id;
      if (preset === 'chess-5-3') await shot(page, 'create-share-links');
      await page.click('#another');
    }
    figures.presets = Object.keys(made);
    assert.deepEqual(page.problems, []);
  } finally {
    await ctx.close();
  }
});

test('a hand-made clock: host starts it, players see their names, the viewer follows', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  try {
    const page = await openPage(ctx, `${open.url}/`);
    await page.waitForSelector('#preset-buttons .preset');
    await page.fill('#title', 'Club final');
    await page.selectOption('#mode', 'per_participant');
    await page.fill('#total', '3');
    await page.fill('#increment', '2');
    await page.click('#add-player');
    const names = ['Ada', 'Grace', 'Edsger'];
    const rows = await page.$$('#players .row');
    assert.equal(rows.length, 3);
    for (let i = 0; i < 3; i++) await rows[i].$eval('.player-name', (el, v) => { el.value = v; }, names[i]);
    await rows[2].$eval('.player-time', (el) => { el.value = '4'; });
    await page.click('#create');
    await page.waitForSelector('#result:not([hidden])');
    const got = await links(page);
    assert.deepEqual(got.filter((l) => l.kind === 'player').map((l) => l.label), names);

    const host = await openPage(ctx, got.find((l) => l.kind === 'host').href);
    const edsger = await openPage(ctx, got.find((l) => l.label === 'Edsger').href);
    const viewer = await openPage(ctx, got.find((l) => l.kind === 'viewer').href);
    for (const p of [host, edsger, viewer]) await waitLive(p);
    assert.match(await viewer.textContent('#banner'), /Waiting for the host/);
    assert.equal(await viewer.isVisible('#controls'), false);
    assert.equal(await edsger.isVisible('#controls'), false);
    assert.match(await edsger.textContent('#role'), /Edsger/);
    assert.deepEqual(await edsger.$$eval('.tile .digits', (d) => d.map((x) => x.textContent)), ['3:00', '3:00', '4:00']);

    await host.click('#start');
    await viewer.waitForFunction(() => document.querySelector('#status').textContent === 'Running');
    // Host adds 30 s to the second player.
    const second = await host.$$eval('.tile', (t) => t[1].dataset.participantId);
    await host.click(`.tile[data-participant-id="${second}"] .adj[data-delta="1"]`);
    await viewer.waitForFunction((pid) => document.querySelector(`.tile[data-participant-id="${pid}"] .digits`).textContent === '3:30', second);
    // Space bar on the host switches; the viewer sees the second player run.
    await host.keyboard.press('Space');
    await viewer.waitForFunction((pid) => document.querySelector('.tile.running')?.dataset.participantId === pid, second);
    await host.click('#pause');
    await viewer.waitForFunction(() => document.querySelector('#status').textContent === 'Paused');
    await host.click('#resume');
    await viewer.waitForFunction(() => document.querySelector('#status').textContent === 'Running');
    await shot(host, 'live-desktop-host');
    await host.click('#complete');
    await host.click('#complete');
    await viewer.waitForFunction(() => document.querySelector('#status').textContent === 'Finished');
    for (const p of [page, host, edsger, viewer]) assert.deepEqual(p.problems, []);
  } finally {
    await ctx.close();
  }
});

test('auth on: the page asks for a creator token, keeps it, and the links carry their own tokens', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  try {
    const page = await openPage(ctx, `${secured.url}/`);
    await page.waitForSelector('#preset-buttons .preset');
    await page.click('.preset[data-preset="chess-5-3"]');
    await page.click('#create');
    await page.waitForSelector('#form-error:not([hidden])');
    assert.match(await page.textContent('#form-error'), /needs an access token/);
    assert.equal(await page.$eval('#auth-box', (d) => d.open), true);
    await shot(page, 'create-needs-token');

    const admin = secured.mintToken({ role: 'admin', sub: 'organiser', sessions: ['*'] });
    await page.fill('#creator-token', admin);
    await page.click('#create');
    await page.waitForSelector('#result:not([hidden])');
    const got = await links(page);
    for (const l of got) assert.match(new URL(l.href).hash, /^#token=[\w-]+\.[\w-]+\.[\w-]+$/, `${l.kind} link has a token`);
    assert.equal(await page.evaluate(() => localStorage.getItem('synckairos.creatorToken')), admin);

    const white = got.find((l) => l.label === 'White');
    const black = got.find((l) => l.label === 'Black');
    viewerLink = got.find((l) => l.kind === 'viewer').href;
    const host = await openPage(ctx, got.find((l) => l.kind === 'host').href);
    const pw = await openPage(ctx, white.href);
    const pb = await openPage(ctx, black.href);
    for (const p of [host, pw, pb]) await waitLive(p);
    await host.click('#start');
    await pw.waitForFunction(() => document.querySelector('#status').textContent === 'Running');
    const whiteId = new URL(white.href).searchParams.get('as');
    const blackId = new URL(black.href).searchParams.get('as');
    await pw.click(`.tile[data-participant-id="${whiteId}"]`);
    await pb.waitForFunction((pid) => document.querySelector('.tile.running')?.dataset.participantId === pid, blackId);
    await host.waitForFunction((pid) => document.querySelector('.tile.running')?.dataset.participantId === pid, blackId);

    // A player's token cannot drive someone else's clock, even past the page.
    const whiteToken = decodeURIComponent(new URL(white.href).hash.slice('#token='.length));
    const refused = await pw.evaluate(async ([id, t]) => (await fetch(`/v1/sessions/${id}/pause`, { method: 'POST', headers: { authorization: `Bearer ${t}` } })).status,
      [new URL(white.href).searchParams.get('session'), whiteToken]);
    assert.equal(refused, 403);

    // The token is remembered for the next visit.
    const again = await openPage(ctx, `${secured.url}/`);
    await again.waitForSelector('#preset-buttons .preset');
    assert.equal(await again.inputValue('#creator-token'), admin);
    figures.auth = { shareLinks: got.map((l) => l.kind) };
    assert.deepEqual(pw.problems.filter((x) => !/403/.test(x)), [], 'only the refused pause above');
    for (const p of [host, pb]) assert.deepEqual(p.problems, []);
  } finally {
    await ctx.close();
  }
});

// The share endpoint's viewer token is a participant token whose sub is nobody's id:
// it reads, and a switch from it is refused.
test('auth on: the viewer link from share opens the clock read-only', async () => {
  assert.ok(viewerLink, 'the previous test made the links');
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  try {
    const viewer = await openPage(ctx, viewerLink);
    await waitLive(viewer, 10000);
    assert.equal(await viewer.isVisible('#controls'), false);
    const u = new URL(viewerLink);
    const token = decodeURIComponent(u.hash.slice('#token='.length));
    const status = await viewer.evaluate(async ([id, t]) => (await fetch(`/v1/sessions/${id}/switch`, { method: 'POST', headers: { authorization: `Bearer ${t}` } })).status,
      [u.searchParams.get('session'), token]);
    assert.equal(status, 403, 'a viewer token cannot switch');
    await shot(viewer, 'live-viewer-auth');
    assert.deepEqual(viewer.problems.filter((x) => !/403/.test(x)), []);
  } finally {
    await ctx.close();
  }
});

test('each preset runs live: the host starts it and switches, every mode draws its clocks', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const out = {};
  try {
    const page = await openPage(ctx, `${open.url}/`);
    await page.waitForSelector('#preset-buttons .preset');
    const tiles = {
      'chess-5-3': 2, 'exam-60': 1, debate: 2, 'turn-30': 3, stopwatch: 1,
      'rapid-15-10-bronstein': 2, 'classical-90-40': 2, 'go-byoyomi': 2, 'canadian-10-25': 2, 'hourglass-1': 2,
    };
    for (const [preset, count] of Object.entries(tiles)) {
      await page.click(`.preset[data-preset="${preset}"]`);
      await page.click('#create');
      await page.waitForSelector('#result:not([hidden])');
      const hostHref = await page.getAttribute('#open-host', 'href');
      await page.click('#another');
      const host = await openPage(ctx, hostHref);
      await waitLive(host);
      assert.equal(await host.$$eval('#clocks .tile', (t) => t.length), count, `${preset}: tiles`);
      await host.click('#start');
      await host.waitForFunction(() => document.querySelector('.tile.running'));
      const first = await host.$eval('.tile.running', (t) => ({ unit: t.dataset.unit, text: t.querySelector('.digits').textContent }));
      await host.waitForFunction((f) => document.querySelector('.tile.running .digits').textContent !== f, first.text, { timeout: 5000 });
      let switched = null;
      if (count > 1) {
        await host.keyboard.press('Space');
        await host.waitForFunction((u) => document.querySelector('.tile.running')?.dataset.unit !== u, first.unit, { timeout: 5000 });
        switched = await host.$eval('.tile.running', (t) => t.dataset.unit);
        assert.notEqual(switched, first.unit);
      }
      out[preset] = { tiles: count, firstShown: first.text, switched: switched !== null };
      await shot(host, `mode-${preset}`);
      assert.deepEqual(host.problems, []);
      await host.close();
    }
    figures.modes = out;
  } finally {
    await ctx.close();
  }
});

test('the create page fits a phone (390 px): no sideways scrolling', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  try {
    const page = await openPage(ctx, `${open.url}/`);
    await page.waitForSelector('#preset-buttons .preset');
    for (const preset of ['chess-5-3', 'debate']) {
      await page.click(`.preset[data-preset="${preset}"]`);
      const m = await page.evaluate(() => [document.scrollingElement.scrollWidth, innerWidth]);
      assert.ok(m[0] <= m[1], `${preset}: scrollWidth ${m[0]} > ${m[1]}`);
    }
    await shot(page, 'create-phone');
    await page.click('#create');
    await page.waitForSelector('#result:not([hidden])');
    const m = await page.evaluate(() => [document.scrollingElement.scrollWidth, innerWidth]);
    assert.ok(m[0] <= m[1], `links: scrollWidth ${m[0]} > ${m[1]}`);
    await shot(page, 'create-share-links-phone');
    assert.deepEqual(page.problems, []);
  } finally {
    await ctx.close();
  }
});
