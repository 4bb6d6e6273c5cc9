// The Action's mode: reconcile with `state-dir` reports the records there of environments the config no
// longer defines as the CLI's reconcile does (src/reconcile/stray.ts): environment_not_in_config with what it
// holds, never acted on; one others may write is state_untrusted and fails the step after the rest; one the
// store refuses otherwise (corrupt, another environment's) is reported with its code and why, a warning.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { createFakeGitHub } from '../../fake-github/index.ts';
import type { RunContext } from '../../../src/action/context.ts';
import { readInputs } from '../../../src/action/inputs.ts';
import { runReconcile } from '../../../src/action/reconcile.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord, type EnvironmentRecord } from '../../../src/state/record.ts';

let dir: string;
let stateDir: string;
let config: string;
let outputs: string;
const exitCode = process.exitCode;
const outputFile = process.env.GITHUB_OUTPUT;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'action-reconcile-stray-'));
  stateDir = join(dir, 'state');
  config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    'target:\n  commands:\n    deploy: ["true"]\nenvironments:\n  production:\n    strategy: { type: direct }\n',
  );
  outputs = join(dir, 'outputs');
  writeFileSync(outputs, '');
  process.env.GITHUB_OUTPUT = outputs;
});
afterEach(() => {
  process.exitCode = exitCode;
  if (outputFile === undefined) delete process.env.GITHUB_OUTPUT;
  else process.env.GITHUB_OUTPUT = outputFile;
  rmSync(dir, { recursive: true, force: true });
});

const context: RunContext = {
  owner: 'acme',
  repo: 'web',
  eventName: 'schedule',
  sha: 'a'.repeat(40),
  apiUrl: 'https://api.github.com',
};

function removed(environment: string, change: Partial<EnvironmentRecord>): EnvironmentRecord {
  return {
    ...emptyRecord('acme/web', environment, new Date()),
    seq: 2,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
    ...change,
  };
}

async function reconcileStep(input: Record<string, string> = {}, on: Partial<RunContext> = {}) {
  const inputs = readInputs(
    (name) => ({ mode: 'reconcile', config, 'state-dir': stateDir, ...input })[name] ?? '',
  );
  await runReconcile(inputs, { ...context, ...on }, {});
  const written = readFileSync(outputs, 'utf8');
  const output = (name: string) => new RegExp(`^${name}<<(\\S+)\\n([^]*?)\\n\\1$`, 'm').exec(written)?.[2];
  const summary = JSON.parse(output('reconcile') ?? '') as {
    entries: Array<{ environment: string; code: string; failed: boolean; message: string }>;
    failed: boolean;
  };
  return { status: output('status'), code: output('code'), summary };
}

test('mode reconcile, state-dir: a removed environment’s rollout or retired slots are reported, not acted on', async () => {
  const store = new FileStateStore(stateDir);
  await store.write(
    removed('old', {
      rollout: {
        deploymentId: '41',
        version: 'v2',
        strategy: 'direct',
        phase: 'old',
        step: 0,
        steps: 1,
        weight: 0,
        startedAt: new Date().toISOString(),
        owner: { kind: 'workflow', runId: '7' },
        recovery: [],
      },
    }),
  );
  await store.write(
    removed('older', {
      retired: [{ slot: 'green', version: 'v0', dueAt: new Date(Date.now() - 60_000).toISOString() }],
    }),
  );
  await store.write(removed('quiet', {}));

  const { status, code, summary } = await reconcileStep();

  assert.equal(status, 'succeeded');
  assert.equal(process.exitCode, exitCode, 'the step does not fail');
  assert.equal(code, 'reconciled');
  assert.deepEqual(
    summary.entries.map((e) => [e.environment, e.code, e.failed]),
    [
      ['production', 'nothing_due', false],
      ['old', 'environment_not_in_config', false],
      ['older', 'environment_not_in_config', false],
    ],
  );
  assert.match(summary.entries[1]!.message, /rollout of v2 in progress \(owned by workflow run 7\)/);
  assert.match(summary.entries[2]!.message, /1 retired slot\(s\) not torn down \(green\)/);
  const after = await store.read('old');
  assert.ok(after.ok && after.record?.rollout, 'left as it was');
});

test('mode reconcile, state-dir: a removed environment’s record others may write fails the step (state_untrusted)', async () => {
  const store = new FileStateStore(stateDir);
  await store.write(
    removed('old', { retired: [{ slot: 'green', version: 'v0', dueAt: new Date().toISOString() }] }),
  );
  chmodSync(store.pathFor('old'), 0o666);

  const { status, code, summary } = await reconcileStep();

  assert.equal(process.exitCode, 1, 'the step fails');
  assert.equal(status, 'failed');
  assert.equal(code, 'state_untrusted');
  assert.deepEqual(
    summary.entries.map((e) => [e.environment, e.code, e.failed]),
    [
      ['production', 'nothing_due', false],
      ['old', 'state_untrusted', true],
    ],
  );
  assert.match(summary.entries[1]!.message, /the config no longer defines old/);

  // Environments named: only those, so the removed one is not looked for.
  process.exitCode = exitCode;
  writeFileSync(outputs, '');
  const named = await reconcileStep({ environment: 'production' });
  assert.equal(named.status, 'succeeded');
  assert.deepEqual(
    named.summary.entries.map((e) => e.code),
    ['nothing_due'],
  );
});

