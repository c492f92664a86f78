// The live clock: /clock?session=<id>&as=<participant id | host | viewer>#token=<jwt>
//
// Everything shown is computed from the last server state and the synced server
// clock (the SDK's SessionConnection); nothing counts by itself. The page redraws
// only when a displayed digit changes (the SDK's tick()), never in a frame loop.
// Time controls (SPEC §2): the digits show the SDK's liveClock().displayMs (the period
// in overtime), with the delay left as its own digits and bar, and a line for periods,
// moves and stages under them.
import { SyncKairosClient, formatDuration, tick, liveClock } from '/sdk/index.js';
import {
  $, h, isUuid, participantName, groupName, sessionTitle, describeError, STATUS_LABELS,
} from './common.js';
import { wakeLock, beeper } from './device.js';
import {
  byIndex, buildUnits, participant, lowThreshold, unitExpired, unitName,
} from './units.js';
import { describeControl, clockLine, delayOf, span } from './control-text.js';

// ---- the link ---------------------------------------------------------------

const params = new URLSearchParams(location.search);
const sessionId = (params.get('session') || '').trim().toLowerCase();
const as = (params.get('as') || 'viewer').trim().toLowerCase();
const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') || '';
const role = as === 'host' ? 'host' : as === 'viewer' ? 'viewer' : 'player';
const me = role === 'player' ? as : null;

// ---- counters for tests and the curious -------------------------------------

const epochNow = () => performance.timeOrigin + performance.now();
const stats = {
  redraws: 0,        // digit texts written (one per displayed change)
  fullRenders: 0,    // whole-view renders (a new server state, a connection change)
  renderMs: 0,       // total time spent rendering, performance.now() based
  startedAt: performance.now(),
  startedAtEpoch: epochNow(),
  connHistory: [],   // [{t (epoch ms), text}] every change of the connection label
  expiredShownAt: null, // epoch ms when a time-out was first shown
  warnings: [],      // [{t (epoch ms), participant_id?, group_id?, threshold_ms, level}] TIME_WARNINGs shown
};
window.skStats = stats;
Object.defineProperty(stats, 'wakeLock', { enumerable: true, get: () => lock.held });
const display = new Map(); // participant id → {text, remainingMs, renderedAt, renderedAtServer}
window.skDisplay = () => Object.fromEntries(display);

// ---- page state -------------------------------------------------------------

const client = new SyncKairosClient({ token: () => token || undefined });
let conn = null;
let snapshot = null;     // newest state seen (from the connection, or the first GET)
let fatal = false;
let units = [];          // one clock tile each: a participant, a team (per_group) or the session (global)
let unitsKey = '';
let stopTick = null;
let everConnected = false;
let connTimer = null;
let bannerTimer = null;
let lastLow = new Map(); // unit key → was low at the last paint (for the beep)

const beep = beeper();
const lock = wakeLock(() => !fatal && ['pending', 'running', 'paused'].includes(snapshot?.status));

const session = () => conn?.session ?? snapshot;

// ---- failure in words -------------------------------------------------------

function fail(title, text) {
  fatal = true;
  stopTick?.();
  stopTick = null;
  conn?.close();
  $('#message-title').textContent = title;
  $('#message-text').textContent = text;
  $('#message').hidden = false;
  $('#message').dataset.kind = 'error';
  $('#clocks').hidden = true;
  $('#session-clock').hidden = true;
  $('#controls').hidden = true;
  $('#banner').hidden = true;
  $('#hint').hidden = true;
  for (const id of ['#sync', '#beep', '#fullscreen', '#conn', '#status', '#role']) $(id).hidden = true;
  document.title = `${title} — SyncKairos`;
  renderConn();
  lock.update();
}

function failFromError(e) {
  switch (e?.code) {
    case 'SESSION_NOT_FOUND':
    case 'NOT_FOUND':
      return fail('Session not found',
        'There is no clock with this id on this server. It may have been deleted, or it ended ' +
        'and expired, or the link is incomplete. Ask the host for a new link.');
    case 'UNAUTHORIZED':
      return fail('Access refused',
        token
          ? 'The server did not accept the access token in this link (it is invalid or has expired). Ask the host for a new link.'
          : 'This server needs an access token, and this link has none. Ask the host for the full link (the part after “#token=”).');
    case 'FORBIDDEN':
      return fail('Access refused',
        'The access token in this link does not give access to this session. Ask the host for the right link.');
    default:
      return fail('Something went wrong', describeError(e));
  }
}

