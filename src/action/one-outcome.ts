// The Action's outcome (its outputs, job summary, record file, failure annotation and exit code) has two
// possible writers: the run itself when it ends (ActionRun.recordOutcome) and the crash deadline, when it comes
// with the run still going (ActionRun.writeAtCrashDeadline, util/crash-guard.ts). Stopping the run's commands
// at the deadline makes the run end some 0.3 s later, so both could write: each output twice (the runner keeps
// the last) and two contradicting outcomes in the summary. Whichever starts first writes; the other writes
// nothing and waits until the first has written (the process must not exit half-way through it).

/** Who writes the run's outcome. */
export type OutcomeWriter = 'run' | 'crash_deadline';

export interface OneOutcome {
  /**
   * Runs `write` when no writer began before, else writes nothing. Resolves, once the outcome is written (by
   * either; a failed write included), with who wrote it. A rejection of `write` reaches its own caller only.
   */
  claim(who: OutcomeWriter, write: () => Promise<void>): Promise<OutcomeWriter>;
  /** Who began writing the outcome, if anyone has. */
  writer(): OutcomeWriter | undefined;
}

export function oneOutcome(): OneOutcome {
  let first: { who: OutcomeWriter; written: Promise<void> } | undefined;
  return {
    async claim(who, write) {
      if (first) {
        await first.written.catch(() => {});
        return first.who;
      }
      // Taken before `write` begins: a second claim made while it runs finds it.
      const written = Promise.resolve().then(write);
      first = { who, written };
      await written;
      return who;
    },
    writer: () => first?.who,
  };
}
