// The I/O edge: POSTing JSON to a webhook and calling Slack's Web API. Every request has its own timeout and
// also stops when the notifier's close deadline passes. Error messages never carry the URL (a webhook URL is
// a secret) nor the token.
import type { WebClient } from '@slack/web-api';

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

export async function postJson(
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
  if (!response.ok) throw new DeliveryError(`HTTP ${response.status}`);
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
  if (e.code === 'slack_webapi_rate_limited_error') return new DeliveryError('Slack: rate limited');
  if (e.code === 'slack_webapi_request_error') {
    // The network's reason (ECONNREFUSED...), like postJson: never the request, which holds the token.
    const cause = e.original?.cause;
    return new DeliveryError(`Slack: request failed${cause?.code ? ` (${cause.code})` : ''}`);
  }
  return new DeliveryError(`Slack: ${e.code ?? 'request failed'}`);
}