const FATAL_CODES = new Set(['SESSION_NOT_FOUND', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN']);

// ---- what a tile shows (pure parts: units.js) -------------------------------

// The unit's time now: {ms, dir, live, clock}. Live = it is the running clock; ms is
// what the digits show; clock is the SDK's liveClock() (null for count_up).
function unitValue(u) {
  const s = session();
  const running = s.status === 'running';
  const activeId = s.active_participant_id;
  const isActive = activeId != null && u.pids.includes(activeId);
  if (s.sync_mode === 'count_up') {
    const p = participant(s, u.pids[0]);
    let ms = p?.time_used_ms ?? 0;
    if (running && isActive && conn?.session) ms += Math.max(0, conn.elapsed());
    return { ms, dir: 'up', live: running && isActive, clock: null };
  }
  const pid = isActive ? activeId : u.kind === 'session' ? activeId ?? undefined : u.pids[0];
  let clock = null;
  try {
    // Before the connection has a state (first GET only): that state as it was sent.
    clock = conn?.session ? conn.liveClock(pid) : liveClock(s, pid, s.server_time_ms);
  } catch { clock = null; }
  let ms = clock ? clock.displayMs : null;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    // Before the connection has a state (first GET only) or a mode the SDK has no live value for.
    const p = pid ? participant(s, pid) : null;
    ms = u.kind === 'session' ? s.time_remaining_ms ?? p?.time_remaining_ms ?? null : p?.time_remaining_ms ?? null;
  }
  return { ms: ms == null ? null : Math.max(0, ms), dir: 'down', live: running && (isActive || u.kind === 'session'), clock };
}

// ---- drawing ----------------------------------------------------------------

// Writes one tile's digits. The only thing that runs while the clock ticks.
let inRender = false; // paint() inside render(): render() counts the time
function paint(u) {
  const t0 = performance.now();
  const s = session();
  const v = unitValue(u);
  const text = v.ms == null ? '—' : formatDuration(v.ms, v.dir);
  if (text !== u.text) {
    u.digits.textContent = text;
    if (text.length !== u.text?.length) u.digits.dataset.len = String(text.length);
    u.text = text;
    stats.redraws++;
  }
  const terminal = ['completed', 'cancelled', 'expired'].includes(s.status);
  paintControl(u, s, v.clock, terminal);
  // Low time is what is left before the flag (periods and delay included), not the digits.
  const left = v.clock ? v.clock.untilTimeoutMs : v.ms;
  const low = v.dir === 'down' && left != null && left < lowThreshold(s) && !terminal && !unitExpired(s, u);
  if (low !== !!lastLow.get(u.key)) {
    u.el.classList.toggle('low', low);
    if (low && v.live) beep.warn();
    lastLow.set(u.key, low);
  }
  const renderedAt = epochNow();
  const renderedAtServer = conn?.session ? conn.now() : null;
  if (v.ms != null) u.el.dataset.remainingMs = String(Math.round(v.ms));
  u.el.dataset.renderedAt = String(Math.round(renderedAt));
  const entry = {
    text, remainingMs: v.ms, renderedAt, renderedAtServer, live: v.live,
    clock: v.clock, line: u.lineText ?? '', delayText: u.delay && !u.delay.hidden ? u.delayText : null,
  };
  for (const pid of u.pids) display.set(pid, entry);
  if (!inRender) stats.renderMs += performance.now() - t0;
}

// The time control's parts of a tile: the delay left (digits and a bar, the owner on
// turn only), the line for periods, moves and stages, and data-* for tests and styles.
function paintControl(u, s, c, terminal) {
  const tc = s.time_control;
  const line = clockLine(tc, c);
  if (line !== u.lineText) {
    u.line.textContent = line;
    u.line.hidden = !line;
    u.lineText = line;
  }
  const delayMs = c?.delayRemainingMs;
  const showDelay = typeof delayMs === 'number' && !terminal && ['running', 'paused'].includes(s.status);
  if (showDelay) {
    const text = formatDuration(delayMs);
    if (text !== u.delayText) {
      u.delayDigits.textContent = text;
      u.delayText = text;
      const full = delayOf(tc, c.stageIndex);
      u.delayFill.style.width = `${full > 0 ? Math.min(100, (100 * delayMs) / full) : 0}%`;
    }
  }
  if (u.delay.hidden === showDelay) u.delay.hidden = !showDelay;
  const data = u.el.dataset;
  const set = (key, value) => {
    if (value === undefined || value === null) delete data[key];
    else if (data[key] !== String(value)) data[key] = String(value);
  };
  set('inOvertime', c?.inOvertime);
  set('periodsLeft', c?.periodsLeft);
  set('movesLeftInPeriod', c?.inOvertime ? c.movesLeftInPeriod : undefined);
  set('delayMs', showDelay ? Math.round(delayMs) : undefined);
  set('stageIndex', c?.stageIndex);
  set('movesToNextStage', c?.movesToNextStage);
}

function tileFor(u) {
  const el = h('div', { class: `tile tile-${u.kind}`, tabindex: '0', role: 'button', dataset: { unit: u.key } });
  if (u.kind === 'participant') el.dataset.participantId = u.pids[0];
  if (u.kind === 'group') { el.dataset.groupId = u.gid; el.dataset.participantIds = u.pids.join(' '); }
  if (u.kind === 'session') el.dataset.participantIds = u.pids.join(' ');
  u.el = el;
  u.name = h('span', { class: 'name' });
  u.badge = h('span', { class: 'badge' });
  u.digits = h('div', { class: 'digits', 'aria-live': 'off' });
  u.delayDigits = h('span', { class: 'delay-digits' });
  u.delayFill = h('span', { class: 'delay-fill' });
  u.delay = h('div', { class: 'delay', hidden: true, title: 'Delay left: the main time waits (delay) or is given back (Bronstein)' },
    h('span', { class: 'delay-label' }, 'delay'), u.delayDigits, h('span', { class: 'delay-bar' }, u.delayFill));
  u.line = h('div', { class: 'tc-line', hidden: true });
  u.foot = h('div', { class: 'foot' });
  el.append(h('div', { class: 'head' }, u.name, u.badge), u.digits, u.delay, u.line, u.foot);
  if (role === 'host' && canAdjust(session())) {
    const minus = h('button', { type: 'button', class: 'adj', dataset: { delta: '-1' } }, '−');
    const plus = h('button', { type: 'button', class: 'adj', dataset: { delta: '1' } }, '+');
    for (const b of [minus, plus]) {
      b.addEventListener('click', (ev) => {
        ev.stopPropagation();
        b.blur();
        adjust(u, Number(b.dataset.delta));
      });
    }
    u.adjustLabel = h('span', { class: 'adj-step' });
    u.adjust = h('div', { class: 'adjust' }, minus, u.adjustLabel, plus);
    el.append(u.adjust);
  }
  el.addEventListener('click', () => activate(u));
  el.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') activate(u); });
  u.text = null;
  return el;
}

// Banks can be adjusted; a turn timer only on the turn that runs (the server says so).
function canAdjust(s) {
  return ['per_participant', 'per_group', 'global', 'per_cycle'].includes(s.sync_mode);
}

function chipsFor(s) {
  // global: who is speaking, as chips under the one clock; the host picks the next one.
  return byIndex(s).map((p) => {
    const chip = h('button', { type: 'button', class: 'chip', dataset: { participantId: p.participant_id } });
    chip.addEventListener('click', () => { chip.blur(); activateParticipant(p.participant_id); });
    return chip;
  });
}

function footText(s, u) {
  const parts = [];
  if (u.kind === 'group') {
    const active = s.active_participant_id;
    parts.push(u.pids.map((pid) => (pid === active ? `▶ ${participantName(s, pid)}` : participantName(s, pid))).join(' · '));
  } else if (u.kind === 'participant') {
    const p = participant(s, u.pids[0]);
    if (s.sync_mode === 'per_participant' && p) parts.push(`moves ${p.cycle_count ?? 0}`);
    if (s.sync_mode === 'per_cycle' && p) parts.push(`turns ${p.cycle_count ?? 0}`);
    if (s.sync_mode === 'count_up' && p?.is_active) parts.push('running');
  } else if (u.kind === 'session') {
    const who = s.active_participant_id ? participantName(s, s.active_participant_id) : '';
    if (who && s.participants.length > 1) parts.push(`on turn: ${who}`);
  }
  const control = describeControl(s);
  if (control && u.kind !== 'session') parts.push(control);
  return parts.join('   ');
}

function render() {
  if (fatal) return;
  const s = session();
  if (!s) return renderConn();
  const t0 = performance.now();
  stats.fullRenders++;
  inRender = true;
  try {
    renderState(s);
  } finally {
    inRender = false;
    stats.renderMs += performance.now() - t0;
  }
  if (fatal) return;
  restartTicker(s);
  renderConn();
  lock.update();
}

function renderState(s) {
  if (role === 'player' && !participant(s, me)) {
    return fail('Not a player of this session',
      'This link names a player who is not in this session (removed, or the link is incomplete). Ask the host for your link.');
  }

  $('#message').hidden = true;
  $('#clocks').hidden = false;
  const title = sessionTitle(s);
  $('#title').textContent = title;
  document.title = `${title || 'Clock'} — SyncKairos`;
  $('#role').textContent = role === 'host' ? 'host' : role === 'viewer' ? 'viewer' : `you: ${participantName(s, me)}`;
  const status = $('#status');
  status.textContent = STATUS_LABELS[s.status] || s.status;
  status.dataset.status = s.status;
  document.body.dataset.status = s.status;
  document.body.dataset.mode = s.sync_mode;
  document.body.dataset.role = role;

  const key = `${s.sync_mode}|${byIndex(s).map((p) => `${p.participant_id}:${p.group_id || ''}`).join(',')}|${role}`;
  if (key !== unitsKey) {
    unitsKey = key;
    units = buildUnits(s);
    lastLow = new Map();
    display.clear();
    const box = $('#clocks');
    box.replaceChildren(...units.map(tileFor));
    box.dataset.count = String(units.length);
    if (s.sync_mode === 'global' && s.participants.length > 1) box.append(h('div', { class: 'chips' }, chipsFor(s)));
  }

  const active = s.active_participant_id;
  const running = s.status === 'running';
  const step = Number($('#step').value);
  for (const u of units) {
    const isActive = active != null && (u.kind === 'session' ? running || s.status === 'paused' : u.pids.includes(active));
    const mine = me != null && u.pids.includes(me);
    u.el.classList.toggle('active', isActive && ['running', 'paused'].includes(s.status));
    u.el.classList.toggle('running', isActive && running);
    u.el.classList.toggle('mine', mine);
    u.el.classList.toggle('expired', unitExpired(s, u));
    u.el.classList.toggle('can-tap', canTap(s, u));
    u.name.textContent = unitName(s, u);
    u.badge.textContent = unitExpired(s, u) ? 'time out' : mine ? 'you' : '';
    u.foot.textContent = footText(s, u);
    if (u.adjust) {
      u.adjustLabel.textContent = fmtStep(step);
      u.adjust.hidden = ['completed', 'cancelled', 'expired'].includes(s.status) ||
        (s.sync_mode === 'per_cycle' && !(isActive && running));
    }
    u.el.setAttribute('aria-label', `${unitName(s, u)}${isActive ? ', on turn' : ''}`);
    paint(u);
  }
  for (const chip of document.querySelectorAll('.chip')) {
    const pid = chip.dataset.participantId;
    chip.textContent = participantName(s, pid);
    chip.classList.toggle('active', pid === active);
    chip.classList.toggle('mine', pid === me);
  }
  renderControls(s);
  renderBanner(s);
  renderHint(s);
}

function fmtStep(ms) {
  return ms >= 60000 ? `${ms / 60000} min` : `${ms / 1000} s`;
}

function restartTicker(s) {
  stopTick?.();
  stopTick = null;
  if (s.status !== 'running' || !conn?.session) return;
  const u = units.find((x) => unitValue(x).live);
  if (!u) return;
  const dir = s.sync_mode === 'count_up' ? 'up' : 'down';
  const type = s.time_control?.type;
  // One ticker per moving value, each waking at its next digit change. With a delay the
  // bank holds still at first: its ticker follows bank + delay, which always moves and
  // meets every change of the bank's digits (once the delay is gone the two are equal).
  const main = type === 'delay' ? () => unitValue(u).clock?.untilTimeoutMs ?? null : () => unitValue(u).ms;
  const stops = [tick(main, () => paint(u), { direction: dir })];
  if (type === 'delay' || type === 'bronstein') {
    stops.push(tick(() => unitValue(u).clock?.delayRemainingMs ?? null, () => paint(u)));
  }
  if (type === 'hourglass') {
    // The waiting side's bank grows while the mover's runs.
    for (const other of units) {
      if (other !== u) stops.push(tick(() => unitValue(other).ms, () => paint(other), { direction: 'up' }));
    }
  }
  stopTick = () => { for (const stop of stops) stop(); };
}

function renderControls(s) {
  const box = $('#controls');
  box.hidden = role !== 'host';
  if (role !== 'host') return;
  const st = s.status;
  $('#start').hidden = st !== 'pending';
  $('#pause').hidden = st !== 'running';
  $('#resume').hidden = st !== 'paused';
  $('#switch').hidden = st !== 'running' || s.participants.length < 2;
  $('#complete').hidden = !['pending', 'running', 'paused'].includes(st);
  $('#step').closest('label').hidden = !['pending', 'running', 'paused'].includes(st) || !canAdjust(s);
}

function expiredNames(s) {
  const names = [];
  if (s.sync_mode === 'per_group') {
    for (const u of units) if (unitExpired(s, u)) names.push(groupName(s, u.gid));
  } else if (s.sync_mode !== 'global' && s.sync_mode !== 'count_up') {
    for (const p of byIndex(s)) if (p.has_expired) names.push(participantName(s, p.participant_id));
  }
  return names;
}

function renderBanner(s) {
  const banner = $('#banner');
  if (bannerTimer) return; // a transient message (a time-out that play continues after) is showing
  let text = '';
  if (s.status === 'expired' && stats.expiredShownAt == null) stats.expiredShownAt = epochNow();
  if (s.status === 'expired') {
    const names = expiredNames(s);
    text = names.length ? `Time out: ${names.join(', ')}` : 'Time is up';
  } else if (s.status === 'completed') text = 'Finished';
  else if (s.status === 'cancelled') text = 'Cancelled';
  else if (s.status === 'paused') text = 'Paused';
  else if (s.status === 'pending') text = role === 'host' ? 'Ready: press Start' : 'Waiting for the host to start';
  banner.textContent = text;
  banner.hidden = !text;
  banner.dataset.kind = s.status;
}

function flashBanner(text, ms = 4000, kind = 'expired') {
  const banner = $('#banner');
  clearTimeout(bannerTimer);
  banner.textContent = text;
  banner.dataset.kind = kind;
  banner.hidden = false;
  bannerTimer = setTimeout(() => { bannerTimer = null; const s = session(); if (s) renderBanner(s); }, ms);
}

function renderHint(s) {
  const hint = $('#hint');
  let text = '';
  if (s.status === 'running') {
    if (role === 'player') {
      text = s.active_participant_id === me || (s.sync_mode === 'per_group' && s.active_participant_id === me)
        ? 'Your turn: tap your clock or press space when you are done'
        : 'Waiting for the other side';
    } else if (role === 'host') {
      text = s.participants.length > 1 ? 'Tap the running clock or press space to switch; tap another to hand it the turn' : '';
    }
  }
  if (role === 'viewer') text = 'View only';
  hint.textContent = text;
  hint.hidden = !text;
}

// ---- the connection label ---------------------------------------------------

function connLabel() {
  if (fatal) return ['stopped', 'offline'];
  if (!navigator.onLine) return ['offline', 'offline'];
  if (!conn) return ['connecting', 'connecting'];
  if (conn.state === 'connected') {
    return conn.transport === 'polling' ? ['long-polling', 'polling'] : ['connected', 'connected'];
  }
  if (conn.state === 'connecting') return [everConnected ? 'reconnecting…' : 'connecting…', 'connecting'];
  // The SDK's retryInMs counts down by itself; it is null until the next attempt is scheduled.
  const inMs = conn.retryInMs;
  if (typeof inMs === 'number') return [`reconnecting in ${Math.max(0, Math.ceil(inMs / 1000))} s`, 'retrying'];
  return [everConnected ? 'reconnecting…' : 'connecting…', 'retrying'];
}

function renderConn() {
  const [text, kind] = connLabel();
  const el = $('#conn');
  if (el.textContent !== text) {
    el.textContent = text;
    stats.connHistory.push({ t: epochNow(), text });
    if (stats.connHistory.length > 200) stats.connHistory.shift();
  }
  el.dataset.conn = kind;
  el.title = conn?.lastError && kind !== 'connected' ? describeError(conn.lastError) : '';
  // Counting down "reconnecting in N s" needs a timer, but only while it shows.
  const counting = kind === 'retrying' || kind === 'offline' && !fatal;
  if (counting && !connTimer) connTimer = setInterval(renderConn, 250);
  if (!counting && connTimer) { clearInterval(connTimer); connTimer = null; }
  if (!session() && !fatal) {
    $('#message').hidden = false;
    $('#message').dataset.kind = kind === 'retrying' || kind === 'offline' ? 'warn' : 'info';
    $('#message-title').textContent = kind === 'retrying' || kind === 'offline'
      ? 'Cannot reach the clock server' : 'Connecting to the clock…';
    $('#message-text').textContent = kind === 'retrying'
      ? `The server is not answering. Still trying: ${text}.`
      : kind === 'offline' ? 'This device is offline. The clock appears as soon as the network is back.' : '';
  }
}

function renderSync() {
  const u = conn?.clock?.uncertaintyMs;
  $('#sync').textContent = typeof u === 'number' && Number.isFinite(u) ? `±${Math.max(1, Math.round(u))} ms` : 'sync…';
}

// ---- actions ----------------------------------------------------------------

// Errors of an action in words (a toast). A guarded switch that lost to another tap
// (409) is fine: the other one won.
async function act(fn) {
  try {
    await fn();
  } catch (e) {
    if (e?.code !== 'CONFLICT') toast(describeError(e));
  }
}

// One switch in flight at a time: a double tap sends one request (the version guard
// covers taps on two screens).
let switching = false;
async function doSwitch(o) {
  if (switching) return;
  switching = true;
  stats.lastSwitchClickAt = epochNow();
  try {
    // The connection's switch adds client_lag_ms when the session compensates lag.
    await act(() => (conn ? conn.switchTurn(o) : client.switchTurn(sessionId, o)));
  } finally {
    switching = false;
  }
}

function canTap(s, u) {
  if (s.status !== 'running' || role === 'viewer') return false;
  if (role === 'host') return true;
  return s.active_participant_id === me && u.pids.includes(me);
}

function activate(u) {
  const s = session();
  if (!s || fatal || s.status !== 'running' || role === 'viewer') return;
  const active = s.active_participant_id;
  if (role === 'player') {
    if (active !== me) {
      if (u.pids.includes(me)) toast('Not your turn');
      return;
    }
    if (!u.pids.includes(me)) return;
    return switchFrom(me);
  }
  // host
  if (u.pids.includes(active) || u.kind !== 'participant') return switchFrom(active);
  return doSwitch({ nextParticipantId: u.pids[0], currentParticipantId: active });
}

function activateParticipant(pid) {
  const s = session();
  if (!s || fatal || s.status !== 'running') return;
  if (role === 'host' && pid !== s.active_participant_id) {
    return doSwitch({ nextParticipantId: pid, currentParticipantId: s.active_participant_id });
  }
  if ((role === 'host' || pid === me) && pid === s.active_participant_id) return switchFrom(pid);
}

function switchFrom(pid) {
  // Guarded by who is on turn, not by version: a double tap is refused (409), while a
  // tap right after an unrelated change (time added) still goes through.
  return doSwitch({ currentParticipantId: pid });
}

function adjust(u, sign) {
  const s = session();
  if (!s) return;
  const step = Number($('#step').value) * sign;
  const pid = u.kind === 'session' ? s.active_participant_id || u.pids[0] : u.pids.includes(s.active_participant_id) ? s.active_participant_id : u.pids[0];
  act(() => client.adjustTime(sessionId, pid, step, sign > 0 ? 'host added time' : 'host removed time'));
}

function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 3000);
}

