// Taking over a lock file whose holder is gone, shared by the CLI's reconcile lock and the schedule files'
// lock. One process at a time (`<lock>.takeover`, created exclusively), and the lock is removed only if it is
// still stale then: a process that judged the old lock stale must not remove the one another process has
// taken since (both would then go on as holders).
import { open, stat, unlink } from 'node:fs/promises';

/** How long ago `path` was last written; `absent` when there is no such file. */
export async function fileAgeMs(path: string, absent: number): Promise<number> {
  return stat(path).then(
    (s) => Date.now() - s.mtimeMs,
    () => absent,
  );
}

/**
 * Removes `lock` when `isStale()` still says so under the takeover guard. A guard older than `guardStaleMs`
 * was left by a process that died in the milliseconds it holds one, and is removed.
 */
export async function takeOverStaleLock(
  lock: string,
  isStale: () => Promise<boolean>,
  guardStaleMs: number,
): Promise<void> {
  const guard = `${lock}.takeover`;
  try {
    await (await open(guard, 'wx')).close();
  } catch {
    // Another process is taking it over.
    if ((await fileAgeMs(guard, 0)) > guardStaleMs) await unlink(guard).catch(() => undefined);
    return;
  }
  try {
    if (await isStale()) await unlink(lock).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}
