// Retries with exponential backoff for provider calls. Only failures that may pass (timeouts, refused or
// broken connections, 5xx/429) are retried; a bad query or bad JSON will not get better by asking again.
import type { ProviderError, Result } from './types.ts';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryPolicy {
  retries: number;
  backoffMs: number;
  sleep: Sleep;
}

export function isRetryable(error: ProviderError): boolean {
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
    await policy.sleep(delay, signal);
    delay *= 2;
  }
}
