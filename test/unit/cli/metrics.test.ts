// `deploy-action metrics` as a process: from GitHub (a token and a repository; the fake's /graphql checks the
// query against GitHub's schema) and, without a token, from the state records; --json is one line that says
// its source, request count and the four keys; a bad --since is refused with its code.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord, type HistoryEntry } from '../../../src/state/record.ts';
import { startCli } from '../../helpers/cli.ts';
import { DAY, HOUR, historyFake, makeHistory } from '../../helpers/deployment-history.ts';

const NO_TOKEN = { GITHUB_TOKEN: '', GH_TOKEN: '', GITHUB_REPOSITORY: '' };

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('metrics --json from GitHub: one GraphQL request, the four keys of the environment asked for', async (t) => {
  const now = Date.now();
  const start = now - 20 * DAY;
  const h = await historyFake(start);
  t.after(() => h.fake.stop());
  await makeHistory(h, [
    {
      environment: 'production',
      committedAt: start,
      createdAt: start + 2 * HOUR,
      pr: 3,
      statuses: [{ state: 'success', at: start + 3 * HOUR }],
    },
    {
      environment: 'production',
      committedAt: start + DAY,
      createdAt: start + DAY + HOUR,
      statuses: [
        { state: 'failure', at: start + DAY + 2 * HOUR, description: 'rolled back: v0 serves again' },
      ],
    },
    {
      environment: 'production',
      committedAt: start + 2 * DAY,
      createdAt: start + 2 * DAY + HOUR,
      statuses: [{ state: 'success', at: start + 2 * DAY + 2 * HOUR }],
    },
    {
      environment: 'staging',
      committedAt: start + 3 * DAY,
      createdAt: start + 3 * DAY + HOUR,
      statuses: [{ state: 'success', at: start + 3 * DAY + 2 * HOUR }],
    },
  ]);
  const run = startCli(
    ['metrics', '--json', '--since', '30d', '-e', 'production', '--repository', 'acme/web'],
    {
      env: { GITHUB_TOKEN: 'test-token', GH_TOKEN: '', GITHUB_API_URL: h.fake.url },
    },
  );
  const { code, stdout, stderr } = await run.done;
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON line');
  const out = JSON.parse(lines[0]!);
  assert.equal(out.type, 'metrics');
  assert.equal(out.ok, true);
  assert.equal(out.source, 'github');
  assert.equal(out.requests, 1);
  assert.equal(h.fake.requestsFor('graphql').length, 1);
  assert.deepEqual(
    out.environments.map((e: { environment: string }) => e.environment),
    ['production'],
  );
  const [production] = out.environments;
  assert.equal(production.deployments.total, 3);
  assert.equal(production.changeFailureRate.failed, 1);
  assert.equal(production.changeFailureRate.finished, 3);
  assert.equal(production.leadTime.medianMs, 2 * HOUR);
  assert.equal(production.timeToRestore.medianMs, DAY);
  assert.equal(production.frequency.perDay, 2 / 30);
  assert.equal(out.since.slice(0, 10), new Date(now - 30 * DAY).toISOString().slice(0, 10));
  h.fake.assertNoViolations();
});

test('metrics without a token reads the state records, says lead time needs GitHub; text names the keys', async (t) => {
  const dir = await tempDir(t);
  const stateDir = join(dir, 'state');
  const config = join(dir, 'deploy.yml');
  await writeFile(
    config,
    `state_dir: ${JSON.stringify(stateDir)}\ntarget:\n  commands:\n    deploy: ./deploy.sh {{version}}\nenvironments:\n  production: {}\n  staging: {}\n`,
  );
  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString();
  const entry = (hoursAgo: number, event: string, code: string): HistoryEntry => ({
    at: at(hoursAgo),
    by: 'cli:host',
    event,
    code,
    version: 'v1',
  });
  const record = {
    ...emptyRecord('local', 'production', new Date()),
    history: [
      entry(50, 'rollout_started', 'started'),
      entry(49, 'phase', 'verify'),
      entry(48, 'succeeded', 'deployed'),
      entry(30, 'rollout_started', 'started'),
      entry(29, 'rolled_back', 'analysis_failed'),
      entry(20, 'blocked', 'gates_blocked'),
      entry(10, 'rollout_started', 'started'),
      entry(9, 'succeeded', 'deployed'),
    ],
  };
  await new FileStateStore(stateDir).write(record);

  const json = await startCli(['metrics', '--json', '-c', config], { env: NO_TOKEN }).done;
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.equal(out.source, 'state_history');
  assert.equal(out.requests, 0);
  const [production, staging] = out.environments;
  assert.equal(production.environment, 'production');
  assert.deepEqual(
    [
      production.deployments.total,
      production.deployments.succeeded,
      production.deployments.failed,
      production.deployments.noChange,
    ],
    [4, 2, 1, 1],
  );
  assert.equal(production.changeFailureRate.rate, 1 / 3);
  assert.equal(production.timeToRestore.medianMs, 20 * HOUR);
  assert.equal(production.leadTime.count, 0);
  assert.equal(production.leadTime.unknown, 2);
  assert.equal(staging.deployments.total, 0);
  assert.ok(out.notes.some((n: string) => /lead time needs commit dates/.test(n)));

  // An environment the config does not define: the documented JSON refusal, not text on stderr.
  const unknown = await startCli(['metrics', '--json', '-c', config, '-e', 'prodution'], { env: NO_TOKEN })
    .done;
  assert.equal(unknown.code, 2, unknown.stderr);
  const refusal = JSON.parse(unknown.stdout);
  assert.deepEqual([refusal.type, refusal.ok, refusal.code], ['metrics', false, 'unknown_environment']);
  assert.match(refusal.message, /unknown environment "prodution".*did you mean "production"/);

  const text = await startCli(['metrics', '-c', config, '-e', 'production'], { env: NO_TOKEN }).done;
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^production:$/m);
  assert.match(text.stdout, /change failure rate: {2}33\.3 % \(1 of 3\) \(low\)/);
  assert.match(text.stdout, /time to restore: {6}median 20h over 1 \(high\)/);
  assert.doesNotMatch(text.stdout, /staging/);
});

