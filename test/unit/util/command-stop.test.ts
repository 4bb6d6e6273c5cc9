// The process's stops of every command are worded once (util/command-stop.ts), for every caller: a deploy step's
// command, a gate's command, a gate's git call, an analysis command provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processStopClause } from '../../../src/util/command-stop.ts';
import type { StopReason } from '../../../src/util/process-group.ts';

test('the cancel deadline and the crash deadline each say which stop it was', () => {
  assert.equal(processStopClause('deadline'), 'the job was cancelled and is about to be killed');
  assert.equal(
    processStopClause('crash_deadline'),
    'an internal error stopped the run, which did not end within its deadline, and the process is exiting',
  );
});

test("a command's own stop (its timeout, its signal, its output) or none is left to its caller's words", () => {
  for (const stopped of ['timeout', 'cancelled', 'output', undefined] as Array<StopReason | undefined>)
    assert.equal(processStopClause(stopped), undefined, String(stopped));
});

test('a stop reason it does not know is an error, not a silent generic text', () => {
  assert.throws(() => processStopClause('later' as StopReason), /no wording for the command stop later/);
});
