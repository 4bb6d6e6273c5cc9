// For tests of what a command may do with a templated value: a command is refused (or accepted) the same way as
// an argv list, as a `shell: true` line, and by the config at its field.
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.ts';
import { shellCommandLine } from '../../src/targets/command-line.ts';
import {
  analyzeShellTemplate,
  argvShellProblems,
  renderArgvCommand,
  renderShellScript,
} from '../../src/targets/shell-script.ts';

const ENVIRONMENTS = 'environments:\n  production:\n    variables: { x: a, env: b, port: "22" }\n';

/** The config's errors for a deploy command: an argv list, or a `shell: true` script. */
export function configErrors(spec: string[] | string): string[] {
  const parsed = parseConfig(
    typeof spec === 'string'
      ? `target:\n  shell: true\n  commands:\n    deploy: ${JSON.stringify(spec)}\n${ENVIRONMENTS}`
      : `target:\n  commands:\n    deploy: ${JSON.stringify(spec)}\n${ENVIRONMENTS}`,
    'deploy.yml',
  );
  return parsed.ok ? [] : parsed.errors.map((e) => `${e.path}: ${e.message}`);
}

/** A `shell: true` script is refused, with `message` among the problems and at the config's field. */
export function assertScriptRefused(script: string, message: RegExp): void {
  const analysis = analyzeShellTemplate(script);
  assert.equal(analysis.ok, false, `${JSON.stringify(script)} was accepted`);
  if (!analysis.ok)
    assert.match(analysis.problems.map((p) => p.message).join('\n'), message, JSON.stringify(script));
  const errors = configErrors(script);
  assert.ok(
    errors.some((e) => e.startsWith('target.commands.deploy: ') && message.test(e)),
    `${JSON.stringify(script)}: ${JSON.stringify(errors)}`,
  );
}

export function assertScriptAccepted(script: string): void {
  const analysis = analyzeShellTemplate(script);
  assert.equal(analysis.ok, true, `${JSON.stringify(script)}: ${JSON.stringify(analysis)}`);
  assert.deepEqual(configErrors(script), [], JSON.stringify(script));
}

/** An argv command is refused as such, as the same `shell: true` line, and by the config. */
export function assertRefused(spec: string[], message: RegExp): void {
  const problems = argvShellProblems(spec);
  assert.ok(problems.length > 0, `${JSON.stringify(spec)} was accepted`);
  assert.match(problems.join('\n'), message, JSON.stringify(spec));
  assertScriptRefused(shellCommandLine(spec), message);
  const errors = configErrors(spec);
  assert.ok(
    errors.some((e) => e.startsWith('target.commands.deploy: ') && message.test(e)),
    `${JSON.stringify(spec)}: ${JSON.stringify(errors)}`,
  );
}

export function assertAccepted(spec: string[]): void {
  assert.deepEqual(argvShellProblems(spec), [], JSON.stringify(spec));
  assertScriptAccepted(shellCommandLine(spec));
  assert.deepEqual(configErrors(spec), [], JSON.stringify(spec));
}

/** An argv command rendered with {{x}} = `v` (the run-time checks). */
/** How a refusal of kind `source` (where what is deployed comes from or goes, what is trusted) begins its why. */
export const SOURCE = /its value would choose where what is deployed comes from or goes, what is trusted/;
/** How a refusal of kind `credential` (who a tool acts as, or the host its credentials go to) begins its why. */
export const CREDENTIAL = /its value would choose who \S+ acts as or where it sends its credentials/;

export const renderArgv = (argv: string[], v: string) =>
  renderArgvCommand(argv, { x: v }, (word) => word.replaceAll('{{x}}', v));
/** The same command as a `shell: true` line rendered with {{x}} = `v`. */
export const renderLine = (argv: string[], v: string) => renderShellScript(shellCommandLine(argv), { x: v });

/** Accepted when the config loads; `bad` values fail the command (argv and shell alike), `good` ones run. */
export function checkedOnceRendered(argv: string[], bad: string[], good: string[], message: RegExp): void {
  assertAccepted(argv);
  for (const value of bad) {
    assert.throws(() => renderArgv(argv, value), message, `${argv.join(' ')} with ${value}`);
    assert.throws(() => renderLine(argv, value), message, `${shellCommandLine(argv)} with ${value}`);
  }
  for (const value of good) {
    assert.doesNotThrow(() => renderArgv(argv, value), `${argv.join(' ')} with ${value}`);
    assert.doesNotThrow(() => renderLine(argv, value), `${shellCommandLine(argv)} with ${value}`);
  }
}

/**
 * A shell script accepted when the config loads whose value is checked once rendered: each `refused` value
 * (with the message it fails with) fails it, each `good` one renders.
 */
export function scriptCheckedOnceRendered(
  script: string,
  refused: ReadonlyArray<readonly [string, RegExp]>,
  good: readonly string[] = [],
): void {
  assertScriptAccepted(script);
  for (const [value, message] of refused)
    assert.throws(
      () => renderShellScript(script, { x: value }),
      message,
      `${script} with ${JSON.stringify(value)}`,
    );
  for (const value of good)
    assert.doesNotThrow(
      () => renderShellScript(script, { x: value }),
      `${script} with ${JSON.stringify(value)}`,
    );
}
