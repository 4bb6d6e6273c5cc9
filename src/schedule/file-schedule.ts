// Scheduled runs of the CLI (`deploy-action run --at <time>`), kept beside the environment records in the
// state directory: `<state_dir>/schedules/<environment>.json`, written atomically and durably (a temporary file
// fsync'd, renamed over the old one, then the directory fsync'd; the temporary file is written in a draft
// directory naming its writer, `<file>.<pid>.<n>.tmp/`, removed by a later write once that writer is gone),
// one change at a time under a lock file
// (lock-takeover.ts createOwnedFile: it appears naming its process, never empty). `deploy-action reconcile`
// starts the ones that are due (src/cli/schedule.ts), after checking the config's policy again at that moment
// (deploy windows, freezes, a rollout in progress). A run is claimed with a file created exclusively (O_EXCL),
// so two reconcile processes on one host start it once. A claim appears naming its claimant, as a lock does
// (createOwnedFile): one whose claimant is a process of this host that has ended is taken over at once; any
// other (a live claimant, one of another host or container, or one naming nobody: an older version's, or one
// seen empty) only once CLAIM_STALE_MS old.
// A scheduled run deploys what it names, so the schedule is trusted only as the records and the control file
// beside it are (util/trusted-directories.ts, as ssh's StrictModes): a state directory, `schedules/` or
// schedule file that someone other than the CLI's user (or root) owns or may write, below a directory someone
// else may write, or a link in place of a directory, is refused (state_untrusted, as a record there would be,
// naming the path and what is wrong): none of its runs is started, and nothing is written there. The file is written 0644. A run's claim
// and its takeover guard are judged as a lock is (lock-trust.ts): one not trusted is neither believed nor taken
// over, and the run is reported `state_untrusted`, neither started nor dropped.
import { randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { RawConfig } from '../config/schema.ts';
import { STRATEGY_NAMES } from '../config/schema.ts';
import type { StrategyName } from '../config/schema.ts';
import {
  activeFreeze,
  inZoneSuffix,
  isWithinWindows,
  nextDeployableInstant,
  resolvePolicy,
} from '../policy/index.ts';
import { parseIsoInstant } from './iso-time.ts';
import { withOpenedFile } from '../util/regular-file.ts';
import { MAX_SCHEDULE_AHEAD_MS, MAX_SCHEDULE_AHEAD_TEXT, scheduleInstant } from './time.ts';
import type { TimeResult } from './time.ts';
import { abortableSleep } from '../util/sleep.ts';
import { syncDirectory } from '../util/sync-directory.ts';
import { TRUSTED_DIRECTORY_MODE } from '../util/trusted-mode.ts';
import { processUid, untrusted } from '../util/file-trust.ts';
import { untrustedDirectory, untrustedStateDirectory } from '../util/trusted-directories.ts';
import { untrustedLockFile } from '../util/lock-trust.ts';
import { trackedByGit } from '../state/git-tracked.ts';
import {
  createOwnedFile,
  fileAgeMs,
  keepTouched,
  namedProcessState,
  OWNER_FILE,
  ownerText,
  readOwnedFile,
  removeAbandonedDrafts,
  removeOwnedFile,
  takeOverStaleLock,
} from '../util/lock-takeover.ts';

export interface ScheduledRun {
  id: string;
  environment: string;
  version: string;
  sha?: string;
  strategy?: StrategyName;
  skipStaging?: boolean;
  at: Date;
  requestedAt: Date;
}

/** The schedule file format this version reads and writes (`v`). */
export const SCHEDULE_FILE_VERSION = 1;

const runSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  environment: z.string().min(1).max(255),
  version: z.string().min(1).max(128),
  sha: z.string().max(64).optional(),
  strategy: z.enum(STRATEGY_NAMES).optional(),
  skipStaging: z.boolean().optional(),
  at: z.iso.datetime({ offset: true }),
  requestedAt: z.iso.datetime({ offset: true }),
});
const fileSchema = z.strictObject({
  v: z.literal(SCHEDULE_FILE_VERSION),
  runs: z.array(runSchema).max(1000),
});

