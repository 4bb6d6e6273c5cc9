// Before reconcile acts on a record (tears a slot down, rolls a rollout back, goes on with it), the target's
// `current` command is asked what serves now. The record alone cannot be trusted to be the newest: a write
// user can roll it back (docs/state.md), and an old record's due slot may be the one that serves today. A
// record and a `current` answer that disagree about what is live stop reconcile for that environment, with
// nothing done; a `current` command that fails stops it too (never read as agreement). Without a `current`
// command reconcile acts on the record alone, as before, and says so.
import type { ResolvedEnvironment } from '../config/resolve.ts';
import { askCurrent } from '../pipeline/live-state.ts';
import type { OutputLine } from '../targets/run-command.ts';
import type { EnvironmentRecord, RetiredSlot, Rollout } from '../state/record.ts';
import type { LiveState } from '../strategies/capabilities.ts';

/** What the record says is live, as far as the action about to be taken relies on it. */
export interface RecordClaim {
  /** The slots that may serve now if the record is right (empty: the record names none). */
  slots: string[];
  /** The versions that may serve now if the record is right (empty: the record names none). */
  versions: string[];
  /** The slots the action tears down: the `current` command must not name one of them. */
  tearsDown: string[];
  /** Whether the record says anything is live at all (an empty `current` answer then disagrees). */
  somethingLive: boolean;
  /** What the record says, in words. */
  says: string;
  /** What would be done on it, in words ("tear down blue (v1)"). */
  action: string;
}

export type LiveCheck =
  /** The target has no `current` command: the record could not be cross-checked. */
  | { ok: true; checked: false }
  | { ok: true; checked: true; current: LiveState }
  | { ok: false; code: 'current_disagrees' | 'current_failed'; message: string; current?: LiveState };

const slotList = (slots: RetiredSlot[]) =>
  slots.map((s) => `${s.slot}${s.version ? ` (${s.version})` : ''}`).join(', ');

const present = (values: Array<string | undefined>): string[] => [
  ...new Set(values.filter((v): v is string => !!v)),
];

function liveText(live: { slot?: string; version?: string } | undefined): string {
  if (!live || (!live.slot && !live.version)) return 'nothing is live';
  if (live.version && live.slot) return `${live.version} is live on ${live.slot}`;
  return live.version ? `${live.version} is live` : `${live.slot} is live`;
}

/** A teardown of due retired slots relies on the record's live release: the slots torn down must not serve. */
export function teardownClaim(record: EnvironmentRecord, slots: RetiredSlot[]): RecordClaim {
  const live = record.live;
  const torn = slots.filter((s) => s.slot !== live?.slot);
  return {
    slots: present([live?.slot]),
    versions: present([live?.version]),
    tearsDown: torn.map((s) => s.slot),
    somethingLive: !!(live?.slot || live?.version),
    says: `${liveText(live)}, and ${slotList(slots)} ${slots.length === 1 ? 'is' : 'are'} due for teardown`,
    action: torn.length ? `tearing down ${slotList(torn)}` : 'changing the retired slots',
  };
}

/** The delayed hook relies on the record's live release being what serves: it is run for that release. */
export function afterSuccessClaim(record: EnvironmentRecord): RecordClaim {
  const live = record.live;
  return {
    slots: present([live?.slot]),
    versions: present([live?.version]),
    tearsDown: [],
    somethingLive: !!(live?.slot || live?.version),
    says: liveText(live),
    action: `running hooks.after_success for ${live?.version ?? 'the live release'}`,
  };
}

/**
 * A rollout in the record (an orphan to roll back or resume, a handed-off one to go on with or abort) relies on
 * traffic being where it left it: on the stable release, on the new slot or version, or split between them.
 */
export function rolloutClaim(record: EnvironmentRecord, rollout: Rollout, action: string): RecordClaim {
  const live = record.live;
  const to = rollout.newSlot ? ` to ${rollout.newSlot}` : '';
  return {
    slots: present([live?.slot, rollout.stableSlot, rollout.newSlot]),
    // A record with nothing live (the first release this tool made, over one it did not) does not know the
    // stable side's version: any version may serve there, so versions are not compared.
    versions: live?.version ? present([live.version, rollout.version]) : [],
    tearsDown: [],
    somethingLive: !!(live?.slot || live?.version),
    says: `${liveText(live)}, with the ${rollout.strategy} rollout of ${rollout.version}${to} unfinished`,
    action,
  };
}

/** Why `current`'s answer contradicts the record, or undefined when they agree (only what both say counts). */
export function disagreement(current: LiveState, claim: RecordClaim): string | undefined {
  if (!current.slot && !current.version)
    return claim.somethingLive ? 'while the record names a release that serves' : undefined;
  if (current.slot && claim.tearsDown.includes(current.slot))
    return `${current.slot} serves, and it is one of the slots the record has due for teardown`;
  if (current.slot && claim.slots.length > 0 && !claim.slots.includes(current.slot))
    return `the record names no slot ${current.slot} (only ${claim.slots.join(', ')})`;
  if (current.version && claim.versions.length > 0 && !claim.versions.includes(current.version))
    return `the record names no version ${current.version} (only ${claim.versions.join(', ')})`;
  return undefined;
}

export function currentText(current: LiveState): string {
  if (!current.slot && !current.version) return 'nothing live';
  return [current.version && `version ${current.version}`, current.slot && `slot ${current.slot}`]
    .filter(Boolean)
    .join(' on ');
}

/** Runs `env`'s `current` command (if any) and judges the record's claim against its answer. */
export async function checkLive(
  env: ResolvedEnvironment,
  claim: RecordClaim,
  options: { signal?: AbortSignal; onOutput?: (line: OutputLine) => void },
): Promise<LiveCheck> {
  const command = env.target.current;
  if (!command) return { ok: true, checked: false };
  let current: LiveState;
  try {
    current = await askCurrent(env, command, options);
  } catch (error) {
    return {
      ok: false,
      code: 'current_failed',
      message:
        `not acted on: the current command failed (${(error as Error).message}), so the record, which says ` +
        `${claim.says}, could not be checked against what serves now; ${claim.action} was not done and ` +
        'nothing was changed. Make the current command work (what it needs: credentials, network), then ' +
        'reconcile again',
    };
  }
  const why = disagreement(current, claim);
  if (!why) return { ok: true, checked: true, current };
  return {
    ok: false,
    code: 'current_disagrees',
    current,
    message:
      `not acted on: the record says ${claim.says}, but the current command reports ${currentText(current)} ` +
      `(${why}). The record may be stale or rolled back (docs/state.md), and ${claim.action} on it could take ` +
      'down what serves now; nothing was done and the record is unchanged. Find out what really serves: if ' +
      'the current command is right, do by hand what is really due, then make its answer the record with ' +
      `\`deploy-action reconcile -e ${env.name} --adopt-current\` (Action: \`mode: reconcile\`, ` +
      `\`environment: ${env.name}\`, \`adopt-current: true\`; docs/reconcile.md); if the record is right, fix ` +
      'the current command. Reconcile refuses until the two agree',
  };
}