test('a bad --since, or a token without a repository, is refused with its code and exit 2', async () => {
  const cases = [
    [['--since', 'ninety days'], NO_TOKEN, 'invalid_since'],
    [['--since', '2999-01-01'], NO_TOKEN, 'invalid_since'],
    [[], { GITHUB_TOKEN: 't', GITHUB_REPOSITORY: '' }, 'repository_required'],
    [['--repository', 'not a repo'], { GITHUB_TOKEN: 't' }, 'invalid_repository'],
  ] as const;
  const runs = await Promise.all(
    cases.map(([args, env]) => startCli(['metrics', '--json', ...args], { env }).done),
  );
  cases.forEach(([args, , code], i) => {
    assert.equal(runs[i]!.code, 2, `${args.join(' ')}: ${runs[i]!.stderr}`);
    assert.equal(JSON.parse(runs[i]!.stdout).code, code);
  });
});

test('an environment named twice with -e (state records) is counted once, not twice', async (t) => {
  const dir = await tempDir(t);
  const stateDir = join(dir, 'state');
  const config = join(dir, 'deploy.yml');
  await writeFile(
    config,
    `state_dir: ${JSON.stringify(stateDir)}\ntarget:\n  commands:\n    deploy: ./deploy.sh {{version}}\nenvironments:\n  production: {}\n`,
  );
  const entry = (hoursAgo: number, event: string): HistoryEntry => ({
    at: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
    by: 'cli:host',
    event,
    code: event,
    version: 'v1',
  });
  await new FileStateStore(stateDir).write({
    ...emptyRecord('local', 'production', new Date()),
    history: [
      entry(50, 'rollout_started'),
      entry(49, 'succeeded'),
      entry(30, 'rollout_started'),
      entry(29, 'rolled_back'),
    ],
  });
  const run = await startCli(['metrics', '--json', '-c', config, '-e', 'production', '-e', 'production'], {
    env: NO_TOKEN,
  }).done;
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.environments.length, 1);
  const [production] = out.environments;
  assert.deepEqual(
    [production.deployments.total, production.deployments.succeeded, production.deployments.failed],
    [2, 1, 1],
  );
  assert.equal(production.frequency.perDay, 1 / 90);
});

test('a GitHub token or an API address password is never in what metrics prints when GitHub cannot be read', async () => {
  const { metricsCli } = await import('../../../src/cli/metrics.ts');
  const run = async (env: NodeJS.ProcessEnv, json = false) => {
    let out = '';
    let err = '';
    const code = await metricsCli(
      { since: '30d', repository: 'acme/shop', config: 'none.yml', json },
      {
        out: (t) => void (out += t),
        err: (t) => void (err += t),
        loadConfig: async () => assert.fail('a token is set: GitHub is read, not the config'),
        env,
        now: () => Date.parse('2026-06-01T00:00:00Z'),
      },
    );
    return { code, text: out + err };
  };
  // Before: "Headers.append: "token tok\nsecret-part-0123456789" is an invalid header value", the token whole.
  for (const json of [false, true]) {
    const broken = await run({ GITHUB_TOKEN: 'tok\nsecret-part-0123456789' }, json);
    assert.equal(broken.code, 2, broken.text);
    assert.match(broken.text, /invalid_token.*GITHUB_TOKEN has a space or a line break inside it/);
    assert.doesNotMatch(broken.text, /secret-part/);
  }
  // Before: "Request cannot be constructed from a URL that includes credentials: http://user:hunter2-…@…".
  const address = await run({
    GH_TOKEN: 'ghs_token0123456789',
    GITHUB_API_URL: 'http://user:hunter2-pw@127.0.0.1:9',
  });
  assert.equal(address.code, 1, address.text);
  assert.match(address.text, /github_unreadable/);
  assert.doesNotMatch(address.text, /hunter2/);
});
