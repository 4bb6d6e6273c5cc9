// The deploying run's own `rollback_failed` is recorded as told (the rollout's failureNotified, as reconcile
// records its own), once its notifications went out: the first reconcile whose rollback fails the same way
// sends nothing again. Undelivered, it is not recorded, and that reconcile sends it. The run is the CLI's
// `deploy-action run` (a real process); the reconcile runs in process with the CLI's and the Action's wiring.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import { reconcileNotifiers } from '../../../src/notify/wiring.ts';
import { reconcile } from '../../../src/reconcile/run.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { runCli } from '../../helpers/cli.ts';
import { failingReceiver, webhookReceiver } from '../../helpers/notify-receivers.ts';
import { recordedTarget, type RecordedTarget } from '../../helpers/recorded-target.ts';

const HMAC = 'hmac-RUNFAILURETOLD-key';
const audit = await webhookReceiver(HMAC);
const down = await failingReceiver();
after(() => Promise.all([audit.close(), down.close()]));

let dir: string;
let target: RecordedTarget;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-failure-told-'));
  target = recordedTarget(dir);
  audit.received.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const configPath = () => join(dir, 'deploy.yml');
const stateDir = () => join(dir, 'state');

/** production: a canary whose every weight change of green fails, the rollback's too; a signed webhook. */
function writeConfig(): void {
  writeFileSync(
    configPath(),
    `preset: fast
state_dir: ${JSON.stringify(stateDir())}
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
}

/** `deploy-action run` of v2 over v1 live on blue, its webhook at `url`: its rollback fails (exit 3). */
async function deployFailing(url: string) {
  const store = new FileStateStore(stateDir());
  await store.write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
  const run = await runCli(['run', '-e', 'production', '--config', configPath(), '--version', 'v2'], {
    env: {
      R_AUDIT_URL: url,
      R_AUDIT_SECRET: HMAC,
      DEPLOY_ACTION_NOTIFY_CLOSE_TIMEOUT_MS: '3000',
    },
  });
  assert.equal(run.code, 3, run.stdout + run.stderr);
  const read = await store.read('production');
  assert.ok(read.ok && read.record?.rollout, 'the rollout is kept for reconcile');
  return { run, rollout: read.record.rollout };
}

/** One reconcile of production, its rollback failing as the run's did; its notifications to the receiver. */
async function reconcileOnce() {
  const cfg = await loadConfigFile(configPath());
  const notifiers = reconcileNotifiers(
    cfg,
    { repository: 'o/r', by: 'reconcile run 99' },
    {
      env: { R_AUDIT_URL: `${audit.url}/hook`, R_AUDIT_SECRET: HMAC },
      log: () => {},
    },
  );
  assert.ok(notifiers);
  const summary = await reconcile({
    config: cfg,
    storeFor: () => new FileStateStore(stateDir()),
    ownerStatus: async () => ({ state: 'ended', conclusion: 'failure' }),
    actor: 'reconcile:99',
    owner: { kind: 'workflow', runId: '99' },
    reporter: { event() {} },
    notifierFor: (env, rollout) => notifiers.forRollout(env.name, rollout),
    environments: ['production'],
  });
  await notifiers.close();
  return summary.entries[0]!;
}

const failedSent = () =>
  audit.received.filter((p) => p.body.event === 'failed').map((p) => p.body.facts.code as string);

describe("the deploying run's own rollback_failed", () => {
  it('told by the run, is not told again by the first reconcile that fails the same way', async () => {
    writeConfig();
    const { rollout } = await deployFailing(`${audit.url}/hook`);
    assert.deepEqual(failedSent(), ['rollback_failed'], 'the run told it');
    assert.match(rollout.failureNotified ?? '', /^[0-9a-f]{32}:notifications$/, 'by its notifications alone');
    const entry = await reconcileOnce();
    assert.equal(entry.code, 'orphan_rollback_failed', entry.message);
    assert.deepEqual(failedSent(), ['rollback_failed'], 'not told again');
    // A changed failure is still told: the rollback completes now.
    writeFileSync(configPath(), readFileSync(configPath(), 'utf8').replace(/ {4}FAIL_ON: .*\n/, ''));
    assert.equal((await reconcileOnce()).code, 'orphan_rolled_back');
    assert.deepEqual(
      audit.received.map((p) => p.body.event).filter((e) => e !== 'started'),
      ['failed', 'rolled_back'],
    );
  });

  it('not delivered by the run, is told by the first reconcile', async () => {
    writeConfig();
    const { rollout } = await deployFailing(`${down.url}/hook`);
    assert.ok(down.received.length > 0, 'the run tried its channel');
    assert.equal(rollout.failureNotified, undefined, 'not recorded as told');
    const entry = await reconcileOnce();
    assert.equal(entry.code, 'orphan_rollback_failed', entry.message);
    assert.deepEqual(failedSent(), ['rollback_failed'], 'told by reconcile');
    assert.equal((await reconcileOnce()).code, 'orphan_rollback_failed');
    assert.deepEqual(failedSent(), ['rollback_failed'], 'and then not again');
  });
});
