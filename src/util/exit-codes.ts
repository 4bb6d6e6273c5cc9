// The process exit codes of every deploy-action command that deploys or gates (run, gates, validate, plan),
// in one place so the CLI, the pipeline result and the README cannot drift apart. README.md "The
// command-line tool" documents them; test/unit/cli/exit-codes.test.ts checks that text against this table.
// (`analyze` replays a recording and has its own codes, documented in docs/analysis.md.)

import type { OverallStatus } from '../gates/runner.ts';
import type { PipelineStatus } from '../pipeline/events.ts';

export const EXIT_CODES = {
  /** Deployed, or the gates passed (warnings included), or the config is valid. */
  success: 0,
  /** The deployment failed or was rolled back. */
  failed: 1,
  /** Invalid input (the config file, command-line options) or blocked by the gates. */
  invalidOrBlocked: 2,
  /**
   * The rollback did not complete (a rollback step or level failed, the job cancelled or not): traffic may not
   * be back on the stable version, and the environment needs a person now. Never hidden behind 1, 130 or 143.
   */
  rollbackFailed: 3,
  /** Cancelled by SIGINT (after traffic was put back on the stable version). */
  interrupted: 130,
  /** Cancelled by SIGTERM (after traffic was put back on the stable version). */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * The exit code of a finished deployment, by its outcome and whether a rollback of it did not complete. A
 * cancelled run is SIGINT's until the caller knows which signal cancelled it (util/signals.ts runExitCode).
 */
export function deploymentExitCode(status: PipelineStatus, rollbackFailed = false): ExitCode {
  if (rollbackFailed) return EXIT_CODES.rollbackFailed;
  // A rollout handed off to wait for people or a bake is not a failure of the job.
  if (status === 'succeeded' || status === 'waiting') return EXIT_CODES.success;
  if (status === 'blocked') return EXIT_CODES.invalidOrBlocked;
  if (status === 'cancelled') return EXIT_CODES.interrupted;
  return EXIT_CODES.failed;
}

/** The exit code of `deploy-action gates`: a block is the same "blocked" as in `run`. */
export function gatesExitCode(status: OverallStatus): ExitCode {
  return status === 'BLOCK' ? EXIT_CODES.invalidOrBlocked : EXIT_CODES.success;
}
