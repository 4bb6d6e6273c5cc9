// The deployment state of one environment, as data (issue 13): what is live, the previous good version,
// retired slots and when each is due for teardown, the rollout in progress and who owns it, and the recent
// history of transitions. The same record is kept in a local file (CLI, demo) and on GitHub (Action, App).
// Every function here is pure: a new record comes back, the input is never changed.
import * as z from 'zod';
import { redactCredentials } from '../report/redact.ts';
import type { SequenceState } from '../strategies/sequence.ts';
import type { AnalysisPhase, Step } from '../strategies/types.ts';

/** The newest history entries kept; older ones live in the Deployments tab and the deployment records. */
export const HISTORY_LIMIT = 50;

/** A release that served (or serves) the environment. */
export interface Release {
  version: string;
  sha?: string;
  /** The slot it serves from (blue-green and canary), absent for strategies without slots. */
  slot?: string;
  /** When it started to serve all traffic. */
  since: string;
  /** The GitHub deployment (or the CLI's run id) that put it there. */
  deploymentId?: string;
  /** Put there by a rollback deployment (`deploy-action rollback`): `hooks.after_success` is not run for it. */
  rollback?: true;
  /**
   * The deployment that put it there had `hooks.after_success`: reconcile runs the hook for this release only
   * (one added to the config since is not this release's contract step).
   */
  afterSuccessPlanned?: true;
  /** `hooks.after_success` for this release, once reconcile started it (at most once per release). */
  afterSuccess?: AfterSuccessRun;
}

/**
 * What became of a release's delayed hook. Written before the command runs (`startedAt` alone: running, or its
 * reconcile died), then with the outcome. Either way it is never started again for this release.
 */
export interface AfterSuccessRun {
  startedAt: string;
  /** Who ran it (`reconcile:<run id>`, `reconcile:cli:<host>`). */
  by: string;
  finishedAt?: string;
  ok?: boolean;
  /** The command's exit status, when it exited. */
  exitCode?: number;
  /** Why it failed: exit, timeout, cancelled, spawn, template (run-command.ts CommandFailed). */
  code?: string;
  detail?: string;
}

/** A slot kept after a deployment as the instant rollback target, torn down once `dueAt` has passed. */
export interface RetiredSlot {
  slot: string;
  version?: string;
  dueAt: string;
  deploymentId?: string;
  /**
   * Reconcile's claim, stored before its teardown command runs: a deployment never deploys into the slot
   * while it is there (a reconcile that dies leaves it for the next, which tears the slot down again).
   */
  teardown?: { startedAt: string; by: string };
}

/** Who runs a rollout: a workflow run on GitHub, or a process on this machine for the CLI. */
export type RolloutOwner =
  | { kind: 'workflow'; runId: string; runAttempt?: string; runUrl?: string }
  | {
      kind: 'process';
      pid: number;
      host: string;
      /** When the kernel started that process (boot id and start tick, reconcile/owner.ts): a reused pid differs. */
      started?: string;
      /**
       * Its PID namespace and boot, as a lock's holder names them (util/lock-takeover.ts PidSpace): one of
       * another namespace (a container sharing the host name) cannot be asked about here. Absent in older records.
       */
      pidns?: string;
      boot?: string;
    };

/**
 * Where a rollout waits for people or for time (issue 14). One at a time; the step it names is the strategy
 * step the wait belongs to: the `wait` step (manual, approval), the analysis step whose window is the bake,
 * or the step a /pause held it before.
 */
export interface RolloutWait {
  kind: 'manual' | 'approval' | 'bake' | 'hold';
  step: number;
  /**
   * The first step whose /promote counts at this wait, as the runner that wrote it counts (decideControl's
   * fromStep: the step after its previous wait, a hold or bake included). Absent in older records.
   */
  fromStep?: number;
  since: string;
  /** bake: when the window ends and the rollout goes on by itself. */
  until?: string;
  /** approval: how many distinct approvers must /promote. */
  approvals?: number;
  /** hold: who paused it. */
  by?: string;
  /**
   * The job ended with the rollout waiting: a /promote (through the App, which starts reconcile) or reconcile
   * once the bake is due goes on with it. Such a rollout is not an orphan.
   */
  handedOff: boolean;
  /** A handed-off bake: how many times reconcile looked at its metrics, and the last look. */
  looks?: number;
  lastLook?: { at: string; decision: 'promote' | 'hold' | 'rollback'; detail?: string };
}

