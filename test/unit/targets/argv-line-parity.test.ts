// A command written as an argv list and the same command written as a `shell: true` line (each word quoted)
// must get the same verdict: refused or accepted when the config loads, and refused or run once rendered. The
// corpus is every command shape the other tests of test/unit/targets write (test/helpers/command-shapes.ts
// builds it), accepted and refused ones both. Where the verdicts differ, the line may only be the stricter one,
// and only for a reason listed in LINE_STRICTER: the shell reading a line adds a risk the argv does not have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellCommandLine, shellQuote } from '../../../src/targets/command-line.ts';
import { PLACEHOLDER } from '../../../src/targets/placeholder.ts';
import {
  analyzeShellTemplate,
  argvShellProblems,
  renderArgvCommand,
  renderShellScript,
  shellScriptIn,
} from '../../../src/targets/shell-script.ts';
import type { CommandShape } from '../../helpers/command-shapes.ts';
import { assertAccepted, assertRefused, checkedOnceRendered } from '../../helpers/command-checks.ts';

const SHAPES: CommandShape[] = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/targets/command-shapes.json'), 'utf8'),
);

// Each shape's argv problems, worked out once for the tests below.
const ARGV_PROBLEMS = new Map(SHAPES.map((shape) => [shape, argvShellProblems(shape.argv)]));

const templated = (word: string) => new RegExp(PLACEHOLDER.source).test(word);

/** The program a command runs, past `builtin` (which only a shell line reads as its own). */
const programOf = (argv: readonly string[]) => argv.find((word) => word !== 'builtin');

// Builtins a shell runs itself and that do something with a name or an arithmetic expression given to them
// (let evaluates, declare -i and printf -v assign, unset and test -v name a variable). As an argv the command runs
// a program of that name from PATH, if there is one, which does none of that: printf and test are programs of
// their own, the others are no file anywhere. (command, read, getopts… are files that run the builtin in bash on
// some systems: an argv naming one gets the line's checks, argv-commands.ts.)
const NAME_BUILTINS = new Set([
  'let',
  'declare',
  'typeset',
  'local',
  'export',
  'readonly',
  'unset',
  'printf',
  'test',
]);

/** Why the line may be refused where the argv is accepted: each names the shapes it covers. */
const LINE_STRICTER: Array<{ why: string; covers: (argv: readonly string[]) => boolean }> = [
  {
    // ["sh", "-c", "deploy {{ref}}"]: the script's templates become "$DEPLOY_REF" (argv-commands.ts). As a line
    // (sh -c 'deploy {{ref}}') the outer shell writes the value into the inner shell's script, which runs it.
    why: 'the command is a shell whose -c script holds the template',
    covers: (argv) => {
      const script = shellScriptIn(argv);
      return script?.shell === 0 && script.posix && templated(argv[script.script] ?? '');
    },
  },
  {
    why: 'the program is a shell builtin reading a name or an arithmetic expression',
    covers: (argv) => NAME_BUILTINS.has(programOf(argv) ?? ''),
  },
];

const lineStricter = (argv: readonly string[]) => LINE_STRICTER.find((reason) => reason.covers(argv));

/**
 * The lines a shape is written as: each word single-quoted where it must be (command-line.ts' shellQuote: the
 * quoting library here, shell-quote, writes "{" as "\{", which is no template), the same with the words holding
 * a template in double quotes where that reads the same, and the line of the test it comes from.
 */
