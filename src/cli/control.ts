// `deploy-action promote|pause|resume|abort -e ENV` (issue 14, docs/control.md): the PR's /promote, /pause,
// /resume and /abort for a rollout the CLI keeps in its state_dir. The record says which rollout and where it
// waits; the request is appended to the state dir's control file (src/control/file-channel.ts), which the
// running rollout polls. A rollout that was handed off to wait has no process polling: when the request lets
// it go on (or aborts it), this process goes on with it at once through reconcile, as the App's dispatch does
// on GitHub. Refusals use the App's codes (no_rollout, already_paused, not_paused). Exit 0 recorded / done,
// 1 the rollout this process went on with failed or was rolled back, 2 invalid input or refused.
import {
  approvalWaitsAhead,
  earliestRequestAt,
  gateOf,
  idleFor,
  isHeld,
  lastHoldOrGo,
  requestsOf,
  stepOf,
  type IdleRollout,
} from '../control/rollout.ts';
import { hostname, userInfo } from 'node:os';
import { oneLine } from '../config/errors.ts';
import { resolveEnvironment, type ResolvedEnvironment } from '../config/resolve.ts';
import type { RawConfig } from '../config/schema.ts';
import { datedAheadOf, datedAheadText } from '../control/clock-skew.ts';
import { CONTROL_CLOCK_SKEW_MS, decideControl } from '../control/decide.ts';
import { FileControlChannel } from '../control/file-channel.ts';
import type { ControlRequest, ControlVerb } from '../control/request.ts';
import { trafficSplit } from '../report/waits.ts';
import { formatReconcileText } from '../report/reconcile.ts';
import { cliRunReporter } from './run-reporter.ts';
import type { OwnerStatus } from '../reconcile/decide.ts';
import { ownerStatusFor, thisProcessOwner } from '../reconcile/owner.ts';
import {
  reconcile,
  type ReconcileCode,
  type ReconcileEntry,
  type ReconcileSummary,
} from '../reconcile/run.ts';
import { FileStateStore } from '../state/file-store.ts';
import type { Rollout, RolloutOwner } from '../state/record.ts';
import { EXIT_CODES } from '../util/exit-codes.ts';
import { cancelCliOnSignals } from './cancellation.ts';
import { guardRun } from '../util/crash-guard.ts';
import { stoppedByOf } from '../util/internal-error-stop.ts';
import { unfinishedAtDeadline } from '../reconcile/unfinished.ts';
import { deadlineRollback, rollbackWatch } from '../pipeline/rollback-seen.ts';
import { fanOut, type Reporter } from '../pipeline/events.ts';
import { cliReconcileNotifiers } from './reconcile-notifiers.ts';
import { MAX_REASON } from './usage.ts';
import { fileReconcileLock } from './reconcile-lock.ts';

export interface ControlCliOptions {
  environment: string;
  config: string;
  stateDir?: string;
  json?: boolean;
  /** promote: after this step's analysis, straight to 100 %. */
  full?: boolean;
  /** abort: why (shown escaped in the history and reports). */
  reason?: string;
}

export interface ControlCliDeps {
  out(text: string): void;
  err(text: string): void;
  /** Loads and validates a config file, printing its problems; undefined when it is invalid. */
  loadConfig(path: string, json: boolean): Promise<RawConfig | undefined>;
  /** Tests: the clock, and the owner lookup (default: is the owning process alive on this host). */
  now?: () => Date;
  ownerStatus?: (owner: RolloutOwner, env?: ResolvedEnvironment) => Promise<OwnerStatus>;
}

export { MAX_REASON };

/** Why nothing was recorded: the App's codes, and the state store's refusals. */
export type ControlCliRefusal =
  | 'no_rollout'
  | 'already_paused'
  | 'not_paused'
  | 'full_passes_approval'
  | IdleRollout['code']
  | 'invalid_reason'
  | 'control_unreadable'
  | 'control_unwritable'
  | 'state_forged'
  | 'state_misplaced'
  | 'state_stale'
  | 'state_corrupt'
  | 'state_unverifiable'
  | 'state_unavailable'
  | 'state_untrusted'
  | 'state_buried';

