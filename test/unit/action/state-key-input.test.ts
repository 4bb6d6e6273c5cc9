// The `state-key` input: read and checked with the other inputs; a short one is refused naming the input
// and never echoed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, readInputs } from '../../../src/action/inputs.ts';

const read = (values: Record<string, string>) => readInputs((name) => values[name] ?? '');

test('state-key: absent, the printed hex, or a secret of 32+ characters', () => {
  assert.equal(read({}).stateKey, undefined);
  const hex = 'ab'.repeat(32);
  assert.equal(read({ 'state-key': ` ${hex}\n` }).stateKey, hex);
  const own = 'x'.repeat(32);
  assert.equal(read({ 'state-key': own }).stateKey, own);
});

test('a short state-key is a problem naming the input, reported with the others, without its value', () => {
  assert.throws(
    () => read({ 'state-key': 'hunter2-is-short', 'pr-comment': 'maybe' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.problems.length === 2 &&
      e.problems.some((p) => /^input "state-key" must be at least 32 characters/.test(p)) &&
      !e.message.includes('hunter2'),
  );
});
