// Shared pieces of the browser tests: a headless Chromium (playwright-core, the
// system's /usr/bin/chromium), a real synckairos process (test/support), REST calls
// from Node, the artefacts folder and the figures file.
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../support/server.js';

export { randomUUID };
const clientsJs = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const artifacts = process.env.SYNCKAIROS_ARTIFACTS ? resolve(process.env.SYNCKAIROS_ARTIFACTS) : resolve(clientsJs, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** A server for the page: --web-root from env SYNCKAIROS_WEB_ROOT when set (support does that). */
export function startPageServer(args = []) {
  return startServer({ args });
}

/** REST from Node: returns {status, body, headers}. */
export async function api(server, method, path, { body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: res.status, body: json, headers: res.headers };
}

export async function apiOk(server, method, path, o) {
  const r = await api(server, method, path, o);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body?.data ?? r.body;
}

/** A two-player chess session with names in metadata (the page's convention). */
export async function createChess(server, { totalMs = 300000, incrementMs = 0, names = ['White', 'Black'], token, title = 'Test game', extra = {} } = {}) {
  const pids = names.map(() => randomUUID());
  const body = {
    session_id: randomUUID(),
    sync_mode: 'per_participant',
    total_time_ms: totalMs,
    participants: pids.map((participant_id, participant_index) => ({ participant_id, participant_index })),
    metadata: { title, names: Object.fromEntries(pids.map((p, i) => [p, names[i]])) },
    ...(incrementMs ? { increment_ms: incrementMs } : {}),
    ...extra,
  };
  const s = await apiOk(server, 'POST', '/v1/sessions', { body, token });
  return { session: s, id: s.session_id, pids };
}

export function clockUrl(server, id, as, token) {
  return `${server.url}/clock?session=${id}&as=${as}${token ? `#token=${encodeURIComponent(token)}` : ''}`;
}

/** Opens a page and collects its console errors and uncaught exceptions. */
export async function openPage(context, url) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  // The server's Content-Security-Policy forbids inline script and style: any violation is a problem.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  await page.goto(url);
  return page;
}

/** Waits until the page shows a live clock (tiles rendered) and is connected. */
export async function waitLive(page, timeout = 15000) {
  await page.waitForFunction(() => document.querySelector('#clocks .tile') &&
    document.querySelector('#message').hidden &&
    document.querySelector('#conn').dataset.conn === 'connected', null, { timeout });
}

/** Participant id of the tile shown as running, or null. */
export function runningPid(page) {
  return page.evaluate(() => document.querySelector('.tile.running')?.dataset.participantId ?? null);
}

export async function shot(page, name) {
  const path = resolve(artifacts, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Merges one section into test-artifacts/browser-figures.json (test files run one at a time). */
export function recordFigures(section, figures) {
  const file = resolve(artifacts, 'browser-figures.json');
  let all = {};
  try { all = JSON.parse(readFileSync(file, 'utf8')); } catch { /* first writer */ }
  all[section] = { ...figures, recordedAt: new Date().toISOString() };
  writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function percentile(values, p) {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Text of the page's main words (message or clocks), for "never blank" checks. */
export function visibleText(page) {
  return page.evaluate(() => document.body.innerText.trim());
}