/** Whether the requests end a handed-off rollout's wait (go on, or roll back): then someone must act now. */
export function endsWait(
  rollout: Rollout,
  requests: readonly ControlRequest[],
  now: number,
): 'go' | 'abort' | undefined {
  if (!rollout.wait?.handedOff) return undefined;
  const d = decideControl({
    deploymentId: rollout.deploymentId,
    step: rollout.wait.step,
    gate: gateOf(rollout.wait),
    requests,
    now,
  });
  if (d.action === 'abort') return 'abort';
  if (d.action !== 'go') return undefined;
  // A hold goes on only once a /resume (or a /promote for its step) is seen after the /pause.
  return d.how !== 'not_waiting' || !isHeld(rollout, requests) ? 'go' : undefined;
}

function who(): { user: string; host: string } {
  let user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    // No passwd entry for this uid (containers): the environment's name is what there is.
  }
  return { user, host: hostname() };
}

let lastIdMs = 0;

/**
 * Why a /pause, /resume or /promote written now may not be the latest: a request of this rollout is dated
 * more than the allowed skew after this machine's clock (another machine's clock runs ahead, or this one's
 * behind). Requests are ordered by the time they carry (decide.ts), not by when they were written, so until
 * that time the one dated later decides whether the rollout is held. An /abort wins whenever it was made.
 */
export function datedAhead(
  verb: ControlVerb,
  rollout: Rollout,
  requests: readonly ControlRequest[],
  nowMs: number,
): string | undefined {
  if (verb === 'abort') return undefined;
  const ahead = datedAheadOf(requests, rollout.deploymentId, nowMs).at(-1);
  if (!ahead) return undefined;
  return (
    `${datedAheadText(ahead, nowMs)}: requests are ordered by the time they carry, so until then it, not ` +
    `this /${verb}, decides whether the rollout is held; check the clocks of both machines`
  );
}

/** The request this process makes: bound to the rollout's deployment, commit and the step it is at. */
export function cliRequest(
  verb: ControlVerb,
  rollout: Rollout,
  opts: Pick<ControlCliOptions, 'full' | 'reason'>,
  now: Date,
  me: { user: string; host: string; pid: number } = { ...who(), pid: process.pid },
): ControlRequest {
  const sha = rollout.sha?.toLowerCase();
  // Two requests with one id count once: within a process the millisecond part never repeats.
  lastIdMs = Math.max(now.getTime(), lastIdMs + 1);
  return {
    id: `cli:${me.host}:${me.pid}:${lastIdMs}`.slice(0, 200),
    verb,
    by: `cli:${me.user}@${me.host}`.slice(0, 200),
    at: now.toISOString(),
    deploymentId: rollout.deploymentId,
    ...(sha && /^[0-9a-f]{7,64}$/.test(sha) ? { sha } : {}),
    step: stepOf(rollout),
    ...(verb === 'promote' && opts.full ? { full: true } : {}),
    ...(verb === 'abort' && opts.reason !== undefined ? { reason: opts.reason } : {}),
    // Whoever may write the state directory may approve: the CLI has no other policy to ask.
    approver: true,
    source: 'cli',
  };
}

/** Codes of a rollout this process went on with (or could not) that mean it did not end as asked: exit 1. */
const WENT_WRONG = new Set<ReconcileCode>([
  // Its lock (or locks/) may be written by others: nothing went on, nor will until that is mended.
  'state_untrusted',
  'rollout_resume_rolled_back',
  'rollout_resume_failed',
  'bake_rolled_back',
  'orphan_rollback_failed',
]);

