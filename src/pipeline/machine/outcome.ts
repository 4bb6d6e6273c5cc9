// How a run ends: the outcome and its reason code from the state (outcomeOf), then the final records and the
// result (finish). Its own file so the rollback path, the waits and finalize all end a run the same way, and
// none of them needs the task loop for it.
import { usesSlots } from '../../strategies/index.ts';
import { isFirstDeployment } from '../../strategies/capabilities.ts';
import { deploymentExitCode } from '../../util/exit-codes.ts';
import { rollbackShortfall } from '../rollback-shortfall.ts';
import { levelsLeft, levelsUndoneAdvice } from '../rollback-levels.ts';
import { analysisWarnings } from '../analysis-warnings.ts';
import type { OutcomeCode, PipelineResult, PipelineStatus, RollbackRecord } from '../events.ts';
import type { Action, Failure, PipelineState } from './state.ts';
import { track, machineOf, endPhase, report, log, iso } from './bookkeeping.ts';
import { persist } from './records.ts';
import { cancelledAfterHooks, hooksNotUndone } from '../cancelled-after-hooks.ts';

export function closeAndFinish(s: PipelineState, out: Action[], now: number): void {
  const failure = s.failure!;
  if (s.openPhase)
    endPhase(
      s,
      out,
      // A run an internal error stopped failed (its outcome is internal_error): nobody cancelled it.
      failure.kind === 'cancelled' && s.stoppedBy === undefined
        ? 'cancelled'
        : failure.kind === 'handed_off'
          ? 'waiting'
          : 'failed',
      failure.message,
      now,
    );
  out.push(...finish(s, [], now));
}

/**
 * How the rollbacks ended, in words: whether traffic is on stable and, when only the cleanup did not finish,
 * what is left (the record keeps it for reconcile).
 */
function rollbackWords(rollbacks: readonly RollbackRecord[], incomplete = 'rollback incomplete'): string {
  const shortfalls = rollbacks.map(rollbackShortfall);
  if (shortfalls.every((f) => f.kind === 'complete')) return 'traffic on stable';
  const left = shortfalls.flatMap((f) => (f.kind === 'complete' ? [] : f.left)).join(', ');
  return shortfalls.some((f) => f.kind === 'incomplete')
    ? `${incomplete}: ${left}`
    : `traffic on stable; cleanup incomplete: ${left}, left for reconcile`;
}

/**
 * What serves the environment whose hook failed (staging's own when it was staging's migrate), as before: the
 * rollback that undid a failed migrate hook ran before its strategy.
 */
function servesAsBefore(
  s: Pick<PipelineState, 'rollbacks' | 'input'> & Partial<Pick<PipelineState, 'tracks'>>,
) {
  const environment = s.rollbacks[0]?.environment ?? s.input.env.name;
  const live =
    Object.values(s.tracks ?? {}).find((t) => t?.environment === environment)?.live ??
    (environment === s.input.env.name ? s.input.live : {});
  if (live.version) return `${live.version} serves ${environment} as before`;
  if (isFirstDeployment(live))
    return `nothing served ${environment} before (a first deployment), nor does now`;
  return `what served ${environment} serves it as before`;
}

/** The outcome from the state: status, reason code and message (the order of the checks matters). */
export function outcomeOf(
  s: Pick<PipelineState, 'failure' | 'rollbacks' | 'stage' | 'input' | 'hooksBegun'> &
    Partial<Pick<PipelineState, 'tracks' | 'stoppedBy'>>,
): {
  status: PipelineStatus;
  code: OutcomeCode;
  message: string;
} {
  const failure = s.failure;
  const { input } = s;
  if (!failure)
    return {
      status: 'succeeded',
      code: 'deployed',
      message: `${input.version} is live on ${input.env.name}`,
    };
  const message = failure.message;
  const rolledBack = s.rollbacks.length > 0;
  const rollbackOk = s.rollbacks.every((r) => r.ok);
  switch (failure.kind) {
    case 'refused':
      return { status: 'failed', code: 'state_refused', message };
    case 'live_unhealthy':
      return { status: 'failed', code: 'live_unhealthy', message };
    case 'unfinished':
      return { status: 'failed', code: 'rollout_unfinished', message };
    case 'blocked':
      return { status: 'blocked', code: 'gates_blocked', message: `quality gates blocked: ${message}` };
    case 'cancelled':
      if (s.stoppedBy !== undefined) return stoppedByInternalError(s, s.stoppedBy);
      return {
        status: 'cancelled',
        code: 'cancelled',
        message: liveBeforeCancel(s)
          ? `cancelled in finalize, after ${input.version} went live on ${input.env.name}: ${message}`
          : rolledBack
            ? `cancelled; rolled back (${rollbackWords(s.rollbacks)})${hooksNotUndone(s.hooksBegun)}`
            : s.hooksBegun?.length
              ? cancelledAfterHooks(s.hooksBegun, input.env.name)
              : (stagingLiveNote(s, input.env.name, input.version) ?? 'cancelled before anything changed'),
      };
    case 'paused':
      return { status: 'paused', code: 'rollout_paused', message: `rollout paused: ${message}` };
    case 'handed_off':
      return { status: 'waiting', code: 'rollout_waiting', message };
  }
  if (rolledBack && !rollbackOk)
    return {
      status: 'failed',
      code: 'rollback_failed',
      message: `${message}${rollbackFailedWords(s.rollbacks)}`,
    };
  if (failure.kind === 'aborted')
    return {
      status: rolledBack ? 'rolled_back' : 'failed',
      code: 'rollout_aborted',
      message: rolledBack ? `${message}; ${rolledBackTo(input)}` : message,
    };
  if (failure.kind === 'hook')
    return rolledBack
      ? {
          status: 'rolled_back',
          code: 'hook_failed',
          message:
            `${message}; rolled back by its on_rollback levels (${s.rollbacks.flatMap((r) => r.levels.map((l) => l.name)).join(', ')}); ` +
            `nothing was deployed, ${servesAsBefore(s)}`,
        }
      : { status: 'failed', code: 'hook_failed', message };
  if (failure.kind === 'internal')
    return { status: 'failed', code: 'internal_error', message: `internal error: ${message}` };
  const code: OutcomeCode =
    s.stage === 'staging'
      ? 'staging_failed'
      : s.stage === 'verify'
        ? 'verify_failed'
        : s.stage === 'monitor'
          ? 'monitor_failed'
          : s.stage === 'production'
            ? 'strategy_failed'
            : 'internal_error';
  return {
    status: rolledBack ? 'rolled_back' : 'failed',
    code,
    message: rolledBack ? `${message}; ${rolledBackTo(input)}` : message,
  };
}

