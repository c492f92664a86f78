// SyncKairos client SDK: plain ES modules for browsers and Node >= 20, no build step.
// Types: index.d.ts. API contract: README.md.
export { SyncKairosError } from './errors.js';
export { SyncKairosClient } from './rest.js';
export { SessionConnection } from './connection.js';
export { ServerClock, estimateOffset } from './clock.js';
export { fullJitterDelay } from './backoff.js';
export { formatDuration, nextChangeIn, tick } from './display.js';
export { remaining, liveClock, elapsed, used, sessionElapsed, activeParticipant, deadline } from './live.js';
