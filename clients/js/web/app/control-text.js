// Words for a session's time control and for one owner's live clock (SPEC §2 "Time
// controls"), from values alone: no DOM, no clock. The live page puts them under the
// digits; the create page does not need them.
import { formatDuration } from '/sdk/index.js';

/** "30 s", "10 min", "1:30:00": a setting's length in the fewest words. */
export function span(ms) {
  if (!Number.isFinite(ms)) return '';
  if (ms < 60000) return `${Math.round(ms / 100) / 10} s`;
  if (ms % 60000 === 0 && ms < 3600000 * 10) return `${ms / 60000} min`;
  return formatDuration(ms);
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The delay that applies at a stage (stages may set their own). */
export function delayOf(tc, stageIndex) {
  const stage = Array.isArray(tc?.stages) ? tc.stages[stageIndex ?? 0] : undefined;
  return stage?.delay_ms ?? tc?.delay_ms ?? 0;
}

/**
 * The control in a few words, for the foot of each tile: "+30 s a move",
 * "Bronstein 10 s", "byo-yomi 5 × 30 s", "Canadian 25 moves / 10 min", "hourglass".
 * Without a control: the session's increment, as before.
 */
export function describeControl(s) {
  const tc = s.time_control;
  if (!tc) return s.increment_ms > 0 ? `+${s.increment_ms / 1000} s a move` : '';
  const parts = [];
  switch (tc.type) {
    case 'fischer': if (tc.increment_ms > 0) parts.push(`+${span(tc.increment_ms)} a move`); break;
    case 'bronstein': parts.push(`Bronstein ${span(tc.delay_ms)}`); break;
    case 'delay': parts.push(`delay ${span(tc.delay_ms)}`); break;
    case 'byoyomi':
      parts.push(`byo-yomi ${tc.periods} × ${span(tc.period_ms)}`);
      if (tc.increment_ms > 0) parts.push(`+${span(tc.increment_ms)} a move`);
      break;
    case 'canadian': parts.push(`Canadian ${tc.moves} moves / ${span(tc.period_ms)}`); break;
    case 'hourglass': parts.push('hourglass'); break;
    default: break;
  }
  if (tc.lag_compensation) parts.push('lag comp.');
  return parts.join(' · ');
}

/**
 * The live line under an owner's digits: overtime, periods, stage. '' when the control
 * has nothing to say. `c` is the SDK's liveClock().
 */
export function clockLine(tc, c) {
  if (!tc || !c) return '';
  const parts = [];
  if (tc.type === 'byoyomi') {
    if (!c.inOvertime) parts.push(`then ${c.periodsLeft} × ${span(tc.period_ms)}`);
    else if (c.periodsLeft > 1) parts.push(`byo-yomi · ${c.periodsLeft} periods left`);
    else if (c.periodsLeft === 1) parts.push('byo-yomi · last period');
    else parts.push('byo-yomi · no period left');
  } else if (tc.type === 'canadian') {
    if (!c.inOvertime) parts.push(`then ${c.movesLeftInPeriod} moves in ${span(tc.period_ms)}`);
    else parts.push(`overtime · ${plural(c.movesLeftInPeriod, 'move')} to go`);
  }
  if (typeof c.stageIndex === 'number' && Array.isArray(tc.stages) && tc.stages.length > 1) {
    let text = `stage ${c.stageIndex + 1}`;
    if (typeof c.movesToNextStage === 'number') text += ` · ${plural(c.movesToNextStage, 'move')} to stage ${c.stageIndex + 2}`;
    parts.push(text);
  }
  return parts.join(' · ');
}