export interface Rollout {
  /** The deployment being rolled out (GitHub deployment id, or the CLI's run id). */
  deploymentId: string;
  version: string;
  sha?: string;
  strategy: string;
  /** The pipeline phase it is in (validate, staging, production, verify, monitor, finalize). */
  phase: string;
  /** The strategy's step index and count, and the canary's traffic share in percent when there is one. */
  step: number;
  steps: number;
  weight?: number;
  startedAt: string;
  owner: RolloutOwner;
  /** The slot serving the stable version and the one receiving the new version. */
  stableSlot?: string;
  /**
   * The version serving when the rollout began, where the record named none (`live` empty: the first
   * deployment this tool records, the `current` command naming what serves): what a reconcile rolling the
   * orphan back returns to (`{{previous_version}}`), as the run's own rollback would.
   */
  stableVersion?: string;
  newSlot?: string;
  /**
   * Nothing was live when it started (no slot, no version; blue-green and canary): its strategy planned a first
   * deployment, which a resume plans again, though `stableSlot` names the other slot (slotsFor).
   */
  firstDeployment?: true;
  /**
   * Write-ahead: the steps that put all traffic back on the stable version from where the rollout may be
   * now. Reconcile runs them when the owner died (`on_orphan: rollback`).
   */
  recovery: Step[];
  /**
   * The `on_rollback` levels a rollback left undone ("level flags", "level code (its verify failed)"): kept
   * with the rollout, which stays in the record until a reconcile runs them (and what is left of `recovery`)
   * through; absent when none is.
   */
  levelsUndone?: string[];
  /**
   * The failure of its rollback the notifications and the deployment's status last told (reconcile/failure-told.ts
   * rollbackFailureKey, with failureToldKey's `:notifications` / `:status` when only one did), by a reconcile or
   * by the deploying run itself: a reconcile run whose rollback fails the same way again does not tell it again
   * by what told it.
   */
  failureNotified?: string;
  /** The strategy's own state, so `on_orphan: resume` can go on from the step it reached. */
  strategyState?: SequenceState;
  /** A rollback deployment's rollout: its strategy was fast-tracked (config/resolve.ts fastTracked). */
  fastTracked?: true;
  /** Waiting for people or a bake (issue 14). */
  wait?: RolloutWait;
  /**
   * The first step whose /promote counts at the rollout's next wait, as the runner counted when it wrote this
   * position (its controlFrom: the step after the last wait or hold it passed). A resumed orphan counts from
   * it, so a /promote that ended an earlier wait ends no later one. Absent in older records.
   */
  controlFrom?: number;
  /**
   * A /promote --full counted: the runner goes straight to 100 % and passes every later wait but an approval
   * (docs/control.md). Written with the position once it did, so a resumed orphan (or a handed-off wait's run)
   * goes on as the dead run would have, not waiting again at a later manual wait. Absent: not promoted --full.
   */
  full?: true;
  /**
   * The deployment's notification messages a later run continues in place (docs/notifications.md
   * "Reconcile"): written when the job hands the rollout off, if its Slack post was answered by then.
   */
  notify?: RolloutNotify;
}

/**
 * The rollout waits as the job handed it off (issue 14): not an orphan, and what ends its wait is read from the
 * requests and the time. Not once a rollback of it began (phase rollback: an /abort or a bake's trigger taken
 * up, the record keeping its wait): reconcile finishes that rollback as an orphan's, its owner (the run rolling
 * it back) asked first; it is never taken for a bake still under way, looked at and left half rolled back.
 */
export function waitsHandedOff(rollout: Rollout): boolean {
  return rollout.wait?.handedOff === true && rollout.phase !== 'rollback';
}

