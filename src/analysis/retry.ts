// Retries with exponential backoff for provider calls. Only failures that may pass (timeouts, refused or
// broken connections, 5xx/429) are retried; a bad query or bad JSON will not get better by asking again, nor
// will a certificate refused. A server's Retry-After is waited out, within the read's timeout.
import type { ProviderError, Result } from './types.ts';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryPolicy {
  retries: number;
  backoffMs: number;
  sleep: Sleep;
  /**
   * The longest wait a server's Retry-After is honoured for (the read's timeout): one asking for longer is
   * not waited for, and its error is given at once, saying so. Without it, Retry-After is not read.
   */
  maxRetryAfterMs?: number;
}

export function isRetryable(error: ProviderError): boolean {
  if (error.permanent) return false;
  if (error.code === 'http-status') return error.status === 429 || (error.status ?? 0) >= 500;
  return ['timeout', 'connection-refused', 'network', 'command-failed'].includes(error.code);
}

export async function withRetries<T>(
  attempt: () => Promise<Result<T>>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<Result<T>> {
  let delay = policy.backoffMs;
  for (let tries = 1; ; tries++) {
    const result = await attempt();
    if (result.ok) return result;
    if (tries > policy.retries || !isRetryable(result.error) || signal?.aborted)
      return { ok: false, error: { ...result.error, attempts: tries } };
    // The server said when to ask again (429, 503): not sooner, and never past what the read may take.
    const asked = policy.maxRetryAfterMs === undefined ? undefined : result.error.retryAfterMs;
    if (asked !== undefined && asked > policy.maxRetryAfterMs!)
      return {
        ok: false,
        error: {
          ...result.error,
          message: `${result.error.message} (the server asked to retry after ${Math.ceil(asked / 1000)}s, longer than the read's ${Math.ceil(policy.maxRetryAfterMs! / 1000)}s timeout: not retried)`,
          attempts: tries,
        },
      };
    await policy.sleep(Math.max(delay, asked ?? 0), signal);
    delay *= 2;
  }
}