/**
 * `--at`: an ISO 8601 time with its offset (`2026-12-01T09:00:00Z`), or a local `YYYY-MM-DD HH:MM [Area/City]`
 * read in the environment's zone (`approvals.timezone`, UTC by default) when none is written. The App's rules:
 * in the future, at most 30 days ahead, a wall time the zone shows (one shown twice: its first occurrence).
 */
export function parseRunAt(value: string, defaultZone: string, now: Date): TimeResult {
  const text = value.trim();
  // A `T` after the date (or a time with its offset written on: RFC 3339's space form): the ISO form, which
  // must then carry its offset (never the machine's zone).
  const at = parseIsoInstant(text);
  if (at || /^\d{4}-\d{2}-\d{2}[Tt]/.test(text)) {
    if (!at)
      return {
        ok: false,
        code: 'schedule_time_malformed',
        message: `"${text}" is not a real ISO 8601 time with an offset (Z, +HH:MM or +HHMM), such as 2026-12-01T09:00:00Z`,
      };
    const ahead = at.getTime() - now.getTime();
    if (ahead <= 0)
      return {
        ok: false,
        code: 'schedule_time_past',
        message: `${at.toISOString()} is not in the future (now: ${now.toISOString()})`,
      };
    if (ahead > MAX_SCHEDULE_AHEAD_MS)
      return {
        ok: false,
        code: 'schedule_time_too_far',
        message: `${at.toISOString()} is more than ${MAX_SCHEDULE_AHEAD_TEXT} ahead`,
      };
    return { ok: true, at, zone: 'UTC' };
  }
  const [date = '', time = '', zone, ...rest] = text.split(/\s+/);
  if (rest.length || !date || !time)
    return {
      ok: false,
      code: 'schedule_time_malformed',
      message: `"${text}" is neither an ISO 8601 time with an offset (2026-12-01T09:00:00Z) nor "YYYY-MM-DD HH:MM [Area/City]"`,
    };
  return scheduleInstant({ date, time, ...(zone !== undefined ? { zone } : {}) }, defaultZone, now);
}

export type RunCheck =
  { ok: true } | { ok: false; code: 'outside_window' | 'frozen'; message: string; next?: Date };

/** The config policy's windows and freezes at `at` (an environment without `approvals:` is never refused). */
export function windowCheck(config: RawConfig, environment: string, at: Date): RunCheck {
  if (!Object.hasOwn(config.environments, environment)) return { ok: true };
  const policy = resolvePolicy(config, environment);
  const next = nextDeployableInstant(at, policy.windows, policy.timezone, policy.freezes);
  const after = next ? { next } : {};
  const freeze = activeFreeze(at, policy.freezes);
  if (freeze)
    return {
      ok: false,
      code: 'frozen',
      message: `${environment} is frozen at ${at.toISOString()} (${freeze.reason}, until ${freeze.to.toISOString()}${inZoneSuffix(freeze.to, policy.timezone)})`,
      ...after,
    };
  if (!isWithinWindows(at, policy.windows, policy.timezone))
    return {
      ok: false,
      code: 'outside_window',
      message: `${at.toISOString()} is outside the deploy windows of ${environment} (time zone ${policy.timezone})`,
      ...after,
    };
  return { ok: true };
}

/** A run found this long after its time is not started (as the App's schedules: app/schedule/decide.ts). */
export const RUN_MISSED_AFTER_MS = 2 * 3_600_000;

export type RunDecision =
  | { action: 'wait'; run: ScheduledRun; code: 'schedule_not_due' }
  | { action: 'start'; run: ScheduledRun; code: 'schedule_due' }
  | {
      action: 'drop';
      run: ScheduledRun;
      code:
        | 'schedule_missed'
        | 'schedule_outside_window'
        | 'schedule_frozen'
        | 'schedule_locked'
        | 'schedule_behind';
      message: string;
    };

