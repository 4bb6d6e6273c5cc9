// The environment record (src/state/record.ts) as the machine reads and writes it: whether the stored record is
// believed, the rollout's first entry, and persist(), the one place a changed record becomes a `persist` action.
// Separate because every part writes through it, and it needs nothing but the bookkeeping.
import { slotsFor } from '../../strategies/blue-green.ts';
import { isFirstDeployment, type LiveState } from '../../strategies/capabilities.ts';
import { usesSlots } from '../../strategies/index.ts';
import {
  emptyRecord,
  withTransition,
  type EnvironmentRecord,
  type HistoryEntry,
  type RolloutOwner,
} from '../../state/record.ts';
import type { PhaseId } from '../events.ts';
import { levelsUndoneAdvice } from '../rollback-levels.ts';
import { cleanupOnly } from '../rollback-shortfall.ts';
import { describeStep } from '../../strategies/sequence.ts';
import type { ResolvedEnvironment } from '../../config/resolve.ts';
import type { TrackId, StoredRecord, Action, Track, Failure, PipelineState } from './state.ts';
import { track, envOf, machineOf, log, iso } from './bookkeeping.ts';

export function newTrack(
  id: TrackId,
  environment: string,
  live: LiveState,
  record: EnvironmentRecord,
): Track {
  return { id, environment, live, record, rolloutStarted: false, rolloutDurable: false };
}

/**
 * Why a run does not deploy on the stored record (a refused record, or an unfinished rollout in it), or
 * undefined when it builds on it. Pure: the run (believe) and `plan` ask the same question.
 */
export function recordRefusal(
  env: { name: string; target: { current?: unknown } },
  stored: StoredRecord,
): Failure | undefined {
  if (stored.ok) {
    const rollout = stored.record?.rollout;
    // Its traffic may still be split and its recovery is in the record: deploying on top would take the
    // half-done slot as if it were idle. Reconcile undoes (or resumes) it first.
    if (rollout?.wait)
      return {
        kind: 'unfinished',
        message:
          `${env.name} has a rollout of ${rollout.version} waiting (${rollout.wait.kind} at step ` +
          `${rollout.wait.step + 1}/${rollout.steps}, since ${rollout.wait.since}): finish it with ` +
          `/promote ${env.name} or undo it with /abort ${env.name} (or deploy-action promote|abort -e ${env.name}), ` +
          'then deploy again. Nothing was deployed. If the record is stale (the current command shows another ' +
          `release; reconcile refuses with current_disagrees), \`deploy-action reconcile -e ${env.name} ` +
          '--adopt-current` (`mode: reconcile` with `adopt-current: true`) makes what current reports the record',
      };
    // Rolled back, with only on_rollback levels left undone: nothing of its traffic is left to undo.
    if (rollout?.levelsUndone?.length && rollout.recovery.length === 0)
      return {
        kind: 'unfinished',
        message:
          `${env.name} has the rollout of ${rollout.version} (started ${rollout.startedAt}, ` +
          `${ownerText(rollout.owner)}), which was rolled back, but its rollback left ` +
          `${rollout.levelsUndone.join(', ')} undone: ${levelsUndoneAdvice(env.name)}. Nothing was deployed. If ` +
          'the record is stale (the current command shows another release), ' +
          `\`deploy-action reconcile -e ${env.name} --adopt-current\` (\`mode: reconcile\` with ` +
          '`adopt-current: true`) makes what current reports the record, dropping the rollout',
      };
    // A rollback had begun on it (its run's, or reconcile's that did not complete): reconcile never resumes it.
    const rollingBack = rollout?.phase === 'rollback';
    // Its rollback put traffic back and left only cleanup (a teardown that failed): not "may still be split".
    if (rollout && rollingBack && cleanupOnly(rollout.recovery))
      return {
        kind: 'unfinished',
        message:
          `${env.name} has the rollout of ${rollout.version} (started ${rollout.startedAt}, ` +
          `${ownerText(rollout.owner)}), being rolled back: its traffic is back on the stable version, but its ` +
          `rollback left ${rollout.recovery.map(describeStep).join(', ')}` +
          (rollout.levelsUndone?.length ? ` and ${rollout.levelsUndone.join(', ')}` : '') +
          ' undone. Nothing was deployed; reconcile runs what is left (docs/reconcile.md: the App starts it when ' +
          'that run ends, or run `deploy-action reconcile` / `mode: reconcile`), then deploy again. If the ' +
          'record is stale (the current command shows another release; reconcile refuses with ' +
          `current_disagrees), \`deploy-action reconcile -e ${env.name} --adopt-current\` (\`mode: reconcile\` ` +
          'with `adopt-current: true`) makes what current reports the record, dropping the rollout',
      };
    if (rollout)
      return {
        kind: 'unfinished',
        message:
          `${env.name} has an unfinished rollout of ${rollout.version} (started ${rollout.startedAt}, ` +
          `${ownerText(rollout.owner)}, ` +
          (rollingBack ? 'being rolled back, at step' : `at ${rollout.phase} step`) +
          ` ${rollout.step + 1}/${rollout.steps}): its traffic may still be split` +
          (rollout.levelsUndone?.length
            ? ` (its rollback also left ${rollout.levelsUndone.join(', ')} undone, run again with the rest)`
            : '') +
          (rollingBack
            ? '. Nothing was deployed; reconcile rolls it back (never resumes it: a rollback of it had begun) '
            : '. Nothing was deployed; reconcile rolls it back or resumes it ') +
          '(docs/reconcile.md: the App starts it when that run ends, or run `deploy-action reconcile` / ' +
          '`mode: reconcile`), then deploy again. If the record is stale (the current command shows another ' +
          `release; reconcile refuses with current_disagrees), \`deploy-action reconcile -e ${env.name} ` +
          '--adopt-current` (`mode: reconcile` with `adopt-current: true`) makes what current reports the ' +
          'record, dropping the rollout',
      };
    return undefined;
  }
  // A record that could not be read at all (GitHub failing) is not a bad one to replace: it may be valid and
  // name an unfinished rollout or slots due for teardown that a fresh record would drop. Try again later.
  // Nor is one in a place others may write: a new record would be as open to them, and is not written there.
  // Nor is a newer deploy-action's: it may name a rollout half-way and how to undo it, which only it can read.
  if (
    !env.target.current ||
    stored.code === 'state_unavailable' ||
    stored.code === 'state_untrusted' ||
    stored.newer
  )
    return refusal(env.name, stored);
  return undefined;
}