function wireControls() {
  const control = (id, fn) => $(id).addEventListener('click', (ev) => { ev.currentTarget.blur(); act(fn); });
  control('#start', () => client.start(sessionId));
  control('#pause', () => client.pause(sessionId));
  control('#resume', () => client.resume(sessionId));
  $('#switch').addEventListener('click', (ev) => { ev.currentTarget.blur(); switchFrom(session().active_participant_id); });
  // Finish asks twice, without a blocking dialog.
  const done = $('#complete');
  done.addEventListener('click', () => {
    done.blur();
    if (done.dataset.armed) {
      delete done.dataset.armed;
      done.textContent = 'Finish';
      act(() => client.complete(sessionId));
    } else {
      done.dataset.armed = '1';
      done.textContent = 'Sure? Finish';
      setTimeout(() => { delete done.dataset.armed; done.textContent = 'Finish'; }, 3000);
    }
  });
  $('#step').addEventListener('change', (ev) => { ev.currentTarget.blur(); render(); });

  document.addEventListener('keydown', (ev) => {
    if (ev.key !== ' ' || ev.repeat) return;
    if (ev.target.closest?.('input, select, textarea, button, a')) return;
    ev.preventDefault();
    const s = session();
    if (!s || s.status !== 'running' || fatal) return;
    if (role === 'host') switchFrom(s.active_participant_id);
    else if (role === 'player' && s.active_participant_id === me) switchFrom(me);
  });

  const beepBtn = $('#beep');
  const showBeep = () => {
    beepBtn.textContent = beep.on ? 'Beep on' : 'Beep off';
    beepBtn.setAttribute('aria-pressed', String(beep.on));
  };
  beepBtn.addEventListener('click', () => { beepBtn.blur(); beep.set(!beep.on); showBeep(); });
  showBeep();

  const fs = $('#fullscreen');
  fs.hidden = !document.fullscreenEnabled;
  fs.addEventListener('click', () => {
    fs.blur();
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else document.documentElement.requestFullscreen().catch(() => {});
  });
  window.addEventListener('online', renderConn);
  window.addEventListener('offline', renderConn);
}

