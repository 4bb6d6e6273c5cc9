// HTTP health checks made by the tool itself: status, optional body pattern, timeout, retries. Redirects are
// not followed (a 3xx is the answer), the body is read only for a pattern and only its first MAX_BODY_BYTES,
// and a user:password in the URL is sent as basic auth and never shown.
import type { ResolvedHealthCheck } from '../config/resolve.ts';
import { render, type TemplateValues } from './template.ts';
import { abortableSleep } from '../util/sleep.ts';
import { stoppedPhrase } from '../util/internal-error-stop.ts';

type HttpCheck = Extract<ResolvedHealthCheck, { kind: 'http' }>;

/** `final`: trying again cannot help (a command that cannot start, a value refused): no readiness wait. */
export type CheckResult = { ok: true; detail: string } | { ok: false; detail: string; final?: true };

export function renderUrl(template: string, values: TemplateValues): string {
  return render(template, values, encodeURIComponent);
}

/** The part of a body a pattern is matched against: a health page that streams forever still answers. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Up to `max` bytes of the body as text, and whether there was more (not read: the connection is closed). */
export async function bodyStart(response: Response, max: number): Promise<{ text: string; cut: boolean }> {
  if (!response.body) return { text: '', cut: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > max) break;
  }
  return { text: Buffer.concat(chunks).subarray(0, max).toString('utf8'), cut: size > max };
}

/** The URL to request without its user and password, and those as an Authorization header. */
export function withoutCredentials(url: string): { url: string; headers: Record<string, string> } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, headers: {} };
  }
  if (!parsed.username && !parsed.password) return { url, headers: {} };
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  const userinfo = `${decode(parsed.username)}:${decode(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.href,
    headers: { authorization: `Basic ${Buffer.from(userinfo).toString('base64')}` },
  };
}

export async function httpCheckOnce(
  check: HttpCheck,
  target: string,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const timeout = AbortSignal.timeout(check.timeoutMs);
  // Details name the URL without its credentials; fetch would refuse it with them (and quote it).
  const { url, headers } = withoutCredentials(target);
  try {
    const response = await fetch(url, {
      method: check.method,
      headers,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: 'manual',
    });
    const body =
      check.method === 'HEAD' || check.body === undefined
        ? { text: '', cut: false }
        : await bodyStart(response, MAX_BODY_BYTES);
    // What was not read is not waited for.
    await response.body?.cancel().catch(() => undefined);
    if (!check.expectStatus.includes(response.status)) {
      return {
        ok: false,
        detail: `${url} answered ${response.status}, expected ${check.expectStatus.join(' or ')}`,
      };
    }
    if (check.body !== undefined && !new RegExp(check.body).test(body.text)) {
      const read = body.cut ? ` (in its first ${MAX_BODY_BYTES} bytes)` : '';
      return {
        ok: false,
        detail: `${url} answered ${response.status} but the body does not match /${check.body}/${read}`,
      };
    }
    return { ok: true, detail: `${url} answered ${response.status}` };
  } catch (error) {
    if (timeout.aborted) return { ok: false, detail: `${url} did not answer within ${check.timeoutMs}ms` };
    if (signal?.aborted) return { ok: false, detail: `${url}: ${stoppedPhrase(signal)}` };
    return { ok: false, detail: `${url}: ${requestFailure(error, url)}` };
  }
}

/**
 * Why a request failed, from fetch's error ("fetch failed" says nothing): the system's or TLS's code, with its
 * text when the code alone does not say it (a self-signed certificate), or fetch's own reason (a blocked port).
 */
export function requestFailure(error: unknown, url: string): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const text = typeof cause?.message === 'string' ? cause.message : undefined;
  if (!code && text === 'bad port') {
    let port = '';
    try {
      port = ` ${new URL(url).port}`;
    } catch {
      // The URL parsed for the request: it parses here too.
    }
    return `fetch never connects to port${port} (a port browsers block, see the Fetch standard's "bad port"): serve the health check on another port`;
  }
  if (code && text && !text.includes(code)) return `${code}: ${text}`;
  return code ?? text ?? (error as Error).message;
}

/** Retries until healthy or out of attempts (1 + retries). */
export async function httpCheck(
  check: HttpCheck,
  values: TemplateValues,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const url = renderUrl(check.url, values);
  let last: CheckResult = { ok: false, detail: `${withoutCredentials(url).url}: not checked` };
  for (let attempt = 0; attempt <= check.retries; attempt++) {
    if (attempt > 0) await abortableSleep(check.intervalMs, signal);
    if (signal?.aborted) break;
    last = await httpCheckOnce(check, url, signal);
    if (last.ok) return last;
  }
  return { ok: false, detail: `${last.detail} (after ${check.retries + 1} attempt(s))` };
}
