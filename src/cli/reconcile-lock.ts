// The CLI's `exclusive` for reconcile (src/reconcile/run.ts): one lock file per environment in its state
// directory, `<state_dir>/locks/reconcile-<environment>.lock`, created exclusively (O_EXCL) and naming the
// process that holds it. `deploy-action reconcile` from cron, a manual one and a `promote` that goes on with
// a handed-off rollout take it, so only one of them rolls back or resumes a rollout. A lock whose process is
// gone (killed mid-reconcile) is taken over; one held by a live process, or by a process on another host
// (a state directory shared over the network) or in another PID namespace or boot (a container sharing the
// host name: lock-takeover.ts inOtherPidSpace), is left to it, unless GitHub reports the run attempt that
// took it completed (the Action's reconcile, which asks: action/reconcile.ts) and its holder has stopped
// touching it: a holder touches its lock every HEARTBEAT_MS while it holds it (keepTouched), and a run can be
// reported completed while its process still rolls back (a cancelled job), so the lock must also be untouched
// for HEARTBEAT_GRACE_MS. A lock, or `locks/` (or the state directory, or one above it), that someone else may
// write, or a link in place of either, is neither taken nor believed (util/lock-trust.ts): the environment is
// refused as `state_untrusted` and nothing is done there. The CLI makes `locks/` 0755 and its locks 0644,
// whatever the umask (lock-takeover.ts createOwnedFile).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ResolvedEnvironment } from '../config/resolve.ts';
import { commandWaitMs, processStatus, type ProcessProbe } from '../reconcile/owner.ts';
import type { ExclusiveHold } from '../reconcile/run.ts';
import type { RunStatus } from '../state/file-store.ts';
import { TRUSTED_DIRECTORY_MODE } from '../util/trusted-mode.ts';
import { processUid } from '../util/file-trust.ts';
import { untrustedLock } from '../util/lock-trust.ts';
import {
  createOwnedFile,
  fileAgeMs,
  HEARTBEAT_GRACE_MS,
  HEARTBEAT_MS,
  keepTouched,
  lockRunOf,
  readOwnedFile,
  type LockRun,
  removeOwnedFile,
  takeOverStaleLock,
} from '../util/lock-takeover.ts';

/**
 * A lock that names no holder was left half-made: createOwnedFile makes it appear whole, so only a crash (or
 * an older version, or a file system without hard links, empty for microseconds) leaves one empty. Past this
 * age it is taken over.
 */
export const UNWRITTEN_STALE_MS = 2_000;

export function reconcileLockPath(env: ResolvedEnvironment): string {
  return join(env.stateDir, 'locks', `reconcile-${encodeURIComponent(env.name)}.lock`);
}

interface Holder {
  pid: number;
  host: string;
  started?: string;
  /** The workflow run of the job that took it (lock-takeover.ts ownerText). */
  run?: LockRun;
  /** Its PID namespace (lock-takeover.ts PidSpace): another one's pid cannot be asked here (processStatus). */
  pidns?: string;
}

function holderOf(path: string): Holder | undefined {
  try {
    const value = JSON.parse(readOwnedFile(path) ?? '') as {
      pid?: unknown;
      host?: unknown;
      started?: unknown;
      pidns?: unknown;
    } | null;
    if (!value || !Number.isSafeInteger(value.pid) || typeof value.host !== 'string') return undefined;
    const run = lockRunOf(value);
    return {
      pid: value.pid as number,
      host: value.host,
      ...(typeof value.started === 'string' ? { started: value.started } : {}),
      ...(run ? { run } : {}),
      ...(typeof value.pidns === 'string' ? { pidns: value.pidns } : {}),
    };
  } catch {
    return undefined;
  }
}

export interface ReconcileLockOptions {
  /**
   * Asks GitHub whether the run attempt a lock of another host names has finished (a runner that died): the
   * Action's reconcile with state-dir and a token (action/reconcile.ts). The CLI has no GitHub API: a lock of
   * another host is left to it, and reconcile_busy says which file to remove once that host's is gone.
   */
  runStatus?: RunStatus;
  /** Where a lock taken over from a holder that is gone is said (default: standard error). */
  notice?: (line: string) => void;
  /** How often the lock is touched while held (default HEARTBEAT_MS; tests). */
  heartbeatMs?: number;
  /** Who the CLI runs as, for the trust check (default: this process's user; undefined: nothing judged). */
  uid?: number | undefined;
}