function linesOf(shape: CommandShape): string[] {
  const lines = [shellCommandLine(shape.argv)];
  if (!shape.argv.some((word) => /["$`\\!]/.test(word))) {
    const doubled = shape.argv
      .map((word, k) => (k > 0 && templated(word) ? `"${word}"` : shellQuote(word)))
      .join(' ');
    if (!lines.includes(doubled)) lines.push(doubled);
  }
  // A line whose words splitCommand reads otherwise than a shell would ($NAME kept, a backslash) is not the
  // same command.
  if (shape.line !== undefined && !/[$`\\]/.test(shape.line) && !lines.includes(shape.line))
    lines.push(shape.line);
  return lines;
}

const lineProblems = (line: string) => {
  const analysis = analyzeShellTemplate(line);
  return analysis.ok ? [] : analysis.problems.map((problem) => problem.message);
};

test('the corpus holds several hundred command shapes, refused and accepted ones both', () => {
  const refused = SHAPES.filter((shape) => ARGV_PROBLEMS.get(shape)!.length > 0).length;
  assert.ok(SHAPES.length >= 500, `${SHAPES.length} shapes`);
  assert.ok(refused >= 200 && SHAPES.length - refused >= 200, `${refused} of ${SHAPES.length} refused`);
});

test('when the config loads: an argv and its line get the same verdict, or the line is stricter for a listed reason', (t) => {
  const looser: string[] = [];
  const unexplained: string[] = [];
  const used = new Set<string>();
  let pairs = 0;
  for (const shape of SHAPES) {
    const argv = ARGV_PROBLEMS.get(shape)!;
    for (const line of linesOf(shape)) {
      pairs++;
      const problems = lineProblems(line);
      if (argv.length > 0 === problems.length > 0) continue;
      const said = `${shape.from}: ${JSON.stringify(shape.argv)} | ${line}`;
      if (problems.length === 0) looser.push(`${said}\n  argv: ${argv[0]}`);
      else {
        const reason = lineStricter(shape.argv);
        if (reason) used.add(reason.why);
        else unexplained.push(`${said}\n  line: ${problems[0]}`);
      }
    }
  }
  t.diagnostic(`${SHAPES.length} shapes, ${pairs} argv/line pairs`);
  assert.deepEqual(looser, [], 'the line is accepted where the argv is refused');
  assert.deepEqual(unexplained, [], 'the line is refused where the argv is accepted, for no listed reason');
  // Each listed reason still covers a disagreement: one no longer needed is removed.
  assert.deepEqual(
    LINE_STRICTER.map((reason) => reason.why).filter((why) => !used.has(why)),
    [],
  );
});

// Values a deployment parameter may hold: plain, an option, blanks, shell code, a line break, a quote, a file.
const VALUES = ['v1.2.3', '-rf', 'a b', '$(id)', 'a\nb', "it's", '@/etc/passwd'];

test('once rendered: an argv and its line accepted both refuse the same values, or the line is stricter for a listed reason', () => {
  const looser: string[] = [];
  const unexplained: string[] = [];
  for (const shape of SHAPES) {
    if (ARGV_PROBLEMS.get(shape)!.length > 0) continue;
    const line = shellCommandLine(shape.argv);
    if (lineProblems(line).length > 0) continue;
    const names = new Set(shape.argv.flatMap((word) => [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!)));
    for (const value of VALUES) {
      const values = Object.fromEntries([...names].map((name) => [name, value]));
      const refusal = (render: () => unknown) => {
        try {
          render();
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      };
      const argv = refusal(() =>
        renderArgvCommand(shape.argv, values, (word) => word.replace(PLACEHOLDER, () => value)),
      );
      const rendered = refusal(() => renderShellScript(line, values));
      if ((argv === undefined) === (rendered === undefined)) continue;
      const said = `${shape.from}: ${JSON.stringify(shape.argv)} given ${JSON.stringify(value)}`;
      if (rendered === undefined) looser.push(`${said}\n  argv: ${argv}`);
      else if (!lineStricter(shape.argv)) unexplained.push(`${said}\n  line: ${rendered}`);
    }
  }
  assert.deepEqual(looser, [], 'the line runs a value the argv refuses');
  assert.deepEqual(unexplained, [], 'the line refuses a value the argv runs, for no listed reason');
});

// The disagreements the corpus found, each at its cause: the rules on parallel's items and xargs' options were
// made by the shell reading alone (shell-reading.ts' itemRoutes now serves an argv command too).
test("an argv command gets the rules of a line for parallel's items and xargs' options", () => {
  // parallel runs its command through a shell: an item in place of sh -c's script is code.
  assertRefused(
    ['parallel', 'sh', '-c', ':::', '{{x}}'],
    /is in an argument after ::: of parallel, which parallel puts in its command where it would be the program/,
  );
  assertRefused(['parallel', 'sh', '-c', '{}', ':::', '{{x}}'], /where it would be the program/);
  assertRefused(['parallel', 'rm', ':::', '{{x}}'], /parallel puts after "rm" as its last arguments/);
  assertRefused(
    ['parallel', './deploy.sh', '::::', 'lists/{{x}}.txt'],
    /in the name of a file after :::: of parallel/,
  );
  assertRefused(
    ['parallel', '-C', ' ', 'kubectl', 'delete', 'pod', ':::', '{{x}}'],
    /whose --colsep \(-C\) cuts/,
  );
  // xargs -I's string chooses where what xargs reads lands: given "docker", it would be the program.
  for (const argv of [
    ['xargs', '-I', '{{x}}', 'echo'],
    ['xargs', '-I{{x}}', 'docker', 'run', 'app:{{x}}'],
    ['xargs', '-d', '{{x}}', './deploy.sh'],
  ])
    assertRefused(argv, /is in an option of xargs .*, which chooses where what xargs reads lands/);
  // An item that is one argument of the program parallel runs: checked once rendered, as in a line.
  checkedOnceRendered(
    ['parallel', './deploy.sh', ':::', '{{x}}'],
    ['a\nb', 'a\rb'],
    ['v1.2.3', 'a b'],
    /is fed to parallel, which would cut it into several arguments of deploy.sh/,
  );
});

// macOS (and Fedora, RHEL) ship POSIX's regular built-ins as files, each running `builtin NAME "$@"` with a
// /bin/sh that is bash there: ["command", "let", "n={{x}}"] given a[$(id)] ran id, as the line does. Such an
// argv, and a line whose wrapper runs such a file (sudo command let …), get the checks of the built-in's line.
test("a built-in's file (command, read, getopts…) run as a program gets the checks of the built-in", () => {
  for (const argv of [
    ['command', 'let', 'n={{x}}'],
    ['sudo', 'command', 'let', 'n={{x}}'],
    ['sudo', '-u', 'app', 'command', 'declare', '-i', 'n={{x}}'],
  ])
    assertRefused(
      argv,
      /is in (let|the value of n, an integer variable), which bash evaluates as an arithmetic expression/,
    );
  for (const argv of [
    ['read', '{{x}}'],
    ['env', 'A=1', 'read', '{{x}}'],
    ['getopts', 'ab', '{{x}}'],
  ])
    assertRefused(argv, /names the variable of (read|getopts): its value would choose which variable/);
  // Its message counts no character of a line the config does not hold.
  assert.doesNotMatch(argvShellProblems(['command', 'let', 'n={{x}}']).join('\n'), /character \d+/);
  // Elsewhere the value is data: an argument of a program command runs, a word of a script bash runs.
  for (const argv of [
    ['command', './deploy.sh', '{{x}}'],
    ['sudo', 'command', '-p', './deploy.sh', '{{x}}'],
    ['bash', 'deploy.sh', 'read', '{{x}}'],
    ['kubectl', 'wait', '--for=condition={{x}}', 'deploy/app'],
  ])
    assertAccepted(argv);
});
