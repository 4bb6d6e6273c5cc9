// The Action crashing mid-canary (an uncaught exception, util/crash-guard.ts) whose rollback then fails: the
// run ends rollback_failed (exit 3), and, as for any run's own rollback_failed, once its notifications went out
// and GitHub took the deployment's final status, its record says both told the failure (failureNotified), so
// the first reconcile that fails the same way tells it no second time. A crash is no runner's cancellation:
// nothing kills the job, so nothing is left to reconcile to tell again.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  actionOnPullRequest,
  pullRequestSynchronize,
  runBuiltAction,
  runnerGitHubEnv,
} from '../helpers/action.ts';
import { repoRoot } from '../helpers/cli.ts';
import { webhookReceiver } from '../helpers/notify-receivers.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';
import { FileStateStore } from '../../src/state/file-store.ts';
import { emptyRecord } from '../../src/state/record.ts';

const ENTRY = join(repoRoot, 'src/action/index.ts');
const TOKEN = 'ghs_workflowTokenValue0123456789abcdef';
const HMAC = 'hmac-CRASHFAILURETOLD-key';
const audit = await webhookReceiver(HMAC);
after(() => audit.close());

/** In the action's process only: once the canary's first weight is logged, throws from a timer. */
const PRELOAD = `import { existsSync, readFileSync } from 'node:fs';
const log = process.env.CRASH_CALL_LOG;
if (log && /index\\.ts$/.test(process.argv[1] ?? '')) {
  const watch = setInterval(() => {
    if (!existsSync(log) || !readFileSync(log, 'utf8').includes('"set_weight","args":["green","25"]')) return;
    clearInterval(watch);
    setTimeout(() => { throw new Error('simulated crash'); }, 0);
  }, 20);
  watch.unref();
}
`;

test('the action crashing mid-canary, its rollback failing: rollback_failed, exit 3, the failure recorded as told', async (t) => {
  const { fake, dir, head } = await actionOnPullRequest(t, 'crash-failure-told-', TOKEN);
  const target = recordedTarget(dir);
  const preload = join(dir, 'crash.mjs');
  writeFileSync(preload, PRELOAD);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
${target.targetYaml}  env:
    CURRENT: '{"slot":"blue","version":"v1"}'
    FAIL_AFTER: set_weight green 25
    FAIL_LATER: set_weight green 0
environments:
  production:
    strategy: { type: canary, slots: [blue, green], pause: 5s, steps: [25, 50, 100] }
    notifications:
      channels:
        audit: { type: webhook, url_env: R_AUDIT_URL, secret_env: R_AUDIT_SECRET }
`,
  );
  const store = new FileStateStore(join(dir, 'state'));
  await store.write({
    ...emptyRecord('acme/shop', 'production', new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
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
    },
    event: pullRequestSynchronize(head),
    env: {
      ...runnerGitHubEnv(fake.url, 'acme', 'shop'),
      R_AUDIT_URL: `${audit.url}/hook`,
      R_AUDIT_SECRET: HMAC,
      DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
      NODE_OPTIONS: `--import ${preload}`,
      CRASH_CALL_LOG: target.log,
    },
  });
  const all = run.stdout + run.stderr;
  assert.match(run.stdout, /::error::internal error: Error: simulated crash/, all);
  assert.ok(!target.calls().includes('set_weight green 50'), target.calls().join(', '));
  assert.equal(run.outputs.code, 'rollback_failed', all);
  assert.equal(run.status, 3, all);
  assert.equal(audit.received.filter((p) => p.body.event === 'failed').length, 1, 'the run told it');
  const read = await store.read('production');
  assert.ok(read.ok && read.record?.rollout, 'the rollout is kept for reconcile');
  assert.match(
    read.record.rollout.failureNotified ?? '',
    /^[0-9a-f]{32}$/,
    'told by both, yet not recorded: the next reconcile tells it again',
  );
});