export function fileReconcileLock(
  probe?: ProcessProbe,
  options: ReconcileLockOptions = {},
): (env: ResolvedEnvironment) => Promise<ExclusiveHold> {
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const uid = 'uid' in options ? options.uid : processUid();
  return async (env) => {
    const path = reconcileLockPath(env);
    const locks = dirname(path);
    const refused = (): ExclusiveHold | undefined => {
      const why = untrustedLock(env.stateDir, locks, path, uid);
      return why === undefined ? undefined : { ok: false, untrusted: why, source: path };
    };
    // Twice at most: once more after taking over a lock whose holder is gone.
    for (let attempt = 0; attempt < 2; attempt++) {
      // Before anything is made there, again once locks/ is (a link put in its place meanwhile), and on the
      // lock found there before it is believed: no lock is taken or judged where others may write.
      const before = refused();
      if (before) return before;
      try {
        await mkdir(locks, { recursive: true, mode: TRUSTED_DIRECTORY_MODE });
        const made = refused();
        if (made) return made;
        const stop = keepTouched(path, await createOwnedFile(path), options.heartbeatMs);
        return {
          ok: true,
          release: async () => {
            stop();
            await removeOwnedFile(path);
          },
        };
      } catch (error) {
        // A state directory that cannot be written (a file, no permission): nothing can be recorded there
        // either, and reading the record says what is wrong (state_corrupt, ...), so go on without the lock.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { ok: true, release: async () => {} };
      }
      const found = refused();
      if (found) return found;
      const held = await heldBy(path, probe, options.runStatus, commandWaitMs(env));
      if (held.state === 'held') return { ok: false, holder: held.by };
      // Its holder is gone without giving it back: taken over, and said.
      let why = held.why;
      const taken = await takeOverStaleLock(
        path,
        async () => {
          const now = await heldBy(path, probe, options.runStatus, commandWaitMs(env));
          if (now.state === 'gone') why = now.why;
          return now.state === 'gone';
        },
        UNWRITTEN_STALE_MS,
      );
      if (taken) notice(`deploy-action: took over ${path}: ${why}`);
    }
    return { ok: false, holder: `another reconcile that took ${path} just now` };
  };
}

/** Who holds the lock at `path`, or why nobody does (its holder is gone, or it was left half-made). */
async function heldBy(
  path: string,
  probe: ProcessProbe | undefined,
  runStatus: RunStatus | undefined,
  commandWithinMs: number | undefined,
): Promise<{ state: 'held'; by: string } | { state: 'gone'; why: string }> {
  const holder = holderOf(path);
  if (!holder) {
    const age = await fileAgeMs(path, Number.POSITIVE_INFINITY);
    return age < UNWRITTEN_STALE_MS
      ? { state: 'held', by: `a reconcile starting now (${path})` }
      : { state: 'gone', why: 'it names no holder (left by a crash, or by an older version)' };
  }
  const who = `process ${holder.pid} on ${holder.host}`;
  // A holder of another container (a shared host name, another PID namespace) is as one of another host: its
  // pid is absent here, or another process's, so it says nothing of whether it runs (processStatus, as for a
  // rollout's owner).
  const status = processStatus(holder, probe, commandWithinMs);
  if (status.state === 'ended') return { state: 'gone', why: `its holder, ${who}, has ended` };
  // Another host's process cannot be asked; the workflow run of its job can.
  // Only an attempt GitHub says has finished is gone; running or not known (another repository's run, one
  // not found), the lock is left to its holder, as any of another host is.
  // A run reported completed may still have its process at work (a cancelled job rolling back, a runner's
  // cleanup): only once that process has also stopped touching the lock is it gone.
  let finished = '';
  if (status.state === 'unknown' && holder.run !== undefined && runStatus) {
    const run = await runStatus(holder.run);
    if (run.state === 'ended') {
      finished = `has finished${run.conclusion ? ` (${run.conclusion})` : ''}`;
      const untouched = await fileAgeMs(path, Number.POSITIVE_INFINITY);
      if (untouched > HEARTBEAT_GRACE_MS)
        return {
          state: 'gone',
          why: `its holder, ${who} in workflow run ${holder.run.id}, ${finished} and has not touched it for ${Math.round(untouched / 1000)} s`,
        };
    }
  }
  const by = `${who}${holder.run ? ` (workflow run ${holder.run.id})` : ''}, ${path}`;
  if (finished)
    return {
      state: 'held',
      by:
        `${by}; its workflow run ${finished}, but its holder touched the lock within ${HEARTBEAT_GRACE_MS / 1000} s (its process may ` +
        `still be at work, a cancelled job rolling back): taken over once it has not for ${HEARTBEAT_GRACE_MS / 1000} s (it touches it every ${HEARTBEAT_MS / 1000} s while it holds it)`,
    };
  if (status.state !== 'unknown') return { state: 'held', by };
  // Its holder of this host ended, but a command of its rollback still runs: not another host's.
  if (status.commandsLeft) return { state: 'held', by: `${by}; ${status.reason}` };
  // Never taken over here: a reconcile of another host may be rolling a rollout back right now. Who can
  // see that host says whether it is gone.
  return {
    state: 'held',
    by:
      `${by}; a process of another host (or container), which this one cannot ask${runStatus && holder.run ? ' (nor could GitHub say its run has finished)' : ''}: ` +
      `once no reconcile or promote runs there any more (its machine or runner is gone), remove ${path} and run again`,
  };
}