export async function controlCli(
  verb: ControlVerb,
  opts: ControlCliOptions,
  deps: ControlCliDeps,
): Promise<number> {
  const json = !!opts.json;
  const config = await deps.loadConfig(opts.config, json);
  if (!config) return EXIT_CODES.invalidOrBlocked;
  // A request dated ahead of this clock (datedAhead): said with whatever follows, a refusal included (a /resume
  // refused as not_paused right after a /pause, since a /promote dated later still decides).
  const ahead: { skew?: string } = {};
  const refuse = (code: ControlCliRefusal, message: string): number => {
    if (json)
      deps.out(
        `${JSON.stringify({ type: 'control', ok: false, code, message, ...(ahead.skew ? { warning: ahead.skew } : {}) })}\n`,
      );
    else
      deps.err(
        `${ahead.skew ? `warning: clock_skew: ${oneLine(ahead.skew)}\n` : ''}error: ${code}: ${oneLine(message)}\n`,
      );
    return EXIT_CODES.invalidOrBlocked;
  };
  if (opts.reason !== undefined && opts.reason.length > MAX_REASON)
    return refuse(
      'invalid_reason',
      `--reason is ${opts.reason.length} characters long; at most ${MAX_REASON} are kept`,
    );
  // Throws ResolveError (exit 2, printed by main) for an environment that is not in the config.
  const env = resolveEnvironment(config, opts.environment, { stateDir: opts.stateDir });
  const store = new FileStateStore(env.stateDir);
  const read = await store.read(env.name);
  if (!read.ok) return refuse(read.code, `${read.message} (${read.source}); nothing was recorded`);
  const record = read.record;
  const rollout = record?.rollout;
  if (!record || !rollout)
    return refuse('no_rollout', `no rollout of ${env.name} is in progress (${store.pathFor(env.name)})`);

  const channel = new FileControlChannel(env.stateDir, env.name);
  const polled = await channel.poll(rollout.deploymentId);
  if (polled.error)
    return refuse('control_unreadable', `the requests already made cannot be read: ${polled.error}`);
  const clock = (deps.now ?? (() => new Date()))();
  // Made after the rollout began (this command read it): dated no earlier, or a clock behind the one that
  // recorded its start would make it count for nothing, an /abort included.
  const earliest = earliestRequestAt(rollout);
  const now = earliest > clock.getTime() ? new Date(earliest) : clock;
  const behind =
    earliest - clock.getTime() > CONTROL_CLOCK_SKEW_MS
      ? `the rollout of ${env.name} began at ${new Date(earliest).toISOString()}, ` +
        `${Math.round((earliest - clock.getTime()) / 1000)} s after this machine's clock: this /${verb} is dated ` +
        'then (it was made after the rollout began; dated earlier it would count for nothing); check the ' +
        'clocks of both machines'
      : undefined;
  const datedLater = datedAhead(verb, rollout, polled.requests, clock.getTime());
  ahead.skew = [behind, datedLater].filter(Boolean).join('; also ') || undefined;
  const skew = ahead.skew;
  // The request is recorded already and nothing acted on it: the process that wrote it was cancelled (SIGINT
  // while the target's `current` ran: reconcile_cancelled) or died before going on. Acted on now, nothing more
  // written; refused as already_aborted ("rolls back") or not_paused, the rollout waited for a reconcile.
  const pending = pendingRequest(verb, rollout, polled.requests, now.getTime());
  if (pending) {
    if (!json)
      deps.out(
        `✔ the /${pending.request.verb} of ${oneLine(pending.request.by)} recorded at ${pending.request.at} was ` +
          `not acted on yet (the rollout of ${oneLine(rollout.version)} still waits at ${oneLine(position(rollout))}); ` +
          `${pending.ends === 'abort' ? 'rolling it back' : 'going on with it'} now; nothing more was recorded\n`,
      );
    return goOnWith(config, env, verb, opts, deps, pending.request, ahead.skew, true);
  }
  const idle = idleFor(verb, rollout, polled.requests);
  if (idle) return refuse(idle.code, idleText(idle, verb, env.name, rollout));
  const held = isHeld(rollout, polled.requests);
  if (verb === 'pause' && held)
    return refuse('already_paused', `the rollout of ${env.name} is already paused; resume or promote it`);
  if (verb === 'resume' && !held)
    return refuse(
      'not_paused',
      `the rollout of ${env.name} is not paused, so there is nothing to resume; nothing was recorded. ` +
        (rollout.wait?.kind === 'approval'
          ? `It waits for approval at ${oneLine(position(rollout))}: its approvers' \`deploy-action promote -e ${env.name}\` let it go on`
          : rollout.wait
            ? `It waits at ${oneLine(position(rollout))}: \`deploy-action promote -e ${env.name}\` lets it go on`
            : `It goes on by itself; \`deploy-action status -e ${env.name}\` shows where it is`),
    );
  // --full passes every later wait, never an `approval: N` one: as the App refuses it (app/deploy/control.ts).
  // The rollout would stop there anyway, so a --full taken here would be a promise the rollout does not keep.
  const approvals = verb === 'promote' && opts.full ? approvalWaitsAhead(rollout) : [];
  if (approvals === undefined || approvals.length > 0)
    return refuse(
      'full_passes_approval',
      approvals === undefined
        ? `the record of the rollout of ${env.name} does not show its steps, so \`promote --full\` cannot tell whether it would pass an approval step; \`promote\` without --full. Nothing was recorded`
        : `\`promote --full\` would pass the approval step(s) at ${approvals.map((a) => oneLine(a.at)).join(', ')} of the rollout of ${env.name}, which only its approvers may pass; \`promote\` without --full. Nothing was recorded`,
    );

  const request = cliRequest(verb, rollout, opts, now);
  try {
    await channel.append(env.name, request);
  } catch (error) {
    // Not a crash: the file (or its directory) could not be written, or its write not made durable.
    return refuse(
      'control_unwritable',
      `the /${verb} could not be written to ${channel.pathFor(env.name)} (${(error as Error).message}); ` +
        `\`deploy-action status -e ${env.name}\` shows whether it was recorded`,
    );
  }
  if (skew && !json) deps.err(`warning: clock_skew: ${oneLine(skew)}\n`);
  const where = position(rollout);
  const ends = endsWait(rollout, [...polled.requests, request], now.getTime());
  if (!ends) {
    const owner = rollout.wait?.handedOff
      ? undefined
      : await (deps.ownerStatus ?? ownerStatusFor({}))(rollout.owner, env);
    // The same person's second approval counts once: said, with what is still needed, not left to be read
    // as a second approval.
    const counted = verb === 'promote' ? countedBefore(rollout, polled.requests, request) : undefined;
    const next = counted
      ? `${counted}${rollout.wait?.handedOff ? '' : `; ${ownerNext(owner!, rollout.owner, env)}`}`
      : rollout.wait?.handedOff
        ? `the rollout still waits: ${waitText(rollout, [...polled.requests, request])}`
        : ownerNext(owner!, rollout.owner, env);
    const message = `recorded /${verb} for the rollout of ${rollout.version} at ${where}; ${next}`;
    if (json)
      deps.out(
        `${JSON.stringify({ type: 'control', ok: true, code: 'recorded', request, message, ...(counted ? { alreadyCounted: true } : {}), ...(skew ? { warning: skew } : {}) })}\n`,
      );
    else deps.out(`✔ ${oneLine(message)}\n`);
    return EXIT_CODES.success;
  }

  if (!json)
    deps.out(
      `✔ recorded /${verb} for the rollout of ${oneLine(rollout.version)} at ${oneLine(where)}; ` +
        `${ends === 'abort' ? 'rolling it back' : 'going on with it'} now\n`,
    );
  return goOnWith(config, env, verb, opts, deps, request, skew, false);
}

