// What the Action writes when the crash deadline comes with the run it stopped still going (crash-guard.ts):
// the process exits with the rollback unfinished, and without this the step ended with no status or code
// output and an empty job summary, only an annotation saying to check the environment.
import type { CrashDeadline } from '../util/crash-decision.ts';
import { code, say } from '../report/markdown.ts';
import { stoppedRunWords, type RollbackSeen } from '../pipeline/rollback-seen.ts';

export interface DeadlineOutcomeIo {
  setOutput(name: string, value: string): void;
  /** Appends Markdown to the job summary. */
  writeSummary(markdown: string): Promise<void>;
}

/** The outputs of a run whose rollback did not end before the crash deadline, as rollback_failed says them. */
export const DEADLINE_OUTPUTS: Readonly<Record<string, string>> = {
  status: 'failed',
  code: 'rollback_failed',
  'rolled-back': 'true',
  // Not known to have put traffic back: a person must look (action.yml, the `rollback` output).
  rollback: 'incomplete',
};

/**
 * The job summary's section for it: what happened (whether a rollback had begun: `seen`), what is not known, what
 * to check and who finishes it. Pure.
 */
export function deadlineSummary(
  environment: string,
  version: string,
  late: CrashDeadline,
  seen: RollbackSeen,
): string {
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
    `**Traffic may not be back on the stable version: check ${say(environment, 100)} now** (which version its ` +
      'router sends traffic to, and which slots or instances run).',
    '',
    `- The state record keeps the rollout: a reconcile run rolls it back (${code(`deploy-action reconcile -e ${environment}`)}, ` +
      `or the action with ${code('mode: reconcile')}); until then deployments to ${say(environment, 100)} are refused.`,
    `- Outputs: ${Object.entries(DEADLINE_OUTPUTS)
      .map(([name, value]) => `${code(name)} ${code(value)}`)
      .join(', ')}; exit code ${late.code}.`,
    '',
  ].join('\n');
}

/** Writes the outputs, then the job summary (its failure is the caller's to say). */
export async function writeDeadlineOutcome(
  environment: string,
  version: string,
  late: CrashDeadline,
  seen: RollbackSeen,
  io: DeadlineOutcomeIo,
): Promise<void> {
  for (const [name, value] of Object.entries(DEADLINE_OUTPUTS)) io.setOutput(name, value);
  await io.writeSummary(deadlineSummary(environment, version, late, seen));
}
