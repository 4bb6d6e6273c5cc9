// The CLI's `exclusive` for reconcile (src/reconcile/run.ts): one lock file per environment in its state
// directory, `<state_dir>/locks/reconcile-<environment>.lock`, created exclusively (O_EXCL) and naming the
// process that holds it. `deploy-action reconcile` from cron, a manual one and a `promote` that goes on with
// a handed-off rollout take it, so only one of them rolls back or resumes a rollout. A lock whose process is
// gone (killed mid-reconcile) is taken over; one held by a live process, or by a process on another host
// (a state directory shared over the network), is left to it.
import { readFileSync } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ResolvedEnvironment } from '../config/resolve.ts';
import { processStatus, type ProcessProbe } from '../reconcile/owner.ts';
import type { ExclusiveHold } from '../reconcile/run.ts';
import { createOwnedFile, fileAgeMs, takeOverStaleLock } from '../util/lock-takeover.ts';

/**
 * A lock that names no holder was left half-made: createOwnedFile makes it appear whole, so only a crash (or
 * an older version, or a file system without hard links, empty for microseconds) leaves one empty. Past this
 * age it is taken over.
 */
export const UNWRITTEN_STALE_MS = 2_000;

export function reconcileLockPath(env: ResolvedEnvironment): string {
  return join(env.stateDir, 'locks', `reconcile-${encodeURIComponent(env.name)}.lock`);
}

function holderOf(path: string): { pid: number; host: string } | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
    return Number.isSafeInteger(value.pid) && typeof value.host === 'string'
      ? { pid: value.pid as number, host: value.host }
      : undefined;
  } catch {
    return undefined;
  }
}

export function fileReconcileLock(
  probe?: ProcessProbe,
): (env: ResolvedEnvironment) => Promise<ExclusiveHold> {
  return async (env) => {
    const path = reconcileLockPath(env);
    // Twice at most: once more after taking over a lock whose holder is gone.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await mkdir(dirname(path), { recursive: true });
        await createOwnedFile(path);
        return { ok: true, release: () => unlink(path).catch(() => undefined) };
      } catch (error) {
        // A state directory that cannot be written (a file, no permission): nothing can be recorded there
        // either, and reading the record says what is wrong (state_corrupt, ...), so go on without the lock.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { ok: true, release: async () => {} };
      }
      const held = await heldBy(path, probe);
      if (held) return { ok: false, holder: held };
      // Its holder is gone without giving it back: taken over.
      await takeOver(path, probe);
    }
    return { ok: false, holder: `another reconcile that took ${path} just now` };
  };
}

/** Who holds the lock at `path`, or undefined when nobody does (its holder is gone, or it is half-made). */
async function heldBy(path: string, probe: ProcessProbe | undefined): Promise<string | undefined> {
  const holder = holderOf(path);
  if (!holder) {
    const age = await fileAgeMs(path, Number.POSITIVE_INFINITY);
    return age < UNWRITTEN_STALE_MS ? `a reconcile starting now (${path})` : undefined;
  }
  return processStatus(holder, probe).state !== 'ended'
    ? `process ${holder.pid} on ${holder.host}, ${path}`
    : undefined;
}

/** Removes a lock whose holder is gone (lock-takeover.ts). */
async function takeOver(path: string, probe: ProcessProbe | undefined): Promise<void> {
  await takeOverStaleLock(path, async () => !(await heldBy(path, probe)), UNWRITTEN_STALE_MS);
}
