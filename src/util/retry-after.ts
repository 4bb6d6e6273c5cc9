// A Retry-After header (RFC 9110 10.2.3) read as a wait: what a notification channel's 429 and a metrics
// server's 429 or 503 ask of the next request.

/** A Retry-After header as milliseconds: delay-seconds or an HTTP date; undefined when it is neither. */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim() ?? '';
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const at = /[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
