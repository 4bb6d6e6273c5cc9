// `deploy-action reconcile [-e ENV]... [--json]`: reconciles the environments whose records the CLI keeps in
// the config's state_dir (docs/reconcile.md). A rollout owned by a process on this host that is gone is
// rolled back (or, with `on_orphan: resume`, resumed by this process); due retired slots are torn down. Exit 0 when nothing that was due failed, 1 when something
// did, 2 for bad input (an environment not in the config).
import { hostname, userInfo } from 'node:os';
import { FileControlChannel } from '../control/file-channel.ts';
import type { RawConfig } from '../config/schema.ts';
import { formatReconcileText, reconcileEntryLine } from '../report/reconcile.ts';
import { cliRunReporter } from './run-reporter.ts';
import { ownerStatusFor, thisProcessOwner } from '../reconcile/owner.ts';
import { fileReconcileLock } from './reconcile-lock.ts';
import { reconcile, ReconcileUsageError, type ReconcileEntry } from '../reconcile/run.ts';
import { fileStrayRecords } from '../reconcile/stray.ts';
import { FileStateStore } from '../state/file-store.ts';
import { EXIT_CODES } from '../util/exit-codes.ts';
import { cancelCliOnSignals } from './cancellation.ts';
import { guardRun } from '../util/crash-guard.ts';
import { stoppedByOf } from '../util/internal-error-stop.ts';
import { unfinishedAtDeadline } from '../reconcile/unfinished.ts';
import { rollbackWatch } from '../pipeline/rollback-seen.ts';
import { rolloutsInHand } from '../reconcile/in-hand.ts';
import { fanOut } from '../pipeline/events.ts';
import { cliReconcileNotifiers } from './reconcile-notifiers.ts';
import { plain } from '../report/terminal.ts';

export interface ReconcileCliOptions {
  environment?: string[];
  config: string;
  stateDir?: string;
  json?: boolean;
  /** Judge due times as of this instant instead of now (never earlier than now: see parseReconcileTime). */
  at?: Date;
  /** Adopt what the `current` command reports as the record of the one environment named (src/reconcile/adopt.ts). */
  adoptCurrent?: boolean;
}

export interface ReconcileCliDeps {
  out(text: string): void;
  err(text: string): void;
  /** Loads and validates a config file, printing its problems; undefined when it is invalid. */
  loadConfig(path: string, json: boolean): Promise<RawConfig | undefined>;
  /** Aborted by a signal the command heard before this function listened (main.ts: while the config loaded). */
  cancelled?: AbortSignal;
}

// The option parsers live in usage.ts, which main.ts loads without this module.
export { collectEnvironments, parseReconcileTime } from './usage.ts';

