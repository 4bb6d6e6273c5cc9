// A write GitHub may have applied although its answer was lost (a 5xx after the write, no answer in time) is
// never repeated blindly: whether it landed is looked up first, and only a lookup that finds nothing lets the
// write go again. A lookup that fails too is retried before anything is written.
import { abortableSleep } from '../util/sleep.ts';
import { GitHubUnavailableError } from './budget.ts';

/** Did the request fail in a way that leaves open whether GitHub applied it? */
function outcomeUnknown(error: unknown): boolean {
  if (error instanceof GitHubUnavailableError) return false; // never sent
  // Octokit reports a failed connection as a 500, and client.ts a timeout as a 504; an error without a
  // status comes from our own code and is not GitHub's to repeat.
  const status = (error as { status?: number }).status;
  return status !== undefined && status >= 500;
}

/** Errors writeOnce gave up with while its write may have landed: no lookup after the last lost answer worked. */
const unsettled = new WeakSet<object>();

/**
 * Whether `error`, thrown by writeOnce, leaves open that the write was made (a lost answer that no lookup could
 * settle, whether the lookup failed or was refused); false when the last lookup found nothing, or the write was
 * refused before any answer was lost.
 */
export function mayHaveLanded(error: unknown): boolean {
  return typeof error === 'object' && error !== null && unsettled.has(error);
}

/**
 * `error`, marked as leaving the write unsettled. Also a lookup's own refusal after a lost answer (a 403 or 429
 * rate limit, the budget spent, too many deployments to read): it says nothing of whether the write landed.
 */
function unsettle(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) unsettled.add(error);
  return error;
}

export interface WriteOnce<T> {
  write(): Promise<T>;
  /** What the write made, if it landed; undefined when it did not. Omitted when `write` checks by itself. */
  landed?(): Promise<T | undefined>;
  /** Rounds of lookup (after a lost answer) and write (default 3); a last lost answer is looked up once more. */
  attempts?: number;
  /** Pause before try `n` (default 250 ms × n). */
  pauseMs?(attempt: number): number;
}

export async function writeOnce<T>(op: WriteOnce<T>): Promise<T> {
  const attempts = op.attempts ?? 3;
  const pause = (attempt: number) => abortableSleep(op.pauseMs?.(attempt) ?? 250 * attempt);
  let lastError: unknown;
  let unknown = false;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (unknown && op.landed) {
      try {
        const found = await op.landed();
        if (found !== undefined) return found;
      } catch (error) {
        lastError = error;
        if (!outcomeUnknown(error)) throw unsettle(error);
        await pause(attempt);
        continue;
      }
    }
    try {
      return await op.write();
    } catch (error) {
      lastError = error;
      if (!outcomeUnknown(error)) throw error;
      unknown = true;
      await pause(attempt);
    }
  }
  // The last write's answer was lost too: it may have landed, and the caller must not be told it did not (the
  // App would release the lock of a deployment that exists). One last look; a failing one leaves it unknown.
  if (unknown && op.landed) {
    let settled = false;
    try {
      const found = await op.landed();
      if (found !== undefined) return found;
      settled = true;
    } catch (error) {
      if (!outcomeUnknown(error)) throw unsettle(error);
    }
    if (!settled) unsettle(lastError);
  }
  throw lastError;
}