/** A Slack message a bot channel posted (by the channel's name in the config), updated in place later. */
export interface SlackMessageRef {
  name: string;
  /** The channel ID Slack answered with (C..., G... or D...). */
  channel: string;
  ts: string;
}

export interface RolloutNotify {
  slack: SlackMessageRef[];
}

/** One transition: who did what, why (a stable reason code), and when. */
export interface HistoryEntry {
  at: string;
  /** Who caused it: a login, `workflow:<run id>`, `reconcile`, `cli:<host>`. */
  by: string;
  /** What happened: `rollout_started`, `phase`, `succeeded`, `rolled_back`, `orphan_rolled_back`, ... */
  event: string;
  /** The stable reason code (the pipeline's outcome code, or reconcile's). */
  code: string;
  version?: string;
  /**
   * The commit the entry is about (the run's, or the rollout's for reconcile): what `requires` reads to tell a
   * commit that succeeded there and was superseded from one rolled back (app/facts/prior-environments.ts).
   * Absent in entries written before it was recorded, and in entries about no commit (`slot_torn_down`).
   */
  sha?: string;
  detail?: string;
}

export interface EnvironmentRecord {
  schema: 1;
  /** owner/name on GitHub; `local` for the CLI's file. */
  repository: string;
  environment: string;
  /** Increases by one on every write; a record with a lower number than one already seen is stale. */
  seq: number;
  updatedAt: string;
  live?: Release;
  previous?: Release;
  retired: RetiredSlot[];
  rollout?: Rollout;
  history: HistoryEntry[];
}

// ---- validation (what is read back is checked field by field, never trusted by shape) ---------------------

const text = (max: number) => z.string().min(1).max(max);
const iso = z.string().datetime({ offset: true });

// Objects are loose: a field this version does not know (written by a newer one) is kept through a read and a
// rewrite, never dropped. `rollout.notify` stays strict: only Slack's identifiers go there.
const releaseSchema = z
  .object({
    version: text(200),
    sha: text(64).optional(),
    slot: text(100).optional(),
    since: iso,
    deploymentId: text(100).optional(),
    rollback: z.literal(true).optional(),
    afterSuccessPlanned: z.literal(true).optional(),
    afterSuccess: z
      .object({
        startedAt: iso,
        by: text(200),
        finishedAt: iso.optional(),
        ok: z.boolean().optional(),
        exitCode: z.number().int().optional(),
        code: text(40).optional(),
        detail: z.string().max(1000).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

/**
 * A step: its kind, and the fields of a closed set a known kind holds (a deploy's `version`, a wait's `gate`,
 * an analysis's `phase`) as text where that kind needs them. Missing or of another type they are damage, said
 * at their path; a value not known is a newer version's (unknownValue). The rest is passed through.
 */
const stepSchema = z
  .object({ kind: text(40) })
  .passthrough()
  .superRefine((step, ctx) => {
    const closed = Object.hasOwn(CLOSED_STEP_FIELDS, step.kind) ? CLOSED_STEP_FIELDS[step.kind] : undefined;
    if (!closed) return;
    const value = (step as Record<string, unknown>)[closed.field];
    if (value === undefined && !closed.required) return;
    const known = text(40).safeParse(value);
    if (!known.success)
      for (const issue of known.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message, path: [closed.field, ...issue.path] });
  });

/** Who owns a rollout, of a kind this version knows: checked field by field. */
const knownOwnerSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('workflow'),
      runId: text(40),
      runAttempt: text(10).optional(),
      runUrl: text(500).optional(),
    })
    .loose(),
  z
    .object({
      kind: z.literal('process'),
      pid: z.number().int().positive(),
      host: text(255),
      started: text(100).optional(),
      pidns: text(100).optional(),
      boot: text(100).optional(),
    })
    .loose(),
]);

/**
 * An owner of a known kind is checked as knownOwnerSchema does (its issues at their own paths); one of another
 * kind is a newer version's (unknownValue), not a damaged record.
 */
