// One HTTP GET with a timeout, turning every way it can fail into a typed ProviderError.
import type { ProviderError, Result } from './types.ts';

export interface HttpResponse {
  status: number;
  body: string;
}

export type Fetch = typeof fetch;

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code;
}

export function classifyFetchError(
  provider: string,
  error: unknown,
  timeoutMs: number,
  signal?: AbortSignal,
): ProviderError {
  const name = (error as { name?: string }).name;
  if (signal?.aborted) return { provider, code: 'aborted', message: 'cancelled' };
  if (name === 'TimeoutError')
    return { provider, code: 'timeout', message: `no answer within ${timeoutMs}ms` };
  const code = causeCode(error);
  if (code === 'ECONNREFUSED') return { provider, code: 'connection-refused', message: 'connection refused' };
  const message = (error as Error).message ?? String(error);
  return { provider, code: 'network', message: code ? `${message} (${code})` : message };
}

export async function httpGet(
  provider: string,
  url: string,
  options: { timeoutMs: number; headers?: Record<string, string>; signal?: AbortSignal; fetch?: Fetch },
): Promise<Result<HttpResponse>> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await (options.fetch ?? fetch)(url, { headers: options.headers, signal });
    const body = await response.text();
    return { ok: true, value: { status: response.status, body } };
  } catch (error) {
    return { ok: false, error: classifyFetchError(provider, error, options.timeoutMs, options.signal) };
  }
}