/** The record this run builds on, or why it does not deploy: a refused record, or an unfinished rollout. */
export function believe(
  s: PipelineState,
  out: Action[],
  id: TrackId,
  stored: StoredRecord,
  now: number,
): EnvironmentRecord | Failure {
  const env = envOf(s, id);
  const refused = recordRefusal(env, stored);
  if (refused) return refused;
  if (stored.ok) return stored.record ?? emptyRecord(s.input.repository, env.name, new Date(now));
  log(
    out,
    'warn',
    `the state record of ${env.name} was refused [${stored.code}]: ${stored.message} (${stored.source}); ` +
      'going on with what the current command reports. A new record takes its place with nothing of the ' +
      'refused one: its history, previous release, retired slots due for teardown (reconcile no longer knows ' +
      'them) and any rollout it names are not carried over. The refused record itself is kept ' +
      (stored.kept ? `as ${stored.kept}` : `at ${stored.source}`),
  );
  // Numbered from the clock (milliseconds), not from 0: readers refuse a record numbered below one they have
  // seen (the App remembers per process), so a fresh record numbered 1 would read as stale wherever the
  // replaced one had been seen, until a restart. Later writes count on from here, as always.
  return { ...emptyRecord(s.input.repository, env.name, new Date(now)), seq: Math.max(0, Math.floor(now)) };
}

export const isFailure = (value: EnvironmentRecord | Failure): value is Failure => 'kind' in value;

function refusal(environment: string, stored: StoredRecord): Failure {
  if (stored.ok) return { kind: 'internal', message: 'refusal of a record that was believed' };
  return {
    kind: 'refused',
    message:
      stored.code === 'state_unavailable'
        ? `the state record of ${environment} could not be read [${stored.code}]: ${stored.message} ` +
          `(${stored.source}). Nothing was deployed: a record that may be valid (an unfinished rollout, slots ` +
          'due for teardown) is never replaced unread; run again when GitHub answers'
        : stored.newer
          ? `the state record of ${environment} was refused [${stored.code}]: ${stored.message} ` +
            `(${stored.source}). Nothing was deployed, even with a current command: it may name an unfinished ` +
            'rollout and how to undo it, slots due for teardown, which only that version can read, and a new ' +
            'record would drop them'
          : stored.code === 'state_untrusted'
            ? `the state record of ${environment} was not read [${stored.code}]: ${stored.message} ` +
              `(${stored.source}). Nothing was deployed: a record others may write, or one kept where no reader ` +
              'looks, is neither believed nor replaced; fix what it names, then run again'
            : `the state record of ${environment} was refused [${stored.code}]: ${stored.message} (${stored.source}). ` +
              'Nothing was deployed on top of it: find out what is live, then remove or repair the record, ' +
              "or configure the target's current command so the infrastructure says what is live",
  };
}

function ownerText(owner: RolloutOwner): string {
  return owner.kind === 'workflow' ? `workflow run ${owner.runId}` : `process ${owner.pid} on ${owner.host}`;
}

export function byOf(owner: RolloutOwner): string {
  return owner.kind === 'workflow' ? `workflow:${owner.runId}` : `cli:${owner.host}`;
}