const ownerSchema = z
  .object({ kind: text(40) })
  .loose()
  .superRefine((owner, ctx) => {
    if (!Object.hasOwn(OWNER_KIND_LIST, owner.kind)) return;
    const known = knownOwnerSchema.safeParse(owner);
    if (!known.success)
      for (const issue of known.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  });

/** What `rollout.notify` may hold: Slack's own identifiers only, never free text. */
export const rolloutNotifySchema = z.object({
  slack: z
    .array(
      z.object({
        name: z
          .string()
          .max(100)
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'is not a channel name of the config'),
        channel: z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, 'is not a Slack channel ID'),
        ts: z.string().regex(/^\d{1,12}\.\d{1,9}$/, 'is not a Slack message ts'),
      }),
    )
    .min(1)
    .max(20),
});

export const recordSchema = z
  .object({
    schema: z.literal(1),
    repository: text(200),
    environment: text(255),
    seq: z.number().int().nonnegative(),
    updatedAt: iso,
    live: releaseSchema.optional(),
    previous: releaseSchema.optional(),
    retired: z
      .array(
        z
          .object({
            slot: text(100),
            version: text(200).optional(),
            dueAt: iso,
            deploymentId: text(100).optional(),
            teardown: z
              .object({ startedAt: iso, by: text(200) })
              .loose()
              .optional(),
          })
          .loose(),
      )
      .max(20),
    rollout: z
      .object({
        deploymentId: text(100),
        version: text(200),
        sha: text(64).optional(),
        strategy: text(40),
        phase: text(40),
        step: z.number().int().min(-1),
        steps: z.number().int().nonnegative(),
        weight: z.number().min(0).max(100).optional(),
        startedAt: iso,
        owner: ownerSchema,
        stableSlot: text(100).optional(),
        stableVersion: text(200).optional(),
        newSlot: text(100).optional(),
        firstDeployment: z.literal(true).optional(),
        recovery: z.array(stepSchema).max(500),
        levelsUndone: z.array(text(300)).max(50).optional(),
        // Opaque, only compared with the next run's key: a version that words it otherwise is not refused.
        failureNotified: text(100).optional(),
        strategyState: z
          .object({
            plan: z.array(z.object({ step: stepSchema, reason: z.string().max(1000) }).loose()).max(500),
            index: z.number().int().min(-1),
            holds: z.number().int().nonnegative(),
          })
          .loose()
          .optional(),
        fastTracked: z.literal(true).optional(),
        wait: z
          .object({
            // Closed sets are read as text and checked after (unknownValue): a value this version does not know
            // is a newer version's, refused as such, never replaced as a damaged record would be.
            kind: text(40),
            step: z.number().int().min(-1),
            fromStep: z.number().int().min(0).optional(),
            since: iso,
            until: iso.optional(),
            approvals: z.number().int().min(1).max(100).optional(),
            by: text(200).optional(),
            handedOff: z.boolean(),
            looks: z.number().int().nonnegative().optional(),
            lastLook: z
              .object({
                at: iso,
                decision: text(40),
                detail: z.string().max(1000).optional(),
              })
              .loose()
              .optional(),
          })
          .loose()
          .optional(),
        controlFrom: z.number().int().min(0).optional(),
        full: z.literal(true).optional(),
        notify: rolloutNotifySchema.optional(),
      })
      .loose()
      .optional(),
    history: z
      .array(
        z
          .object({
            at: iso,
            by: text(200),
            event: text(60),
            code: text(60),
            version: text(200).optional(),
            sha: text(64).optional(),
            detail: z.string().max(1000).optional(),
          })
          .loose(),
      )
      .max(HISTORY_LIMIT),
  })
  .loose();

/** Why a record read back was not believed (stable codes: outputs, logs, App replies). */
export type RefusalCode =
  /** No MAC, or a MAC that does not verify under the environment's key: someone else wrote it. */
  | 'state_forged'
  /** A valid MAC, but for another repository, environment or deployment: copied from elsewhere. */
  | 'state_misplaced'
  /** Older than a record already seen, or claims a rollout its owning run finished successfully. */
  | 'state_stale'
  /** Not JSON, or not a record this version understands. */
  | 'state_corrupt'
  /** There is a record but no key to check it with. */
  | 'state_unverifiable'
  /** Where the record is kept could not be read (GitHub failing): what is live is unknown. */
  | 'state_unavailable'
  /**
   * Where the record is kept (the CLI's state directory, its records/, the file, or a directory above them) may
   * be written by someone other than the CLI's user or root, or is a link: its record is not read, and none
   * is written there until that is fixed (state/file-store.ts).
   */
  | 'state_untrusted'
  /**
   * GitHub answered, but the record lies past what a read looks through (more deployments without one, or
   * more check suites of its name on a commit, than are read): what is live is unknown until they are cleared.
   */
  | 'state_buried';

