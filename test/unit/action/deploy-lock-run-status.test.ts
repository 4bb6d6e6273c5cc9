// A deployment by the Action keeping its records in state-dir (a self-hosted runner), with a token: a record
// lock left by another runner's job is taken over as soon as GitHub reports that run attempt of this
// repository completed, instead of failing the run's first durable write behind it (a lock of another host
// is otherwise waited for only 5 s, and taken over only once a minute old). Run as the runner runs it (the
// sources, inputs as INPUT_*), against the fake GitHub.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { createFakeGitHub } from '../../fake-github/index.ts';
import { runBuiltAction, runnerGitHubEnv } from '../../helpers/action.ts';
import { repoRoot } from '../../helpers/cli.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';

const TOKEN = 'ghs_workflow_token';
const OWNER = 'acme';
const REPO = 'web';

test('the Action’s deployment takes over a record lock whose run attempt GitHub reports completed', async (t) => {
  const fake = await createFakeGitHub({ tokens: { [TOKEN]: 'github-actions[bot]' } });
  const dir = mkdtempSync(join(tmpdir(), 'deploy-lock-run-'));
  t.after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  fake.seedRepo({ owner: OWNER, repo: REPO });
  // The job of run 9001 died on another runner holding the record's lock; GitHub says the run is over.
  fake.addWorkflowRun({ id: 9001, status: 'completed', conclusion: 'cancelled', runAttempt: 1 });
  const stateDir = join(dir, 'state');
  const lock = `${new FileStateStore(stateDir).pathFor('production')}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  writeFileSync(
    lock,
    `${JSON.stringify({ pid: 4242, host: 'runner-elsewhere', run: { id: '9001', attempt: '1', repository: `${OWNER}/${REPO}` } })}\n`,
  );
  // Not touched since it died, half a minute ago (a live holder touches its lock while it holds it).
  const then = new Date(Date.now() - 30_000);
  utimesSync(lock, then, then);
  const target = recordedTarget(dir);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast\n${target.targetYaml}environments:\n  production:\n    strategy: { type: blue-green }\n`,
  );

  const run = await runBuiltAction({
    dir,
    entry: join(repoRoot, 'src/action/index.ts'),
    inputs: {
      'github-token': TOKEN,
      config: 'deploy.yml',
      environment: 'production',
      version: 'v2',
      'state-dir': stateDir,
      'check-runs': 'false',
      'pr-comment': 'false',
    },
    env: {
      ...runnerGitHubEnv(fake.url, OWNER, REPO),
      GITHUB_SHA: fake.repo().refs.get('heads/main'),
      CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }),
      DEPLOY_ACTION_RETRY_BASE_MS: '20',
      DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
    },
    timeoutMs: 60_000,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.equal(run.outputs.status, 'succeeded', run.stdout);
  assert.match(
    run.stdout + run.stderr,
    /took over .*production\.json\.lock: its holder, workflow run 9001 .* has finished \(cancelled\)/,
  );
  assert.doesNotMatch(run.stdout, /was not stored/, 'every record write was stored');
  assert.ok(
    fake.requestsFor('actions/get-workflow-run').some((r) => r.path.endsWith('/actions/runs/9001')),
    'GitHub was asked about the lock’s run',
  );
  const record = JSON.parse(readFileSync(new FileStateStore(stateDir).pathFor('production'), 'utf8')) as {
    live?: { version?: string };
  };
  assert.equal(record.live?.version, 'v2');
  fake.assertNoViolations();
});
