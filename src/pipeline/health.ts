// Runs a set of health checks (HTTP, or commands whose exit 0 means healthy), each with its own retries.
import type { ResolvedHealthCheck } from '../config/resolve.ts';
import { httpCheck, type CheckResult } from '../targets/http-check.ts';
import { CommandFailed, runCommand, type OutputLine } from '../targets/run-command.ts';
import type { TemplateValues } from '../targets/template.ts';
import { abortableSleep } from '../util/sleep.ts';

export async function runHealthChecks(
  checks: ResolvedHealthCheck[],
  values: TemplateValues,
  options: { signal?: AbortSignal; onOutput?: (line: OutputLine) => void },
): Promise<CheckResult> {
  if (checks.length === 0) return { ok: true, detail: 'no health checks configured' };
  const results = await Promise.all(checks.map((check) => runOne(check, values, options)));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) return { ok: false, detail: failed.map((r) => r.detail).join('; ') };
  return { ok: true, detail: results.map((r) => r.detail).join('; ') };
}

async function runOne(
  check: ResolvedHealthCheck,
  values: TemplateValues,
  options: { signal?: AbortSignal; onOutput?: (line: OutputLine) => void },
): Promise<CheckResult> {
  if (check.kind === 'http') return httpCheck(check, values, options.signal);
  let last = '';
  let attempts = 0;
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
      if (error.reasonCode === 'template' || error.reasonCode === 'spawn') break;
    }
  }
  return { ok: false, detail: attempts > 1 ? `${last} (after ${attempts} attempts)` : last };
}
