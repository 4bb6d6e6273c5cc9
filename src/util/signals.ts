// Cancellation by SIGINT or SIGTERM (the runner cancelling a job, Ctrl-C in a terminal), shared by the CLI
// and the Action: the first signal aborts one AbortSignal, so the pipeline puts traffic back on the stable
// version; later signals only say that the cancellation is already under way. The listeners stay registered
// (process.on, never once) until dispose(): signal-exit, which execa loads while a child process runs,
// re-raises a signal as soon as it sees no listener but its own, which would kill the process mid-rollback.

import { EXIT_CODES } from './exit-codes.ts';

export const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type CancelSignal = (typeof CANCEL_SIGNALS)[number];

export type SignalNotice =
  | { kind: 'cancel'; signal: CancelSignal; message: string }
  | { kind: 'repeat'; signal: CancelSignal; message: string };

/** What a signal means, given whether one came before it. Pure. */
export function signalNotice(alreadyCancelled: boolean, signal: CancelSignal): SignalNotice {
  return alreadyCancelled
    ? {
        kind: 'repeat',
        signal,
        message: `${signal} received again: the cancellation is already under way and will finish (a rollback that began runs to its end)`,
      }
    : {
        kind: 'cancel',
        signal,
        message: `${signal} received: cancelling (a rollout in progress goes back to the stable version before exit; a release already live stays)`,
      };
}

/** 128 + the signal's number, as a shell reports a process the signal ended: 130 for SIGINT, 143 for SIGTERM. */
export function cancelledExitCode(signal: CancelSignal): number {
  return signal === 'SIGINT' ? EXIT_CODES.interrupted : EXIT_CODES.terminated;
}

/**
 * The exit code of a finished run: a cancelled one says which signal cancelled it, unless its rollback did not
 * complete (EXIT_CODES.rollbackFailed: 130 and 143 say traffic is back on stable). Pure.
 */
export function runExitCode(
  result: { status: string; exitCode: number },
  received: CancelSignal | undefined,
): number {
  if (result.exitCode === EXIT_CODES.rollbackFailed) return result.exitCode;
  return result.status === 'cancelled' && received ? cancelledExitCode(received) : result.exitCode;
}

/** The part of `process` used here, so tests can emit signals without sending real ones. */
export interface SignalSource {
  on(event: CancelSignal, listener: (signal: CancelSignal) => void): unknown;
  off(event: CancelSignal, listener: (signal: CancelSignal) => void): unknown;
}

export interface Cancellation {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** The first signal and when it came (performance.now() time), once one has. */
  received(): { signal: CancelSignal; atMs: number } | undefined;
  /**
   * Aborted by the first signal only, never by abort(): the runner's kill deadline runs from it, also when an
   * internal error aborted `signal` before (a crash, then the runner cancels the job).
   */
  readonly signalReceived: AbortSignal;
  /**
   * Aborts `signal` with `reason`, as the first signal would but with none received (received() stays
   * undefined): an internal error stops the run (crash-guard.ts). Nothing when already aborted.
   */
  abort(reason: Error): void;
  /** Removes the listeners. Idempotent. */
  dispose(): void;
  /**
   * What a command does on its way out: removes the listeners unless a signal came, in which case they stay
   * until the exit (or endKeptListeners: the process runs another command), so a SIGTERM between here and the
   * exit is a notice, not a death that loses the exit code.
   */
  release(): void;
}

/**
 * Per source, the cancellations a signal came to that were released (kept listening for the exit). A process
 * that runs another command after a cancelled one (main() called again) ends them first (endKeptListeners):
 * left, they said "received again: the cancellation is already under way" of a command that had ended, and
 * each cancelled command added one more listener.
 */
const keptToTheExit = new WeakMap<SignalSource, Set<() => void>>();

/** Removes the listeners that cancelled commands kept for their exit: a new command begins in this process. */
export function endKeptListeners(source: SignalSource = process): void {
  for (const dispose of [...(keptToTheExit.get(source) ?? [])]) dispose();
}

/** Listens for SIGINT and SIGTERM until dispose(); `notify` is told about each one. */
export function cancelOnSignals(
  notify: (notice: SignalNotice) => void,
  source: SignalSource = process,
  now: () => number = () => performance.now(),
): Cancellation {
  const controller = new AbortController();
  const receivedController = new AbortController();
  let first: { signal: CancelSignal; atMs: number } | undefined;
  const listener = (signal: CancelSignal) => {
    const notice = signalNotice(first !== undefined, signal);
    if (notice.kind === 'cancel') first = { signal, atMs: now() };
    notify(notice);
    if (notice.kind !== 'cancel') return;
    const reason = new Error(`${signal} received`);
    receivedController.abort(reason);
    controller.abort(reason);
  };
  for (const name of CANCEL_SIGNALS) source.on(name, listener);
  const kept = keptToTheExit.get(source) ?? new Set<() => void>();
  keptToTheExit.set(source, kept);
  let disposed = false;
  const dispose = () => {
    kept.delete(dispose);
    if (disposed) return;
    disposed = true;
    for (const name of CANCEL_SIGNALS) source.off(name, listener);
  };
  return {
    signal: controller.signal,
    received: () => first,
    signalReceived: receivedController.signal,
    abort: (reason) => {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    dispose,
    release: () => {
      if (first === undefined) dispose();
      else if (!disposed) kept.add(dispose);
    },
  };
}
