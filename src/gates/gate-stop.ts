// Why a gate's signal was aborted, for what its command says when it was stopped (gate-command.ts): the gate's
// own timeout (runner.ts), the job's cancellation, or an internal error's stop. The runner aborts the gate's
// signal with a GateStop, whose kind says which; a signal aborted by anyone else (a gate run on its own) is read
// as util/internal-error-stop.ts reads a run's. Before, the command said "the gate timed out or was cancelled".
import { stoppedByOf, stoppedPhrase } from '../util/internal-error-stop.ts';
import type { StopReason } from '../util/process-group.ts';
import { processStopClause } from '../util/command-stop.ts';

export type GateStopKind = 'timeout' | 'cancelled' | 'internal_error';

/** The reason the gate runner aborts a gate's signal with: its message is the gate's verdict. */
export class GateStop extends Error {
  /** A brand, not `instanceof`, as InternalErrorStop's. */
  readonly gateStop: GateStopKind;
  constructor(kind: GateStopKind, message: string) {
    super(message);
    this.name = 'GateStop';
    this.gateStop = kind;
  }
}

function gateStopOf(signal: AbortSignal): { kind: GateStopKind; message: string } | undefined {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (typeof reason !== 'object' || reason === null) return undefined;
  const kind = (reason as { gateStop?: unknown }).gateStop;
  return kind === 'timeout' || kind === 'cancelled' || kind === 'internal_error'
    ? { kind, message: (reason as Error).message }
    : undefined;
}

/**
 * Why a gate's command was stopped, from how its process group was stopped (`stopped`) and the gate's signal:
 * "the gate timed out after 5m", "the gate was cancelled (SIGINT received)", "the gate was stopped by an
 * internal error (…)", or the process's own stop of every command. Pure.
 */
export function commandStoppedWhy(stopped: StopReason | undefined, signal: AbortSignal): string {
  const processStop = processStopClause(stopped);
  if (processStop !== undefined) return processStop;
  const gate = gateStopOf(signal);
  if (gate) return gate.kind === 'timeout' ? `the gate ${gate.message}` : `the gate was ${gate.message}`;
  if (signal.aborted) {
    const internal = stoppedByOf(signal);
    return internal === undefined
      ? `the gate was ${stoppedPhrase(signal)}`
      : `the gate was ${stoppedPhrase(signal)} (${internal})`;
  }
  // Its group stopped with the signal not aborted: only a timeout of its own (none is given today).
  return stopped === 'timeout' ? 'the command timed out' : 'it was stopped';
}
