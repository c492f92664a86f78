// The create page: presets or a hand-made clock, then share links.
import { SyncKairosClient } from '/sdk/index.js';
import {
  $, h, newId, clockLink, describeError, MODE_LABELS,
  loadCreatorToken, saveCreatorToken,
} from './common.js';
import { PRESETS, TC_DEFAULTS } from './presets.js';
import { controlRequest, parseWarnings } from './control-request.js';

const form = $('#form');
const modeSel = $('#mode');
const tcSel = $('#tc-type');
const playersList = $('#players');
const groupsList = $('#groups');
const tokenInput = $('#creator-token');
const formError = $('#form-error');

const client = new SyncKairosClient({ token: () => tokenInput.value.trim() || undefined });

// ---- form state -------------------------------------------------------------

// Each row keeps its id from the moment it is added, so a link made from a
// session always matches the names typed next to it.
function groupRow(name = '') {
  const id = newId();
  const li = h('li', { class: 'row', dataset: { groupId: id } },
    h('input', { class: 'group-name', 'aria-label': 'Team name', value: name, maxlength: 80,
      placeholder: 'Team name', oninput: refreshGroupChoices }),
    h('button', { type: 'button', class: 'small remove', 'aria-label': 'Remove team',
      onclick: () => { li.remove(); refreshGroupChoices(); } }, '×'));
  return li;
}

function playerRow(name = '', groupIndex = 0) {
  const li = h('li', { class: 'row', dataset: { participantId: newId(), groupIndex } },
    h('input', { class: 'player-name', 'aria-label': 'Player name', value: name, maxlength: 80,
      placeholder: 'Name' }),
    h('label', { class: 'inline', dataset: { modes: 'per_participant' } }, 'own time (min)',
      h('input', { class: 'player-time', type: 'number', min: '0.02', max: '1440', step: 'any',
        placeholder: 'same', 'aria-label': 'Own time in minutes (optional)' })),
    h('select', { class: 'player-group', 'aria-label': 'Team', dataset: { modes: 'per_group' } }),
    h('button', { type: 'button', class: 'small remove', 'aria-label': 'Remove player',
      onclick: () => { if (playersList.children.length > 1) li.remove(); } }, '×'));
  return li;
}

function refreshGroupChoices() {
  const groups = [...groupsList.children].map((li, i) => ({
    id: li.dataset.groupId,
    name: li.querySelector('.group-name').value.trim() || `Team ${String.fromCharCode(65 + i)}`,
  }));
  for (const li of playersList.children) {
    const sel = li.querySelector('.player-group');
    const want = sel.value || groups[Number(li.dataset.groupIndex) || 0]?.id;
    sel.replaceChildren(...groups.map((g) => h('option', { value: g.id }, g.name)));
    if (groups.some((g) => g.id === want)) sel.value = want;
  }
}

function showForMode() {
  const mode = modeSel.value;
  const tc = tcSel.value;
  // Shown when the mode is listed (data-modes) and, for a time control's own fields, the
  // control too (data-tc).
  for (const el of document.querySelectorAll('[data-modes], [data-tc]')) {
    const modeOk = !el.dataset.modes || el.dataset.modes.split(' ').includes(mode);
    const tcOk = !el.dataset.tc || el.dataset.tc.split(' ').includes(tc);
    el.hidden = !(modeOk && tcOk);
  }
  $('#total-label').textContent = {
    per_participant: 'Time per player (minutes)',
    per_group: 'Time per team (minutes)',
    global: 'Total time (minutes)',
  }[mode] || 'Time (minutes)';
}

function applyPreset(p) {
  $('#title').value = p.title;
  modeSel.value = p.mode;
  if (p.totalMin !== undefined) $('#total').value = p.totalMin;
  $('#increment').value = p.incrementS ?? 0;
  if (p.cycleS !== undefined) $('#cycle').value = p.cycleS;
  $('#max').value = '';
  $('#action').value = '';
  const tc = { ...TC_DEFAULTS, ...(p.tc || {}) };
  tcSel.value = tc.type;
  $('#delay').value = tc.delayS;
  $('#periods').value = tc.periods;
  $('#period').value = tc.periodS;
  $('#moves').value = tc.moves;
  $('#stage-moves').value = tc.stageMoves ?? '';
  $('#stage-add').value = tc.stageAddMin ?? '';
  $('#lag-comp').checked = !!tc.lagCompensation;
  $('#warnings').value = '';
  groupsList.replaceChildren(...(p.groups || ['Team A', 'Team B']).map((n) => groupRow(n)));
  playersList.replaceChildren(...p.players.map((x) =>
    Array.isArray(x) ? playerRow(x[0], x[1]) : playerRow(x)));
  refreshGroupChoices();
  showForMode();
  formError.hidden = true;
}

// ---- building the request ---------------------------------------------------