export async function reconcileCli(opts: ReconcileCliOptions, deps: ReconcileCliDeps): Promise<number> {
  const config = await deps.loadConfig(opts.config, !!opts.json);
  if (!config) return EXIT_CODES.invalidOrBlocked;
  const reporter = cliRunReporter(opts.json, deps.out);
  // Whether a rollback began, and how those that ended went, for the crash deadline's words (as a deployment's:
  // pipeline/rollback-seen.ts).
  const rollback = rollbackWatch();
  // The entries done so far (each environment's, once reconciled), for the crash deadline's last line.
  const done: ReconcileEntry[] = [];
  // Whether stopping it puts a rollout back, for the crash's words.
  const inHand = rolloutsInHand();
  // One store per state directory (environments share the config's, unless one is overridden).
  const stores = new Map<string, FileStateStore>();
  // A resumed rollout is cancelled like a deployment: SIGINT/SIGTERM rolls it back before exit.
  const cancellation = cancelCliOnSignals((message) =>
    reporter.event({ type: 'log', level: 'warn', message }),
  );
  // Slack, Teams and webhooks for the rollouts it goes on with or rolls back (docs/notifications.md).
  const notifiers = cliReconcileNotifiers(config, 'reconcile', reporter, cancellation);
  // A rollout taken up or rolled back here moves traffic: an uncaught error stops it through this cancellation
  // (its rollback goes on to the stable version), and the process exits once reconcile has ended, or at the
  // crash deadline (util/crash-guard.ts).
  let exitCode: number | undefined;
  // Whether its outcome was said (the summary, or at the crash deadline what is known): one of them, once.
  let said = false;
  const crashGuard = guardRun({
    abort: (reason) => cancellation.abort(reason),
    rolloutInHand: () => inHand.now(),
    rollbackProgress: rollback.progress,
    // Still going at the crash deadline: the last line says so (a `--json` reader waits for one).
    atDeadline: (late) => {
      if (said) return exitCode;
      said = true;
      const unfinished = unfinishedAtDeadline(late.after, rollback.seen(), rollback.ended());
      const stoppedBy = stoppedByOf(cancellation.signal) ?? 'an internal error';
      deps.out(reconcileDeadlineText(!!opts.json, done, stoppedBy, unfinished));
    },
  });
  try {
    // The notifiers are closed (within their bound) before the summary, so no warning follows it.
    const summary = await reconcile({
      config,
      environments: opts.environment,
      storeFor: (env) => {
        if (!stores.has(env.stateDir)) stores.set(env.stateDir, new FileStateStore(env.stateDir));
        return stores.get(env.stateDir)!;
      },
      ...notifiers.options,
      // No GitHub here: rollouts owned by a workflow run are left alone (owner_unknown) for the Action's.
      ownerStatus: ownerStatusFor({}),
      // Another reconcile (cron overlapping a manual one) at work on an environment keeps it.
      exclusive: fileReconcileLock(),
      dueBy: opts.at,
      // A handed-off rollout's requests (deploy-action promote|pause|resume|abort) are in the state dir.
      controlFor: (env) => new FileControlChannel(env.stateDir, env.name),
      actor: `reconcile:cli:${hostname()}`,
      ...(opts.adoptCurrent
        ? { adoptCurrent: true, requestedBy: `${userName()} via reconcile:cli:${hostname()}` }
        : {}),
      owner: thisProcessOwner(),
      signal: deps.cancelled ? AbortSignal.any([cancellation.signal, deps.cancelled]) : cancellation.signal,
      reporter: fanOut([reporter, rollback.reporter]),
      rolloutInHand: inHand.told,
      entryDone: (entry) => void done.push(entry),
      stateDir: opts.stateDir,
      strayRecords: () => fileStrayRecords(config, opts.stateDir),
    }).finally(() => notifiers.close());
    exitCode = summary.failed ? EXIT_CODES.failed : EXIT_CODES.success;
    // Not once the crash deadline said what was known (the process is exiting with it).
    if (!said) {
      said = true;
      if (opts.json) deps.out(`${JSON.stringify({ type: 'reconcile', ...summary })}\n`);
      else deps.out(formatReconcileText(summary));
    }
    return exitCode;
  } catch (error) {
    if (!(error instanceof ReconcileUsageError)) throw error;
    // As main's refusals: with --json on standard output too, where the reader looks.
    if (opts.json)
      deps.out(
        `${JSON.stringify({ type: 'reconcile', ok: false, code: 'invalid_input', message: error.message })}\n`,
      );
    deps.err(`error: ${error.message}\n`);
    exitCode = EXIT_CODES.invalidOrBlocked;
    return exitCode;
  } finally {
    cancellation.release();
    try {
      await reporter.close?.();
    } finally {
      // After a crash stopped it, the process exits here, failed (3 if a rollback did not complete).
      crashGuard.end(exitCode);
    }
  }
}

/**
 * What reconcile prints last at the crash deadline, still going: the entries done before (each environment
 * reconciled in this run; it said `entries: []` of those too), failed, why, and what is unfinished; as text, the
 * entries' lines, then the stop's. Pure.
 */
export function reconcileDeadlineText(
  json: boolean,
  done: readonly ReconcileEntry[],
  stoppedBy: string,
  unfinished: string,
): string {
  if (json)
    return `${JSON.stringify({ type: 'reconcile', entries: done, failed: true, stoppedBy, unfinished })}\n`;
  const lines = done.map(reconcileEntryLine);
  lines.push(`reconcile: stopped by an internal error (${plain(stoppedBy)}): ${unfinished}`);
  return `${lines.join('\n')}\n`;
}

/** Who runs this process, for an adoption's history entry (`someone` where the system cannot say). */
function userName(): string {
  try {
    return userInfo().username || 'someone';
  } catch {
    return 'someone';
  }
}
