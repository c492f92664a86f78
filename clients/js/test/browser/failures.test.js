// Failure in words, never a blank screen: malformed links, an unknown session, a
// deleted one, refused tokens (auth on), a server that stays down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, startPageServer, createChess, api, apiOk, clockUrl, openPage, waitLive,
  shot, recordFigures, randomUUID, visibleText,
} from './helpers.js';

const SECRET = 'browser-test-secret-0123456789abcdef-xyz';
let open;     // auth off
let secured;  // auth on
let browser;
const figures = {};

before(async () => {
  [open, secured] = await Promise.all([startPageServer(), startPageServer(['--jwt-secret', SECRET])]);
  browser = await launchBrowser();
});
after(async () => {
  recordFigures('failures', figures);
  await browser?.close();
  await Promise.all([open?.stop(), secured?.stop()]);
});

async function expectMessage(url, titleRe, { screenshot, textRe } = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  try {
    const page = await openPage(ctx, url);
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#message-title').textContent) &&
      !document.querySelector('#message').hidden, titleRe.source, { timeout: 15000 });
    const title = await page.textContent('#message-title');
    const text = await page.textContent('#message-text');
    assert.ok(text.trim().length > 20, `an explanation in words: "${text}"`);
    if (textRe) assert.match(text, textRe);
    assert.ok((await visibleText(page)).length > 40);
    assert.equal(await page.isVisible('#clocks .tile'), false);
    if (screenshot) await shot(page, screenshot);
    assert.deepEqual(page.problems.filter((p) => !/Failed to load resource/.test(p)), []);
    return { title, text };
  } finally {
    await ctx.close();
  }
}

test('malformed links: no session, a bad session id, a bad as=', async () => {
  const got = {};
  got.missing = await expectMessage(`${open.url}/clock`, /not complete/, { screenshot: 'error-malformed-link' });
  got.badId = await expectMessage(`${open.url}/clock?session=not-a-uuid&as=viewer`, /not valid/);
  got.badAs = await expectMessage(`${open.url}/clock?session=${randomUUID()}&as=someone`, /not valid/);
  figures.malformed = Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.title]));
});

test('unknown session (404) and a player who is not in the session', async () => {
  await expectMessage(clockUrl(open, randomUUID(), 'viewer'), /Session not found/, { screenshot: 'error-unknown-session' });
  const { id } = await createChess(open);
  await expectMessage(clockUrl(open, id, randomUUID()), /Not a player/);
});

test('a session deleted while watched says so', async () => {
  const { id } = await createChess(open, { title: 'Soon deleted' });
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  try {
    const page = await openPage(ctx, clockUrl(open, id, 'viewer'));
    await waitLive(page);
    const r = await api(open, 'DELETE', `/v1/sessions/${id}`);
    assert.equal(r.status, 204);
    await page.waitForFunction(() => /deleted/.test(document.querySelector('#message-title').textContent), null, { timeout: 10000 });
    await shot(page, 'error-deleted');
  } finally {
    await ctx.close();
  }
});

test('auth on: no token, a forged token, a token for another session are refused in words', async () => {
  const admin = secured.mintToken({ role: 'admin', sub: 'admin', sessions: ['*'] });
  const { id, pids: [white] } = await createChess(secured, { token: admin, title: 'Secured' });
  const other = randomUUID();
  await expectMessage(clockUrl(secured, id, 'viewer'), /Access refused/, { textRe: /needs an access token/, screenshot: 'error-no-token' });
  const forged = `${admin.slice(0, -4)}AAAA`;
  await expectMessage(clockUrl(secured, id, 'viewer', forged), /Access refused/, { textRe: /did not accept/, screenshot: 'error-refused-token' });
  const elsewhere = secured.mintToken({ role: 'participant', sub: white, sessions: [other] });
  await expectMessage(clockUrl(secured, id, white, elsewhere), /Access refused/, { textRe: /does not give access/ });

  // And a good participant token works.
  const mine = secured.mintToken({ role: 'participant', sub: white, sessions: [id] });
  const ctx = await browser.newContext();
  try {
    const page = await openPage(ctx, clockUrl(secured, id, white, mine));
    await waitLive(page);
    assert.match(await page.textContent('#role'), /White/);
  } finally {
    await ctx.close();
  }
});

test('a server that is down: the page keeps trying and says so', async () => {
  const { id } = await createChess(open, { title: 'Goes away' });
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  try {
    // The page itself loads, but the API and the WebSocket do not answer (as if the
    // server went away right after serving the page); then they come back.
    let down = true;
    await ctx.route('**/v1/**', (route) => (down ? route.abort('connectionrefused') : route.continue()));
    await ctx.routeWebSocket(/\/ws/, (ws) => {
      if (down) ws.close({ code: 1011, reason: 'down' });
      else ws.connectToServer();
    });
    const page = await openPage(ctx, clockUrl(open, id, 'viewer'));
    await page.waitForFunction(() => /Cannot reach/.test(document.querySelector('#message-title').textContent) &&
      /reconnecting in \d+ s/.test(document.querySelector('#message-text').textContent), null, { timeout: 20000 });
    await shot(page, 'error-server-down');
    down = false;
    await waitLive(page, 40000);
  } finally {
    await ctx.close();
  }
});

test('the page says so when its scripts cannot load (the SDK missing)', async () => {
  const { id } = await createChess(open, { title: 'No SDK' });
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  try {
    await ctx.route('**/sdk/index.js', (route) => route.fulfill({ status: 404, body: 'missing' }));
    for (const url of [clockUrl(open, id, 'viewer'), `${open.url}/`]) {
      const page = await openPage(ctx, url);
      await page.waitForFunction(() => /could not start/.test(document.querySelector('#boot-message')?.textContent), null, { timeout: 15000 });
      assert.ok(await page.isVisible('#boot-message'));
      if (url.includes('/clock')) await shot(page, 'error-scripts-missing');
      await page.close();
    }
  } finally {
    await ctx.close();
  }
});