/**
 * What to do with one environment's runs now: the earliest due one starts if the policy allows it and no
 * rollout is in progress; every other due one is dropped with its reason. Pure.
 *
 * `dueBy` (`reconcile --at`, later than `now`) also starts a run due by then, early, with the policy judged
 * at that time. Only the real clock drops a run: one whose own time has not come yet is never dropped (as
 * missed, refused or behind) because of a rehearsal; it waits for its time instead.
 */
export function runDecisions(
  runs: readonly ScheduledRun[],
  ctx: { config: RawConfig; now: Date; dueBy?: Date; rolloutInProgress: boolean },
): RunDecision[] {
  const dueBy = ctx.dueBy && ctx.dueBy.getTime() > ctx.now.getTime() ? ctx.dueBy : ctx.now;
  let started = false;
  return [...runs]
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id))
    .map((run): RunDecision => {
      if (run.at.getTime() > dueBy.getTime()) return { action: 'wait', run, code: 'schedule_not_due' };
      if (ctx.now.getTime() - run.at.getTime() > RUN_MISSED_AFTER_MS)
        return {
          action: 'drop',
          run,
          code: 'schedule_missed',
          message: `found more than 2 hours after ${run.at.toISOString()}`,
        };
      const refused = refusal(run, ctx.config, dueBy, ctx.rolloutInProgress, started);
      // A run whose own time has not come is never dropped because of a rehearsal: it waits for its time.
      if (refused)
        return run.at.getTime() > ctx.now.getTime()
          ? { action: 'wait', run, code: 'schedule_not_due' }
          : refused;
      started = true;
      return { action: 'start', run, code: 'schedule_due' };
    });
}

/** Why a due run may not start (the policy at `at`, a rollout in progress, another run started), if it may not. */
function refusal(
  run: ScheduledRun,
  config: RawConfig,
  at: Date,
  rolloutInProgress: boolean,
  anotherStarted: boolean,
): Extract<RunDecision, { action: 'drop' }> | undefined {
  const policy = windowCheck(config, run.environment, at);
  if (!policy.ok) return { action: 'drop', run, code: `schedule_${policy.code}`, message: policy.message };
  if (rolloutInProgress)
    return {
      action: 'drop',
      run,
      code: 'schedule_locked',
      message: `a rollout of ${run.environment} is in progress`,
    };
  if (anotherStarted)
    return {
      action: 'drop',
      run,
      code: 'schedule_behind',
      message: 'another scheduled run of the environment started first',
    };
  return undefined;
}

/**
 * A schedule file that cannot be read, or is not one this version wrote (`schedule_unreadable`); or a place,
 * file, lock or claim of the schedule's that someone else may have written (`state_untrusted`, as a record or
 * lock there would be): reported, never guessed at.
 */
export class ScheduleFileError extends Error {
  readonly code: 'schedule_unreadable' | 'state_untrusted';

  constructor(message: string, code: 'schedule_unreadable' | 'state_untrusted' = 'schedule_unreadable') {
    super(message);
    this.code = code;
  }
}

/** The schedule inside a write's draft directory, renamed from there over the schedule file. */
const DRAFT_FILE = 'schedule.json';
/** Numbers this process's drafts (`<file>.<pid>.<n>.tmp`). */
// From a random number, not 0: a process killed mid-write leaves its draft behind, and the next process with
// its pid (PID 1 of the next container) would otherwise meet that draft's name at its first write.
let draftCount = randomInt(2 ** 40);

/** How long a change waits for another process's change to the same file (each takes milliseconds). */
const LOCK_WAIT_MS = 10_000;
/**
 * A lock untouched this long whose holder this host cannot ask (another host's or container's, or one naming
 * nobody: an older version's) was left by a process that died while changing the file. Its holder touches it
 * every HEARTBEAT_MS while it holds it (lock-takeover.ts keepTouched), however long its change takes, so a
 * live holder's lock never gets this old (six heartbeats missed).
 */
const LOCK_STALE_MS = 30_000;

