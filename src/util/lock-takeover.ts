// Taking over a lock file whose holder is gone, shared by the CLI's reconcile lock and the schedule files'
// lock. One process at a time (`<lock>.takeover`, created exclusively and naming its process), and the lock is
// removed only if it is still stale then: a process that judged the old lock stale must not remove the one
// another process has taken since (both would then go on as holders).
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { processStart } from './process-start.ts';

/** What link() answers where the file system has no hard links (FAT, some network shares): created in place. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** How long ago `path` was last written; `absent` when there is no such file. */
export async function fileAgeMs(path: string, absent: number): Promise<number> {
  return stat(path).then(
    (s) => Date.now() - s.mtimeMs,
    () => absent,
  );
}

/**
 * Creates `path` exclusively (throws EEXIST when it exists), naming this process in it: its pid, host and,
 * where /proc says, when the kernel started it, so a later reader can tell a live holder from a reused pid.
 * The file appears whole: it is written under a name of its own (`<path>.<pid>.<n>.tmp`) and hard-linked to
 * `path`, which fails when `path` exists, as O_EXCL does. So a file at `path` that is empty or names nobody was
 * never one a live process is still writing: left by a crash (a power loss before the data reached the disk),
 * by an older version (which created it empty, then wrote it), or here on a file system without hard links,
 * where it is created in place and written at once (empty for microseconds).
 */
export async function createOwnedFile(path: string): Promise<void> {
  const started = processStart(process.pid);
  const text = `${JSON.stringify({ pid: process.pid, host: hostname(), ...(started ? { started } : {}) })}\n`;
  const draft = `${path}.${process.pid}.${randomInt(2 ** 47)}.tmp`;
  await writeFile(draft, text, { flag: 'wx' });
  try {
    await link(draft, path);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/**
 * Removes `lock` when `isStale()` still says so under the takeover guard. A guard older than `guardStaleMs`
 * was left by a process that died in the milliseconds it holds one, and is removed; unless it names a process
 * of this host that still runs (a stalled one, still about to remove the lock: taking the guard from it would
 * let two processes remove and take the lock at once).
 */
export async function takeOverStaleLock(
  lock: string,
  isStale: () => Promise<boolean>,
  guardStaleMs: number,
): Promise<void> {
  const guard = `${lock}.takeover`;
  try {
    await createOwnedFile(guard);
  } catch {
    // Another process is taking it over.
    if ((await fileAgeMs(guard, 0)) > guardStaleMs && !guardHolderRuns(guard))
      await unlink(guard).catch(() => undefined);
    return;
  }
  try {
    if (await isStale()) await unlink(lock).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/**
 * Whether the guard names a process of this host that still runs (a guard that says nothing: no). A live
 * process with its pid that the kernel started at another time than the guard says is not its holder.
 */
function guardHolderRuns(guard: string): boolean {
  let holder: { pid?: unknown; host?: unknown; started?: unknown };
  try {
    holder = JSON.parse(readFileSync(guard, 'utf8')) as typeof holder;
  } catch {
    return false;
  }
  if (holder?.host !== hostname() || !Number.isSafeInteger(holder.pid) || (holder.pid as number) <= 0)
    return false;
  try {
    process.kill(holder.pid as number, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (typeof holder.started !== 'string') return true;
  const started = processStart(holder.pid as number);
  return started === undefined || started === holder.started;
}
