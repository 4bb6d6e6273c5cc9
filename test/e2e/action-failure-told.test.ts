// The Action's own `rollback_failed` (run as the runner runs it, from the sources, against the fake GitHub):
// once its notifications went out and GitHub took the deployment's final status, its record says both told
// the failure (the rollout's failureNotified), so the first reconcile whose rollback fails the same way
// neither notifies nor sets a status again.
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import {
  actionOnPullRequest,
  pullRequestSynchronize,
  runBuiltAction,
  runnerGitHubEnv,
} from '../helpers/action.ts';
import { repoRoot } from '../helpers/cli.ts';
import { webhookReceiver } from '../helpers/notify-receivers.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { reconcileNotifiers } from '../../src/notify/wiring.ts';
import { reconcile } from '../../src/reconcile/run.ts';
import { FileStateStore } from '../../src/state/file-store.ts';
import { readEnvironmentRecord, type StateReadApi } from '../../src/state/github-store.ts';
import { emptyRecord } from '../../src/state/record.ts';

const ENTRY = join(repoRoot, 'src/action/index.ts');
const TOKEN = 'ghs_workflowTokenValue0123456789abcdef';
const HMAC = 'hmac-ACTIONFAILURETOLD-key';
const audit = await webhookReceiver(HMAC);
after(() => audit.close());

/** The Action deploying v2 over v1 on blue, every weight change of green failing, its rollback's too. */
async function runFailing(t: TestContext, inputs: Record<string, string> = {}) {
  audit.received.length = 0;
  const { fake, dir, head } = await actionOnPullRequest(t, 'action-failure-told-', TOKEN);
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast
${target.targetYaml}  env:
    CURRENT: '{"slot":"blue","version":"v1"}'
    FAIL_ON: set_weight:green
environments:
  production:
    strategy: { type: canary, slots: [blue, green], pause: 0, steps: [25, 50, 100] }
    notifications:
      channels:
        audit: { type: webhook, url_env: R_AUDIT_URL, secret_env: R_AUDIT_SECRET }
`,
  );
  const stateDir = join(dir, 'state');
  const store = new FileStateStore(stateDir);
  await store.write({
    ...emptyRecord('acme/shop', 'production', new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
  const notifyEnv = { R_AUDIT_URL: `${audit.url}/hook`, R_AUDIT_SECRET: HMAC };
  const run = await runBuiltAction({
    entry: ENTRY,
    dir,
    inputs: {
      'github-token': TOKEN,
      config: 'deploy.yml',
      environment: 'production',
      mode: 'deploy',
      version: 'v2',
      'state-dir': 'state',
      ...inputs,
    },
    event: pullRequestSynchronize(head),
    env: {
      ...runnerGitHubEnv(fake.url, 'acme', 'shop'),
      ...notifyEnv,
      DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
    },
  });
  assert.equal(run.status, 3, run.stdout + run.stderr);
  assert.equal(run.outputs.code, 'rollback_failed');
  return { fake, run, config, stateDir, store, notifyEnv };
}

describe("the Action's own rollback_failed", () => {
  test('told by its notifications and its deployment status: a reconcile failing the same way tells neither again', async (t) => {
    const { fake, config, stateDir, store, notifyEnv } = await runFailing(t);
    const failed = () => audit.received.filter((p) => p.body.event === 'failed').length;
    assert.equal(failed(), 1, 'the run told it');
    const statuses = fake
      .requestsFor('repos/create-deployment-status')
      .map((r) => (r.body as { state: string }).state);
    assert.equal(statuses.at(-1), 'error', statuses.join(', '));
    const read = await store.read('production');
    assert.ok(read.ok && read.record?.rollout, 'the rollout is kept for reconcile');
    assert.match(read.record.rollout.failureNotified ?? '', /^[0-9a-f]{32}$/, 'told by both');

    const cfg = await loadConfigFile(config);
    const notifiers = reconcileNotifiers(
      cfg,
      { repository: 'acme/shop', by: 'reconcile run 99' },
      { env: notifyEnv, log: () => {} },
    );
    assert.ok(notifiers);
    const marked: string[] = [];
    const summary = await reconcile({
      config: cfg,
      storeFor: () => new FileStateStore(stateDir),
      ownerStatus: async () => ({ state: 'ended', conclusion: 'failure' }),
      actor: 'reconcile:99',
      owner: { kind: 'workflow', runId: '99' },
      reporter: { event() {} },
      notifierFor: (env, rollout) => notifiers.forRollout(env.name, rollout),
      markDeployment: async (_deployment, state) => void marked.push(state),
      environments: ['production'],
    });
    await notifiers.close();
    assert.equal(summary.entries[0]!.code, 'orphan_rollback_failed', summary.entries[0]!.message);
    assert.equal(failed(), 1, 'not notified again');
    assert.deepEqual(marked, [], 'no second status');
  });

  test('with the record on GitHub: it rides the deploy check run after the final status', async (t) => {
    const key = 'ab'.repeat(32);
    const { fake } = await runFailing(t, { 'state-key': key });
    const api = new Octokit({ auth: TOKEN, baseUrl: fake.url });
    const read = await readEnvironmentRecord(
      api.rest as unknown as StateReadApi,
      { owner: 'acme', repo: 'shop' },
      'production',
      [Buffer.from(key, 'hex')],
    );
    assert.ok(read.ok && read.record?.rollout, JSON.stringify(read));
    assert.match(read.record.rollout.failureNotified ?? '', /^[0-9a-f]{32}$/, 'told by both');
    fake.assertNoViolations();
  });
});
