// The Action's `mode: reconcile` failing with an internal error (anything but a problem with its inputs or the
// config: here a store read that throws, as none should) wrote no `status` or
// `code` output, only the failure annotation: a workflow reading them found nothing. It now writes `status`
// `failed`, `code` `internal_error` and the message (redacted), with the entries done before, as a deployment's
// outcome says a pipeline's internal error; a problem with the inputs stays one (no outputs, as in the deploy mode).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test, type TestContext } from 'node:test';
import type { RunContext } from '../../../src/action/context.ts';
import { InputError, readInputs } from '../../../src/action/inputs.ts';
import { runReconcile } from '../../../src/action/reconcile.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';

const TOKEN = 'ghs_reconcileFailure0123456789abcdefghijk';

let dir: string;
let config: string;
let outputs: string;
let summary: string;
const saved = { output: process.env.GITHUB_OUTPUT, summary: process.env.GITHUB_STEP_SUMMARY };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'action-reconcile-internal-'));
  config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    'target:\n  commands:\n    deploy: ["true"]\nenvironments:\n  production:\n    strategy: { type: direct }\n',
  );
  outputs = join(dir, 'outputs');
  summary = join(dir, 'summary.md');
  writeFileSync(outputs, '');
  writeFileSync(summary, '');
  process.env.GITHUB_OUTPUT = outputs;
  process.env.GITHUB_STEP_SUMMARY = summary;
});
afterEach(() => {
  for (const [name, value] of [
    ['GITHUB_OUTPUT', saved.output],
    ['GITHUB_STEP_SUMMARY', saved.summary],
  ] as const)
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  rmSync(dir, { recursive: true, force: true });
});

const context: RunContext = {
  owner: 'acme',
  repo: 'web',
  eventName: 'schedule',
  sha: 'a'.repeat(40),
  apiUrl: 'https://api.github.com',
};

/**
 * The job log (the action's text lines) kept out of the test's output; what the test runner writes (its
 * serialized reports, bytes) still passes: swallowed, a test's result went unreported.
 */
function quietJobLog(t: TestContext) {
  const write = process.stdout.write.bind(process.stdout);
  t.mock.method(process.stdout, 'write', ((chunk: string | Uint8Array, ...rest: never[]) =>
    typeof chunk === 'string' ? true : write(chunk, ...rest)) as typeof process.stdout.write);
}

function written(): Record<string, string | undefined> {
  const text = readFileSync(outputs, 'utf8');
  const output = (name: string) => new RegExp(`^${name}<<(\\S+)\\n([^]*?)\\n\\1$`, 'm').exec(text)?.[2];
  return { status: output('status'), code: output('code'), reconcile: output('reconcile') };
}

test('mode reconcile, an internal error: status failed, code internal_error, the message redacted, the entries done', async (t) => {
  // A record left by an environment taken out of the config, whose read (after production was reconciled) fails
  // as no store read should: an internal error, escaping every environment's own handling.
  const stateDir = join(dir, 'state');
  await new FileStateStore(stateDir).write({ ...emptyRecord('acme/web', 'old', new Date()), seq: 1 });
  const read = FileStateStore.prototype.read;
  t.mock.method(FileStateStore.prototype, 'read', function (this: FileStateStore, environment: string) {
    if (environment === 'old') throw new Error(`the store broke reading with ${TOKEN}`);
    return read.call(this, environment);
  });
  quietJobLog(t);
  const inputs = readInputs(
    (name) => ({ mode: 'reconcile', config, 'state-dir': stateDir, 'github-token': TOKEN })[name] ?? '',
  );
  await assert.rejects(runReconcile(inputs, context, { GITHUB_STEP_SUMMARY: summary }), /the store broke/);
  t.mock.restoreAll();
  const out = written();
  assert.equal(out.status, 'failed');
  assert.equal(out.code, 'internal_error');
  const reconciled = JSON.parse(out.reconcile ?? '{}') as {
    entries: Array<{ environment: string; code: string }>;
    failed: boolean;
    error: string;
  };
  assert.deepEqual(
    reconciled.entries.map((e) => [e.environment, e.code]),
    [['production', 'nothing_due']],
  );
  assert.equal(reconciled.failed, true);
  assert.match(reconciled.error, /^internal error: the store broke reading with \*\*\*$/);
  const text = readFileSync(summary, 'utf8');
  assert.match(text, /^## ❌ deploy-action reconcile failed$/m, text);
  assert.match(text, /the store broke reading with \\\*\\\*\\\*/, text);
  assert.match(text, /^- production: `nothing_due`: /m, text);
  for (const where of [out.reconcile!, text]) assert.ok(!where.includes(TOKEN), where);
});

test('mode reconcile asked wrongly (an input problem): no outputs, the input error as it was', async (t) => {
  quietJobLog(t);
  const inputs = readInputs(
    (name) =>
      ({ mode: 'reconcile', config, 'state-dir': join(dir, 'state'), 'adopt-current': 'true' })[name] ?? '',
  );
  await assert.rejects(runReconcile(inputs, context, {}), (e: Error) => e instanceof InputError);
  t.mock.restoreAll();
  assert.deepEqual(written(), { status: undefined, code: undefined, reconcile: undefined });
});
