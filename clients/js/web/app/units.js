// What the live page's tiles show, from a session state alone (no DOM, no clock):
// one tile per participant, per team (per_group) or one for the session (global),
// their names, whether each has run out, and the low-time threshold.
import { participantName, groupName, sessionTitle } from './common.js';

export function byIndex(s) {
  return [...(s.participants || [])].sort((a, b) => a.participant_index - b.participant_index);
}

export function buildUnits(s) {
  const people = byIndex(s);
  if (s.sync_mode === 'global') {
    return [{ key: 'session', kind: 'session', pids: people.map((p) => p.participant_id) }];
  }
  if (s.sync_mode === 'per_group') {
    const order = [];
    for (const p of people) if (p.group_id && !order.includes(p.group_id)) order.push(p.group_id);
    return order.map((gid) => ({
      key: gid, kind: 'group', gid,
      pids: people.filter((p) => p.group_id === gid).map((p) => p.participant_id),
    }));
  }
  return people.map((p) => ({ key: p.participant_id, kind: 'participant', pids: [p.participant_id] }));
}

export function participant(s, pid) {
  return s.participants?.find((p) => p.participant_id === pid) || null;
}

export function lowThreshold(s) {
  const w = Array.isArray(s.warnings_ms) ? s.warnings_ms.filter((x) => x > 0) : [];
  return w.length ? Math.min(...w) : 10000;
}

export function unitExpired(s, u) {
  if (u.kind === 'group') {
    const g = s.groups?.find((x) => x.group_id === u.gid);
    if (g?.has_expired) return true;
    return u.pids.every((pid) => participant(s, pid)?.has_expired);
  }
  if (u.kind === 'session') return s.status === 'expired';
  return !!participant(s, u.pids[0])?.has_expired;
}

export function unitName(s, u) {
  if (u.kind === 'group') return groupName(s, u.gid);
  if (u.kind === 'session') return sessionTitle(s) || 'Time left';
  return participantName(s, u.pids[0]);
}
