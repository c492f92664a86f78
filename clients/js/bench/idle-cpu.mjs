// What an open clock costs the browser, side by side in one run: the live page (redraws
// only when a displayed digit changes, via the SDK's tick) against the same SDK and
// session drawn by the usual fixed loop (requestAnimationFrame, every frame). Same
// browser, same server, same session, one after the other; Chromium's own Performance
// counters for each renderer over the same window.
//
//   SYNCKAIROS_BIN=build/release/src/app/synckairos node clients/js/bench/idle-cpu.mjs [seconds]
import { launchBrowser, startPageServer, createChess, apiOk, clockUrl } from '../test/browser/helpers.js';

const windowMs = Number(process.argv[2] ?? 20) * 1000;

// The fixed-loop reference: the SDK's connection and formatting, redrawn every frame.
const loopPage = `<!doctype html><meta charset="utf-8"><div id="a"></div><div id="b"></div>
<script type="module">
import { SyncKairosClient, formatDuration } from '/sdk/index.js';
const q = new URLSearchParams(location.search);
const conn = new SyncKairosClient().connect(q.get('session'));
const ids = [q.get('a'), q.get('b')];
const els = [document.getElementById('a'), document.getElementById('b')];
(function frame() {
  ids.forEach((id, i) => { const ms = conn.remaining(id); if (ms != null) els[i].textContent = formatDuration(ms); });
  requestAnimationFrame(frame);
})();
</script>`;

async function measure(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForTimeout(2000); // connected, synced, first paint done
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const a = await metrics();
  await page.waitForTimeout(windowMs);
  const b = await metrics();
  await page.close();
  const perS = (name, scale = 1) => Math.round(((b[name] - a[name]) * scale * 10) / (windowMs / 1000)) / 10;
  return {
    taskMsPerS: perS('TaskDuration', 1000),
    scriptMsPerS: perS('ScriptDuration', 1000),
    layoutsPerS: perS('LayoutCount'),
    styleRecalcsPerS: perS('RecalcStyleCount'),
    cpuPercent: Math.round(((b.TaskDuration - a.TaskDuration) / (windowMs / 1000)) * 1000) / 10,
  };
}

const server = await startPageServer();
const browser = await launchBrowser();
try {
  const { id, pids } = await createChess(server, { totalMs: 600000 });
  await apiOk(server, 'POST', `/v1/sessions/${id}/start`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.route('**/bench-loop*', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: loopPage }));
  const page = await measure(context, clockUrl(server, id, 'viewer'));
  const loop = await measure(context, `${server.url}/bench-loop?session=${id}&a=${pids[0]}&b=${pids[1]}`);
  console.log(JSON.stringify({ windowS: windowMs / 1000, livePage: page, fixedLoop: loop }, null, 2));
} finally {
  await browser.close();
  await server.stop();
}