/**
 * A claim this old on a run that is still scheduled was left by a process that died between claiming the run
 * and removing it (which takes at most the lock wait, LOCK_WAIT_MS): it is taken over, so the run is started
 * or dropped by a later reconcile instead of being skipped as claimed on every reconcile forever. One whose
 * claimant is provably gone (claimGone) is taken over at once.
 */
const CLAIM_STALE_MS = 5 * 60_000;

/**
 * Whether the claim at `path` was left by a claimant that is gone: at once when it names a process of this host
 * (the same PID namespace and boot) that has ended, its pid absent or another process's (namedProcessState);
 * otherwise once CLAIM_STALE_MS old. Its claimant cannot be asked when it is of another host or container, or
 * the claim names nobody (an older version's, holding only a pid; or one seen empty, made where there are no
 * hard links and not written yet): the age rule then, as before.
 */
async function claimGone(path: string): Promise<boolean> {
  if (namedProcessState(readOwnedFile(path)) === 'ended') return true;
  return (await fileAgeMs(path, 0)) > CLAIM_STALE_MS;
}

/** How long ago the lock file was made or last touched by its holder; 0 when there is none. */
const lockAge = (lock: string): Promise<number> => fileAgeMs(lock, 0);

/**
 * Whether the change holding `lock` is gone: the process of this host it names has ended; one this host cannot
 * ask once untouched for LOCK_STALE_MS. A live holder keeps it however long it takes (a change is never run twice at once).
 */
async function lockGone(lock: string): Promise<boolean> {
  const holder = namedProcessState(readOwnedFile(lock));
  if (holder !== 'unknown') return holder === 'ended';
  return (await lockAge(lock)) > LOCK_STALE_MS;
}

/** Removes a stale lock (lock-takeover.ts): one left by a process that died while changing the file. */
async function takeOver(lock: string): Promise<void> {
  await takeOverStaleLock(lock, () => lockGone(lock), LOCK_STALE_MS);
}

/** Who holds `lock`, as it says. */
function holderOf(lock: string): string {
  try {
    const holder = JSON.parse(readOwnedFile(lock) ?? '') as { pid?: unknown; host?: unknown } | null;
    if (Number.isSafeInteger(holder?.pid) && typeof holder?.host === 'string')
      return `process ${holder.pid as number} on ${holder.host}`;
  } catch {
    // Names nobody: an older version's lock.
  }
  return 'another process';
}

/** The schedule file of one environment in a state directory. */
export interface FileScheduleOptions {
  /** How often a held lock is touched (default HEARTBEAT_MS; tests). */
  heartbeatMs?: number;
  /** How long a change waits for another's lock (default LOCK_WAIT_MS; tests). */
  lockWaitMs?: number;
  /** The user whose files are trusted besides root's (default: the process's; undefined on Windows). */
  uid?: number | undefined;
}

/** What is not done with a schedule over a place not trusted (after "so"). */
const RUNS_NOT_STARTED = 'its scheduled runs are not started or changed';
/** What is not done with a run whose claim is not trusted (after "so"). */
const CLAIM_NOT_USED = 'its run is neither started nor dropped, and the claim is not taken over';

/**
 * Why a schedule file that is JSON is refused, and what to do. One a newer deploy-action wrote (another `v`, or
 * a field this version does not know) holds runs still to start: moving it away would lose them, so the fix is
 * that version; only a damaged one is moved away.
 */
function unreadableSchedule(file: unknown, error: z.ZodError): string {
  const v = (file as { v?: unknown } | null)?.v;
  if (typeof v === 'number' && v !== SCHEDULE_FILE_VERSION)
    return (
      `was written by ${v > SCHEDULE_FILE_VERSION ? 'a newer' : 'another'} deploy-action (schedule file v${v}; this one ` +
      `reads v${SCHEDULE_FILE_VERSION}): run that version or a later one, which starts its runs; it is left as it is`
    );
  const issue = error.issues[0]!;
  const where = issue.path.join('.') || '(root)';
  if (issue.code === 'unrecognized_keys')
    return (
      `holds a field this version does not know (${where}: ${issue.keys.join(', ')}), written by a newer ` +
      'deploy-action: run that version or a later one, which starts its runs; it is left as it is'
    );
  return `is not a schedule this version reads (${where}: ${issue.message}); move it away to start over (its runs are not started)`;
}