/**
 * After a failure's message, a rollback that did not complete: where traffic is, where to look now, and each
 * `on_rollback` level left undone, which keeps the rollout in the record (rollback.ts): what that refuses, and
 * the way out.
 */
function rollbackFailedWords(rollbacks: readonly RollbackRecord[]): string {
  const where = rollbacks
    .filter((r) => !r.ok)
    .map((r) => r.environment)
    .join(', ');
  const undone = rollbacks.flatMap((r) => {
    const left = levelsLeft(r.levels ?? []);
    return left.length
      ? [`; its rollback left ${left.join(', ')} undone: ${levelsUndoneAdvice(r.environment)}`]
      : [];
  });
  return `; the rollback did not complete (${rollbackWords(rollbacks, 'not finished')}): check ${where} now${undone.join('')}`;
}

/**
 * A run an internal error stopped (the process crashed; its handler cancelled the run): a failure of the job,
 * with the internal error's message, and where the stop left things in the cancellation's own words: rolled
 * back (`rollback_failed` when that did not complete), stopped before anything changed, or, in finalize, the
 * new release live. Never `cancelled`: nobody cancelled it.
 */
function stoppedByInternalError(
  s: Parameters<typeof outcomeOf>[0],
  error: string,
): { status: PipelineStatus; code: OutcomeCode; message: string } {
  const { input } = s;
  const head = `internal error: ${error}; the run was stopped`;
  if (liveBeforeCancel(s))
    return {
      status: 'failed',
      code: 'internal_error',
      // What finalize left and who finishes it (the old slot's teardown, on_success, the record's write).
      message: `${head} in finalize, after ${input.version} went live on ${input.env.name} (it stays live): ${s.failure!.message}`,
    };
  if (s.rollbacks.length > 0) {
    if (s.rollbacks.every((r) => r.ok))
      return {
        status: 'rolled_back',
        code: 'internal_error',
        message: `${head} and rolled back (${rollbackWords(s.rollbacks)})${hooksNotUndone(s.hooksBegun)}`,
      };
    // As any rollback_failed: where to look now, and an on_rollback level left undone with the way out.
    return {
      status: 'failed',
      code: 'rollback_failed',
      message: `${head}${rollbackFailedWords(s.rollbacks)}${hooksNotUndone(s.hooksBegun)}`,
    };
  }
  const where = s.hooksBegun?.length
    ? cancelledAfterHooks(s.hooksBegun, input.env.name)
    : (stagingLiveNote(s, input.env.name, input.version) ?? 'cancelled before anything changed');
  // The cancellation's words after "the run was stopped": "before anything changed", "before any traffic…".
  return { status: 'failed', code: 'internal_error', message: `${head} ${where.replace(/^cancelled /, '')}` };
}

/**
 * Where a rollback left traffic. A rollback deployment (`/rollback`) that fails its own checks goes back to the
 * version it was taking traffic away from, the one someone just chose to leave: said so, for a person to decide
 * (an earlier release, or a fix) rather than read as an ordinary rollback that made things safe.
 */
function rolledBackTo(input: PipelineState['input']): string {
  const to = input.live.version ?? 'the previous state';
  if (!input.env.rollback) return `rolled back to ${to}`;
  // Each side's own way (describeWaiting's rule: a record in a state directory is the command line's), which
  // has no rollback deployment: an earlier release is deployed again as any version is.
  const ways =
    input.repository === 'local'
      ? `a deployment of an earlier release, deploy-action run -e ${input.env.name} -v <version>, or a fix`
      : 'a rollback deployment of an earlier release, mode: rollback with its version, or a fix';
  return (
    `rolled back to ${to}, the version this rollback deployment set out to replace: ${input.version} failed ` +
    `its checks, so ${to} serves ${input.env.name} again; decide what should (${ways})`
  );
}

