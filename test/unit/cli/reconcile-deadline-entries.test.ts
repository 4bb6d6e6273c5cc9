// At the crash deadline, reconcile still going (util/crash-guard.ts), the CLI's last line said `entries: []` even
// when earlier environments had been reconciled in that run: what was done there went unsaid. It reports the
// entries done (reconcile's entryDone), in JSON and as text, as its summary would have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcileDeadlineText } from '../../../src/cli/reconcile.ts';
import type { ReconcileEntry } from '../../../src/reconcile/run.ts';

const done: ReconcileEntry[] = [
  { environment: 'qa', code: 'orphan_rolled_back', failed: false, message: 'rolled back v2', steps: [] },
  { environment: 'eu', code: 'state_untrusted', failed: true, message: 'others may write it', steps: [] },
];
const unfinished = 'it had not ended 1 s after the internal error, and no rollback had begun';

test('the crash deadline line of reconcile: the entries done before, in JSON', () => {
  const line = JSON.parse(reconcileDeadlineText(true, done, 'Error: boom', unfinished)) as Record<
    string,
    unknown
  >;
  assert.deepEqual(line, {
    type: 'reconcile',
    entries: done,
    failed: true,
    stoppedBy: 'Error: boom',
    unfinished,
  });
  const none = JSON.parse(reconcileDeadlineText(true, [], 'Error: boom', unfinished)) as {
    entries: unknown[];
  };
  assert.deepEqual(none.entries, []);
});

test('the crash deadline line of reconcile: the entries done before, as text, then the stop (its error made plain)', () => {
  const text = reconcileDeadlineText(false, done, 'Error: boom\u202e\u001b[31m', unfinished);
  assert.deepEqual(text.split('\n'), [
    '✔ qa: orphan_rolled_back: rolled back v2',
    '✖ eu: state_untrusted: others may write it',
    `reconcile: stopped by an internal error (Error: boom): ${unfinished}`,
    '',
  ]);
});
