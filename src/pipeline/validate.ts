// The validate phase (seed phase 1 / seed 03's mandatory quality gate): every configured gate in parallel;
// BLOCK stops the deployment before anything is touched.
import type { ResolvedEnvironment } from '../config/resolve.ts';
import { changedFilesProvider } from '../gates/changes.ts';
import { gateEntries } from '../gates/registry.ts';
import { runGates, type GatesReport } from '../gates/runner.ts';
import type { GateContext } from '../gates/types.ts';
import type { Reporter } from './events.ts';

export interface ValidateOptions {
  cwd: string;
  /** Base commit for changed-line checks (e.g. origin/main); none: gates look at the whole tree. */
  baseRef?: string;
  headSha?: string;
  only?: string[];
  reporter: Reporter;
  signal?: AbortSignal;
  pullRequest?: GateContext['pullRequest'];
}

export async function runValidate(
  env: Pick<ResolvedEnvironment, 'gates'>,
  options: ValidateOptions,
): Promise<GatesReport> {
  const section = env.gates ?? {};
  const entries = gateEntries(section, options.only);
  const report = await runGates(
    entries,
    {
      cwd: options.cwd,
      baseRef: options.baseRef,
      headSha: options.headSha,
      changedFiles: changedFilesProvider(options.cwd, options.baseRef, options.signal),
      log: (message) => options.reporter.event({ type: 'log', level: 'info', message }),
      env: process.env,
      pullRequest: options.pullRequest,
    },
    {
      concurrency: section.concurrency ?? Math.max(1, entries.length),
      signal: options.signal,
      onStart: (name) => options.reporter.event({ type: 'gate-start', name }),
      onResult: (result) => options.reporter.event({ type: 'gate-end', result }),
    },
  );
  options.reporter.event({ type: 'gates', report });
  return report;
}

/** A one-line summary for the phase record: the status and what did not pass. */
export function gatesSummary(report: GatesReport): string {
  const counts = `${report.gates.length} gate(s) in ${Math.round(report.wallMs)}ms`;
  return report.reasons.length ? `${counts}; ${report.reasons.join('; ')}` : counts;
}
