// Seed 02's first pre-deployment step, "Health Check Current System: verify current system is healthy"
// (02:70-75; its checklist "Target environment is healthy", 02:46): before anything is touched, the live
// version's health checks run once. Unhealthy is warned of (pre_deploy_health: warn, the default: one try of each
// check) or refuses the run (pre_deploy_health: block, with the checks' retries), except a
// hotfix or a rollback, which go on warned; `warn` warns; `off` does not look.
import { test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { planDeployment } from '../../../src/pipeline/plan.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

/** blue-green with v1 live on blue (the current command says so); `fail` for record-target.pl's FAIL_ON. */
function setup(t: { after(fn: () => void): void }, environment = '', fail = '') {
  const dir = mkdtempSync(join(tmpdir(), 'live-health-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const env = [`    CURRENT: '{"slot":"blue","version":"v1"}'`, ...(fail ? [`    FAIL_ON: "${fail}"`] : [])];
  const parsed = parseConfig(
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}  env:\n${env.join('\n')}\n` +
      `environments:\n  production:\n    strategy: blue-green\n${environment}`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const events: PipelineEvent[] = [];
  const deploy = (options: { skipStaging?: boolean } = {}) =>
    runPipeline(
      { env: resolveEnvironment(parsed.config, 'production'), version: 'v2', ...options },
      { reporter: { event: (e) => events.push(e) } },
    );
  const warnings = () => events.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
  return { config: parsed.config, deploy, target, warnings };
}

test('pre_deploy_health: block: an unhealthy live version refuses the run before anything is touched', async (t) => {
  const { deploy, target } = setup(t, '    pre_deploy_health: block\n', 'health:blue');
  const result = await deploy();
  assert.equal(result.status, 'failed', result.message);
  assert.equal(result.code, 'live_unhealthy');
  assert.match(
    result.message,
    /^v1 on production's blue slot is unhealthy before the deployment \(seed 02: the current system must be healthy first\): .*Nothing was touched/,
  );
  // Only the live slot's health checks ran (with their retries): nothing deployed, switched or written. The
  // look comes after the validate phase (the gates), so that a run its gates block runs no target command.
  const acting = target.actingCalls();
  assert.ok(acting.length > 0 && acting.every((c) => c === 'health blue'), acting.join(', '));
  assert.equal(result.record?.seq ?? 0, 0, 'no record written');
  assert.deepEqual(result.record?.history ?? [], []);
  assert.deepEqual(
    result.phases.map((p) => [p.phase, p.status]),
    [['validate', 'skipped']],
  );
});

test("a refusal's duration is the look's: the checks' retries are the run's time", async (t) => {
  const { config, target } = setup(t, '    pre_deploy_health: block\n', 'health:blue');
  // A clock that moves a second on each read: the run reads it as it starts and as the look ends.
  let clock = 1_800_000_000_000;
  const result = await runPipeline(
    { env: resolveEnvironment(config, 'production'), version: 'v2' },
    { reporter: { event() {} }, now: () => (clock += 1000) },
  );
  assert.equal(result.code, 'live_unhealthy');
  assert.ok(target.actingCalls().length > 0);
  // It was 0: the refusal ended the run at the time it started, before the look.
  assert.ok(result.durationMs > 0, String(result.durationMs));
});

test('a hotfix goes on over an unhealthy live version, warned: it is usually the fix', async (t) => {
  const { deploy, target, warnings } = setup(t, '    pre_deploy_health: block\n', 'health:blue');
  const result = await deploy({ skipStaging: true });
  assert.equal(result.status, 'succeeded', result.message);
  assert.ok(target.actingCalls().includes('deploy green v2'));
  assert.ok(
    warnings().some((w) =>
      /^v1 on production's blue slot is unhealthy before the deployment .*going on \(a hotfix goes on\)$/.test(
        w,
      ),
    ),
    warnings().join('\n'),
  );
});

test('warn goes on with a warning after one try of the check; off does not look', async (t) => {
  const warned = setup(t, '    pre_deploy_health: warn\n', 'health:blue');
  const result = await warned.deploy();
  assert.equal(result.status, 'succeeded', result.message);
  // One try, no retries: a live version that is down costs the run no waiting.
  assert.deepEqual(warned.target.actingCalls().slice(0, 2), ['health blue', 'deploy green v2']);
  assert.ok(
    warned
      .warnings()
      .some((w) => /unhealthy before the deployment.*going on \(pre_deploy_health: warn\)$/.test(w)),
    warned.warnings().join('\n'),
  );

  const off = setup(t, '    pre_deploy_health: off\n');
  assert.equal((await off.deploy()).status, 'succeeded');
  assert.equal(off.target.actingCalls()[0], 'deploy green v2', 'no look at blue first');
});

test('a healthy live version is looked at once, then the deployment goes on; plan lists the look', async (t) => {
  const { config, deploy, target } = setup(t, '    pre_deploy_health: block\n');
  const result = await deploy();
  assert.equal(result.status, 'succeeded', result.message);
  assert.deepEqual(target.actingCalls().slice(0, 2), ['health blue', 'deploy green v2']);

  // plan reads the record the run just wrote (v2 live on green) and lists the look in the validate phase.
  const plan = planDeployment(config, 'production', 'v3');
  const validate = plan.phases.find((p) => p.phase === 'validate')!;
  assert.deepEqual(
    validate.actions.slice(1).map((a) => a.description),
    [
      'health check of the live version v2 on green (pre_deploy_health): unhealthy refuses the run, nothing touched',
    ],
  );
  assert.match(validate.actions[1]!.run ?? '', /record-target\.pl .* health green$/);
});

test('a first deployment onto a slot the current command names with nothing on it is never refused', async (t) => {
  // A router pointing at blue before anything was deployed: the current command prints "blue", no version,
  // and there is no record. Blue answers no health check, which says nothing about a live version.
  const dir = mkdtempSync(join(tmpdir(), 'live-health-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const parsed = parseConfig(
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}  env:\n    CURRENT: blue\n    FAIL_ON: "health:blue"\n` +
      'environments:\n  production:\n    strategy: blue-green\n    pre_deploy_health: block\n',
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const events: PipelineEvent[] = [];
  const result = await runPipeline(
    { env: resolveEnvironment(parsed.config, 'production'), version: 'v1' },
    { reporter: { event: (e) => events.push(e) } },
  );
  assert.equal(result.status, 'succeeded', result.message);
  // One try of blue (no retries to wait through), then the deployment.
  assert.deepEqual(target.actingCalls().slice(0, 2), ['health blue', 'deploy green v1']);
  const warnings = events.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
  assert.ok(
    warnings.some((w) =>
      /^production's blue slot, named live with no version known for it, did not pass .*a first deployment, this is expected/.test(
        w,
      ),
    ),
    warnings.join('\n'),
  );
  assert.ok(!warnings.some((w) => /the live version .* is unhealthy/.test(w)), warnings.join('\n'));
});

test('plan with nothing recorded and a current command lists the look the run may make', async (t) => {
  // The run asks the current command, which plan does not run: what it names live is looked at first.
  const { config } = setup(t, '    pre_deploy_health: block\n');
  const plan = planDeployment(config, 'production', 'v2');
  const validate = plan.phases.find((p) => p.phase === 'validate')!;
  assert.deepEqual(
    validate.actions.slice(1).map((a) => a.description),
    [
      'health check of what the current command names live, if anything (pre_deploy_health; the run asks the ' +
        'current command, which plan does not run): an unhealthy live version refuses the run, nothing touched',
    ],
  );
  assert.equal(
    validate.actions[1]!.run,
    '1 health check(s), with the {{slot}} and {{version}} the current command names',
  );
});

test('a run its gates block looks at nothing live: the look comes after the gates, no target command runs', async (t) => {
  const gates = '    gates:\n      custom:\n        checks:\n          - { name: never, run: "false" }\n';
  const { deploy, target } = setup(t, `    pre_deploy_health: block\n${gates}`, 'health:blue');
  const result = await deploy();
  assert.equal(result.status, 'blocked', result.message);
  assert.deepEqual(target.actingCalls(), [], 'no health check (nor anything else) ran against the target');
});

test('not written, the look runs the HTTP GET/HEAD checks alone, never a health command', async (t) => {
  // The recorded target's health check is a command: not run before the deployment unless asked for.
  const commands = setup(t, '', 'health:blue');
  assert.equal((await commands.deploy()).status, 'succeeded');
  assert.equal(commands.target.actingCalls()[0], 'deploy green v2', 'no health command ran first');
  assert.deepEqual(
    commands.warnings().filter((w) => /before the deployment/.test(w)),
    [],
  );

  // An HTTP check is a read: looked at (one try), an unhealthy live slot warned of, the run goes on.
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.statusCode = req.url === '/blue' ? 503 : 200;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const http = setup(t, `    health: "http://127.0.0.1:${port}/{{slot}}"\n`);
  const result = await http.deploy();
  assert.equal(result.status, 'succeeded', result.message);
  assert.equal(asked[0], '/blue', 'the live slot was asked first');
  assert.equal(asked.filter((u) => u === '/blue').length, 1, 'one try: no retries before the deployment');
  assert.ok(
    http
      .warnings()
      .some((w) =>
        /^v1 on production's blue slot is unhealthy before the deployment .*going on \(pre_deploy_health: warn\)$/.test(
          w,
        ),
      ),
    http.warnings().join('\n'),
  );
});