/**
 * An abort, or a resume of a hold, of a handed-off rollout (no process polls it) that a request already
 * recorded does: that request, and what it does. Undefined when there is none, or the rollout rolls back.
 */
export function pendingRequest(
  verb: ControlVerb,
  rollout: Rollout,
  requests: readonly ControlRequest[],
  now: number,
): { request: ControlRequest; ends: 'go' | 'abort' } | undefined {
  if (rollout.phase === 'rollback') return undefined;
  if (verb === 'abort') {
    const aborted = requestsOf(rollout, requests).find((r) => r.verb === 'abort');
    return aborted && endsWait(rollout, requests, now) === 'abort'
      ? { request: aborted, ends: 'abort' }
      : undefined;
  }
  if (verb !== 'resume' || rollout.wait?.kind !== 'hold') return undefined;
  const last = lastHoldOrGo(rollout, requests);
  return last && endsWait(rollout, requests, now) === 'go' ? { request: last, ends: 'go' } : undefined;
}

/** Goes on with the handed-off rollout now (reconcile in this process) for `request`, and says how it ended. */
async function goOnWith(
  config: RawConfig,
  env: ResolvedEnvironment,
  verb: ControlVerb,
  opts: ControlCliOptions,
  deps: ControlCliDeps,
  request: ControlRequest,
  skew: string | undefined,
  repeated: boolean,
): Promise<number> {
  const json = !!opts.json;
  const also = { ...(repeated ? { alreadyRecorded: true } : {}), ...(skew ? { warning: skew } : {}) };
  // The rollout goes on, or rolls back, here: an uncaught error stops it as a signal would (a rollback goes on
  // to the stable version), and the process exits once its outcome is said, or at the crash deadline
  // (util/crash-guard.ts).
  const crash = new AbortController();
  // Whether a rollback began, for the crash deadline's code (as a deployment's: pipeline/rollback-seen.ts).
  const rollback = rollbackWatch();
  // The entries reconcile has done, for the crash deadline's line (it said `entries: []` of those too).
  const done: ReconcileEntry[] = [];
  let exitCode: number | undefined;
  // Whether its outcome was said (the summary, or at the crash deadline what is known): one of them, once.
  let said = false;
  const crashGuard = guardRun({
    abort: (reason) => crash.abort(reason),
    rollbackProgress: rollback.progress,
    // Still going at the crash deadline: the last line says so (a `--json` reader waits for one); it printed
    // nothing at all before.
    atDeadline: (late) => {
      if (said) return exitCode;
      said = true;
      const unfinished = unfinishedAtDeadline(late.after, rollback.seen(), rollback.ended());
      const stoppedBy = stoppedByOf(crash.signal) ?? 'an internal error';
      const { code } = deadlineRollback(rollback.seen(), rollback.ended());
      if (json)
        deps.out(
          `${JSON.stringify({ type: 'control', ok: false, code, request, ...also, reconcile: { entries: done, failed: true, stoppedBy, unfinished } })}\n`,
        );
      else deps.out(`${verb}: stopped by an internal error (${stoppedBy}) [${code}]: ${unfinished}\n`);
    },
  });
  try {
    const summary = await goOnNow(config, env, verb, opts, deps, crash.signal, rollback.reporter, (e) =>
      done.push(e),
    );
    const entry = summary.entries.find((e) => e.environment === env.name);
    const failed = summary.failed || (entry !== undefined && WENT_WRONG.has(entry.code));
    exitCode = failed ? EXIT_CODES.failed : EXIT_CODES.success;
    // Not once the crash deadline said what was known (the process is exiting with it).
    if (said) return exitCode;
    said = true;
    if (json)
      deps.out(
        `${JSON.stringify({ type: 'control', ok: !failed, code: entry?.code ?? 'recorded', request, ...also, reconcile: summary })}\n`,
      );
    else deps.out(formatReconcileText(summary));
    return exitCode;
  } finally {
    crashGuard.end(exitCode);
  }
}

