// A bound on the work of checking one command (a `shell: true` script, or an argv command), counted, not timed:
// configs come from pull requests, and the App validates them, so a script that would take minutes to check
// is a denial of service. Reading a script (shell-script.ts' analyzeShellTemplate) charges its length per
// reading, each body it reads inside it (a function's, an eval's, bash -c's) its own, and each command's words
// read as a program's (programs.ts' commandModel) their number: past WORK_BUDGET the command is refused as too
// complex to check (never accepted unchecked, which would let a value through that a check would refuse).
// The count is the same on every machine and every run: a config refused once is refused always.

/**
 * Units of work one command's check may take: a script of about 200 KB read once, or 100 KB read twice (one with a
 * loop or a function is), less what its commands and program variables take; a deploy script is a few KB. The
 * deepest nesting of if, for, while, case and ( … ) still grows faster than the script (4 s for 200 KB of nested
 * ifs on a 2-core machine), which this bounds.
 */
export const WORK_BUDGET = 60_000;

/** Thrown by charge past the budget; caught where the check started (withinBudget). */
export class TooComplex extends Error {
  constructor() {
    super('too complex to check');
  }
}

/** The refusal of a script past the budget, saying what to do instead. */
export const TOO_COMPLEX_MESSAGE =
  `the script is too complex to check within the bound on the work of checking a command (${WORK_BUDGET} units: ` +
  'its length for each time it, or a function, eval or shell body in it, is read, and the words of its commands): ' +
  'move it into a script file of the repository and run that with the values as arguments (./deploy.sh {{version}}), ' +
  'or split it into smaller commands';

let remaining: number | undefined;

/**
 * Runs `check` within the budget: the outermost call starts one and returns `refused()` past it, or when the
 * check nests deeper than the stack holds; calls inside it share it, and past it throw TooComplex to the outermost.
 */
export function withinBudget<T>(check: () => T, refused: () => T): T {
  if (remaining !== undefined) return check();
  remaining = WORK_BUDGET;
  try {
    return check();
  } catch (error) {
    // Nested deeper than the stack holds (a function calling the one before, 250 deep): too complex as well.
    if (error instanceof TooComplex || error instanceof RangeError) return refused();
    throw error;
  } finally {
    remaining = undefined;
  }
}

/** Counts `units` of work against the budget started by withBudget (none outside one). */
export function charge(units: number): void {
  if (remaining === undefined) return;
  remaining -= units;
  if (remaining < 0) throw new TooComplex();
}
