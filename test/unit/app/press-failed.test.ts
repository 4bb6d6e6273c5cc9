// A press the App cannot even begin on (its own id not known: the App's key cannot be read) is never met with
// silence: the check run pressed says so (a press reaches only the app that made its check run, and GitHub lets
// no other app change it), by a stable code and none of the error's text; where GitHub does not take that
// either, the report (the log line) says it was told to nobody.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleApproveButton, handleControlButton, withPressNote } from '../../../app/handlers/check-run.ts';
import type { FailureReport } from '../../../app/handlers/comment.ts';

type Json = Record<string, unknown>;

/** An Octokit whose App credentials fail, with the check run pressed (`summary`) readable and writable. */
function brokenKey(summary: string, opts: { checksDown?: boolean } = {}) {
  const updates: Json[] = [];
  const octokit = {
    auth: async () => {
      throw new Error('LEAK the private key cannot be read: -----BEGIN');
    },
    rest: {
      checks: {
        async get() {
          if (opts.checksDown) throw Object.assign(new Error('LEAK'), { status: 503 });
          return { data: { name: 'x', output: { title: 'Waiting', summary, text: null } } };
        },
        async update(params: Json) {
          updates.push(params);
          return { data: {} };
        },
      },
    },
  };
  return { octokit: octokit as never, updates };
}

const repository = { name: 'web', owner: { login: 'acme' }, default_branch: 'main' };
const sender = { login: 'dave', type: 'User' };
const markers = { keys: {}, warn: () => {} } as never;

const approvePress = {
  requested_action: { identifier: 'approve' },
  check_run: {
    id: 31,
    name: 'approval / production',
    head_sha: 'a'.repeat(40),
    external_id: JSON.stringify({ v: 1, run: 9, pr: 7, env: 'production', type: 'standard' }),
    app: { id: 1 },
  },
  sender,
  repository,
};

const promotePress = {
  requested_action: { identifier: 'promote' },
  check_run: {
    id: 32,
    name: 'rollout / production',
    head_sha: 'a'.repeat(40),
    external_id: 'wait:1000:2',
    app: { id: 1 },
  },
  sender,
  repository,
};

test('an Approve press whose App id cannot be had is told on the gate pressed, by code only, and reported', async () => {
  const { octokit, updates } = brokenKey('Waiting for 2 approvals.');
  const reports: FailureReport[] = [];
  await assert.rejects(
    handleApproveButton(octokit, approvePress, markers, (() => {}) as never, new Date(), 'd-1', (r) =>
      reports.push(r),
    ),
    /private key/,
  );
  assert.deepEqual(reports, [{ code: 'internal_error', told: 'check_run' }]);
  assert.equal(updates.length, 1);
  const output = updates[0]!.output as Json;
  assert.equal(updates[0]!.check_run_id, 31);
  assert.equal(output.title, 'Waiting');
  assert.match(
    String(output.summary),
    /^\*\*Approve press by `dave` not finished\*\* \(`internal_error`\): an unexpected error stopped it \(the App's log says which\); press the button again/,
  );
  assert.ok(String(output.summary).endsWith('\n\nWaiting for 2 approvals.'));
  assert.ok(!JSON.stringify(updates).includes('LEAK'));
});

test('a Promote press whose App id cannot be had is told on its check run; GitHub failing that too, it is reported told to nobody', async () => {
  const deps = (reports: FailureReport[]) =>
    ({
      records: (() => {}) as never,
      control: {} as never,
      trust: markers,
      now: () => new Date(),
      deliveryId: 'd-2',
      report: (r: FailureReport) => reports.push(r),
    }) as const;
  const told: FailureReport[] = [];
  const ok = brokenKey('Waits at step 3/5.');
  await assert.rejects(handleControlButton(ok.octokit, promotePress, deps(told)), /private key/);
  assert.deepEqual(told, [{ code: 'internal_error', told: 'check_run' }]);
  assert.match(
    String((ok.updates[0]!.output as Json).summary),
    /^\*\*Promote press by `dave` not finished\*\*/,
  );
  const nobody: FailureReport[] = [];
  const down = brokenKey('Waits at step 3/5.', { checksDown: true });
  await assert.rejects(handleControlButton(down.octokit, promotePress, deps(nobody)), /private key/);
  assert.deepEqual(nobody, [{ code: 'internal_error', told: 'nobody' }]);
  assert.equal(down.updates.length, 0);
});

test("withPressNote: the note at the top, the summary kept below it, an earlier press's note replaced", () => {
  const first = withPressNote('Waits at step 3/5.', '**A** failed.');
  assert.equal(first, '**A** failed.\n<!-- deploy-action:press-note -->\n\nWaits at step 3/5.');
  assert.equal(withPressNote(first, '**A** failed.'), first, 'the same note: unchanged');
  assert.equal(
    withPressNote(first, '**B** failed.'),
    '**B** failed.\n<!-- deploy-action:press-note -->\n\nWaits at step 3/5.',
  );
  assert.equal(withPressNote(null, '**A** failed.'), '**A** failed.\n<!-- deploy-action:press-note -->');
  assert.ok(withPressNote('x'.repeat(70_000), '**A** failed.').startsWith('**A** failed.\n<!--'));
  assert.ok(Buffer.byteLength(withPressNote('x'.repeat(70_000), '**A** failed.')) <= 65_535);
});
