// A variable a provider's headers_env names that the step does not set refuses the run before anything
// deploys, naming the config key and the variable. It was found only at the first metric read, once the
// version was deployed and serving: that read failed and the analysis rolled the rollout back.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { startDueRuns } from '../../../src/cli/schedule.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

async function setup(t: { after(fn: () => Promise<void>): void }, environments: string) {
  const dir = await mkdtemp(join(tmpdir(), 'unset-needed-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  const marker = join(dir, 'deployed');
  await writeFile(
    config,
    `state_dir: ${JSON.stringify(join(dir, 'state'))}
target:
  commands:
    deploy: touch ${JSON.stringify(marker)}
    health: "true"
${environments}`,
  );
  return { config, marker };
}

const ANALYSIS = `
    analysis:
      providers:
        prom:
          type: prometheus
          url: "http://127.0.0.1:9"
          headers_env: { Authorization: LEFTOVERS_UNSET_PROM_AUTH }
      metrics:
        errors: { provider: prom, query: 'sum(rate(errors{version="{{version}}"}[1m]))' }
      checks: [{ check: "errors < 5" }]
`;

test('run: an unset headers_env variable refuses the run before the deploy command, naming key and variable', async (t) => {
  delete process.env.LEFTOVERS_UNSET_PROM_AUTH;
  const { config, marker } = await setup(t, `environments:\n  production:${ANALYSIS}`);
  const result = await cli(['run', '-e', 'production', '-v', 'v1', '-c', config, '--json']);
  assert.equal(result.code, EXIT_CODES.invalidOrBlocked, result.err);
  assert.equal(existsSync(marker), false, 'nothing was deployed');
  const doc = JSON.parse(result.out.trim()) as { type: string; ok: boolean; code: string; message: string };
  assert.equal(doc.type, 'run');
  assert.equal(doc.ok, false);
  assert.match(
    doc.message,
    /environments\.production\.analysis\.providers\.prom\.headers_env\.Authorization names LEFTOVERS_UNSET_PROM_AUTH, which is not set/,
  );
});

test("run: the staging environment's unset variable refuses the run too; --skip-staging does not need it", async (t) => {
  delete process.env.LEFTOVERS_UNSET_PROM_AUTH;
  const { config, marker } = await setup(
    t,
    `environments:\n  staging:${ANALYSIS}\n  production:\n    staging: staging\n    monitor: 0\n`,
  );
  const refused = await cli(['run', '-e', 'production', '-v', 'v1', '-c', config]);
  assert.equal(refused.code, EXIT_CODES.invalidOrBlocked, refused.err);
  assert.match(refused.err, /environments\.staging\.analysis\.providers\.prom\.headers_env\.Authorization/);
  assert.equal(existsSync(marker), false, 'nothing was deployed');
  // Straight to production, whose own analysis reads nothing that needs the variable: it deploys.
  const hotfix = await cli(['run', '-e', 'production', '-v', 'v1', '-c', config, '--skip-staging']);
  assert.equal(hotfix.code, EXIT_CODES.success, hotfix.err + hotfix.out);
  assert.equal(existsSync(marker), true);
});

test('reconcile: a due scheduled run is not started without the variable, and stays for a reconcile that sets it', async (t) => {
  delete process.env.LEFTOVERS_UNSET_PROM_AUTH;
  const { config, marker } = await setup(t, `environments:\n  production:\n    monitor: 0${ANALYSIS}`);
  const at = new Date(Date.now() + 3_600_000);
  // Recorded for later: the variable is the later run's to have (a scheduled run's step may differ).
  const recorded = await cli(['run', '-e', 'production', '-v', 'v1', '-c', config, '--at', at.toISOString()]);
  assert.equal(recorded.code, EXIT_CODES.success, recorded.err + recorded.out);
  const loaded = parseConfig(readFileSync(config, 'utf8'), config);
  assert.ok(loaded.ok);
  const later = new Date(at.getTime() + 60_000);

  const refused = await startDueRuns(loaded.config, { now: later, env: {}, reporter: { event() {} } });
  assert.equal(refused.exitCode, EXIT_CODES.failed);
  assert.deepEqual(
    refused.results.map((r) => r.code),
    ['schedule_variables_unset'],
  );
  assert.match(
    refused.results[0]!.message ?? '',
    /environments\.production\.analysis\.providers\.prom\.headers_env\.Authorization names LEFTOVERS_UNSET_PROM_AUTH, which is not set/,
  );
  assert.equal(existsSync(marker), false, 'nothing was deployed');

  // Still in the schedule: the next reconcile, whose step sets the variable, starts it.
  const started = await startDueRuns(loaded.config, {
    now: later,
    env: { LEFTOVERS_UNSET_PROM_AUTH: 'test-header-value' },
    reporter: { event() {} },
  });
  assert.deepEqual(
    started.results.map((r) => [r.code, r.status]),
    [['schedule_started', 'succeeded']],
  );
  assert.equal(existsSync(marker), true);
});

test('plan: an unset headers_env variable is a warning on standard error (where the plan is made the secrets may not be); the plan stays alone on standard output', async (t) => {
  delete process.env.LEFTOVERS_UNSET_PROM_AUTH;
  const { config, marker } = await setup(t, `environments:\n  production:${ANALYSIS}`);
  const result = await cli(['plan', '-e', 'production', '-v', 'v1', '-c', config, '--json']);
  assert.equal(result.code, EXIT_CODES.success, result.err);
  assert.equal(existsSync(marker), false);
  JSON.parse(result.out);
  assert.match(
    result.err,
    /^deploy-action: warning: run refuses here until they are set: environments\.production\.analysis\.providers\.prom\.headers_env\.Authorization names LEFTOVERS_UNSET_PROM_AUTH, which is not set$/m,
  );
});
