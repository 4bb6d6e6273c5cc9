// The I/O edge: POSTing JSON to a webhook and calling Slack's Web API. Every request has its own timeout and
// also stops when the notifier's close deadline passes. Error messages never carry the URL (a webhook URL is
// a secret) nor the token.
import type { WebClient } from '@slack/web-api';
import { abortableSleep } from '../util/sleep.ts';
import { retryAfterMs } from '../util/retry-after.ts';

export class DeliveryError extends Error {
  /** A timeout or the close deadline: the channel did not answer. */
  readonly timedOut: boolean;
  /** Slack's error code (`message_not_found`...), when Slack answered with one. */
  readonly slackCode?: string;
  constructor(message: string, timedOut = false, slackCode?: string) {
    super(message);
    this.name = 'DeliveryError';
    this.timedOut = timedOut;
    if (slackCode) this.slackCode = slackCode;
  }
}

function aborted(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/**
 * The longest wait a channel's rate limit (429 and its Retry-After) is waited out, once, before the one repeat:
 * Slack allows about a message a second per channel or webhook, and a run sends its events in a burst. Well
 * within a send's 5 s timeout, which bounds the wait and the repeat together; a longer Retry-After fails at once.
 */
export const MAX_RATE_LIMIT_WAIT_MS = 2_000;

/**
 * Runs `attempt` again once after a rate limit's wait, when `waitOf` reads a wait within MAX_RATE_LIMIT_WAIT_MS
 * from what it threw or answered; the signal ends the wait (the send's timeout, the close deadline).
 */
async function withOneRateLimitRepeat<T>(
  attempt: () => Promise<T>,
  waitOf: (error: unknown) => number | undefined,
  signal: AbortSignal | undefined,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    const wait = waitOf(error);
    if (wait === undefined || wait > MAX_RATE_LIMIT_WAIT_MS) throw error;
    await abortableSleep(wait, signal);
    if (signal?.aborted) throw new DeliveryError('no answer in time', true);
    return untilAborted(attempt(), signal);
  }
}

/**
 * `work`, or "no answer in time" once `signal` aborts first: the repeat ends within the send's bound. A webhook's
 * fetch listens to the signal itself; a Slack call is bounded by the client's own timeout only, so a repeat
 * begun just before the bound would otherwise run a whole timeout past it.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new DeliveryError('no answer in time', true));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

class RateLimited extends DeliveryError {
  readonly waitMs: number | undefined;
  constructor(waitMs: number | undefined) {
    super(
      `HTTP 429 (rate limited${waitMs !== undefined ? `; retry after ${Math.ceil(waitMs / 1000)} s` : ''})`,
    );
    this.waitMs = waitMs;
  }
}

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  await withOneRateLimitRepeat(
    () => postOnce(url, body, headers, signal),
    (error) => (error instanceof RateLimited ? error.waitMs : undefined),
    signal,
  );
}

async function postOnce(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'deploy-action', ...headers },
      body,
      signal,
      redirect: 'error',
    });
  } catch (error) {
    if (aborted(error) || signal.aborted) throw new DeliveryError('no answer in time', true);
    // The cause's code or message (ECONNREFUSED, "bad port"): neither holds the URL's path, where the secret is.
    const reason = (error as { cause?: { code?: string; message?: string } }).cause;
    const cause = reason?.code ?? reason?.message;
    throw new DeliveryError(`request failed${cause ? ` (${cause})` : ''}`);
  }
  // The body is not read (its text is not shown: it may echo what was sent), only cancelled, which releases
  // the connection: a receiver whose answer never ends cannot hold the channel until the timeout.
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 429) throw new RateLimited(retryAfterMs(response.headers.get('retry-after')));
  if (!response.ok) throw new DeliveryError(`HTTP ${response.status}`);
}

/**
 * A Slack Web API call, asked once more after a rate limit's short wait (the client rejects rate-limited
 * calls rather than waiting on its own, unbounded); what it throws is as slackError says.
 */
export async function slackCall<T>(attempt: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  try {
    return await withOneRateLimitRepeat(
      attempt,
      (error) => {
        const e = error as { code?: string; retryAfter?: unknown };
        return e.code === 'slack_webapi_rate_limited_error' &&
          typeof e.retryAfter === 'number' &&
          Number.isFinite(e.retryAfter)
          ? Math.max(0, e.retryAfter * 1000)
          : undefined;
      },
      signal,
    );
  } catch (error) {
    throw slackError(error);
  }
}

/** A Slack Web API client that never retries or waits on a rate limit, with every request bounded. */
export async function slackClient(
  token: string,
  options: { apiUrl?: string; timeoutMs: number; signal: AbortSignal },
): Promise<WebClient> {
  // A CommonJS package: bundled, its exports may only be on `default` (node gives them named as well).
  const loaded = await import('@slack/web-api');
  const { WebClient, LogLevel } = loaded.WebClient ? loaded : loaded.default;
  const silent = {
    debug() {},
    info() {},
    warn() {},
    error() {},
    setLevel() {},
    getLevel: () => LogLevel.ERROR,
    setName() {},
  };
  return new WebClient(token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    timeout: options.timeoutMs,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    allowAbsoluteUrls: false,
    logger: silent,
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, options.signal]) : options.signal,
      }),
  });
}

/** What a failed Slack call says, without the request (which holds the token). */
export function slackError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = error as {
    code?: string;
    data?: { error?: string };
    name?: string;
    message?: string;
    statusCode?: number;
    original?: { cause?: { code?: string } };
  };
  if (aborted(error) || (e.code === 'slack_webapi_request_error' && /abort|timeout/i.test(e.message ?? '')))
    return new DeliveryError('no answer in time', true);
  if (e.data?.error) return new DeliveryError(`Slack: ${e.data.error}`, false, e.data.error);
  if (typeof e.statusCode === 'number') return new DeliveryError(`Slack: HTTP ${e.statusCode}`);
  // A 429 whose Retry-After the client cannot read: it throws a plain error saying so (its text quotes the
  // API's URL and is not shown).
  if (!e.code && /^Retry header did not contain a valid timeout/.test(e.message ?? ''))
    return new DeliveryError('Slack: rate limited');
  if (e.code === 'slack_webapi_rate_limited_error') {
    const after = (error as { retryAfter?: unknown }).retryAfter;
    return new DeliveryError(
      `Slack: rate limited${typeof after === 'number' && Number.isFinite(after) ? `; retry after ${after} s` : ''}`,
    );
  }
  if (e.code === 'slack_webapi_request_error') {
    // The network's reason (ECONNREFUSED...), like postJson: never the request, which holds the token.
    const cause = e.original?.cause;
    return new DeliveryError(`Slack: request failed${cause?.code ? ` (${cause.code})` : ''}`);
  }
  return new DeliveryError(`Slack: ${e.code ?? 'request failed'}`);
}
