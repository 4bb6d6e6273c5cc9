// One HTTP GET with a timeout, turning every way it can fail into a typed ProviderError. The timeout covers
// the body too (a server that trickles bytes forever), the body is read up to a limit (one that never ends),
// and redirects are not followed: the configured headers (credentials) would go with them to wherever the
// Location points. No message holds the URL's user or password, or a token in its query.
import type { ProviderError, Result } from './types.ts';
import { stoppedPhrase } from '../util/internal-error-stop.ts';
import { retryAfterMs } from '../util/retry-after.ts';
import { isCertificateError } from '../util/tls-certificate-errors.ts';

export interface HttpResponse {
  status: number;
  body: string;
  /** The Content-Type header, when the server sent one. */
  contentType?: string;
  /** A 429's or 503's Retry-After, in ms from when it was read, when it said one. */
  retryAfterMs?: number;
}

export type Fetch = typeof fetch;

/** Largest answer read (bytes): a range of 10,000 points per series for dozens of bucket series fits. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/**
 * Why a request failed, from what caused fetch's error ("fetch failed" says nothing): the system's or TLS's
 * code, with its text when the code alone does not say it (`DEPTH_ZERO_SELF_SIGNED_CERT: self-signed
 * certificate`, `UND_ERR_SOCKET: other side closed`), as a health check says it (targets/http-check.ts).
 */
function failureText(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } }).cause;
  const code = causeCode(error);
  const text = typeof cause?.message === 'string' && cause.message ? cause.message : undefined;
  if (!code && text === 'bad port')
    return `fetch never connects to this port (a port browsers block, see the Fetch standard's "bad port"), so nothing was sent: serve it on another port`;
  if (code && text && !text.includes(code)) return `${code}: ${text}`;
  if (text) return code ? text : `${(error as Error).message ?? String(error)}: ${text}`;
  const message = (error as Error).message ?? String(error);
  return code ? `${message} (${code})` : message;
}

/**
 * Names of query (or fragment) parameters that carry a credential: `token`, `access_token`, `api_key`,
 * `apikey`, `X-Amz-Signature`, `sig`, `password`, `client_secret`, `auth`, ... Any parameter whose name holds
 * one of these words: a harmless one hidden costs nothing, a token shown is leaked.
 */
const SECRET_PARAM =
  /token|secret|passw(?:or)?d|pwd|api[-_.]?key|apikey|auth|signature|credential|session|jwt|bearer|private|^(?:key|sig|pass)$/i;

/** The values of the credential-shaped parameters of a URL's query (`?access_token=...`), as sent. */
export function queryCredentials(url: URL): string[] {
  return [...url.searchParams].flatMap(([name, value]) =>
    value !== '' && SECRET_PARAM.test(name) ? [value] : [],
  );
}

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * The URL (or URL template) with the value of every credential-shaped parameter of its query or fragment
 * replaced by `mask` (`?token=[redacted]&query=up`); the rest is kept as written.
 */
export function redactUrlQuery(url: string, mask: string): string {
  const at = url.search(/[?#]/);
  if (at < 0) return url;
  return (
    url.slice(0, at) +
    url
      .slice(at)
      .replace(
        /([?#&;])([^=&#;?\s]+)=([^&#;\s]*)/g,
        (whole: string, sep: string, name: string, value: string) =>
          value !== '' && SECRET_PARAM.test(decodedName(name)) ? `${sep}${name}=${mask}` : whole,
      )
  );
}

/**
 * Text with the credentials of every URL in it replaced: its user and password (`http://***@host`) and
 * credential-shaped query parameters (`?access_token=***`).
 */
export function withoutUrlCredentials(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, '$1***@')
    .replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*/gi, (url) => redactUrlQuery(url, '***'));
}

export function classifyFetchError(
  provider: string,
  error: unknown,
  timeoutMs: number,
  signal?: AbortSignal,
): ProviderError {
  const name = (error as { name?: string }).name;
  if (signal?.aborted) return { provider, code: 'aborted', message: stoppedPhrase(signal) };
  if (name === 'TimeoutError')
    return { provider, code: 'timeout', message: `no answer within ${timeoutMs}ms` };
  if (causeCode(error) === 'ECONNREFUSED')
    return { provider, code: 'connection-refused', message: 'connection refused' };
  const message = withoutUrlCredentials(failureText(error));
  // The server's certificate refused (self-signed, expired, another host's): the same one comes next time.
  if (isCertificateError(causeCode(error)))
    return {
      provider,
      code: 'network',
      message,
      permanent: true,
    };
  return { provider, code: 'network', message };
}

/** The body as text, or undefined once it passes `maxBytes` (the rest is not read). */
async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream, which closes the connection.
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Where a redirect leads, without its user, password, query or fragment. */
function redirectTarget(location: string | null, from: string): string {
  if (!location) return 'nowhere (no Location)';
  try {
    const url = new URL(location, from);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'an invalid Location';
  }
}

export async function httpGet(
  provider: string,
  url: string,
  options: {
    timeoutMs: number;
    headers?: Record<string, string>;
    signal?: AbortSignal;
    fetch?: Fetch;
    maxBytes?: number;
  },
): Promise<Result<HttpResponse>> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  try {
    const response = await (options.fetch ?? fetch)(url, {
      headers: options.headers,
      signal,
      redirect: 'manual',
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      const where = redirectTarget(response.headers.get('location'), url);
      return {
        ok: false,
        error: {
          provider,
          code: 'http-status',
          status: response.status,
          message: `HTTP ${response.status} redirected to ${where}; redirects are not followed (the request's headers would go with them): set the url to the address it leads to`,
        },
      };
    }
    const body = await readBounded(response, maxBytes);
    if (body === undefined)
      return {
        ok: false,
        error: {
          provider,
          code: 'too-large',
          status: response.status,
          message: `the answer is larger than ${maxBytes} bytes; nothing of it was used`,
        },
      };
    const contentType = response.headers.get('content-type') ?? undefined;
    const wait =
      response.status === 429 || response.status === 503
        ? retryAfterMs(response.headers.get('retry-after'))
        : undefined;
    return {
      ok: true,
      value: {
        status: response.status,
        body,
        ...(contentType ? { contentType } : {}),
        ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      },
    };
  } catch (error) {
    return { ok: false, error: classifyFetchError(provider, error, options.timeoutMs, options.signal) };
  }
}
