// Resume: a rollout whose owner died, or that was handed off to wait, goes on from its record (reconcile,
// `on_orphan: resume`, a handed-off wait that ended): a state positioned where the rollout stopped, then the
// pipeline's own task loop from there.
import type { ResolvedEnvironment } from '../../config/resolve.ts';
import { describeStep, type SequenceState } from '../../strategies/sequence.ts';
import {
  versionBefore,
  withTransition,
  type EnvironmentRecord,
  type HistoryEntry,
  type RolloutOwner,
} from '../../state/record.ts';
import type { WaitRecord } from '../events.ts';
import { checkResumable, type ResumePhase } from '../resume-check.ts';
import { initialState, type MachineInput, type Action, type Task, type MachineTransition } from './state.ts';
import { report, log, iso } from './bookkeeping.ts';
import { newTrack } from './records.ts';
import { finish } from './outcome.ts';
import { baselineShare, controlKept } from './waits.ts';
import { MONITOR_WINDOW } from './watch.ts';
import { countingFrom } from '../../control/counting-from.ts';
import { finalLook } from './strategy.ts';
import { program, run } from './loop.ts';

/**
 * A rollout the job handed off to wait (issue 14; `rollout.wait.handedOff`), not an orphan: what ends its
 * wait. `go` goes on from the step after the wait (a bake: its final analysis first); `abort` rolls it back
 * through the pipeline's rollback path.
 */
export type Handoff =
  | { kind: 'go'; how: 'promoted' | 'approved' | 'due' | 'resumed'; by: string[]; full: boolean }
  | {
      kind: 'abort';
      /** A login, or `reconcile` when a bake's metrics asked for the rollback. */
      by: string;
      reason: string;
      code: 'rollout_aborted' | 'bake_rolled_back';
    };

export interface ResumeMachineInput {
  /** When the resume started (ms since the epoch). */
  now: number;
  /** The environment as deploy.yml resolves it today. */
  env: ResolvedEnvironment;
  /** The record as read and believed; its rollout is the one resumed (see resume-check.ts). */
  record: EnvironmentRecord;
  repository: string;
  /** The new owner of the rollout (the reconcile run), written into the record before anything runs. */
  owner: RolloutOwner;
  /** Who the `orphan_resumed` history entry names. */
  actor: string;
  /** Why it is resumed, for that entry. */
  reason: string;
  /** A handed-off rollout's wait ended (issue 14); absent for an orphan. */
  handoff?: Handoff;
  /** Whether a later long wait may hand the rollout off again (see MachineInput.handOff). */
  handOff?: boolean;
}

/**
 * A state positioned where the record's rollout stopped: validate, staging, and the backup and migrate hooks
 * are done (the dead run did them before the strategy's first step was recorded); the strategy goes on from
 * its recorded state, re-running the step in progress (the write-ahead record was written as if it had
 * started), or verify / monitor run again when the strategy had finished; then finalize. From there on it is
 * the pipeline: the same rollback path, the same record writes and codes. Version, sha and deployment come
 * from the record.
 *
 * A handed-off rollout (`handoff`) goes on after its wait instead: a manual or approval step is passed, a
 * held step runs, a bake's analysis step runs once more as its final look (at most the in-job wait); or, on
 * `abort`, its traffic goes back to the stable version at once.
 */
