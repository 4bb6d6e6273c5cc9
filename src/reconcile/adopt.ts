// `reconcile --adopt-current` (Action: `adopt-current: true`): the audited way out when an environment's record
// is stale (rolled back by a write user, or the infrastructure changed by hand). Reconcile then refuses with
// current_disagrees and a deployment refuses an unfinished rollout the record names, and nothing else can put
// a record kept on GitHub right. For ONE named environment it asks the target's `current` command what serves
// and, when that disagrees with the record (or the record names an unfinished rollout current does not show),
// writes the next record through the same signed store every write uses: live is what current reports, no
// rollout, the history kept plus an `adopted_current` entry saying who, what the record said and what current
// reported. Nothing else is run: no teardown, no traffic change, no command but `current`.
import type { ResolvedEnvironment } from '../config/resolve.ts';
import { askCurrent } from '../pipeline/live-state.ts';
import {
  capText,
  waitsHandedOff,
  withTransition,
  type EnvironmentRecord,
  type Release,
  type RetiredSlot,
  type Rollout,
} from '../state/record.ts';
import type { StateStore } from '../state/store.ts';
import type { LiveState } from '../strategies/capabilities.ts';
import { usesSlots } from '../strategies/index.ts';
import { currentText, disagreement, rolloutClaim } from './live-check.ts';
import type { ReconcileCode, ReconcileEntry, ReconcileOptions } from './run.ts';
import { stoppedPhrase } from '../util/internal-error-stop.ts';

/** The longest version the record keeps (recordSchema): an adopted version is never cut. */
const MAX_VERSION = 200;

/** What an adoption replaced, for the `reconcile` output and the job summary. */
export interface Adoption {
  /** What the current command reported. */
  current: LiveState;
  /** The record's sequence number before and after. */
  seq: { before: number; after: number };
  /** The record's live release before (absent: nothing live) and after. */
  live: { before?: Release; after: Release };
  /** The record's previous release after (the old live one when the version changed). */
  previous?: Release;
  /** The unfinished rollout dropped from the record (its recovery steps were not run). */
  droppedRollout?: Pick<Rollout, 'version' | 'deploymentId' | 'strategy' | 'phase' | 'owner'> & {
    newSlot?: string;
    stableSlot?: string;
  };
  /** Retired slots still due for teardown, and the ones dropped (left running, never torn down by it). */
  retired: { kept: RetiredSlot[]; dropped: Array<RetiredSlot & { why: string }> };
}

function entry(
  environment: string,
  code: ReconcileCode,
  failed: boolean,
  message: string,
  extra: Partial<ReconcileEntry> = {},
): ReconcileEntry {
  return { environment, code, failed, message, steps: [], ...extra };
}

const releaseText = (r: { slot?: string; version?: string } | undefined): string =>
  !r || (!r.slot && !r.version)
    ? 'nothing live'
    : r.version && r.slot
      ? `${r.version} on ${r.slot}`
      : (r.version ?? r.slot)!;

const slotText = (s: RetiredSlot) =>
  `${s.slot}${s.version ? ` (${s.version}, due ${s.dueAt})` : ` (due ${s.dueAt})`}`;

function ownerText(owner: Rollout['owner']): string {
  return owner.kind === 'workflow' ? `workflow run ${owner.runId}` : `process ${owner.pid} on ${owner.host}`;
}

function rolloutText(rollout: Rollout): string {
  return (
    `the unfinished ${rollout.strategy} rollout of ${rollout.version}${rollout.newSlot ? ` to ${rollout.newSlot}` : ''} ` +
    `(deployment ${rollout.deploymentId}, ${ownerText(rollout.owner)}, at ${rollout.phase} step ` +
    `${rollout.step + 1}/${rollout.steps}${rollout.wait?.handedOff ? `, handed off waiting (${rollout.wait.kind})` : ''})`
  );
}

