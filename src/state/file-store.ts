// The environment record in a local directory, for the CLI and the demo: one file per environment
// (`<state_dir>/records/<environment>.json`), written atomically (a temp file renamed over the old one, so a
// killed run never leaves half a file; when the write is durable the temp file is fsync'd before the rename
// and the directory after it, so the rename itself survives a crash). The temp file is written in a draft
// directory that names its writer (`<file>.<pid>.<n>.tmp/`, as a lock's draft does): a run killed mid-write
// leaves it behind, and the next write removes it once its writer is gone (removeAbandonedTemps). Before this store, the CLI
// kept `<state_dir>/state.json` (schema 1, one map of environments); it is still read for what was live and
// the previous version when an environment has no record yet, so nobody loses their state on upgrade.
// Nothing read here is trusted by shape: an unreadable or malformed file is a `state_corrupt` refusal with
// its path and the fix, never a throw. A refused record file is never written over: the next write first
// moves it to `<file>.refused-<its mtime>`, which the refusal names (`kept`). Nor is another run's record: a
// write that finds the file changed since this store read or wrote it (two runs at once on one environment),
// or holding a record not older than its own, throws and leaves the file as it is. The check and the rename
// are made under a lock file (`<file>.lock`, created exclusively and naming its process), so two writers can
// never both pass the check; a lock whose process is gone is taken over (util/lock-takeover.ts), and so is one
// naming nobody once a few seconds old (its writer died between creating and writing it; this version's locks
// appear whole, so no live writer's lock is ever seen empty). One of another host whose workflow run GitHub
// reports completed is taken over once its holder has also stopped touching it (lock-takeover.ts keepTouched,
// HEARTBEAT_GRACE_MS): a cancelled job's process can still be writing its rollback's record.
// A record says what is live and what a rollback goes back to, so it is trusted only as the control file next
// to it is (util/trusted-directories.ts, util/file-trust.ts, as ssh's StrictModes): a state directory, a
// `records/`, or a record file that someone other than the CLI's user (or root) owns or may write, or below a
// directory someone else may write, or a link in place of either directory, is refused (`state_untrusted`,
// naming the path and what is wrong), never read, and no record is written there; nor under a lock (or its
// takeover guard) that is anyone else's to write, or a link (util/lock-trust.ts). The CLI makes them so that
// they pass (0755 and 0644, whatever the umask).
import { randomInt } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import { withOpenedFile } from '../util/regular-file.ts';
import { trackedByGit } from './git-tracked.ts';
import { open, readdir, rename, mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createOwnedFile,
  fileAgeMs,
  HEARTBEAT_GRACE_MS,
  inOtherPidSpace,
  keepTouched,
  lockRunOf,
  OWNER_FILE,
  ownerText,
  type PidSpace,
  removeAbandonedDrafts,
  readOwnedFile,
  type LockRunStatus,
  thisPidSpace,
  removeOwnedFile,
  takeOverStaleLock,
} from '../util/lock-takeover.ts';
import { processStart } from '../util/process-start.ts';
import { abortableSleep } from '../util/sleep.ts';
import { syncDirectory } from '../util/sync-directory.ts';
import { parseRecord, type EnvironmentRecord, type Release, type RetiredSlot } from './record.ts';
import type { StateRead, StateStore, WriteOptions } from './store.ts';
import { TRUSTED_DIRECTORY_MODE } from '../util/trusted-mode.ts';
import { processUid, untrusted } from '../util/file-trust.ts';
import { untrustedDirectory, untrustedStateDirectory } from '../util/trusted-directories.ts';
import { untrustedLockFile } from '../util/lock-trust.ts';

export const LEGACY_STATE_FILE = 'state.json';
/**
 * A draft of this store's writes: `<record file>.<pid>.<n>.tmp` (see write), a directory holding its writer's
 * owner text (util/lock-takeover.ts ownerText) and the record; an older version's is a file holding the record.
 * Drafts, and those of the record's lock and takeover guard (`<record file>.lock[.takeover].<pid>.<n>.tmp`),
 * are removed by who made them (util/lock-takeover.ts removeAbandonedDrafts), never by age alone: a live
 * writer's is its own, however slow it is.
 */