/**
 * Every refusal code, as a record over RefusalCode so a code added to the union without being listed here fails
 * to compile: what tells a refused record from the other outcomes (report/reconcile.ts).
 */
const REFUSAL_CODE_LIST = {
  state_forged: true,
  state_misplaced: true,
  state_stale: true,
  state_corrupt: true,
  state_unverifiable: true,
  state_unavailable: true,
  state_untrusted: true,
  state_buried: true,
} satisfies Record<RefusalCode, true>;

export function isRefusalCode(code: string): code is RefusalCode {
  return Object.hasOwn(REFUSAL_CODE_LIST, code);
}

export type ParsedRecord =
  | { ok: true; record: EnvironmentRecord }
  | {
      ok: false;
      code: 'state_corrupt';
      message: string;
      /** A later record schema (a newer deploy-action's): never replaced by this version (store.ts StateRead). */
      newer?: true;
    };

/**
 * Every step kind this version runs (strategies/types.ts Step). A record, so a kind added to Step without being
 * listed here fails to compile (a list would let this version refuse its own records as a newer one's).
 */
const STEP_KIND_LIST = {
  deploy: true,
  health: true,
  smoke: true,
  warmup: true,
  switch: true,
  set_weight: true,
  pause: true,
  analysis: true,
  rollback: true,
  wait: true,
  teardown: true,
} satisfies Record<Step['kind'], true>;
const STEP_KINDS: ReadonlySet<string> = new Set(Object.keys(STEP_KIND_LIST));

// Every other closed set the record holds, one record each over its type, for the same reason: a value added
// to the type without being listed here fails to compile. A value read back that is not listed is a newer
// version's (unknownValue).
const OWNER_KIND_LIST = { workflow: true, process: true } satisfies Record<RolloutOwner['kind'], true>;
const WAIT_KIND_LIST = { manual: true, approval: true, bake: true, hold: true } satisfies Record<
  RolloutWait['kind'],
  true
>;
const LOOK_DECISION_LIST = { promote: true, hold: true, rollback: true } satisfies Record<
  NonNullable<RolloutWait['lastLook']>['decision'],
  true
>;
type StepOf<K extends Step['kind']> = Extract<Step, { kind: K }>;
const DEPLOY_VERSION_LIST = { new: true, previous: true } satisfies Record<
  NonNullable<StepOf<'deploy'>['version']>,
  true
>;
const WAIT_GATE_LIST = { manual: true, approval: true } satisfies Record<StepOf<'wait'>['gate'], true>;
const ANALYSIS_PHASE_LIST = {
  'canary-step': true,
  'pre-switch': true,
  'post-switch': true,
  batch: true,
  verify: true,
  monitor: true,
  staging: true,
} satisfies Record<AnalysisPhase, true>;

/** The field of a closed set each step kind holding one has, and whether that kind always has it. */
const CLOSED_STEP_FIELDS: Partial<Record<string, { field: string; required: boolean }>> = {
  deploy: { field: 'version', required: false },
  wait: { field: 'gate', required: true },
  analysis: { field: 'phase', required: true },
};

/** `value` is set and is none of `list`'s: a newer version's (a wrong type is recordSchema's to refuse). */
const unlisted = (list: object, value: unknown): value is string =>
  typeof value === 'string' && !Object.hasOwn(list, value);

/**
 * A value of a closed set this version does not know, said as what holds it: a newer version's record, whose
 * rollout this one would misread (an owner never asked about, a wait never ended, a recovery deploying the
 * new version where the previous was meant). Undefined when every value is known.
 */