/** Reconcile for this one environment, in this process: it reads the request just written and acts on it. */
async function goOnNow(
  config: RawConfig,
  env: ResolvedEnvironment,
  verb: ControlVerb,
  opts: ControlCliOptions,
  deps: ControlCliDeps,
  /** Aborted by an internal error (the crash guard): stops the rollout as a signal does. */
  crashed: AbortSignal,
  /** Hears the rollout's events too (whether a rollback began, for the crash deadline). */
  watch: Reporter,
  /** Told of each entry as reconcile has done it (for the crash deadline). */
  entryDone: (entry: ReconcileEntry) => void,
): Promise<ReconcileSummary> {
  const reporter = cliRunReporter(opts.json, deps.out);
  // The rollout goes on in this process: SIGINT/SIGTERM rolls it back, as in a deployment.
  const cancellation = cancelCliOnSignals((message) =>
    reporter.event({ type: 'log', level: 'warn', message }),
  );
  const store = new FileStateStore(env.stateDir);
  // The rollout's channels hear how it ends, as from reconcile (docs/notifications.md); without them a
  // promote or abort done here told nobody after the wait.
  const notifiers = cliReconcileNotifiers(config, verb, reporter, cancellation);
  try {
    // The notifiers are closed (within their bound) before the summary, so no warning follows it.
    return await reconcile({
      ...notifiers.options,
      config,
      environments: [env.name],
      storeFor: () => store,
      ownerStatus: deps.ownerStatus ?? ownerStatusFor({}),
      // A reconcile at work on the rollout right now keeps it; the request stays for the next reconcile.
      exclusive: fileReconcileLock(),
      controlFor: (e) => new FileControlChannel(e.stateDir, e.name),
      actor: `reconcile:cli:${hostname()}`,
      owner: thisProcessOwner(),
      signal: AbortSignal.any([cancellation.signal, crashed]),
      reporter: fanOut([reporter, watch]),
      entryDone,
      stateDir: opts.stateDir,
      ...(deps.now ? { now: deps.now } : {}),
    }).finally(() => notifiers.close());
  } finally {
    cancellation.release();
    await reporter.close?.();
  }
}

/** Why the rollout leaves `verb` nothing to act on (`idleFor`), for the terminal. */
function idleText(idle: IdleRollout, verb: ControlVerb, environment: string, rollout: Rollout): string {
  const which = `the rollout of ${environment} (${rollout.version}, deployment ${rollout.deploymentId})`;
  switch (idle.code) {
    case 'rolling_back':
      return `${which} is rolling back to the stable version already; nothing was recorded`;
    case 'already_aborted':
      return `${which} was aborted by ${idle.request.by} at ${idle.request.at} and rolls back to the stable version; this ${verb} was not recorded`;
    case 'staging_rollout':
      return `${which} is the staging phase of a deployment; only its production rollout takes ${verb}; nothing was recorded`;
    case 'past_last_step':
      return `${which} has passed its last step and is in its ${idle.phase} phase: there is nothing left to ${verb} (abort still rolls it back); nothing was recorded`;
  }
}