const TEMP_FILE = /\.json\.\d+\.\d+\.tmp$/;
/** The record inside a write's draft directory, renamed from there over the record file. */
const DRAFT_RECORD = 'record.json';
/** More than any record this version writes (50 history entries, 500 planned steps): refused unread. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** What is not done with a record over a place not trusted (after "so"). */
const RECORDS_NOT_USED = 'its records are not read or written';
/** What is not done with a record's lock not trusted (after "so"). */
const LOCK_NOT_USED = 'it is neither taken nor believed';
/** The record file's mode (less if the umask says so): only its owner may write it, or it is not trusted. */
const RECORD_FILE_MODE = 0o644;
/** How long a write waits for another write of the same record to give its lock back. */
export const LOCK_WAIT_MS = 5_000;
/** A lock held (untouched) this long by a process of another host was left by a write that died. */
export const STALE_LOCK_MS = 60_000;
/**
 * A lock that names no process (empty, or not a holder's JSON) this long was left by a write that died: this
 * version's locks appear whole (createOwnedFile); an older version's, or one made where there are no hard
 * links, is created, then written microseconds later. A few seconds leave a wide margin for a stalled
 * writer, and are less than a write waits for the lock (LOCK_WAIT_MS).
 */
export const UNNAMED_LOCK_STALE_MS = 2_000;

/** Whether the run attempt that took a lock has finished, as GitHub says (reconcile/owner.ts lockRunStatusFor). */
export type RunStatus = LockRunStatus;

export interface FileStateStoreOptions {
  /** The user whose files are trusted besides root's (default: the process's; undefined on Windows). */
  uid?: number | undefined;
  /** How long a write waits for the lock another write holds (default LOCK_WAIT_MS). */
  lockWaitMs?: number;
  /**
   * Asks GitHub about the run attempt a lock of another host names (a self-hosted runner that died with the
   * lock): one that has finished, and whose lock has not been touched for HEARTBEAT_GRACE_MS (its process has
   * stopped too), holds nothing, and its lock is taken over at once. Otherwise (running, not known, or touched
   * lately) the age rule decides. Given only by the Action's reconcile (action/reconcile.ts).
   */
  runStatus?: RunStatus;
  /** Where a lock taken over from a holder that is gone is said (default: standard error). */
  notice?: (line: string) => void;
}

/** The temp files of this process's writes, numbered across stores: two stores never share one. */
// From a random number, not 0: a process killed mid-write leaves its draft behind, and the next process with
// its pid (PID 1 of the next container) would otherwise meet that draft's name at its first write.
let tempCount = randomInt(2 ** 40);

export class FileStateStore implements StateStore {
  readonly dir: string;
  private readonly lockWaitMs: number;
  private readonly runStatus: RunStatus | undefined;
  private readonly notice: (line: string) => void;
  /**
   * Per environment, the record file this store last read or wrote, its number and text (null: there was
   * none). A write finds the file still holding it, or it would put its run's record over another run's (two
   * runs at once on one environment): that other run's rollout and recovery would be lost. The text, not only
   * the number: two runs that each wrote their own record N are told apart. Once this store has written an
   * environment's record, only its own writes move this: a later read shows what is there, but the run goes on
   * from its own records, so a read must not make another run's record the one it may write over.
   */
  private readonly known = new Map<string, { seq: number; text: string } | null>();
  /** The environments whose record this store has written. */
  private readonly wrote = new Set<string>();
  /** The text readFile last found at a record path (undefined: no file). */
  private lastText: string | undefined;
  private readonly uid: number | undefined;