function unknownValue(record: EnvironmentRecord): string | undefined {
  const rollout = record.rollout;
  if (!rollout) return undefined;
  const kind = unknownStep(record);
  if (kind !== undefined)
    return `a step of kind ${JSON.stringify(kind)}, which this one does not know how to run or undo`;
  if (unlisted(OWNER_KIND_LIST, rollout.owner.kind))
    return `an owner of kind ${JSON.stringify(rollout.owner.kind)}, which this one cannot ask about`;
  if (unlisted(WAIT_KIND_LIST, rollout.wait?.kind))
    return `a wait of kind ${JSON.stringify(rollout.wait.kind)}, which this one does not know how to end`;
  if (unlisted(LOOK_DECISION_LIST, rollout.wait?.lastLook?.decision))
    return `a look that decided ${JSON.stringify(rollout.wait.lastLook.decision)}, which this one does not know`;
  const steps = [...rollout.recovery, ...(rollout.strategyState?.plan.map((p) => p.step) ?? [])];
  for (const step of steps as Array<Record<string, unknown>>) {
    if (step.kind === 'deploy' && unlisted(DEPLOY_VERSION_LIST, step.version))
      return `a deploy step for version ${JSON.stringify(step.version)}, which this one does not know how to run`;
    if (step.kind === 'wait' && unlisted(WAIT_GATE_LIST, step.gate))
      return `a wait step gated by ${JSON.stringify(step.gate)}, which this one does not know how to end`;
    if (step.kind === 'analysis' && unlisted(ANALYSIS_PHASE_LIST, step.phase))
      return `an analysis step of phase ${JSON.stringify(step.phase)}, which this one does not know how to run`;
  }
  return undefined;
}

/**
 * A step kind in the rollout's recovery or plan that this version does not know: a newer version's, which
 * reconcile would otherwise run as nothing (a crash half-way through the recovery) or resume past.
 */
function unknownStep(record: EnvironmentRecord): string | undefined {
  const steps = [
    ...(record.rollout?.recovery ?? []),
    ...(record.rollout?.strategyState?.plan.map((p) => p.step) ?? []),
  ];
  return steps.find((s) => !STEP_KINDS.has(s.kind))?.kind;
}

/** The record schema this version reads and writes. */
export const RECORD_SCHEMA = 1;

/**
 * Checks a value read back (already MAC-verified where it came from GitHub) against the schema. A record of a
 * later schema is refused as such, with the fix (a newer deploy-action), not as one malformed field.
 */
