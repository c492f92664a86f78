// Typed errors: every failure the SDK reports is a SyncKairosError whose `code` is the
// server's SPEC §3 code, or NETWORK_ERROR / TIMEOUT when no HTTP answer arrived.

/** @type {Record<number, string>} the code to assume when an error body is missing */
const CODE_BY_STATUS = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMIT_EXCEEDED',
  503: 'UNAVAILABLE',
};

export class SyncKairosError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{ status?: number, details?: unknown, retryAfterMs?: number, cause?: unknown }} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'SyncKairosError';
    /** @type {any} */
    this.code = code;
    this.status = extra.status ?? 0;
    if (extra.details !== undefined) this.details = extra.details;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
  }
}

/**
 * Retry-After is either delta-seconds or an HTTP date.
 * @param {string | null | undefined} value
 * @returns {number | undefined} milliseconds
 */
export function parseRetryAfter(value, nowMs = Date.now()) {
  if (value == null || value === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * An HTTP error answer (status >= 400) as a SyncKairosError.
 * @param {number} status
 * @param {any} body parsed JSON or null
 * @param {string | null} [retryAfter] the Retry-After header
 */
export function errorFromResponse(status, body, retryAfter) {
  const err = body && typeof body === 'object' ? body.error : undefined;
  const code =
    (err && typeof err.code === 'string' && err.code) ||
    CODE_BY_STATUS[status] ||
    (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR');
  const message = (err && typeof err.message === 'string' && err.message) || `HTTP ${status}`;
  // /ready answers 503 with a flat body: keep it as the details.
  const details = err ? err.details : body ?? undefined;
  return new SyncKairosError(code, message, {
    status,
    details: details === null ? undefined : details,
    retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(retryAfter) : undefined,
  });
}

/** Errors after which retrying cannot help: the connection stops. */
export function isFatal(/** @type {SyncKairosError} */ e) {
  return e.code === 'UNAUTHORIZED' || e.code === 'FORBIDDEN' || e.code === 'SESSION_NOT_FOUND'
    || e.code === 'NOT_FOUND' || e.code === 'VALIDATION_ERROR';
}