  constructor(stateDir: string, options: FileStateStoreOptions = {}) {
    this.dir = stateDir;
    this.uid = 'uid' in options ? options.uid : processUid();
    this.lockWaitMs = options.lockWaitMs ?? LOCK_WAIT_MS;
    this.runStatus = options.runStatus;
    this.notice = options.notice ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Where an environment's record lives (the name is encoded: environments may hold any character). */
  pathFor(environment: string): string {
    return join(this.dir, 'records', `${encodeURIComponent(environment)}.json`);
  }

  async read(environment: string): Promise<StateRead> {
    return this.readSync(environment);
  }

  /**
   * The same read, synchronously (for `plan`, which runs nothing). A refused record file names where the
   * next write moves it (`kept`: `<file>.refused-<its mtime>`), so it is never written over.
   */
  readSync(environment: string): StateRead {
    const path = this.pathFor(environment);
    // Not read, not kept aside and not replaced: whoever could write there may write it again.
    const why = this.untrustedPlace(path);
    if (why) return { ok: false, code: 'state_untrusted', message: why, source: path };
    const read = this.readFile(environment, path);
    if (this.wrote.has(environment)) {
      // What this run builds on is what it wrote (see `known`).
    } else if (read.ok)
      this.known.set(
        environment,
        read.source === path && read.record ? { seq: read.record.seq, text: this.lastText ?? '' } : null,
      );
    else this.known.delete(environment);
    if (read.ok || read.source !== path) return read;
    const kept = keptPath(path);
    return kept ? { ...read, kept } : read;
  }

  private readFile(environment: string, path: string): StateRead {
    const text = readText(path, this.uid);
    this.lastText = text.ok ? text.text : undefined;
    if (text.ok && text.text === undefined) return this.readLegacy(environment);
    if (text.ok && trackedByGit(path)) return untrustedFile(path, committedMessage(path));
    if (!text.ok && text.placeOnly)
      return { ok: false, code: 'state_corrupt', message: `${path} ${text.message}`, source: path };
    if (!text.ok) return text.untrusted ? untrustedFile(path, text.message) : corrupt(path, text.message);
    if (text.text!.trim() === '') return corrupt(path, 'empty');
    let value: unknown;
    try {
      value = JSON.parse(text.text!);
    } catch (error) {
      return corrupt(path, `not JSON (${(error as Error).message})`);
    }
    const parsed = parseRecord(value);
    // A newer version's record holds what only it knows (an unfinished rollout, slots due for teardown): never
    // advised away, never replaced here.
    if (!parsed.ok && parsed.newer)
      return {
        ok: false,
        code: 'state_corrupt',
        message: `${path} ${parsed.message}; it is left as it is`,
        source: path,
        newer: true,
      };
    if (!parsed.ok) return corrupt(path, parsed.message);
    if (parsed.record.environment !== environment)
      return {
        ok: false,
        code: 'state_misplaced',
        message: `${path} is the record of environment "${parsed.record.environment}", not "${environment}"; move it back where it belongs or away`,
        source: path,
      };
    return { ok: true, record: parsed.record, source: path };
  }

  async write(record: EnvironmentRecord, options: WriteOptions = {}): Promise<void> {
    const path = this.pathFor(record.environment);
    const records = join(this.dir, 'records');
    // Before anything is made there, and again once records/ is: a record written where it will be refused
    // (or where someone else may change it) must not be reported stored.
    this.refuseUntrusted(path, record);
    await mkdir(records, { recursive: true, mode: TRUSTED_DIRECTORY_MODE });
    this.refuseUntrusted(path, record);
    await removeAbandonedTemps(records);
    // The draft names its writer (as a lock's draft does), so another write removes it only once that writer
    // is gone, never under a slow one still waiting for the lock.
    const draft = `${path}.${process.pid}.${++tempCount}.tmp`;
    const temp = join(draft, DRAFT_RECORD);
    const text = `${JSON.stringify(record, null, 2)}\n`;
    try {
      // Its modes whatever the umask: a draft others may write could have its record swapped before the rename.
      await mkdir(draft, { mode: TRUSTED_DIRECTORY_MODE });
      await writeFile(join(draft, OWNER_FILE), ownerText(), { mode: RECORD_FILE_MODE });
      if (options.durable) {
        const handle = await open(temp, 'w', RECORD_FILE_MODE);
        try {
          await handle.writeFile(text);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        await writeFile(temp, text, { mode: RECORD_FILE_MODE });
      }
      // The check and the rename under the lock: no other write comes between them.
      const release = await this.lock(path);
      try {
        // A record this store refuses is kept for whoever looks into why: moved aside, not written over.
        const current = this.readFile(record.environment, path);
        if (!current.ok && current.source === path) {
          const kept = keptPath(path);
          if (kept) await rename(path, kept);
        }
        if (current.ok && current.record && current.source === path)
          this.checkNotOverwriting(path, current.record.seq, this.lastText, record);
        await rename(temp, path);
      } finally {
        await release();
      }
    } finally {
      await rm(draft, { recursive: true, force: true }).catch(() => undefined);
    }
    this.known.set(record.environment, { seq: record.seq, text });
    this.wrote.add(record.environment);
    // The rename is an entry of the directory: durable once the directory is on disk too.
    if (options.durable) await syncDirectory(records);
  }

  /**
   * Why the directories on the way to the record file at `path` are not trusted (the state directory, those
   * above it, then `records/`); undefined when all are (or are not there yet). An lstat that fails is said too.
   */
  private untrustedPlace(path: string): string | undefined {
    try {
      return (
        untrustedStateDirectory(this.dir, this.uid, RECORDS_NOT_USED) ??
        untrustedDirectory(
          dirname(path),
          'its directory',
          'put the directory itself there',
          this.uid,
          RECORDS_NOT_USED,
        )
      );
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return `the directories on the way to ${path} cannot be looked at (${code ?? (error as Error).message})`;
    }
  }

  /** Why the record's lock `lock` or its takeover guard is not trusted (lock-trust.ts); undefined when both are. */
  private untrustedLock(lock: string): string | undefined {
    try {
      return untrustedLockFile(lock, this.uid, LOCK_NOT_USED);
    } catch (error) {
      return `${lock} cannot be looked at (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
  }

  private refuseUntrusted(path: string, record: EnvironmentRecord): void {
    const why = this.untrustedPlace(path);
    if (why) throw new Error(`record ${record.seq} of ${record.environment} was not stored: ${why}`);
  }

  /**
   * Takes `<path>.lock` (created exclusively, naming this process): resolves with its release. Waits for
   * another write holding it, up to lockWaitMs; a lock whose process is gone is taken over. Throws, naming the
   * lock and its holder, when it is still held after the wait.
   */
  private async lock(path: string): Promise<() => Promise<void>> {
    const lock = `${path}.lock`;
    const until = Date.now() + this.lockWaitMs;
    const runStatus = this.runStatus && askedOnce(this.runStatus);
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      try {
        // Touched while held (a write stalled on a slow disk), so a run-status takeover sees it is at work.
        const stop = keepTouched(lock, await createOwnedFile(lock));
        return async () => {
          stop();
          await removeOwnedFile(lock);
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      // A lock (or takeover guard) others may write is not believed: it could name a holder that has ended
      // while a write holds it, or a live one for ever (records/ is judged with the record: refuseUntrusted).
      const why = this.untrustedLock(lock);
      if (why) throw new Error(`${why}; the record was not stored`);
      // Taken over, the next attempt takes it (unless another write was quicker).
      const gone = await lockGone(lock, runStatus);
      const stale = gone !== undefined;
      if (stale) {
        let why: string | undefined = gone;
        const taken = await takeOverStaleLock(
          lock,
          async () => (why = await lockGone(lock, runStatus)) !== undefined,
          10_000,
        );
        if (taken) this.notice(`deploy-action: took over ${lock}: ${why}`);
        // Freed now: tried again whatever asking GitHub took of the wait.
        if (taken) continue;
      }
      if (Date.now() >= until)
        throw new Error(
          `${lock} is held by ${describeHolder(lock)} (another write of this record) after ${Math.round(this.lockWaitMs / 1000)} s: ` +
            'the record was not stored. Two runs at once on one environment? Let one finish, then run again',
        );
      await abortableSleep(stale ? 1 : Math.min(wait, Math.max(1, until - Date.now())));
    }
  }

  /**
   * Throws when the record file (numbered `stored`, holding `text`) was written by someone else since this
   * store read or wrote it, or is not older than `record`: writing would drop what that other run recorded.
   */
  private checkNotOverwriting(
    path: string,
    stored: number,
    text: string | undefined,
    record: EnvironmentRecord,
  ): void {
    const known = this.known.get(record.environment);
    const expected = known === undefined ? undefined : (known?.seq ?? null);
    if (stored < record.seq && (known === undefined || (known !== null && known.text === text))) return;
    const since =
      expected === undefined
        ? `already holds record ${stored}, not older than this one`
        : expected === null
          ? `holds record ${stored}, written by another run since this one found no record there`
          : `holds record ${stored}, written by another run since this one read or wrote${expected === stored ? ' its own' : ''} record ${expected}`;
    throw new Error(
      `${path} ${since}: record ${record.seq} of ${record.environment} was not stored over it. Two runs at once ` +
        'on one environment? Let one finish (or run reconcile), then run again',
    );
  }

  /** Today's state.json: what was live and the previous version, as a record with nothing else in it. */
  private readLegacy(environment: string): StateRead {
    const path = join(this.dir, LEGACY_STATE_FILE);
    const text = readText(path, this.uid);
    if (!text.ok) return text.untrusted ? untrustedFile(path, text.message) : corrupt(path, text.message);
    if (text.text === undefined) return { ok: true, record: undefined, source: this.pathFor(environment) };
    if (trackedByGit(path)) return untrustedFile(path, committedMessage(path));
    let file: unknown;
    try {
      file = JSON.parse(text.text);
    } catch (error) {
      return corrupt(path, `not JSON (${(error as Error).message})`);
    }
    const environments = (file as { schema?: unknown; environments?: unknown } | null)?.environments;
    if ((file as { schema?: unknown } | null)?.schema !== 1 || !isObject(environments))
      return corrupt(path, 'not a deploy-action state file (expected schema 1 and an environments map)');
    // Own keys only: for an environment named "constructor" the map gave Object's function (refused as corrupt).
    const saved = Object.hasOwn(environments, environment) ? environments[environment] : undefined;
    if (saved === undefined) return { ok: true, record: undefined, source: path };
    const legacy = legacyRecord(environment, saved);
    if (!legacy.ok) return corrupt(path, `environments.${environment}: ${legacy.message}`);
    return { ok: true, record: legacy.record, source: path };
  }
}

/**
 * The run status lookup of one wait for a lock: each run attempt is asked about once, not at every retry of
 * the wait (a live writer of another host would otherwise cost a GitHub request every 100 ms).
 */
function askedOnce(runStatus: RunStatus): RunStatus {
  const asked = new Map<string, ReturnType<RunStatus>>();
  return (run) => {
    const key = JSON.stringify([run.repository, run.id, run.attempt]);
    if (!asked.has(key)) asked.set(key, runStatus(run));
    return asked.get(key)!;
  };
}

export interface LockHolder {
  pid?: unknown;
  host?: unknown;
  started?: unknown;
  /** The workflow run of the job that took the lock (lock-takeover.ts ownerText). */
  run?: { id?: unknown; attempt?: unknown; repository?: unknown };
}

function lockHolder(lock: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readOwnedFile(lock) ?? '') as LockHolder | null;
    return holder && typeof holder === 'object' ? holder : undefined;
  } catch {
    return undefined;
  }
}

function describeHolder(lock: string): string {
  const holder = lockHolder(lock);
  return holder && Number.isSafeInteger(holder.pid) && typeof holder.host === 'string'
    ? `process ${holder.pid as number} on ${holder.host}`
    : 'another process';
}

/**
 * Why the write holding `lock` is gone, or undefined while it may still be at work: its process on this host
 * has ended (or its pid now belongs to a process started at another time); one of another host whose run
 * attempt GitHub says has finished (runStatus) once untouched for HEARTBEAT_GRACE_MS, or once older than any
 * write takes (STALE_LOCK_MS; a live holder touches it, keepTouched); a lock
 * that names nobody (left by a crash, or by an older version that created it empty) once
 * UNNAMED_LOCK_STALE_MS old.
 */
async function lockGone(lock: string, runStatus: RunStatus | undefined): Promise<string | undefined> {
  const age = await fileAgeMs(lock, -1);
  if (age < 0) return undefined; // gone already: the next attempt takes it
  const holder = lockHolder(lock);
  const run = lockRunOf(holder);
  const elsewhere = holder?.host !== hostname() || inOtherPidSpace(holder);
  // A run reported completed may still have its process at work (a cancelled job's rollback writing its
  // record): its lock is taken over only once also untouched for HEARTBEAT_GRACE_MS (the holder touches it
  // while it holds it). Not asked before then: the answer could not take the lock.
  if (runStatus && run && elsewhere && age > HEARTBEAT_GRACE_MS) {
    const status = await runStatus(run);
    const untouched = await fileAgeMs(lock, -1);
    if (status.state === 'ended' && untouched > HEARTBEAT_GRACE_MS)
      return `its holder, workflow run ${run.id} (${describeHolder(lock)}), has finished${status.conclusion ? ` (${status.conclusion})` : ''} and has not touched it for ${Math.round(untouched / 1000)} s`;
    // Running, or not known: no write holds a lock for a minute, so the age rule below still frees the lock
    // of a runner that died (a re-run's writes would otherwise all fail behind it).
  }
  const stale = isStaleHolder(holder, age, hostname(), (pid) => {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return { runs: false };
    }
    return { runs: true, started: processStart(pid) };
  });
  if (!stale) return undefined;
  const seconds = `${Math.round(age / 1000)} s`;
  if (describeHolder(lock) === 'another process')
    return `it names no holder and is ${seconds} old (left by a write that died, or by an older version)`;
  return !elsewhere
    ? `its holder, ${describeHolder(lock)}, has ended`
    : `its holder, ${describeHolder(lock)}, has held it for ${seconds}, longer than any write takes`;
}

/**
 * The decision of lockGone, given what the lock says (`holder`: undefined when it is empty or not JSON),
 * its age, this host and PID namespace, and what this host says of a pid (whether it runs, and when the
 * kernel started it). A holder of another PID namespace or boot is of another host (its pid means nothing
 * here); a lock that names none (an older version's) is judged by its host name alone.
 */
export function isStaleHolder(
  holder: LockHolder | undefined,
  ageMs: number,
  host: string,
  probe: (pid: number) => { runs: boolean; started?: string | undefined },
  space: PidSpace = thisPidSpace(),
): boolean {
  const pid = holder?.pid;
  const named = typeof holder?.host === 'string' && Number.isSafeInteger(pid) && (pid as number) > 0;
  if (!named) return ageMs > UNNAMED_LOCK_STALE_MS;
  if (holder!.host !== host || inOtherPidSpace(holder, space)) return ageMs > STALE_LOCK_MS;
  const seen = probe(pid as number);
  if (!seen.runs) return true;
  if (typeof holder!.started !== 'string') return false;
  return seen.started !== undefined && seen.started !== holder!.started;
}

/** Where a refused record file is moved before a new one is written: beside it, named by its mtime. */
function keptPath(path: string): string | undefined {
  let mtime: Date;
  try {
    mtime = statSync(path).mtime;
  } catch {
    return undefined;
  }
  return `${path}.refused-${mtime.toISOString().replace(/:/g, '-')}`;
}

/**
 * Removes the drafts in `dir` that writes killed mid-way left, of every record there (this store's naming), as
 * lock drafts are removed (util/lock-takeover.ts removeAbandonedDrafts): at once when the writer it names is a
 * process of this host that has ended; once STALE_DRAFT_MS old when its writer cannot be asked (another host's
 * or container's, or an older version's draft, a file naming nobody); never while its writer runs. Best effort:
 * never fails a write.
 */
async function removeAbandonedTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const records = new Set(
    names.filter((name) => TEMP_FILE.test(name)).map((name) => name.replace(/\.\d+\.\d+\.tmp$/, '')),
  );
  for (const record of records) await removeAbandonedDrafts(join(dir, record));
}

function readText(
  path: string,
  uid: number | undefined,
):
  | { ok: true; text: string | undefined }
  | { ok: false; message: string; untrusted?: true; placeOnly?: true } {
  try {
    // Opened without waiting and looked at before it is read: a FIFO would block the read for ever, and a
    // device (/dev/zero) or a huge file would be read into memory whole.
    return withOpenedFile(path, (info: Stats, readText) => {
      if (!info.isFile())
        return {
          ok: false as const,
          message: `cannot be read (${info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a FIFO' : 'a device or socket'}, not a regular file)`,
        };
      if (info.size > MAX_RECORD_BYTES)
        return {
          ok: false as const,
          message: `cannot be read (${info.size} bytes; a record is at most ${MAX_RECORD_BYTES})`,
        };
      const why = untrusted(`the record file ${path}`, info, uid, 'it is not read');
      if (why) return { ok: false as const, message: why, untrusted: true as const };
      return { ok: true as const, text: readText() };
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, text: undefined };
    // A state directory that is a file: no record to move away, as state_corrupt's advice said.
    if (code === 'ENOTDIR')
      return {
        ok: false,
        message:
          'cannot be read: a part of its path is a file, not a directory; the state directory (state_dir, ' +
          "--state-dir or the action's state-dir input) must be a directory",
        placeOnly: true,
      };
    return { ok: false, message: `cannot be read (${code ?? (error as Error).message})` };
  }
}

/** Why a record file git tracks is not read (git-tracked.ts). */
function committedMessage(path: string): string {
  return (
    `the record file ${path} is in the repository's commit (git tracks it), so whoever can push a branch or ` +
    'open a pull request wrote it, not a deployment: it is not read. Keep state outside the checkout (a ' +
    "state_dir elsewhere, or on GitHub with the action's state-key) and remove the file from the repository"
  );
}

function untrustedFile(path: string, why: string): StateRead {
  return { ok: false, code: 'state_untrusted', message: why, source: path };
}

function corrupt(path: string, what: string): StateRead {
  return {
    ok: false,
    code: 'state_corrupt',
    message: `${path} ${/^(cannot|was) /.test(what) ? what : `is ${what}`}; check what is live, then move the file away to start fresh (or fix it)`,
    source: path,
  };
}

interface LegacyEnvironment {
  version: string;
  previousVersion?: string;
  sha?: string;
  slot?: string;
  deployedAt: string;
  retired?: { slot?: unknown; version?: unknown; until?: unknown };
}

function legacyRecord(
  environment: string,
  saved: unknown,
): { ok: true; record: EnvironmentRecord } | { ok: false; message: string } {
  if (!isObject(saved)) return { ok: false, message: 'not an object' };
  const s = saved as Partial<LegacyEnvironment>;
  if (typeof s.version !== 'string' || typeof s.deployedAt !== 'string')
    return { ok: false, message: 'needs a version and a deployedAt' };
  const live: Release = { version: s.version, since: s.deployedAt };
  if (typeof s.sha === 'string' && s.sha) live.sha = s.sha;
  if (typeof s.slot === 'string' && s.slot) live.slot = s.slot;
  const candidate: EnvironmentRecord = {
    schema: 1,
    repository: 'local',
    environment,
    seq: 0,
    updatedAt: s.deployedAt,
    live,
    // The old file knew the previous version only, not since when it served: the live one's time stands in.
    previous:
      typeof s.previousVersion === 'string' && s.previousVersion
        ? { version: s.previousVersion, since: s.deployedAt }
        : undefined,
    // A slot kept as the rollback target: due for teardown when its delay ends, as the old file said.
    retired:
      isObject(s.retired) && typeof s.retired.slot === 'string' && typeof s.retired.until === 'string'
        ? [
            {
              slot: s.retired.slot,
              dueAt: s.retired.until,
              ...(typeof s.retired.version === 'string' ? { version: s.retired.version } : {}),
            } satisfies RetiredSlot,
          ]
        : [],
    history: [],
  };
  if (!candidate.previous) delete candidate.previous;
  const parsed = parseRecord(candidate);
  return parsed.ok ? parsed : { ok: false, message: parsed.message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
