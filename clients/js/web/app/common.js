// Small helpers shared by the create page and the live clock. No framework.

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s) {
  return typeof s === 'string' && UUID_RE.test(s);
}

export function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context (https or localhost); getRandomValues does not.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// h('div', {class: 'x', dataset: {a: 1}, onclick: fn}, 'text', child…)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

// Names live in metadata: {"names": {"<pid>": "Alice"}, "groups": {"<gid>": "Team A"}, "title": "…"}.
export function participantName(session, pid) {
  const n = session?.metadata?.names?.[pid];
  if (typeof n === 'string' && n.trim()) return n;
  const i = session?.participants?.findIndex((p) => p.participant_id === pid) ?? -1;
  return i >= 0 ? `Player ${i + 1}` : 'Player';
}

export function groupName(session, gid) {
  const n = session?.metadata?.groups?.[gid];
  if (typeof n === 'string' && n.trim()) return n;
  const i = session?.groups?.findIndex((g) => g.group_id === gid) ?? -1;
  return i >= 0 ? `Team ${String.fromCharCode(65 + i)}` : 'Team';
}

export function sessionTitle(session) {
  const t = session?.metadata?.title;
  return typeof t === 'string' && t.trim() ? t : '';
}

export function clockLink(origin, sessionId, as, token) {
  const u = `${origin}/clock?session=${encodeURIComponent(sessionId)}&as=${encodeURIComponent(as)}`;
  // The token goes in the fragment: browsers never send it to the server, so it stays out of logs.
  return token ? `${u}#token=${encodeURIComponent(token)}` : u;
}

export const MODE_LABELS = {
  per_participant: 'Chess clock (a bank per player)',
  per_group: 'Team clock (a bank per team)',
  per_cycle: 'Turn timer (fresh time every turn)',
  global: 'One shared clock (exam, meeting)',
  count_up: 'Stopwatch (counts up)',
};

export const STATUS_LABELS = {
  pending: 'Not started',
  running: 'Running',
  paused: 'Paused',
  completed: 'Finished',
  cancelled: 'Cancelled',
  expired: 'Time out',
};

const CREATOR_TOKEN_KEY = 'synckairos.creatorToken';
export function loadCreatorToken() {
  try { return localStorage.getItem(CREATOR_TOKEN_KEY) || ''; } catch { return ''; }
}
export function saveCreatorToken(t) {
  try {
    if (t) localStorage.setItem(CREATOR_TOKEN_KEY, t);
    else localStorage.removeItem(CREATOR_TOKEN_KEY);
  } catch { /* private mode: keep it for this page only */ }
}

// "Why did it fail" in words, from a SyncKairosError (or anything thrown).
export function describeError(e) {
  const code = e?.code;
  const server = e?.message ? ` (${e.message})` : '';
  switch (code) {
    case 'VALIDATION_ERROR': {
      const d = Array.isArray(e.details) ? e.details.map((x) => `${x.field}: ${x.message}`).join('; ') : '';
      return `The server refused the values${d ? `: ${d}` : server}.`;
    }
    case 'UNAUTHORIZED': return 'The server needs a valid access token.';
    case 'FORBIDDEN': return 'This access token is not allowed to do that.';
    case 'SESSION_NOT_FOUND': return 'The session does not exist (deleted, expired, or a wrong link).';
    case 'SESSION_EXISTS': return 'A session with this id already exists.';
    case 'CONFLICT': return 'Someone else changed the clock first; try again.';
    case 'INVALID_STATE_TRANSITION': return `Not possible now${server}.`;
    case 'RATE_LIMIT_EXCEEDED': return 'Too many requests; wait a moment.';
    case 'UNAVAILABLE': return 'The server is unavailable right now; try again shortly.';
    case 'NETWORK_ERROR': return 'Cannot reach the server.';
    case 'TIMEOUT': return 'The server did not answer in time.';
    default: return `Something went wrong${server || (e ? ` (${String(e)})` : '')}.`;
  }
}