/**
 * Why this run must not start its rollout: the slot it would deploy into is being torn down by a reconcile
 * or by the deployment that retired it (its claim in the record: reconcile/run.ts teardown, finalize.ts),
 * whose command would take the new version down under its traffic. Undefined when nothing stands in the way.
 */
export function slotTearingDown(s: PipelineState, id: TrackId): string | undefined {
  const t = track(s, id);
  return teardownRefusal(envOf(s, id), t.live.slot, t.record);
}

/**
 * Why a run cannot deploy into the slot it would pick (the idle one beside `liveSlot`): a teardown of it is
 * claimed in the record. Pure: the run (slotTearingDown) and `plan` ask the same question.
 */
export function teardownRefusal(
  env: Pick<ResolvedEnvironment, 'name' | 'strategy'>,
  liveSlot: string | undefined,
  record: Pick<EnvironmentRecord, 'retired'>,
): string | undefined {
  const idle = usesSlots(env.strategy) ? slotsFor(env.strategy.slots, liveSlot).idle : undefined;
  const r = record.retired.find((x) => x.slot === idle && x.teardown);
  if (!r?.teardown) return undefined;
  return (
    `${r.slot}${r.version ? ` (${r.version})` : ''}, the slot this run would deploy into, is being torn down by ` +
    `${r.teardown.by} (since ${r.teardown.startedAt}). Nothing was deployed: run again once that teardown is ` +
    `done (one left unfinished, its run gone, is finished by the next reconcile: \`deploy-action reconcile -e ` +
    `${env.name}\`, or the reconcile workflow)`
  );
}

export function startRollout(s: PipelineState, out: Action[], id: TrackId, now: number): void {
  const t = track(s, id);
  const env = envOf(s, id);
  const m = machineOf(s, id);
  const slots = usesSlots(env.strategy) ? slotsFor(env.strategy.slots, t.live.slot) : undefined;
  // The slot this run deploys into stays retired here: while the rollout is in the record no reconcile tears a
  // slot down (reconcile/decide.ts), and a hook or gate that fails before the deploy leaves the old slot as it
  // was, still due for its teardown. The entry goes when the rollout's recovery takes that teardown over
  // (strategy.ts writeAhead), or when the slot goes live (finalize.ts).
  // A backup or migrate hook runs next: the record says a rollout began (durably) before it changes anything,
  // so a run that dies in a migration leaves a record of it.
  const hooksNext = s.tasks.slice(s.pc + 1).some((task) => task.do === 'hook' && task.track === id);
  persist(
    s,
    out,
    id,
    {
      rollout: {
        deploymentId: s.input.deploymentId,
        version: s.input.version,
        sha: s.input.sha,
        strategy: env.strategy.type,
        phase: id === 'staging' ? 'staging' : 'production',
        step: -1,
        steps: m.plan.length,
        startedAt: iso(now),
        owner: s.input.owner,
        stableSlot: slots?.from,
        // Known from `current` alone: kept for a reconcile that rolls the rollout back after the run died.
        ...(t.live.version && !t.record.live?.version ? { stableVersion: t.live.version } : {}),
        newSlot: slots?.idle,
        // A canary plans its first deployment apart (straight to 100 %): a resume must know it was one.
        ...(slots && isFirstDeployment(t.live) ? { firstDeployment: true as const } : {}),
        recovery: [],
        ...(env.rollback ? { fastTracked: true as const } : {}),
      },
    },
    { event: 'rollout_started', code: 'started', version: s.input.version },
    now,
    hooksNext,
  );
  s.tracks[id] = { ...track(s, id), rolloutStarted: true, rolloutFresh: true };
}

export function phaseEntry(s: PipelineState, phase: PhaseId): Omit<HistoryEntry, 'at' | 'by'> {
  return { event: 'phase', code: phase, version: s.input.version };
}

/** One write: the record after the change, one more in the sequence. */
export function persist(
  s: PipelineState,
  out: Action[],
  id: TrackId,
  change: Parameters<typeof withTransition>[1],
  entry: Omit<HistoryEntry, 'at' | 'by'> | undefined,
  now: number,
  durable: boolean,
  settle = false,
): void {
  const t = track(s, id);
  // Every entry of a run names its commit: the `succeeded` one is what `requires` counts once superseded.
  const sha = s.input.sha ? { sha: s.input.sha } : {};
  const record = withTransition(
    t.record,
    change,
    entry && { by: byOf(s.input.owner), ...sha, ...entry },
    new Date(now),
  );
  const inRollback = s.rollback !== undefined || s.rollbacks.length > 0;
  s.tracks[id] = { ...t, record, rolloutDurable: t.rolloutDurable || (durable && !!record.rollout) };
  const wait = durable && !inRollback;
  out.push({ kind: 'persist', record, durable, wait, ...(settle && wait ? { settle: true } : {}) });
}