export function resume(r: ResumeMachineInput): MachineTransition {
  const { env, record, handoff } = r;
  const rollout = record.rollout;
  const check = checkResumable(env, record);
  const input: MachineInput = {
    now: r.now,
    env,
    version: rollout?.version ?? 'none',
    sha: rollout?.sha,
    deploymentId: rollout?.deploymentId ?? 'none',
    repository: r.repository,
    owner: r.owner,
    skipGates: true,
    skipStaging: true,
    hasGates: false,
    live: check.ok
      ? check.live
      : { slot: record.live?.slot, version: rollout ? versionBefore(record, rollout) : record.live?.version },
    stored: { ok: true, record },
    handOff: r.handOff ?? handoff !== undefined,
  };
  const s = initialState(input, [], 'production');
  const out: Action[] = [];
  report(out, {
    type: 'start',
    environment: env.name,
    version: input.version,
    previousVersion: input.live.version,
    strategy: env.strategy.type,
    liveSlot: input.live.slot,
  });
  const wait = rollout?.wait;
  const problem = !check.ok
    ? check.reason
    : !rollout
      ? 'no rollout'
      : handoff && !wait
        ? 'it is not waiting (someone else went on with it)'
        : undefined;
  if (problem || !check.ok || !rollout) {
    // Nothing is touched: no track, so nothing is written either.
    s.failure = {
      kind: 'internal',
      message: `the rollout in the record of ${env.name} cannot be resumed: ${problem ?? 'no rollout'}`,
    };
    return { state: s, actions: finish(s, out, r.now) };
  }
  const strategy = check.rollout.strategyState;
  const as =
    !handoff || !wait
      ? 'rerun'
      : wait.kind === 'bake'
        ? 'final_look'
        : wait.kind === 'hold'
          ? 'rerun'
          : 'advance';
  const since = wait ? Date.parse(wait.since) : NaN;
  const until = wait?.until ? Date.parse(wait.until) : NaN;
  const bake =
    as === 'final_look' && Number.isFinite(since) && Number.isFinite(until)
      ? { since, until, now: r.now }
      : undefined;
  const started = Date.parse(rollout.startedAt);
  s.tasks = resumeProgram(
    input,
    check.phase,
    strategy,
    as,
    bake,
    Number.isFinite(started) ? started : undefined,
  );
  if (wait && handoff) {
    const ended: WaitRecord = {
      environment: env.name,
      kind: wait.kind,
      step: wait.step,
      at:
        check.phase === 'monitor'
          ? MONITOR_WINDOW
          : describeStep(strategy.plan[wait.step]?.step ?? { kind: 'pause', ms: 0 }),
      ...(rollout.weight !== undefined ? { weight: rollout.weight } : {}),
      ...(baselineShare(env, rollout.weight) !== undefined
        ? { baselineWeight: baselineShare(env, rollout.weight) }
        : {}),
      since: wait.since,
      ...(wait.until ? { until: wait.until } : {}),
      ...(wait.approvals ? { approvals: wait.approvals } : {}),
      ended: {
        at: iso(r.now),
        how: handoff.kind === 'abort' ? 'aborted' : handoff.how,
        by: handoff.kind === 'abort' ? [handoff.by] : handoff.by,
      },
      waitedMs: Math.max(0, r.now - Date.parse(wait.since)),
    };
    s.waits.push(ended);
    s.controlFrom = wait.step + 1;
    if (handoff.kind === 'go' && handoff.full) s.full = true;
  } else
    // Where its dead run counted from (its controlFrom): the wait it waited at (written with it), else the
    // position it reached; never before the step after the plan's last wait before that position (countingFrom).
    s.controlFrom = countingFrom(
      rollout.wait?.fromStep ?? rollout.controlFrom,
      strategy.plan,
      strategy.index,
    );
  // A /promote --full its earlier run counted (an orphan's dead run, or the run before a hand-off): the
  // request itself may count no more (controlFrom is past its step), so the record says it.
  if (rollout.full) s.full = true;
  // The claim: the rollout is this run's now (a reconcile that dies in turn leaves an orphan again).
  const about = rollout.sha ? { sha: rollout.sha } : {};
  const entry: Omit<HistoryEntry, 'at'> = !handoff
    ? {
        by: r.actor,
        event: 'orphan_resumed',
        code: 'orphan_resume',
        version: rollout.version,
        ...about,
        detail: r.reason.slice(0, 1000),
      }
    : handoff.kind === 'go'
      ? {
          by: handoff.by.length ? handoff.by.join(', ').slice(0, 200) : r.actor,
          event: handoff.how,
          code: wait?.kind ?? 'wait',
          version: rollout.version,
          ...about,
          detail: r.reason.slice(0, 1000),
        }
      : {
          by: handoff.by.slice(0, 200),
          event: 'abort_requested',
          code: handoff.code,
          version: rollout.version,
          ...about,
          detail: handoff.reason.slice(0, 1000),
        };
  const claimed = withTransition(
    record,
    {
      rollout: {
        ...rollout,
        owner: r.owner,
        ...controlKept(s),
        ...(handoff?.kind === 'go' ? { wait: undefined } : {}),
      },
    },
    entry,
    new Date(r.now),
  );
  s.tracks.production = {
    ...newTrack('production', env.name, check.live, claimed),
    strategy,
    rolloutStarted: true,
    rolloutDurable: true,
  };
  out.push({ kind: 'persist', record: claimed, durable: true, wait: true });
  if (handoff?.kind === 'abort') {
    log(out, 'info', `rolling back the rollout of ${rollout.version} on ${env.name}: ${r.reason}`);
    const bake = handoff.code === 'bake_rolled_back';
    s.tasks = [
      { do: 'skip', phase: 'validate', detail: 'done by the run that started the rollout' },
      { do: 'skip', phase: 'staging', detail: 'done by the run that started the rollout' },
      {
        do: 'phase',
        phase: 'production',
        detail: `${env.strategy.type}, ${bake ? 'bake rolled back' : 'aborted'}`,
      },
      { do: 'prepare', track: 'production' },
      {
        do: 'abort',
        track: 'production',
        kind: bake ? 'strategy' : 'aborted',
        message: bake
          ? `the bake's metrics asked for a rollback: ${handoff.reason}`
          : `aborted by ${handoff.by}${handoff.reason ? `: ${handoff.reason}` : ''}`,
      },
    ];
  }
  for (const w of s.waits) report(out, { type: 'wait-end', record: w });
  if (handoff?.kind !== 'abort')
    log(out, 'info', `resuming the rollout of ${rollout.version} on ${env.name}: ${r.reason}`);
  // Going on (never rolling back: that only moves traffic to safety, and is safe to repeat), nothing runs
  // until the claim is stored.
  if (handoff?.kind !== 'abort') s.tasks = [{ do: 'claim' }, ...s.tasks];
  run(s, out, r.now);
  return { state: s, actions: out };
}