export function parseRecord(value: unknown): ParsedRecord {
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (typeof schema === 'number' && schema > RECORD_SCHEMA)
    return {
      ok: false,
      code: 'state_corrupt',
      message: `was written by a newer deploy-action (record schema ${schema}; this one reads schema ${RECORD_SCHEMA}): run that version or a later one`,
      newer: true,
    };
  const parsed = recordSchema.safeParse(value);
  if (parsed.success) {
    const unknown = unknownValue(parsed.data as EnvironmentRecord);
    return unknown
      ? {
          ok: false,
          code: 'state_corrupt',
          message: `was written by a newer deploy-action (its rollout holds ${unknown}): run that version or a later one`,
          newer: true,
        }
      : { ok: true, record: parsed.data as EnvironmentRecord };
  }
  const issue = parsed.error.issues[0]!;
  return {
    ok: false,
    code: 'state_corrupt',
    message: `not a deploy-action state record: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
  };
}

// ---- pure updates -------------------------------------------------------------------------------------------

export function emptyRecord(repository: string, environment: string, now: Date): EnvironmentRecord {
  return {
    schema: 1,
    repository,
    environment,
    seq: 0,
    updatedAt: now.toISOString(),
    retired: [],
    history: [],
  };
}

/**
 * Every write goes through here: one more in the sequence, the time, and the history entry if any. Free text
 * is cut to what recordSchema reads back (capRecordText): a record too long to read would be refused.
 */
export function withTransition(
  record: EnvironmentRecord,
  change: Partial<Omit<EnvironmentRecord, 'schema' | 'repository' | 'environment' | 'seq' | 'history'>>,
  entry: Omit<HistoryEntry, 'at'> | undefined,
  now: Date,
): EnvironmentRecord {
  const at = now.toISOString();
  const history = entry
    ? [...record.history, { at, ...redactDetails(entry) }].slice(-HISTORY_LIMIT)
    : record.history;
  return capRecordText({ ...record, ...redactDetails(change), seq: record.seq + 1, updatedAt: at, history });
}

/**
 * `value` with every `detail` in it (a history entry's, a bake's last look) passed through the shared
 * credential redaction: a detail quotes what a failing command printed (a push URL with its token, an
 * Authorization header), and the record goes to GitHub and to files. The same objects where nothing changed.
 */
function redactDetails<T>(value: T): T {
  return mapTextFields(value, (key, text) => (key === 'detail' ? redactCredentials(text) : text));
}

/**
 * The record with the run's own secret values out of its free text (`redact`: each value the run masks in its
 * log replaced, report/redact.ts secretValueRedactor): a detail or a step's reason quotes what a command
 * printed or an analysis said, and a token the run holds (its GitHub token, its state key, a notification
 * channel's secret) looks like nothing in particular, so redactCredentials, which goes by shape, misses it. The
 * same objects where nothing changed.
 */
export function redactRecordSecrets(
  record: EnvironmentRecord,
  redact: (text: string) => string,
): EnvironmentRecord {
  return mapTextFields(record, (key, text) => (FREE_TEXT.has(key) ? redact(text) : text));
}

/** The fields that hold what commands and analyses said: history details, bake looks, the plan's reasons. */
const FREE_TEXT: ReadonlySet<string> = new Set(['detail', 'reason']);

/**
 * `value` with every string field `map` gives another text, at any depth (objects and arrays); the same
 * objects where nothing changed.
 */
function mapTextFields<T>(value: T, map: (key: string, text: string) => string): T {
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => mapTextFields(item, map));
    return items.some((item, i) => item !== value[i]) ? (items as T) : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(value)) {
    const next = typeof field === 'string' ? map(key, field) : mapTextFields(field, map);
    if (next !== field) (out ??= { ...(value as Record<string, unknown>) })[key] = next;
  }
  return (out ?? value) as T;
}

/**
 * The record's free-text fields, by name wherever they are, and the most recordSchema reads back: versions
 * (a release's, a retired slot's, the rollout's, a history entry's), who (`by`), details and reasons. A
 * version the `current` command printed, a command's output in a reason, or a hostile name would otherwise
 * grow the record without bound, and the next read would refuse it.
 */
const TEXT_CAPS: Readonly<Record<string, number>> = { version: 200, by: 200, detail: 1000, reason: 1000 };

/**
 * `text`, or its start and a marker saying it was cut and how long it was, within `max` characters. A cut
 * version is never a version (the marker has a space and "…", which VERSION_RULE refuses): it cannot be
 * deployed by mistake.
 */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `… [cut from ${text.length} characters]`;
  return `${text.slice(0, Math.max(0, max - marker.length))}${marker}`;
}

/** The record with every free-text field within TEXT_CAPS (the same objects where nothing is cut). */
export function capRecordText<T>(value: T): T {
  return mapTextFields(value, (key, text) => {
    // Own keys only: a field named "constructor" had Object's function as its cap, and was cut to nothing.
    const cap = Object.hasOwn(TEXT_CAPS, key) ? TEXT_CAPS[key] : undefined;
    return cap === undefined ? text : capText(text, cap);
  });
}

/** The retired slots whose delay has passed at `now`. */
export function dueForTeardown(record: EnvironmentRecord, now: Date): RetiredSlot[] {
  return record.retired.filter((r) => Date.parse(r.dueAt) <= now.getTime());
}

/**
 * The version that served before `rollout` began: the record's live one, else the one the target's `current`
 * command named then (stableVersion, kept when the record named none). What a rollback of it returns to, what
 * a resume of it and a look at its bake compare against.
 */
export function versionBefore(
  record: Pick<EnvironmentRecord, 'live'>,
  rollout: Pick<Rollout, 'stableVersion'>,
): string | undefined {
  return record.live?.version ?? rollout.stableVersion;
}
