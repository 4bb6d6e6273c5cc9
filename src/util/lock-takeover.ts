// Taking over a lock file whose holder is gone, shared by the CLI's reconcile lock and the schedule files'
// lock. One process at a time (`<lock>.takeover`, created exclusively and naming its process), and the lock is
// removed only if it is still stale then: a process that judged the old lock stale must not remove the one
// another process has taken since (both would then go on as holders).
import { randomInt } from 'node:crypto';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { link, mkdir, readdir, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { processStart } from './process-start.ts';
import { TRUSTED_DIRECTORY_MODE } from './trusted-mode.ts';

/** What link() answers where the file system has no hard links (FAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);
/** What rename() of a directory answers when the name is taken (a non-empty directory, or a file). */
const NAME_TAKEN = new Set(['EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR', 'EPERM', 'EACCES']);
/**
 * What rename() of a directory answers on file systems that cannot rename directories (FUSE object stores:
 * gcsfuse, s3fs): the lock is then made as before, an exclusive (O_EXCL) file written after it exists.
 */
const NO_DIRECTORY_RENAME = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EIO', 'EPERM', 'ENOSYS']);
/** The directories already warned about (once per process each, not at every write). */
const warnedNoDirectoryRename = new Set<string>();
/**
 * A lock file's mode (less if the umask says so): only its owner may write it, or it is not trusted
 * (lock-trust.ts); a umask of 000 would otherwise make it anyone's to rewrite.
 */
export const LOCK_FILE_MODE = 0o644;
/** The file that lets one process at a time take over `lock` (takeOverStaleLock). */
export const takeoverGuard = (lock: string): string => `${lock}.takeover`;
/** The holder's file inside a lock made as a directory (where there are no hard links). */
export const OWNER_FILE = 'owner.json';
/**
 * A draft (a lock built aside, `<lock>.<pid>.<n>.tmp`) whose maker this host cannot ask (of another host, or
 * not named in it yet) is removed once this old: a draft lives for the milliseconds between its making and
 * its link or rename, so one this old was left by a process that died there.
 */
export const STALE_DRAFT_MS = 10 * 60_000;
/**
 * How often a holder that may be judged by its workflow run touches its lock (its mtime: keepTouched) while it
 * holds it: the reconcile lock and the record files' locks.
 */
export const HEARTBEAT_MS = 5_000;
/**
 * A workflow run GitHub reports completed may still have its process at work: a cancelled job's process
 * rolling back for a few seconds, a runner's cleanup. A lock is taken over on its run's status only once it
 * has also not been touched for this long (three heartbeats missed): its holder has stopped.
 */
export const HEARTBEAT_GRACE_MS = 3 * HEARTBEAT_MS;

/**
 * Where this process's pids mean something, beyond its host name: its PID namespace (the link
 * /proc/self/ns/pid, `pid:[4026531836]`) and the kernel's boot id. Containers that share a host name but not
 * a PID namespace (docker --uts=host, compose with a fixed `hostname:` over one state directory) cannot see
 * each other's processes, and every Linux host's first namespace has the same inode, so both are needed.
 * A field is absent where /proc cannot say it (not Linux).
 */
export interface PidSpace {
  pidns?: string;
  boot?: string;
}

let thisSpace: PidSpace | undefined;

/** This process's PidSpace, read once. */
export function thisPidSpace(): PidSpace {
  if (thisSpace) return thisSpace;
  const read = (what: () => string): string | undefined => {
    try {
      return what().trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const pidns = read(() => readlinkSync('/proc/self/ns/pid'));
  const boot = read(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
  thisSpace = { ...(pidns ? { pidns } : {}), ...(boot ? { boot } : {}) };
  return thisSpace;
}

/**
 * Whether the holder an owner text names (its parsed JSON) lives where this process cannot ask about its pid,
 * though it may name this host: another PID namespace (a container that shares the host name). Such a holder is
 * of another host for the takeover rules (`unknown`, never `ended`: its pid is absent here, or another
 * process's). Another boot in the same namespace is this machine before a reboot, whose processes are all
 * gone: it is judged by its pid and start (which names the boot), so it has `ended`, as before these fields
 * (a lock left by a reboot is taken over at once, and the CLI's reconcile does not wait for a hand). A field
 * the text lacks is not compared: a text of a version before these fields, or written off Linux, is judged by
 * its host name alone, as it was then.
 */
export function inOtherPidSpace(holder: unknown, here: PidSpace = thisPidSpace()): boolean {
  if (!holder || typeof holder !== 'object') return false;
  const named = holder as { pidns?: unknown };
  return typeof named.pidns === 'string' && named.pidns !== here.pidns;
}

/** How long ago `path` was last written; `absent` when there is no such file. */
export async function fileAgeMs(path: string, absent: number): Promise<number> {
  return stat(path).then(
    (s) => Date.now() - s.mtimeMs,
    () => absent,
  );
}

/**
 * Who holds a lock, as written in it: the process, its host, PID namespace and boot (PidSpace) and start, and, in a GitHub Actions job, the
 * workflow run, which the Actions API can say has finished when the runner that held the lock is gone.
 */
export function ownerText(env: NodeJS.ProcessEnv = process.env): string {
  const run =
    env.GITHUB_ACTIONS === 'true' && /^\d+$/.test(env.GITHUB_RUN_ID ?? '')
      ? {
          run: {
            id: env.GITHUB_RUN_ID,
            ...(/^\d+$/.test(env.GITHUB_RUN_ATTEMPT ?? '') ? { attempt: env.GITHUB_RUN_ATTEMPT } : {}),
            ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
          },
        }
      : {};
  return `${JSON.stringify({ ...processIdentity(), ...run })}\n`;
}

/** A process as an owner text names it: its pid, host, PidSpace and start (where /proc says them). */
export interface ProcessIdentity extends PidSpace {
  pid: number;
  host: string;
  started?: string;
}

/**
 * This process as every owner names it: the locks, drafts and guards (ownerText), and a rollout's owner
 * in the record (reconcile/owner.ts thisProcessOwner), so both are judged alike (inOtherPidSpace).
 */
export function processIdentity(): ProcessIdentity {
  const started = processStart(process.pid);
  return { pid: process.pid, host: hostname(), ...thisPidSpace(), ...(started ? { started } : {}) };
}

/** The workflow run a lock taken in a job names (ownerText): its id, attempt and repository as written. */
export interface LockRun {
  id: string;
  attempt?: string;
  repository?: string;
}

/** The run a lock's holder (its parsed JSON) names, or undefined when it names none (taken outside a job). */
export function lockRunOf(holder: unknown): LockRun | undefined {
  const run = (holder as { run?: { id?: unknown; attempt?: unknown; repository?: unknown } } | undefined)
    ?.run;
  if (!run || typeof run.id !== 'string' || !/^\d+$/.test(run.id)) return undefined;
  return {
    id: run.id,
    ...(typeof run.attempt === 'string' && /^\d+$/.test(run.attempt) ? { attempt: run.attempt } : {}),
    ...(typeof run.repository === 'string' ? { repository: run.repository } : {}),
  };
}

/**
 * Whether the run attempt that took a lock has finished, as GitHub says (reconcile/owner.ts lockRunStatusFor).
 * Only `ended` takes a lock over; `running` and `unknown` leave it to the pid and age rules.
 */
export type LockRunStatus = (
  run: LockRun,
) => Promise<
  { state: 'running' } | { state: 'ended'; conclusion?: string } | { state: 'unknown'; reason: string }
>;

export interface CreateOptions {
  /** false: make the lock as where link() is refused (tests; the file system decides otherwise). */
  hardLinks?: boolean;
  /** Where a file system that cannot rename the lock's directory into place is said (default: standard error). */
  warn?: (line: string) => void;
}

/**
 * Creates `path` exclusively (throws EEXIST when it exists), naming this process in it (the text written is
 * the answer, for keepTouched): its pid, host and,
 * where /proc says, when the kernel started it, so a later reader can tell a live holder from a reused pid.
 * The lock appears whole, never empty: its text is written under a name of its own (`<path>.<pid>.<n>.tmp`)
 * and hard-linked to `path`, which fails when `path` exists, as O_EXCL does. Where the file system has no hard
 * links, a file cannot appear whole and exclusively (O_EXCL makes it empty first; rename replaces), so the
 * lock is a directory there: made under a name of its own with the holder's file in it, then renamed to
 * `path`, which fails when `path` is taken (a directory that is not empty, or a file). Either way a lock that
 * names nobody was never one a live process of this version is still making.
 */
export async function createOwnedFile(path: string, options: CreateOptions = {}): Promise<string> {
  await removeAbandonedDrafts(path);
  const text = ownerText();
  const draft = `${path}.${process.pid}.${randomInt(2 ** 47)}.tmp`;
  let linked = options.hardLinks !== false;
  if (linked) {
    await writeFile(draft, text, { flag: 'wx', mode: LOCK_FILE_MODE });
    try {
      await link(draft, path);
    } catch (error) {
      if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      linked = false;
    } finally {
      await unlink(draft).catch(() => undefined);
    }
    if (linked) return text;
  }
  await mkdir(draft, { mode: TRUSTED_DIRECTORY_MODE });
  let renaming = false;
  try {
    await writeFile(join(draft, OWNER_FILE), text, { flag: 'wx', mode: LOCK_FILE_MODE });
    renaming = true;
    await rename(draft, path);
    return text;
  } catch (error) {
    await rm(draft, { recursive: true, force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (NAME_TAKEN.has(code) && exists(path))
      throw Object.assign(new Error(`EEXIST: ${path} exists`), { code: 'EEXIST', path });
    // Only the rename says the file system cannot move a directory into place; a failed write is its own error.
    if (!renaming || !NO_DIRECTORY_RENAME.has(code)) throw error;
    warnNoDirectoryRename(path, code, options.warn);
    // Exclusive still (EEXIST when taken), but empty for the moment between its creation and the write. No
    // atomic way is left here: link() is what this file system lacks, a plain rename replaces another's
    // lock, and Node does not expose renameat2's RENAME_NOREPLACE (a symlink holding the owner would be,
    // but every reader would then need lstat and readlink: not done).
    await writeFile(path, text, { flag: 'wx', mode: LOCK_FILE_MODE });
    return text;
  }
}

/**
 * The heartbeat of a held lock: touches `path` (sets its mtime to now) every `everyMs` while it still holds
 * `text` (createOwnedFile's answer: a lock taken over and made again by another process is never touched).
 * Returns the stop, called before the lock is removed. A process that dies stops touching it; one that lives,
 * whatever its workflow run's status, keeps it fresh (HEARTBEAT_GRACE_MS). The timer never keeps the process
 * alive, and a failed touch is skipped (the next one tries again).
 */
export function keepTouched(path: string, text: string, everyMs: number = HEARTBEAT_MS): () => void {
  let touching = false;
  const timer = setInterval(() => {
    if (touching) return;
    touching = true;
    const touch = async () => {
      if (readOwnedFile(path) !== text) return;
      const now = new Date();
      await utimes(path, now, now);
    };
    touch()
      .catch(() => undefined)
      .finally(() => (touching = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

function warnNoDirectoryRename(
  path: string,
  code: string,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): void {
  const where = dirname(path);
  if (warnedNoDirectoryRename.has(where)) return;
  warnedNoDirectoryRename.add(where);
  warn(
    `deploy-action: warning: ${where} has no hard links and refuses to rename a directory (${code}): ` +
      'its locks are made as files written after they are created, so a writer stalled over 2 s there can lose its lock',
  );
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The text of the lock at `path`: the file's, or its holder's file where it is a directory; undefined if none. */
export function readOwnedFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EISDIR') return undefined;
  }
  try {
    return readFileSync(join(path, OWNER_FILE), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Removes the lock at `path`, a file or a directory. A directory is first renamed away (to a name of this
 * process's own): emptied in place, it could for a moment be an empty directory another creator's rename
 * replaces, whose lock would then be removed with it.
 */
export async function removeOwnedFile(path: string): Promise<void> {
  try {
    await unlink(path);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES') return;
  }
  const away = `${path}.${process.pid}.${randomInt(2 ** 47)}.tmp`;
  try {
    await rename(path, away);
  } catch {
    return;
  }
  await rm(away, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Removes `lock` when `isStale()` still says so under the takeover guard; true when it did. A guard older than `guardStaleMs`
 * was left by a process that died in the milliseconds it holds one, and is removed; unless it names a process
 * of this host that still runs (a stalled one, still about to remove the lock: taking the guard from it would
 * let two processes remove and take the lock at once).
 */
export async function takeOverStaleLock(
  lock: string,
  isStale: () => Promise<boolean>,
  guardStaleMs: number,
): Promise<boolean> {
  const guard = takeoverGuard(lock);
  try {
    await createOwnedFile(guard);
  } catch {
    // Another process is taking it over.
    if ((await fileAgeMs(guard, 0)) > guardStaleMs && !guardHolderRuns(guard)) await removeOwnedFile(guard);
    return false;
  }
  try {
    if (!(await isStale())) return false;
    await removeOwnedFile(lock);
    return true;
  } finally {
    await removeOwnedFile(guard);
  }
}

/** Whether the guard names a process of this host that still runs (a guard that says nothing: no). */
function guardHolderRuns(guard: string): boolean {
  return namedProcessState(readOwnedFile(guard)) === 'runs';
}

/**
 * What this host says of the process an owner text (ownerText) names: `unknown` when it names nobody (empty,
 * not JSON) or a process of another host, PID namespace or boot (inOtherPidSpace). A live process with its pid that the kernel started at another
 * time than the text says is not the one named: `ended`.
 */
export function namedProcessState(text: string | undefined): 'runs' | 'ended' | 'unknown' {
  let holder: { pid?: unknown; host?: unknown; started?: unknown } | null;
  try {
    holder = JSON.parse(text ?? '') as typeof holder;
  } catch {
    return 'unknown';
  }
  if (
    holder?.host !== hostname() ||
    inOtherPidSpace(holder) ||
    !Number.isSafeInteger(holder.pid) ||
    (holder.pid as number) <= 0
  )
    return 'unknown';
  try {
    process.kill(holder.pid as number, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'ended';
  }
  if (typeof holder.started !== 'string') return 'runs';
  const started = processStart(holder.pid as number);
  return started === undefined || started === holder.started ? 'runs' : 'ended';
}

/**
 * Removes the drafts of `path` (`<path>.<pid>.<n>.tmp`: a lock built aside, or one renamed away to be
 * removed) that a process which died between building and placing them left: those naming a process of this
 * host that has ended, and those whose maker cannot be asked once STALE_DRAFT_MS old. A draft naming a live
 * process is its own, never touched, nor are this process's. Best effort: never fails the lock.
 */
export async function removeAbandonedDrafts(path: string): Promise<void> {
  const dir = dirname(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const prefix = `${basename(path)}.`;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const draft = /^(\d+)\.\d+\.tmp$/.exec(name.slice(prefix.length));
    if (!draft || Number(draft[1]) === process.pid) continue;
    const where = join(dir, name);
    const age = await fileAgeMs(where, -1);
    if (age < 0) continue;
    const maker = namedProcessState(readOwnedFile(where));
    if (maker === 'runs' || (maker === 'unknown' && age <= STALE_DRAFT_MS)) continue;
    await rm(where, { recursive: true, force: true }).catch(() => undefined);
  }
}
