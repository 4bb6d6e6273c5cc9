// The shell-safety analysis of a command (src/targets) is pure in the command's words and costs far more than
// the rest of an environment's checks. A target, a hook or a metrics command shared by many environments (the
// top-level target, a top-level analysis) is checked once per validation, not once per environment that uses
// it: with 8,000 environments sharing one target, validation went from about 5 s to under 1 s. One cache per
// validation, never a module-wide one: nothing outlives the config it was made for, and a benchmark that
// validates the same text twice measures the work, not a hit.
import { analyzeShellTemplate, argvShellProblems } from '../targets/shell-script.ts';

/** A problem of a `shell: true` script, with where in the script its template is (0-based). */
export interface ScriptProblem {
  readonly message: string;
  readonly offset: number;
}

/** The problems of an argv command and of a `shell: true` script, each worked out once per distinct text. */
export interface CommandChecks {
  argvProblems(argv: readonly string[]): readonly string[];
  shellProblems(script: string): readonly ScriptProblem[];
}

export function commandChecks(): CommandChecks {
  const argv = new Map<string, readonly string[]>();
  const shell = new Map<string, readonly ScriptProblem[]>();
  return {
    argvProblems(words) {
      // JSON keeps the word boundaries: ["a b"] and ["a", "b"] are different commands.
      const key = JSON.stringify(words);
      let problems = argv.get(key);
      if (problems === undefined) {
        problems = Object.freeze(argvShellProblems(words));
        argv.set(key, problems);
      }
      return problems;
    },
    shellProblems(script) {
      let problems = shell.get(script);
      if (problems === undefined) {
        const analysis = analyzeShellTemplate(script);
        problems = Object.freeze(
          analysis.ok
            ? []
            : analysis.problems.map(({ message, offset }) => Object.freeze({ message, offset })),
        );
        shell.set(script, problems);
      }
      return problems;
    },
  };
}