export class FileSchedule {
  readonly dir: string;
  private readonly heartbeatMs: number | undefined;
  private readonly lockWaitMs: number;

  private readonly stateDir: string;
  private readonly uid: number | undefined;

  constructor(stateDir: string, options: FileScheduleOptions = {}) {
    this.stateDir = stateDir;
    this.uid = 'uid' in options ? options.uid : processUid();
    this.dir = join(stateDir, 'schedules');
    this.heartbeatMs = options.heartbeatMs;
    this.lockWaitMs = options.lockWaitMs ?? LOCK_WAIT_MS;
  }

  pathFor(environment: string): string {
    return join(this.dir, `${encodeURIComponent(environment)}.json`);
  }

  /** The environments with a schedule file here (names decoded as pathFor encodes them). */
  environments(): string[] {
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch {
      return [];
    }
    return files
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) => {
        try {
          const name = decodeURIComponent(file.slice(0, -'.json'.length));
          return this.pathFor(name) === join(this.dir, file) ? [name] : [];
        } catch {
          return [];
        }
      })
      .sort();
  }

  /** The environment's runs; a file that is not one this version wrote is an error naming its path. */
  read(environment: string): ScheduledRun[] {
    const path = this.pathFor(environment);
    this.refuseUntrusted();
    let text: string;
    try {
      // Opened without waiting and looked at before it is read, as a record is: a named pipe's read waits for
      // a writer for ever, on the main thread (reconcile and `run --at` hung without a word).
      text = withOpenedFile(path, (info, readText) => {
        if (!info.isFile())
          throw new ScheduleFileError(
            `${path} cannot be read (${info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a named pipe' : 'a device or socket'}, not a regular file); move it away`,
          );
        const why = untrusted(`the schedule file ${path}`, info, this.uid, RUNS_NOT_STARTED);
        if (why) throw new ScheduleFileError(why, 'state_untrusted');
        // One the checkout brought, as a committed record (git-tracked.ts): whoever could push a branch or open
        // a pull request named what its runs deploy.
        if (trackedByGit(path))
          throw new ScheduleFileError(
            `the schedule file ${path} is in the repository's commit (git tracks it), so whoever can push a ` +
              'branch or open a pull request wrote it: its runs are not started; remove it from the repository',
            'state_untrusted',
          );
        return readText();
      });
    } catch (error) {
      if (error instanceof ScheduleFileError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ScheduleFileError(
        `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    let file: unknown;
    try {
      file = JSON.parse(text);
    } catch (error) {
      throw new ScheduleFileError(
        `${path} is not JSON (${(error as Error).message}); move it away to start over`,
      );
    }
    const parsed = fileSchema.safeParse(file);
    if (!parsed.success) throw new ScheduleFileError(`${path} ${unreadableSchedule(file, parsed.error)}`);
    return parsed.data.runs
      .filter((r) => r.environment === environment)
      .map((r) => ({
        ...r,
        at: new Date(r.at),
        requestedAt: new Date(r.requestedAt),
      })) as ScheduledRun[];
  }

  /**
   * Throws `state_untrusted`, naming the path and what is wrong, when the file's lock or its takeover guard is
   * not trusted.
   */
  private refuseUntrustedLock(lock: string): void {
    let why: string | undefined;
    try {
      why = untrustedLockFile(lock, this.uid, RUNS_NOT_STARTED);
    } catch (error) {
      why = `${lock} cannot be looked at (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
    if (why) throw new ScheduleFileError(`${why}; nothing was changed`, 'state_untrusted');
  }

  /**
   * Throws `state_untrusted`, naming the path and what is wrong, when a run's claim or its takeover guard is
   * not trusted (judged as a lock is: lock-trust.ts untrustedLockFile).
   */
  private refuseUntrustedClaim(claim: string): void {
    let why: string | undefined;
    try {
      why = untrustedLockFile(claim, this.uid, CLAIM_NOT_USED, 'claim');
    } catch (error) {
      why = `${claim} cannot be looked at (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), so ${CLAIM_NOT_USED}`;
    }
    if (why) throw new ScheduleFileError(why, 'state_untrusted');
  }

  /**
   * Throws `state_untrusted`, naming the path and what is wrong, when the state directory, a directory above it
   * or `schedules/` is not trusted (util/trusted-directories.ts); an lstat that fails is said too.
   */
  private refuseUntrusted(): void {
    let why: string | undefined;
    try {
      why =
        untrustedStateDirectory(this.stateDir, this.uid, RUNS_NOT_STARTED) ??
        untrustedDirectory(
          this.dir,
          'its directory',
          'put the directory itself there',
          this.uid,
          RUNS_NOT_STARTED,
        );
    } catch (error) {
      why = `the directories on the way to ${this.dir} cannot be looked at (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
    if (why) throw new ScheduleFileError(why, 'state_untrusted');
  }

  async write(environment: string, runs: readonly ScheduledRun[]): Promise<void> {
    const path = this.pathFor(environment);
    this.refuseUntrusted();
    await mkdir(this.dir, { recursive: true, mode: TRUSTED_DIRECTORY_MODE });
    // A draft left by a writer killed between writing it and its rename (its process gone), as the records'
    // drafts are (state/file-store.ts): at once when it names a process of this host that has ended, once
    // STALE_DRAFT_MS old when its writer cannot be asked (another host's or container's, or an older version's
    // temporary file, which names nobody); never while its writer runs.
    await removeAbandonedDrafts(path);
    // The draft names its writer (a directory holding its owner text and the schedule), so another write can
    // tell whether it was left behind.
    const draft = `${path}.${process.pid}.${++draftCount}.tmp`;
    const temp = join(draft, DRAFT_FILE);
    const data = {
      v: SCHEDULE_FILE_VERSION,
      runs: runs.map((r) => ({ ...r, at: r.at.toISOString(), requestedAt: r.requestedAt.toISOString() })),
    };
    try {
      // Its modes whatever the umask: a draft others may write could have its file swapped before the rename.
      await mkdir(draft, { mode: TRUSTED_DIRECTORY_MODE });
      await writeFile(join(draft, OWNER_FILE), ownerText(), { mode: 0o644 });
      // Durable as the records' durable writes (state/file-store.ts): the file's text on disk before the
      // rename, the rename once the directory is. A crash must not bring back a run already started and removed
      // (it would start again), lose one just added, or leave an empty file where the schedule was.
      const handle = await open(temp, 'w', 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } finally {
      await rm(draft, { recursive: true, force: true }).catch(() => undefined);
    }
    await syncDirectory(this.dir);
  }

  /**
   * Runs a read-change-write of the environment's file alone: two `run --at` at once, or one while reconcile
   * removes a run, would otherwise each write what they read and one change would be lost without a word.
   */
  private async locked<T>(environment: string, change: () => Promise<T>): Promise<T> {
    const lock = `${this.pathFor(environment)}.lock`;
    const deadline = Date.now() + this.lockWaitMs;
    let text: string;
    // Nothing made (not even the lock) where the schedule would be refused.
    this.refuseUntrusted();
    for (;;) {
      try {
        await mkdir(this.dir, { recursive: true, mode: TRUSTED_DIRECTORY_MODE });
        // Appears naming this process (lock-takeover.ts): never an empty lock whose holder cannot be told.
        text = await createOwnedFile(lock);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // The state directory is a file, or not ours to write: said so, never a stack trace.
        if (code !== 'EEXIST')
          throw new ScheduleFileError(`${this.dir} cannot be written (${code ?? (error as Error).message})`);
      }
      // A lock (or takeover guard) others may write is not believed: it could name a holder that has ended
      // while a change holds it, and two changes would each write what they read.
      this.refuseUntrustedLock(lock);
      if (await lockGone(lock)) await takeOver(lock);
      else if (Date.now() > deadline)
        throw new ScheduleFileError(
          `${lock} has been held for ${Math.round((await lockAge(lock)) / 1000)} s by ${holderOf(lock)} changing the schedule; nothing was changed`,
        );
      else await abortableSleep(5 + Math.random() * 20);
    }
    // Touched while held (a change stalled on a slow disk, or a stopped process resumed), so a process that
    // cannot ask about this one (another host's or container's) never takes it for one that died (lockGone).
    const stop = keepTouched(lock, text, this.heartbeatMs);
    try {
      return await change();
    } finally {
      stop();
      // Only while it is still this change's: one another process holds now is never removed.
      if (readOwnedFile(lock) === text) await removeOwnedFile(lock);
    }
  }

  async add(run: ScheduledRun): Promise<void> {
    await this.locked(run.environment, () =>
      this.write(run.environment, [...this.read(run.environment), run]),
    );
  }

  /** Removes a run; true when it was there. */
  async remove(run: ScheduledRun): Promise<boolean> {
    return this.locked(run.environment, async () => {
      const runs = this.read(run.environment);
      const kept = runs.filter((r) => r.id !== run.id);
      if (kept.length === runs.length) return false;
      await this.write(run.environment, kept);
      return true;
    });
  }

  private claimPath(run: ScheduledRun): string {
    return join(this.dir, `${run.id}.claim`);
  }

  /**
   * Claims a run for this process: creates its claim file exclusively, naming this process (false when another
   * process has), then checks the run is still scheduled (a process that finished removes the run first, then
   * its claim). Throws ScheduleFileError (`state_untrusted`) where the schedule, or a claim already there (or
   * its takeover guard), is not trusted: the run is then neither started nor dropped.
   */
  async claim(run: ScheduledRun): Promise<boolean> {
    // Nothing made (not even the claim) where the schedule would be refused.
    this.refuseUntrusted();
    await mkdir(this.dir, { recursive: true, mode: TRUSTED_DIRECTORY_MODE });
    const path = this.claimPath(run);
    for (let attempt = 0; ; attempt++) {
      try {
        // Appears naming this process (lock-takeover.ts), so a claimant that died is known at once.
        await createOwnedFile(path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // A claim others may write is not believed: it could name a live process of theirs, kept fresh, so the
        // run never starts; or one that has ended, so a run being started is taken over (a link, or a FIFO
        // whose read never ends, likewise). Nor is its takeover guard (held for ever, no claim is taken over).
        this.refuseUntrustedClaim(path);
        // Held by a live process (a start or a cancel under way), or left by one that died: taken over once.
        if (attempt > 0 || !(await claimGone(path))) return false;
        await takeOverStaleLock(path, () => claimGone(path), LOCK_STALE_MS);
      }
    }
    let scheduled: boolean;
    try {
      scheduled = this.read(run.environment).some((r) => r.id === run.id);
    } catch (error) {
      // Refused meanwhile: the claim is given back, not left for a takeover.
      await this.release(run);
      throw error;
    }
    if (scheduled) return true;
    await this.release(run);
    return false;
  }

  /** Gives a claim back. */
  async release(run: ScheduledRun): Promise<void> {
    const path = this.claimPath(run);
    await unlink(path).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return;
      // Made as a directory holding its claimant (a file system without hard links: createOwnedFile).
      // (unlink of a directory: EISDIR on Linux, EPERM elsewhere.)
      const isDirectory = await stat(path).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isDirectory) throw error;
      await removeOwnedFile(path);
    });
  }

  /**
   * Removes a claimed run, then its claim; true when this call removed it. False: it was gone already, removed
   * by another process (one that took this claim over while this one stalled): that one acts on it, not this.
   */
  async finish(run: ScheduledRun): Promise<boolean> {
    const removed = await this.remove(run);
    await this.release(run);
    return removed;
  }
}