// ---- start ------------------------------------------------------------------

function boot() {
  document.documentElement.setAttribute('data-booted', '');
  $('#boot-message').hidden = true;
  wireControls();
  renderSync();

  if (!params.get('session')) {
    return fail('This link is not complete',
      'It does not say which session to show (the “session=” part is missing). Ask the host for the full link, or create a new clock.');
  }
  if (!isUuid(sessionId)) {
    return fail('This link is not valid',
      `“${params.get('session').slice(0, 60)}” is not a session id. Check that the link was copied in full.`);
  }
  if (role === 'player' && !isUuid(me)) {
    return fail('This link is not valid',
      `“as=${as.slice(0, 60)}” should be host, viewer or a player's id. Check that the link was copied in full.`);
  }

  conn = client.connect(sessionId);
  window.skConn = conn;
  conn.on('update', () => render());
  conn.on('state', (st) => {
    if (st === 'connected') everConnected = true;
    renderConn();
  });
  conn.on('sync', renderSync);
  conn.on('error', (e) => {
    if (FATAL_CODES.has(e?.code)) failFromError(e);
    else renderConn();
  });
  conn.on('deleted', () => fail('This session was deleted',
    'The host deleted this clock, so there is nothing left to show. Create a new one if you need it.'));
  conn.on('expired', (m) => {
    if (stats.expiredShownAt == null) stats.expiredShownAt = epochNow();
    beep.timeout();
    const s = session();
    if (!s) return;
    const who = m.group_id ? groupName(s, m.group_id) : m.participant_id ? participantName(s, m.participant_id) : '';
    const unit = units.find((u) => (m.group_id && u.gid === m.group_id) || (m.participant_id && u.pids.includes(m.participant_id)));
    unit?.el.classList.add('expired');
    if (m.action === 'auto_advance') flashBanner(`Time: ${who || 'the turn'} ran out, next turn`);
    else if (m.action === 'skip') flashBanner(`Time out: ${who}, play continues`);
    else {
      $('#banner').textContent = who ? `Time out: ${who}` : 'Time is up';
      $('#banner').dataset.kind = 'expired';
      $('#banner').hidden = false;
    }
  });
  // TIME_WARNING (warnings_ms): a short banner; the tile turns low by itself.
  conn.on('warning', (m) => {
    const s = session();
    if (!s || fatal) return;
    stats.warnings.push({ t: epochNow(), participant_id: m.participant_id, group_id: m.group_id, threshold_ms: m.threshold_ms, level: m.level });
    if (stats.warnings.length > 50) stats.warnings.shift();
    const who = m.group_id ? groupName(s, m.group_id) : m.participant_id ? participantName(s, m.participant_id) : '';
    flashBanner(`${who ? `${who}: ` : ''}${span(m.threshold_ms)} left`, 3000, m.level === 'critical' ? 'critical' : 'warning');
  });
  // A first plain GET: the quickest clear answer for a wrong link (404, 401, 403),
  // and something to show while the live connection is still opening.
  client.getSession(sessionId).then((s) => {
    if (fatal) return;
    if (!snapshot || s.version > snapshot.version) snapshot = s;
    render();
  }, (e) => {
    if (FATAL_CODES.has(e?.code)) failFromError(e);
  });
  conn.on('update', (s) => { snapshot = s; });
  renderConn();
}

boot();
