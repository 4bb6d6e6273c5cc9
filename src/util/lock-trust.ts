// Who may have written a lock the CLI takes or believes (the reconcile lock, cli/reconcile-lock.ts; the record
// and schedule files' write locks, untrustedLockFile, their directories judged with those files), judged as
// the records and the control file are (trusted-directories.ts, file-trust.ts): a lock names who holds an
// environment, so one that someone else may write lets them hold it for ever (naming a live process of
// another host) or steal it (naming a process that has ended, while its real holder rolls back), and a
// `locks/` that is a link, or that someone else may write, lets them do either, or have the CLI make its lock
// where the link points. The state directory and those above it, `locks/`, then the lock file (and the
// holder's file in it where the lock is a directory: lock-takeover.ts createOwnedFile) are judged; a lock not
// trusted is neither taken nor believed. Synchronous: a handful of lstat calls.
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { untrusted } from './file-trust.ts';
import { OWNER_FILE, takeoverGuard } from './lock-takeover.ts';
import { lstatOrNone, untrustedDirectory, untrustedStateDirectory } from './trusted-directories.ts';

/** What is not done with a lock not trusted (after "so"). */
export const LOCKS_NOT_USED = 'its locks are neither taken nor believed, and nothing is done there';

/**
 * Why the lock at `lock`, in the directory `locks` of the state directory `stateDir`, may not be taken or
 * believed: a directory on its way (as untrustedDirectory), then the lock and its takeover guard if they are
 * there; undefined when all are trusted (or not there yet). A place that cannot be looked at is said too.
 */
export function untrustedLock(
  stateDir: string,
  locks: string,
  lock: string,
  uid: number | undefined,
): string | undefined {
  try {
    return (
      untrustedStateDirectory(stateDir, uid, LOCKS_NOT_USED) ??
      untrustedDirectory(
        locks,
        'its locks directory',
        'put the directory itself there',
        uid,
        LOCKS_NOT_USED,
      ) ??
      untrustedLockFile(lock, uid)
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `the directories on the way to ${lock} cannot be looked at (${code ?? (error as Error).message}), so ${LOCKS_NOT_USED}`;
  }
}

/**
 * Why the lock `lock`, or its takeover guard (lock-takeover.ts: one that others may write could name a live
 * process for ever, and no lock whose holder is gone would be taken over again), is not trusted: a link
 * (whatever it points at: the CLI makes a file or a directory there, never a link), neither a file nor a
 * directory (a FIFO would block its read for ever), or owned or writable by someone else; where it is a
 * directory, its holder's file is judged too. Their directory is the caller's to judge (the records' lock is in
 * `records/`, judged with the record). `noun` names the file in the reason (`claim`: a scheduled run's claim,
 * made and taken over as a lock is). Throws when one cannot be looked at (not ENOENT).
 */
export function untrustedLockFile(
  lock: string,
  uid: number | undefined,
  effect: string = LOCKS_NOT_USED,
  noun: string = 'lock',
): string | undefined {
  return (
    untrustedOwnedFile(lock, uid, effect, noun) ?? untrustedOwnedFile(takeoverGuard(lock), uid, effect, noun)
  );
}

/** One file createOwnedFile makes (a lock, a guard), named `the <noun> <path>`: as untrustedLockFile says. */
function untrustedOwnedFile(
  lock: string,
  uid: number | undefined,
  effect: string,
  noun: string,
): string | undefined {
  const info = lstatOrNone(lock);
  if (!info) return undefined;
  const what = `the ${noun} ${lock}`;
  const why = judged(what, info, uid, effect);
  if (why || !info.isDirectory()) return why;
  const owner = join(lock, OWNER_FILE);
  const holder = lstatOrNone(owner);
  return holder && judged(`the ${noun}'s holder file ${owner}`, holder, uid, effect);
}

function judged(what: string, info: Stats, uid: number | undefined, effect: string): string | undefined {
  if (info.isSymbolicLink())
    return `${what} is a symbolic link (the CLI makes a file there, never a link), so ${effect}; check where it points, then remove it`;
  if (!info.isFile() && !info.isDirectory())
    return `${what} is not a regular file (the CLI makes one there), so ${effect}; check what made it, then remove it`;
  return untrusted(what, info, uid, effect);
}