/** The tasks of a resumed rollout: the pipeline's own program from verify (or monitor) on, after the strategy. */
function resumeProgram(
  input: MachineInput,
  phase: ResumePhase,
  strategy: SequenceState,
  as: 'rerun' | 'advance' | 'final_look' = 'rerun',
  bake?: { since: number; until: number; now: number },
  startedAt?: number,
): Task[] {
  const prepare: Task = {
    do: 'prepare',
    track: 'production',
    ...(startedAt !== undefined ? { before: startedAt } : {}),
  };
  const done = 'done by the run that started the rollout';
  const full = program(input);
  const tasks: Task[] = [
    { do: 'skip', phase: 'validate', detail: done },
    { do: 'skip', phase: 'staging', detail: done },
  ];
  if (phase === 'production')
    tasks.push(
      {
        do: 'phase',
        phase: 'production',
        detail: `${input.env.strategy.type}, resumed at step ${strategy.index + 1}/${strategy.plan.length}`,
      },
      prepare,
      {
        do: 'strategy',
        track: 'production',
        phase: 'production',
        from: strategy,
        as,
        ...(bake ? { bake } : {}),
      },
      { do: 'end', phase: 'production' },
    );
  else tasks.push({ do: 'skip', phase: 'production', detail: done }, prepare);
  if (phase === 'monitor') tasks.push({ do: 'skip', phase: 'verify', detail: done });
  const from = full.findIndex((t) =>
    phase === 'monitor'
      ? (t.do === 'phase' || t.do === 'skip') && t.phase === 'monitor'
      : t.do === 'phase' && t.phase === 'verify',
  );
  const rest = full.slice(from);
  if (phase !== 'monitor' || !bake) return [...tasks, ...rest];
  // A handed-off monitor window: judged from its start, like a strategy step's bake (resumedTransition).
  return [
    ...tasks,
    ...rest.map((t): Task =>
      t.do === 'watch' && t.phase === 'monitor'
        ? { ...t, ...finalLook(bake, bake.until - bake.since, input.env.control.maxWaitInJobMs) }
        : t,
    ),
  ];
}
