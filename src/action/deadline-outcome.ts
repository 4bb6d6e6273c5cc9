// What the Action writes when the crash deadline comes with the run it stopped still going (crash-guard.ts):
// the process exits with the rollback unfinished, and without this the step ended with no status or code
// output and an empty job summary, only an annotation saying to check the environment.
import type { CrashDeadline } from '../util/crash-decision.ts';
import { code, say } from '../report/markdown.ts';
import {
  deadlineRollback,
  stoppedRunWords,
  trafficBackAtDeadline,
  type RollbackSeen,
} from '../pipeline/rollback-seen.ts';
import type { RollbackRecord } from '../pipeline/events.ts';

export interface DeadlineOutcomeIo {
  setOutput(name: string, value: string): void;
  /** Appends Markdown to the job summary. */
  writeSummary(markdown: string): Promise<void>;
}

/** How far the run's rollback had come at the deadline: whether one began, and the records of those ended. */
export interface DeadlineSeen {
  seen: RollbackSeen;
  ended: ReadonlyArray<RollbackRecord>;
}

/**
 * The outputs of a run still going at the crash deadline: failed, and what its rollback did (deadlineRollback).
 * A rollback still going: `rollback_failed`, rolled back, `rollback` `incomplete` (not known to have put traffic
 * back: a person must look, action.yml). None begun: `internal_error`, not rolled back, no `rollback` output (as
 * of any run with no rollback); traffic is where the run left it. Pure.
 */
export function deadlineOutputs({ seen, ended }: DeadlineSeen): Record<string, string> {
  const { code, rolledBack, rollback } = deadlineRollback(seen, ended);
  return {
    status: 'failed',
    code,
    'rolled-back': String(rolledBack),
    ...(rollback === undefined ? {} : { rollback }),
  };
}

/**
 * The job summary's section for it: what happened (whether a rollback had begun: `seen`), what is not known, what
 * to check and who finishes it. Pure.
 */
export function deadlineSummary(
  environment: string,
  version: string,
  late: CrashDeadline,
  { seen, ended }: DeadlineSeen,
): string {
  const verdict = deadlineRollback(seen, ended);
  // A teardown left undone (`cleanup-incomplete`) still put traffic back.
  const trafficBack = trafficBackAtDeadline(verdict);
  const title =
    seen === 'running'
      ? `the rollback of ${say(version, 100)} did not finish in time`
      : `the stopped deployment of ${say(version, 100)} did not end in time`;
  return [
    `## ❌ ${say(environment, 100)}: ${title}`,
    '',
    `An internal error stopped the deployment of ${say(version, 100)} to ${say(environment, 100)} (the error is in ` +
      `the job log), and ${stoppedRunWords(seen, late.after)}: the action exited with it unfinished.`,
    '',
    trafficBack
      ? `**Its rollback ${verdict.rollback === 'complete' ? 'completed' : 'put traffic back (a teardown was left undone)'} (traffic back on the stable version), but the run did not end: check ` +
        `${say(environment, 100)} now** (which version its router sends traffic to, and which slots or instances run).`
      : `**Traffic may not be back on the stable version: check ${say(environment, 100)} now** (which version its ` +
        'router sends traffic to, and which slots or instances run).',
    '',
    // Known only once a rollback began (the rollout was written before traffic moved): a run stuck before
    // one may have been stopped before its record's write landed.
    seen === 'not_begun'
      ? `- Whether the state record keeps the rollout is not known (the run may have been stopped before writing it): ` +
        `a reconcile run (${reconcileWays(environment)}) takes up what it keeps; while it keeps one, deployments to ` +
        `${say(environment, 100)} are refused.`
      : `- The state record keeps the rollout: a reconcile run rolls it back (${reconcileWays(environment)}); until ` +
        `then deployments to ${say(environment, 100)} are refused.`,
    `- Outputs: ${Object.entries(deadlineOutputs({ seen, ended }))
      .map(([name, value]) => `${code(name)} ${code(value)}`)
      .join(', ')}; exit code ${late.code}.`,
    '',
  ].join('\n');
}

/** The two ways to run reconcile for `environment`, as Markdown. Pure. */
function reconcileWays(environment: string): string {
  return `${code(`deploy-action reconcile -e ${environment}`)}, or the action with ${code('mode: reconcile')}`;
}

/** Writes the outputs, then the job summary (its failure is the caller's to say). */
export async function writeDeadlineOutcome(
  environment: string,
  version: string,
  late: CrashDeadline,
  seen: DeadlineSeen,
  io: DeadlineOutcomeIo,
): Promise<void> {
  for (const [name, value] of Object.entries(deadlineOutputs(seen))) io.setOutput(name, value);
  await io.writeSummary(deadlineSummary(environment, version, late, seen));
}