const HISTORY_EVENT: Record<PipelineStatus, string> = {
  succeeded: 'succeeded',
  rolled_back: 'rolled_back',
  cancelled: 'cancelled',
  failed: 'failed',
  blocked: 'blocked',
  paused: 'paused',
  waiting: 'waiting',
};

/** Cancelled in finalize: the new release is live in the record already, and stands. */
function liveBeforeCancel(s: Pick<PipelineState, 'failure' | 'stage'>): boolean {
  return s.failure?.kind === 'cancelled' && s.stage === 'finalize';
}

export function failureCode(s: PipelineState, failure: Failure): string {
  return outcomeOf({ ...s, failure, rollbacks: [] }).code;
}

/** The final records, the result, and the actions that end the run. */
export function finish(s: PipelineState, out: Action[], now: number): Action[] {
  const outcome = outcomeOf(s);
  if (s.failure?.kind === 'internal')
    log(out, 'error', `internal error: ${s.failure.stack ?? s.failure.message}`);
  // A refused record and another run's unfinished rollout stay as they are: this run wrote nothing (or its
  // final record could not be stored, and nothing more is written to that store). A
  // handed-off rollout already wrote where it waits; one cancelled in finalize, its success and what is due.
  if (
    s.failure &&
    s.failure.kind !== 'refused' &&
    s.failure.kind !== 'live_unhealthy' &&
    s.failure.kind !== 'unfinished' &&
    s.failure.kind !== 'handed_off' &&
    !liveBeforeCancel(s)
  ) {
    // Every environment this run touched (and production, always) says how it ended; a rollout this run
    // started is cleared unless it is paused or its rollback left something to undo.
    const entry = {
      event: outcome.code === 'rollback_failed' ? 'rollback_failed' : HISTORY_EVENT[outcome.status],
      code: outcome.code,
      version: s.input.version,
      detail: outcome.message.slice(0, 1000),
    };
    for (const id of ['staging', 'production'] as const) {
      const t = s.tracks[id];
      const rolledBack = t ? s.rollbacks.some((r) => r.environment === t.environment) : false;
      // A staging environment that was validated already wrote its own ending.
      if (!t || (id === 'staging' && !t.record.rollout && !rolledBack)) continue;
      // A rollback already cleared the rollout (or kept what is left to undo); a paused one stays as it is.
      const clear = t.rolloutStarted && !rolledBack && outcome.status !== 'paused';
      persist(s, out, id, clear ? { rollout: undefined } : {}, entry, now, outcome.status === 'paused');
    }
  }
  const warnings = analysisWarnings(s.steps);
  const result: PipelineResult = {
    status: outcome.status,
    code: outcome.code,
    message: outcome.message,
    environment: s.input.env.name,
    version: s.input.version,
    previousVersion: s.input.live.version,
    strategy: s.input.env.strategy.type,
    dryRun: false,
    phases: s.phases,
    steps: s.steps,
    decisions: s.decisions,
    rollbacks: s.rollbacks,
    ...(s.waits.length ? { waits: s.waits } : {}),
    ...(warnings.length ? { warnings } : {}),
    gates: s.gates,
    ...(outcome.status === 'succeeded' || liveBeforeCancel(s) ? { live: liveOf(s) } : {}),
    ...(s.hooksBegun?.length ? { hooksBegun: s.hooksBegun } : {}),
    record: s.tracks.production?.record,
    startedAt: iso(s.input.now),
    durationMs: now - s.input.now,
    exitCode: deploymentExitCode(
      outcome.status,
      s.rollbacks.some((r) => !r.ok),
    ),
  };
  s.result = result;
  out.push({ kind: 'flush' });
  report(out, { type: 'result', result });
  out.push({ kind: 'finish', result });
  return out;
}

export function finishSuccess(s: PipelineState, out: Action[], now: number): void {
  finish(s, out, now);
}

function liveOf(s: PipelineState): { slot?: string; version: string } {
  const t = track(s, 'production');
  const outcome = machineOf(s, 'production').outcome(t.strategy!);
  return { slot: usesSlots(s.input.env.strategy) ? outcome.liveSlot : undefined, version: s.input.version };
}

/**
 * Cancelled before production changed, after this run deployed and validated its staging environment: staging
 * keeps the new version (its rollout finished), so the run did change something. undefined otherwise.
 */
function stagingLiveNote(
  s: Partial<Pick<PipelineState, 'tracks' | 'rollbacks'>>,
  production: string,
  version: string,
): string | undefined {
  const staging = s.tracks?.staging;
  if (!staging?.rolloutStarted || staging.record.rollout || staging.record.live?.version !== version) return;
  if (s.rollbacks?.some((r) => r.environment === staging.environment)) return;
  return `cancelled before anything of ${production} changed; ${staging.environment} (its staging) keeps ${version}, which this run deployed and validated there first`;
}
