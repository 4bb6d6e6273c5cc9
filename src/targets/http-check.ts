// HTTP health checks made by the tool itself: status, optional body pattern, timeout, retries.
import type { ResolvedHealthCheck } from '../config/resolve.ts';
import { render, type TemplateValues } from './template.ts';
import { abortableSleep } from '../util/sleep.ts';

type HttpCheck = Extract<ResolvedHealthCheck, { kind: 'http' }>;

export type CheckResult = { ok: true; detail: string } | { ok: false; detail: string };

export function renderUrl(template: string, values: TemplateValues): string {
  return render(template, values, encodeURIComponent);
}

export async function httpCheckOnce(
  check: HttpCheck,
  url: string,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const timeout = AbortSignal.timeout(check.timeoutMs);
  try {
    const response = await fetch(url, {
      method: check.method,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: 'manual',
    });
    const body = check.method === 'HEAD' ? '' : await response.text();
    if (!check.expectStatus.includes(response.status)) {
      return {
        ok: false,
        detail: `${url} answered ${response.status}, expected ${check.expectStatus.join(' or ')}`,
      };
    }
    if (check.body !== undefined && !new RegExp(check.body).test(body)) {
      return {
        ok: false,
        detail: `${url} answered ${response.status} but the body does not match /${check.body}/`,
      };
    }
    return { ok: true, detail: `${url} answered ${response.status}` };
  } catch (error) {
    if (timeout.aborted) return { ok: false, detail: `${url} did not answer within ${check.timeoutMs}ms` };
    if (signal?.aborted) return { ok: false, detail: `${url}: cancelled` };
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, detail: `${url}: ${cause ?? (error as Error).message}` };
  }
}

/** Retries until healthy or out of attempts (1 + retries). */
export async function httpCheck(
  check: HttpCheck,
  values: TemplateValues,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const url = renderUrl(check.url, values);
  let last: CheckResult = { ok: false, detail: `${url}: not checked` };
  for (let attempt = 0; attempt <= check.retries; attempt++) {
    if (attempt > 0) await abortableSleep(check.intervalMs, signal);
    if (signal?.aborted) break;
    last = await httpCheckOnce(check, url, signal);
    if (last.ok) return last;
  }
  return { ok: false, detail: `${last.detail} (after ${check.retries + 1} attempt(s))` };
}