function minutes(input, what) {
  const v = Number(input.value);
  if (!input.value.trim() || !Number.isFinite(v) || v <= 0) throw new Error(`${what}: enter a number of minutes.`);
  const ms = Math.round(v * 60000);
  if (ms < 1000 || ms > 86400000) throw new Error(`${what}: between 1 second and 24 hours.`);
  return ms;
}
function seconds(input, what, { min = 1, max = 86400 } = {}) {
  const v = Number(input.value || 0);
  if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${what}: between ${min} and ${max} seconds.`);
  return Math.round(v * 1000);
}

// A later stage may add nothing (0) up to 24 h.
function stageMinutes(input) {
  const v = Number(input.value);
  if (!Number.isFinite(v) || v < 0 || v > 1440) throw new Error('Second stage adds: between 0 and 1440 minutes.');
  return Math.round(v * 60000);
}

export function buildRequest() {
  const mode = modeSel.value;
  const names = {};
  const participants = [...playersList.children].map((li, i) => {
    const pid = li.dataset.participantId;
    const name = li.querySelector('.player-name').value.trim();
    names[pid] = name || `Player ${i + 1}`;
    const p = { participant_id: pid, participant_index: i };
    if (mode === 'per_participant') {
      const own = li.querySelector('.player-time');
      if (own.value.trim()) p.total_time_ms = minutes(own, `Own time of ${names[pid]}`);
    }
    if (mode === 'per_group') p.group_id = li.querySelector('.player-group').value;
    return p;
  });
  if (participants.length === 0) throw new Error('Add at least one player.');

  const title = $('#title').value.trim();
  const body = { session_id: newId(), sync_mode: mode, participants };
  const metadata = { names };
  if (title) metadata.title = title;

  if (mode === 'per_participant' || mode === 'per_group' || mode === 'global') {
    body.total_time_ms = minutes($('#total'), 'Time');
  }
  if (mode === 'per_participant' || mode === 'per_group') {
    const type = tcSel.value;
    const wholeNumber = (input) => (input.value.trim() ? Number(input.value) : NaN);
    const stageGiven = $('#stage-moves').value.trim() !== '' && ['fischer', 'bronstein', 'delay'].includes(type);
    Object.assign(body, controlRequest({
      type, mode, players: participants.length,
      totalMs: body.total_time_ms,
      incrementMs: ['fischer', 'byoyomi'].includes(type) ? seconds($('#increment'), 'Increment', { min: 0, max: 60 }) : 0,
      delayMs: ['bronstein', 'delay'].includes(type) ? seconds($('#delay'), 'Delay', { min: 0.001, max: 60 }) : 0,
      periods: wholeNumber($('#periods')),
      periodMs: ['byoyomi', 'canadian'].includes(type) ? seconds($('#period'), 'Period length', { min: 1, max: 86400 }) : 0,
      moves: wholeNumber($('#moves')),
      stageMoves: stageGiven ? wholeNumber($('#stage-moves')) : null,
      stageAddMs: stageGiven && $('#stage-add').value.trim() ? stageMinutes($('#stage-add')) : null,
      lagCompensation: $('#lag-comp').checked,
    }));
    if ($('#action').value) body.action_on_timeout = $('#action').value;
  }
  const warnings = parseWarnings($('#warnings').value);
  if (warnings) body.warnings_ms = warnings;
  if (mode === 'per_cycle') body.time_per_cycle_ms = seconds($('#cycle'), 'Time per turn');
  if (mode === 'count_up' && $('#max').value.trim()) body.max_time_ms = minutes($('#max'), 'Stop after');
  if (mode === 'per_group') {
    const used = new Set(participants.map((p) => p.group_id));
    metadata.groups = {};
    body.groups = [...groupsList.children]
      .filter((li) => used.has(li.dataset.groupId))
      .map((li, i) => {
        const gid = li.dataset.groupId;
        metadata.groups[gid] = li.querySelector('.group-name').value.trim() || `Team ${String.fromCharCode(65 + i)}`;
        return { group_id: gid };
      });
    if (body.groups.length < 1) throw new Error('Put the players in teams.');
  }
  body.metadata = metadata;
  return body;
}

// ---- create and share -------------------------------------------------------

async function onSubmit(ev) {
  ev.preventDefault();
  formError.hidden = true;
  let body;
  try { body = buildRequest(); } catch (e) { return showFormError(e.message); }
  saveCreatorToken(tokenInput.value.trim());
  const button = $('#create');
  button.disabled = true;
  button.textContent = 'Creating…';
  try {
    const session = await client.createSession(body);
    let links = null;
    let shareProblem = '';
    try {
      links = await client.share(session.session_id);
    } catch (e) {
      // A server without the share route (404/405) runs without auth as far as links go.
      if (e?.status === 404 || e?.status === 405) links = null;
      else shareProblem = describeError(e);
    }
    showLinks(session, links, shareProblem);
  } catch (e) {
    if (e?.code === 'UNAUTHORIZED' || e?.code === 'FORBIDDEN') {
      $('#auth-box').open = true;
      tokenInput.focus();
      showFormError(e.code === 'UNAUTHORIZED'
        ? (tokenInput.value.trim()
          ? 'The server refused this access token (invalid or expired). Paste a valid admin or arbiter token.'
          : 'This server needs an access token to create clocks. Paste an admin or arbiter token below.')
        : 'This token may not create sessions: it needs the admin role, or arbiter with access to all sessions.');
    } else {
      showFormError(`Could not create the clock. ${describeError(e)}`);
    }
  } finally {
    button.disabled = false;
    button.textContent = 'Create clock';
  }
}

function showFormError(msg) {
  formError.textContent = msg;
  formError.hidden = false;
}

function copyButton(text) {
  const b = h('button', { type: 'button', class: 'small copy' }, 'Copy');
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = 'Copied';
    } catch {
      b.textContent = 'Select and copy';
    }
    setTimeout(() => { b.textContent = 'Copy'; }, 1500);
  });
  return b;
}

function linkItem(kind, label, href, note) {
  return h('li', { class: `link link-${kind}`, dataset: { kind } },
    h('div', { class: 'link-head' }, h('strong', {}, label), note ? h('span', { class: 'hint' }, note) : null),
    h('div', { class: 'link-body' },
      h('input', { class: 'link-url', readonly: true, value: href, 'aria-label': `${label} link`,
        onfocus: (e) => e.target.select() }),
      copyButton(href),
      h('a', { class: 'button small', href, target: '_blank', rel: 'noopener' }, 'Open')));
}

function showLinks(session, links, shareProblem) {
  const origin = location.origin;
  const id = session.session_id;
  const tokenOf = (pid) => links?.participants?.find((p) => p.participant_id === pid)?.token || null;
  const names = session.metadata?.names || {};
  const items = [];
  const hostHref = clockLink(origin, id, 'host', links?.host?.token);
  items.push(linkItem('host', 'Host', hostHref, 'start, pause, add time, switch any clock'));
  for (const p of session.participants) {
    items.push(linkItem('player', names[p.participant_id] || 'Player',
      clockLink(origin, id, p.participant_id, tokenOf(p.participant_id)), 'switches only their own clock'));
  }
  items.push(linkItem('viewer', 'Viewers', clockLink(origin, id, 'viewer', links?.viewer?.token),
    'read-only, any number of screens'));
  $('#links').replaceChildren(...items);

  const title = session.metadata?.title || 'Clock';
  $('#result-summary').textContent = `${title}: ${MODE_LABELS[session.sync_mode] || session.sync_mode}, ` +
    `${session.participants.length} player${session.participants.length === 1 ? '' : 's'}. ` +
    'Send each person their link; the host starts the clock.';
  let note = '';
  if (shareProblem) note = `The links carry no access tokens: ${shareProblem}`;
  else if (links?.auth && !links.can_mint) {
    note = 'This server checks tokens but cannot issue them; add a token of your own to each link as #token=…';
  } else if (links?.auth) {
    note = 'Each link carries its own access token after “#”, which browsers never send to the server' +
      (links.expires_at ? `; the tokens expire ${new Date(links.expires_at).toLocaleString()}.` : '.');
  }
  $('#result-note').textContent = note;
  $('#result-note').hidden = !note;
  $('#open-host').href = hostHref;
  $('#result').hidden = false;
  form.hidden = true;
  $('#presets').hidden = true;
  $('#result').scrollIntoView({ block: 'start' });
}

// ---- wiring -----------------------------------------------------------------

for (const [value, label] of Object.entries(MODE_LABELS)) modeSel.append(h('option', { value }, label));
$('#preset-buttons').append(...PRESETS.map((p) =>
  h('button', { type: 'button', class: 'preset', dataset: { preset: p.id }, onclick: () => applyPreset(p) }, p.label)));
modeSel.addEventListener('change', showForMode);
tcSel.addEventListener('change', showForMode);
$('#add-player').addEventListener('click', () => {
  playersList.append(playerRow('', playersList.children.length % Math.max(1, groupsList.children.length)));
  refreshGroupChoices();
  showForMode();
});
$('#add-group').addEventListener('click', () => {
  groupsList.append(groupRow(''));
  refreshGroupChoices();
});
$('#forget-token').addEventListener('click', () => { tokenInput.value = ''; saveCreatorToken(''); });
$('#another').addEventListener('click', () => {
  $('#result').hidden = true;
  form.hidden = false;
  $('#presets').hidden = false;
  // New ids for the next session's players.
  for (const li of playersList.children) li.dataset.participantId = newId();
});
form.addEventListener('submit', onSubmit);

tokenInput.value = loadCreatorToken();
if (tokenInput.value) $('#auth-box').open = true;
applyPreset(PRESETS[0]);
$('#boot-message').hidden = true;
document.documentElement.setAttribute('data-booted', '');