/** What the record says, in words: live, the rollout, the retired slots. */
function recordText(record: EnvironmentRecord): string {
  return [
    `live ${releaseText(record.live)}`,
    record.rollout ? rolloutText(record.rollout) : 'no rollout',
    record.retired.length ? `retired ${record.retired.map(slotText).join(', ')}` : 'no retired slot',
  ].join('; ');
}

/**
 * Adopts what `env`'s current command reports as the record's live release (the caller holds the environment,
 * as for any reconcile). One entry: current_adopted (written), current_agrees (nothing to change), or why
 * nothing was written.
 */
export async function adoptCurrent(
  env: ResolvedEnvironment,
  store: StateStore,
  options: ReconcileOptions,
): Promise<ReconcileEntry> {
  const name = env.name;
  const unchanged = 'nothing was run but the current command and the record is unchanged';
  const cancelled = () =>
    entry(
      name,
      'adopt_cancelled',
      true,
      `not adopted: ${stoppedPhrase(options.signal)} before the record was written; ${unchanged}. Run it again to adopt`,
    );
  const command = env.target.current;
  if (!command)
    return entry(
      name,
      'current_missing',
      true,
      `not adopted: the target of ${name} has no current command (target.commands.current), so there is ` +
        'nothing that says what serves to adopt; configure one (it prints {"slot": …, "version": …}), or put ' +
        'the record right by hand where the records are files. Nothing was run or written',
    );
  if (options.signal?.aborted) return cancelled();

  const read = await store.read(name);
  if (!read.ok)
    return entry(
      name,
      read.code,
      true,
      `not adopted: the record of ${name} was refused [${read.code}]: ${read.message} (${read.source}). ` +
        (read.code === 'state_unavailable' || read.code === 'state_untrusted'
          ? 'A record that cannot be read is never replaced unread: run again when it can be read'
          : 'Only a record that verifies is replaced here; a deployment goes on past a refused record with ' +
            'what the current command reports (docs/state.md)') +
        '. Nothing was run or written',
    );
  const record = read.record;
  if (!record)
    return entry(
      name,
      'nothing_due',
      false,
      `${name} has no record yet: nothing to adopt over (the first deployment writes one from what the current command reports)`,
    );

  // A rollout whose run is still at work is not stale: its run writes the record as it goes.
  const rollout = record.rollout;
  // A handed-off rollout's wait is no run's; its rollback, once begun, is the run's rolling it back.
  if (rollout && !waitsHandedOff(rollout)) {
    const status = await options.ownerStatus(rollout.owner, env);
    if (status.state === 'running')
      return entry(
        name,
        'owner_running',
        true,
        `not adopted: the rollout of ${rollout.version} is still running (${ownerText(rollout.owner)}) and ` +
          'writes the record as it goes; wait for it to end (or cancel it), then reconcile. Nothing was run or written',
        { version: rollout.version },
      );
    if (status.state === 'unknown')
      return entry(
        name,
        'owner_unknown',
        true,
        `not adopted: cannot tell whether ${ownerText(rollout.owner)}, which owns the rollout of ` +
          `${rollout.version}, still runs (${status.reason}); a record is never taken from a run that may be ` +
          'at work. Run it where the owner can be asked (the Action asks the Actions API; the CLI, processes ' +
          'on its host). Nothing was run or written',
        { version: rollout.version },
      );
  }

  let current: LiveState;
  try {
    current = await askCurrent(env, command, {
      signal: options.signal,
      onOutput: (line) => options.reporter.event({ type: 'output', ...line }),
    });
  } catch (error) {
    if (options.signal?.aborted) return cancelled();
    return entry(
      name,
      'current_failed',
      true,
      `not adopted: the current command failed (${(error as Error).message}); ${unchanged}. Make it work, ` +
        'then run it again',
    );
  }
  if (options.signal?.aborted) return cancelled();

  const unusable = (why: string) =>
    entry(
      name,
      'current_unusable',
      true,
      `not adopted: the current command reported ${currentText(current)}, ${why}; ${unchanged}`,
    );
  if (!current.slot && !current.version)
    return unusable(
      'an empty answer: a record needs the release that serves. If nothing serves, deploy; if something ' +
        'does, make current print it as {"slot": …, "version": …}',
    );
  const strategy = env.strategy;
  let slot: string | undefined;
  if (usesSlots(strategy)) {
    if (!current.slot)
      return unusable(
        `with no slot, and the ${strategy.type} strategy serves from one of ${strategy.slots.join(' and ')}: ` +
          'print {"slot": …, "version": …}',
      );
    if (!strategy.slots.includes(current.slot))
      return unusable(
        `but ${current.slot} is not one of the ${strategy.type} strategy's slots (${strategy.slots.join(', ')}): ` +
          'the next deployment could not tell the idle slot',
      );
    slot = current.slot;
  }
  // A bare slot name: the record's version stands where it names that same slot (as a deployment reads it).
  const version = current.version ?? (slot && record.live?.slot === slot ? record.live.version : undefined);
  if (!version)
    return unusable(
      slot
        ? `with no version, and the record names none for ${slot} (its live release is ` +
            `${releaseText(record.live)}): print {"slot": "${slot}", "version": …}`
        : `with no version, and the ${strategy.type} strategy has no slots, so the version is all that says ` +
            `what serves${current.slot ? ` ("${current.slot}" was read as a slot name)` : ''}: print {"version": …}`,
    );
  if (capText(version, MAX_VERSION) !== version)
    return unusable(`a version of ${version.length} characters; the record keeps at most ${MAX_VERSION}`);

  const live = record.live;
  const says = recordText(record);
  // The record's rollout that current shows (its new slot or version serves, as the record allows): not
  // stale, and reconcile without the option rolls it back or resumes it through its recorded steps.
  if (rollout) {
    const claim = rolloutClaim(record, rollout, 'adopting');
    const showsRollout =
      (!!current.slot && current.slot === rollout.newSlot && rollout.newSlot !== live?.slot) ||
      (current.version === rollout.version && rollout.version !== live?.version);
    if (showsRollout && !disagreement(current, claim))
      return entry(
        name,
        'current_agrees',
        false,
        `nothing adopted: the current command reports ${currentText(current)}, the rollout of ` +
          `${rollout.version} the record names (${says}): the record is not stale. Reconcile without ` +
          '--adopt-current rolls that rollout back or resumes it through its recorded steps. The record is unchanged',
        { version: rollout.version },
      );
  }
  const sameLive = !!live && live.version === version && live.slot === slot;
  const clash = record.retired.filter((r) => r.slot === slot);
  if (!rollout && sameLive && clash.length === 0)
    return entry(
      name,
      'current_agrees',
      false,
      `nothing to adopt: the record already says ${releaseText(live)} is live, as the current command ` +
        'reports, with no rollout; the record is unchanged',
      { version, ...(slot ? { slots: [slot] } : {}) },
    );

  // Retired slots stay due only where that is safe: never the slot that serves now (its teardown would take
  // it down) nor a slot of the dropped rollout (its traffic may still be split there). The rest were taken
  // out of service by a deployment that finished; every later teardown asks current again first.
  const rolloutSlots = new Set([rollout?.newSlot, rollout?.stableSlot].filter((s): s is string => !!s));
  const kept: RetiredSlot[] = [];
  const dropped: Array<RetiredSlot & { why: string }> = [];
  for (const r of record.retired) {
    if (r.slot === slot) dropped.push({ ...r, why: 'it serves now' });
    else if (rolloutSlots.has(r.slot))
      dropped.push({ ...r, why: `a slot of the dropped rollout of ${rollout!.version}` });
    else kept.push(r);
  }
  const now = (options.now ?? (() => new Date()))();
  // Since when it serves is unknown: the record says when it was found (as a deployment does).
  const after: Release = sameLive ? live : { version, ...(slot ? { slot } : {}), since: now.toISOString() };
  const previous = live && live.version !== version ? live : record.previous;
  const by = options.requestedBy ?? options.actor;
  const parts = [
    sameLive
      ? `live stays ${releaseText(live)}`
      : `live ${releaseText(live)} replaced by ${releaseText(after)}` +
        (previous === live && live ? ` (${live.version} is now the previous release)` : ''),
    rollout
      ? `dropped ${rolloutText(rollout)}: its recovery steps were NOT run and its slots were not touched`
      : '',
    dropped.length
      ? `dropped from the retired slots (left running, never torn down by reconcile): ${dropped.map((d) => `${slotText(d)}: ${d.why}`).join('; ')}`
      : '',
    kept.length ? `still due for teardown: ${kept.map(slotText).join(', ')}` : '',
  ].filter(Boolean);
  const detail =
    `adopted by ${by}: the record said ${says}; the current command reported ${currentText(current)}; ` +
    parts.join('; ');
  const next = withTransition(
    record,
    { live: after, previous, retired: kept, rollout: undefined },
    { by, event: 'adopted_current', code: 'current_adopted', version, detail },
    now,
  );
  // Nothing is half-written: the record is written whole, or not at all.
  if (options.signal?.aborted) return cancelled();
  try {
    await store.write(next, { durable: true });
  } catch (error) {
    return entry(
      name,
      'state_write_failed',
      true,
      `not adopted: the record could not be stored (${(error as Error).message}); nothing else was done. ` +
        'Run it again',
    );
  }
  // The dropped rollout's GitHub deployment ends too, as reconcile's own endings do (run.ts, mark): with no
  // final status it stayed in progress, and the App's deployment lock it holds stayed taken, so every later
  // /deploy (and, through the protection rule, every workflow's deployment) there was refused as locked.
  // `inactive`: current does not show it serving (adopting stops above when it does), and nothing failed here.
  if (rollout)
    await markDropped(
      options,
      name,
      rollout,
      `Dropped by reconcile --adopt-current: ${currentText(current)} serves`,
    );
  const adopted: Adoption = {
    current,
    seq: { before: record.seq, after: next.seq },
    live: { ...(live ? { before: live } : {}), after: next.live! },
    ...(next.previous ? { previous: next.previous } : {}),
    ...(rollout
      ? {
          droppedRollout: {
            version: rollout.version,
            deploymentId: rollout.deploymentId,
            strategy: rollout.strategy,
            phase: rollout.phase,
            owner: rollout.owner,
            ...(rollout.newSlot ? { newSlot: rollout.newSlot } : {}),
            ...(rollout.stableSlot ? { stableSlot: rollout.stableSlot } : {}),
          },
        }
      : {}),
    retired: { kept, dropped },
  };
  return entry(
    name,
    'current_adopted',
    false,
    `adopted what the current command reports (${currentText(current)}) as the record of ${name} ` +
      `(seq ${record.seq} → ${next.seq}, history adopted_current by ${by}): ${parts.join('; ')}. Nothing was ` +
      'run but current: no teardown, no traffic change',
    { version, ...(slot ? { slots: [slot] } : {}), adopted },
  );
}

/** The dropped rollout's deployment marked inactive; a failure to is only reported (the record is written). */
async function markDropped(
  options: ReconcileOptions,
  environment: string,
  rollout: Rollout,
  description: string,
): Promise<void> {
  if (!options.markDeployment) return;
  try {
    await options.markDeployment(
      { id: rollout.deploymentId, environment, ...(rollout.sha ? { sha: rollout.sha } : {}) },
      'inactive',
      description.slice(0, 140),
    );
  } catch (error) {
    options.reporter.event({
      type: 'log',
      level: 'warn',
      message: `could not set the status of deployment ${rollout.deploymentId}: ${(error as Error).message}`,
    });
  }
}