/**
 * "step 3/5 (25 % on the new version)", or beside a fresh baseline "(25 % new / 25 % baseline / 50 % stable)":
 * the baseline's share changes what stable keeps. The step index is 0-based in the record.
 */
export function position(rollout: Rollout): string {
  const step = `step ${Math.max(stepOf(rollout) + 1, 0)}/${rollout.steps}`;
  if (rollout.weight === undefined) return step;
  const baseline = baselineWeightOf(rollout);
  return baseline
    ? `${step} (${trafficSplit(rollout.weight, baseline)})`
    : `${step} (${rollout.weight} % on the new version)`;
}

/**
 * The fresh baseline's share from the rollout's last traffic change so far (its stored plan says it); none once
 * it rolls back (all traffic goes to stable) or when the recorded weight is not that change's.
 */
function baselineWeightOf(rollout: Rollout): number | undefined {
  const state = rollout.strategyState;
  if (!state || rollout.phase === 'rollback') return undefined;
  const last = state.plan.slice(0, state.index + 1).findLast((p) => p.step.kind === 'set_weight')?.step;
  return last?.kind === 'set_weight' && last.weight === rollout.weight ? last.baselineWeight : undefined;
}

/**
 * "the approval of cli:ann@box was already counted (each approver counts once): 1 more approval(s) needed,
 * from another approver (so far: cli:ann@box)", when `request` is a promote at an `approval: N` wait by someone
 * the requests before it already counted; undefined otherwise.
 */
export function countedBefore(
  rollout: Rollout,
  before: readonly ControlRequest[],
  request: ControlRequest,
): string | undefined {
  const wait = rollout.wait;
  if (wait?.kind !== 'approval') return undefined;
  const d = decideControl({
    deploymentId: rollout.deploymentId,
    step: wait.step,
    gate: gateOf(wait),
    requests: before,
    now: Date.now(),
  });
  if (d.action !== 'wait' || d.kind !== 'approval' || !d.approvers?.includes(request.by)) return undefined;
  const more = Math.max((d.need ?? 1) - d.approvers.length, 1);
  return (
    `the approval of ${request.by} was already counted (each approver counts once): ${more} more ` +
    `approval(s) needed, from ${more === 1 ? 'another approver' : 'other approvers'} (so far: ${d.approvers.join(', ')})`
  );
}

/** What a handed-off rollout still waits for, after the requests so far. */
export function waitText(rollout: Rollout, requests: readonly ControlRequest[]): string {
  const wait = rollout.wait;
  if (!wait) return 'it is not waiting';
  const d = decideControl({
    deploymentId: rollout.deploymentId,
    step: wait.step,
    gate: gateOf(wait),
    requests,
    now: Date.now(),
  });
  if (d.action === 'hold' || (wait.kind === 'hold' && isHeld(rollout, requests)))
    return `held by ${d.action === 'hold' ? d.request.by : (wait.by ?? 'a /pause')} until \`deploy-action resume\``;
  if (d.action === 'wait' && d.kind === 'approval') {
    const so = d.approvers?.length ? ` (so far: ${d.approvers.join(', ')})` : '';
    return `for ${Math.max((d.need ?? 1) - (d.approvers?.length ?? 0), 1)} more approval(s)${so}`;
  }
  if (wait.kind === 'bake')
    return `baking until ${wait.until ?? 'someone promotes it'}; \`deploy-action reconcile\` goes on once it is due`;
  return 'for `deploy-action promote`';
}

function ownerNext(owner: OwnerStatus, who: RolloutOwner, env: ResolvedEnvironment): string {
  const name = who.kind === 'process' ? `process ${who.pid} on ${who.host}` : `workflow run ${who.runId}`;
  switch (owner.state) {
    case 'running':
      return `${name} runs it and acts on the request within its poll interval (${Math.round(env.control.pollIntervalMs / 1000)} s)`;
    case 'ended':
      return `but ${name}, which ran it, is gone: \`deploy-action reconcile -e ${env.name}\` rolls it back (or resumes it with on_orphan: resume)`;
    case 'unknown':
      return `whoever runs it reads it (${owner.reason})`;
  }
}
