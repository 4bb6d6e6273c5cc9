// Gates that compute on the main thread over big inputs (a SARIF log's results, a plan's resource changes,
// the lines of changed files) give the event loop a turn between pieces of work, as the secrets scanner
// does: a cancel signal, the runner's deadline and the other gates' I/O are acted on while they scan, and a
// cancelled scan stops at its next turn instead of running to its end.

/** At most this much work, or this many steps, between two turns of the event loop. */
const SLICE_MS = 10;
const SLICE_STEPS = 1000;

export class Turns {
  private sliceStart = performance.now();
  private steps = 0;
  private readonly signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }

  /**
   * Between two steps of work: throws the signal's reason once it is aborted; when the slice is used up,
   * returns a promise to await (a turn of the event loop), else undefined, so a step costs no await.
   */
  take(): Promise<void> | undefined {
    this.signal.throwIfAborted();
    if (++this.steps < SLICE_STEPS && performance.now() - this.sliceStart < SLICE_MS) return undefined;
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.steps = 0;
      this.sliceStart = performance.now();
      this.signal.throwIfAborted();
    });
  }

  /** Runs `steps` to its end, taking a turn where the slice is used up; its value is the generator's return. */
  async run<T>(steps: Generator<void, T>): Promise<T> {
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      const turn = this.take();
      if (turn) await turn;
    }
  }
}

/** Runs `steps` to its end at once, for a synchronous caller (a pure function of its input). */
export function runAtOnce<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
