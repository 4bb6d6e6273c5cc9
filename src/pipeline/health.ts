// Runs a set of health checks (HTTP, or commands whose exit 0 means healthy), each with its own retries.
import type { ResolvedHealthCheck } from '../config/resolve.ts';
import { httpCheck, type CheckResult } from '../targets/http-check.ts';
import { CommandFailed, runCommand, type OutputLine } from '../targets/run-command.ts';
import type { TemplateValues } from '../targets/template.ts';
import { abortableSleep } from '../util/sleep.ts';
import { stoppedPhrase } from '../util/internal-error-stop.ts';

export async function runHealthChecks(
  checks: ResolvedHealthCheck[],
  values: TemplateValues,
  options: { signal?: AbortSignal; onOutput?: (line: OutputLine) => void },
): Promise<CheckResult> {
  if (checks.length === 0) return { ok: true, detail: 'no health checks configured' };
  const results = await Promise.all(checks.map((check) => runOne(check, values, options)));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0)
    return {
      ok: false,
      detail: failed.map((r) => r.detail).join('; '),
      ...(failed.some((r) => r.final) ? { final: true as const } : {}),
    };
  return { ok: true, detail: results.map((r) => r.detail).join('; ') };
}

/**
 * The health checks of a version just deployed, tried again until they pass or `readyTimeoutMs` has passed
 * since the first try (seed 01: `kubectl wait --for=condition=ready --timeout=300s` after the deploy): a
 * version still starting fails its checks for a while, and that is not its failure. A round is every check
 * with its own retries; between rounds the longest of the checks' intervals (at least 1 s). 0: one round. A
 * failure no later round can change (a command that cannot start) ends it at once.
 */
export async function waitUntilReady(
  checks: ResolvedHealthCheck[],
  values: TemplateValues,
  options: {
    signal?: AbortSignal;
    onOutput?: (line: OutputLine) => void;
    readyTimeoutMs: number;
    /** The clock (tests). */
    now?: () => number;
  },
): Promise<CheckResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const pauseMs = Math.max(1000, ...checks.map((check) => check.intervalMs));
  for (let round = 1; ; round++) {
    const result = await runHealthChecks(checks, values, options);
    const waited = now() - started;
    if (result.ok)
      return round === 1 ? result : { ok: true, detail: `${result.detail} (ready after ${seconds(waited)})` };
    if (result.final || options.signal?.aborted || waited + pauseMs > options.readyTimeoutMs)
      return round === 1
        ? result
        : { ...result, detail: `${result.detail}; not ready after ${seconds(waited)} (${round} rounds)` };
    await abortableSleep(pauseMs, options.signal);
    if (options.signal?.aborted)
      return {
        ok: false,
        detail: `${result.detail}; ${stoppedPhrase(options.signal)} while waiting for it to become ready`,
      };
  }
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

async function runOne(
  check: ResolvedHealthCheck,
  values: TemplateValues,
  options: { signal?: AbortSignal; onOutput?: (line: OutputLine) => void },
): Promise<CheckResult> {
  if (check.kind === 'http') return httpCheck(check, values, options.signal);
  let last = '';
  let attempts = 0;
  let final = false;
  for (let attempt = 0; attempt <= check.retries; attempt++) {
    attempts++;
    if (attempt > 0) await abortableSleep(check.intervalMs, options.signal);
    if (options.signal?.aborted) break;
    try {
      await runCommand(check.command, values, {
        signal: options.signal,
        onOutput: options.onOutput,
        label: 'health',
      });
      return { ok: true, detail: `${check.source} passed` };
    } catch (error) {
      if (!(error instanceof CommandFailed)) throw error;
      last = error.message;
      if (error.reasonCode === 'template' || error.reasonCode === 'spawn') {
        final = true;
        break;
      }
    }
  }
  return {
    ok: false,
    detail: attempts > 1 ? `${last} (after ${attempts} attempts)` : last,
    ...(final ? { final: true as const } : {}),
  };
}