test('mode reconcile, state-dir: a removed environment’s corrupt or misplaced record, and a file no read finds, are reported with why, warnings', async () => {
  const store = new FileStateStore(stateDir);
  mkdirSync(join(stateDir, 'records'), { recursive: true, mode: 0o700 });
  writeFileSync(store.pathFor('broken'), '{"seq": 3, "live":', { mode: 0o600 });
  // Another environment's record, copied under this one's name.
  await store.write(
    removed('other', { retired: [{ slot: 'green', version: 'v0', dueAt: new Date().toISOString() }] }),
  );
  writeFileSync(store.pathFor('moved'), readFileSync(store.pathFor('other')), { mode: 0o600 });
  // And copied by hand under names the store never reads: another spelling of "old 1", and no encoding at all.
  writeFileSync(join(stateDir, 'records', 'old 1.json'), readFileSync(store.pathFor('other')), {
    mode: 0o600,
  });
  writeFileSync(join(stateDir, 'records', 'old%zz.json'), readFileSync(store.pathFor('other')), {
    mode: 0o600,
  });
  rmSync(store.pathFor('other'));

  const { status, code, summary } = await reconcileStep();

  assert.equal(status, 'succeeded', JSON.stringify(summary));
  assert.equal(process.exitCode, exitCode, 'the step does not fail');
  assert.equal(code, 'reconciled');
  assert.deepEqual(
    summary.entries.map((e) => [e.environment, e.code, e.failed]),
    [
      ['production', 'nothing_due', false],
      ['broken', 'state_corrupt', false],
      ['moved', 'state_misplaced', false],
      ['old 1', 'state_misplaced', false],
      ['old%zz.json', 'state_misplaced', false],
    ],
  );
  assert.match(
    summary.entries[3]!.message,
    /old 1\.json is no environment's record file \(the record of "old 1" is \S+\/old%201\.json\): reconcile never reads it/,
  );
  assert.match(summary.entries[4]!.message, /not percent-encoded as the store writes record files/);
  assert.match(summary.entries[1]!.message, /is not JSON .*; not acted on, and what it holds is not known/);
  assert.match(summary.entries[1]!.message, /the config no longer defines broken/);
  assert.match(summary.entries[2]!.message, /is the record of environment "other", not "moved"/);
  assert.match(readFileSync(store.pathFor('broken'), 'utf8'), /^\{"seq": 3, "live":$/, 'left as it was');
});

test('mode reconcile, records on GitHub (state-key): the log says once that removed environments are not looked for', async (t) => {
  const token = 'ghs_reconcile_token';
  const fake = await createFakeGitHub({ tokens: { [token]: 'github-actions[bot]' } });
  t.after(() => fake.stop());
  fake.seedRepo({ owner: 'acme', repo: 'web' });
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  t.mock.method(process.stdout, 'write', (chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
  const onGitHub = { 'state-dir': '', 'github-token': token, 'state-key': 'c'.repeat(64) };
  // The line as core.info writes it (the test runner's own messages share standard output).
  const notLookedFor =
    'records of environments removed from the config are not looked for on GitHub (docs/reconcile.md, "Environments removed from the config")\n';
  const said = () => printed.join('').split(notLookedFor).length - 1;

  const every = await reconcileStep(onGitHub, { apiUrl: fake.url });
  assert.equal(every.status, 'succeeded', JSON.stringify(every.summary));
  assert.deepEqual(
    every.summary.entries.map((e) => [e.environment, e.code]),
    [['production', 'nothing_due']],
  );
  assert.equal(said(), 1, printed.join(''));

  // Environments named: none removed would be looked for anyway, so nothing is said.
  printed.length = 0;
  writeFileSync(outputs, '');
  const named = await reconcileStep({ ...onGitHub, environment: 'production' }, { apiUrl: fake.url });
  assert.equal(named.status, 'succeeded');
  assert.equal(said(), 0, printed.join(''));
  fake.assertNoViolations();
});

test('mode reconcile: its warnings and the step’s error annotation quote names from the state dir as inert text', async (t) => {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  t.mock.method(process.stdout, 'write', (chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
  const store = new FileStateStore(stateDir);
  // A removed environment whose name holds a right-to-left override, in a record others may write (the
  // step fails), and a file of that name the store never reads (a warning).
  const name = 'old\u202Etxt.exe';
  await store.write(
    removed(name, { retired: [{ slot: 'green', version: 'v0', dueAt: new Date().toISOString() }] }),
  );
  chmodSync(store.pathFor(name), 0o666);
  writeFileSync(join(stateDir, 'records', `${name}.json`), readFileSync(store.pathFor(name)), {
    mode: 0o600,
  });

  const { status, code, summary } = await reconcileStep();

  assert.equal(status, 'failed');
  assert.equal(code, 'state_untrusted');
  assert.deepEqual(
    summary.entries.map((e) => e.code),
    ['nothing_due', 'state_untrusted', 'state_misplaced'],
  );
  const commands = printed
    .join('')
    .split('\n')
    .filter((line) => /^::(?:warning|error)\b/.test(line));
  assert.ok(
    commands.some((line) => line.startsWith('::error::')),
    printed.join(''),
  );
  assert.ok(
    commands.some((line) => line.startsWith('::warning::')),
    printed.join(''),
  );
  for (const line of commands) {
    assert.doesNotMatch(line, /\p{Cf}/u, line);
    assert.match(line, /oldtxt\.exe/, line);
  }
});
