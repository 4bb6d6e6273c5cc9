// The Action's inputs for tests: read them from a plain map, or read the problems that refuse them.
import assert from 'node:assert/strict';
import { InputError, readInputs, type ActionInputs } from '../../src/action/inputs.ts';

/** The inputs the runner would give for `values` (an input not named is empty, as on the runner). */
export function inputs(values: Record<string, string> = {}): ActionInputs {
  return readInputs((name) => values[name] ?? '');
}

/** The problems an InputError lists for `values`; fails when they are accepted. */
export function inputProblems(values: Record<string, string>): string[] {
  try {
    inputs(values);
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.problems;
  }
  assert.fail('expected an InputError');
}
