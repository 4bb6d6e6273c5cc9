// The pipeline end to end through the CLI process, against a target that records every call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { main } from '../../../src/cli/main.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { CLI_BUNDLE, CLI_SOURCE, events, runCli, startCli } from '../../helpers/cli.ts';
import { cancelLikeRunner } from '../../helpers/action.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

function setup(environments: string, extra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-'));
  const target = recordedTarget(dir);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
state_dir: ${dir}/state
${extra}
${target.targetYaml}environments:
${environments}
`,
  );
  const calls = target.calls;
  return {
    dir,
    config: join(dir, 'deploy.yml'),
    calls,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The CLI's main() in this process, its output captured: for commands that only read the config and print
 * (plan, gates, --help), where a process of its own (about 1 s of CPU to start from source) adds nothing.
 * Exit codes, signals and deployments are tested through the process.
 */
async function cliInProcess(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

const LIVE_BLUE = { CURRENT: '{"slot":"blue","version":"v1"}' };

test('a canary promotes through every step and records what is live', async (t) => {
  const s = setup('  production:\n    strategy: { type: canary, steps: [5, 50, 100], pause: 0 }');
  t.after(s.cleanup);
  const { code, stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'], {
    env: LIVE_BLUE,
  });
  assert.equal(code, 0, stdout);
  const result = events(stdout).at(-1)!;
  assert.equal(result.type, 'result');
  assert.equal((result.result as { status: string }).status, 'succeeded');
  assert.deepEqual(
    s.calls().filter((c) => !c.startsWith('health') && c !== 'current'),
    ['deploy green v2', 'set_weight green 5', 'set_weight green 50', 'set_weight green 100', 'teardown blue'],
  );
  const record = JSON.parse(readFileSync(join(s.dir, 'state/records/production.json'), 'utf8'));
  assert.deepEqual(
    { live: { ...record.live, since: undefined }, previous: { ...record.previous, since: undefined } },
    {
      live: { version: 'v2', slot: 'green', since: undefined, deploymentId: record.live.deploymentId },
      previous: { version: 'v1', slot: 'blue', since: undefined },
    },
  );
  assert.equal(record.rollout, undefined, 'the rollout ended');
  assert.deepEqual(record.retired, [], 'the old slot was torn down in the job');
  assert.equal(record.history[0].event, 'rollout_started');
  assert.deepEqual(
    { event: record.history.at(-1).event, code: record.history.at(-1).code },
    { event: 'succeeded', code: 'deployed' },
  );
});

const withoutHealth = (calls: string[]) => calls.filter((c) => !c.startsWith('health') && c !== 'current');

test('a canary whose health fails at 25 % goes back to weight 0 and is removed', async (t) => {
  const s = setup('  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }');
  t.after(s.cleanup);
  const { code, stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'], {
    env: { ...LIVE_BLUE, FAIL_AFTER: 'set_weight green 25', FAIL_LATER: 'health:green' },
  });
  assert.equal(code, 1);
  const result = events(stdout).at(-1)!.result as {
    status: string;
    code: string;
    rollbacks: Array<{ ok: boolean }>;
  };
  assert.equal(result.status, 'rolled_back');
  assert.equal(result.code, 'strategy_failed');
  assert.equal(result.rollbacks[0]!.ok, true);
  assert.deepEqual(withoutHealth(s.calls()), [
    'deploy green v2',
    'set_weight green 5',
    'set_weight green 25',
    'set_weight green 0',
    'teardown green',
  ]);
  const record = JSON.parse(readFileSync(join(s.dir, 'state/records/production.json'), 'utf8'));
  assert.equal(record.live, undefined, 'a rolled-back deployment records nothing as live');
  assert.equal(record.rollout, undefined, 'the rollout ended with traffic on stable');
  assert.deepEqual(
    { event: record.history.at(-1).event, code: record.history.at(-1).code },
    { event: 'rolled_back', code: 'strategy_failed' },
  );
});

test('SIGTERM in the middle of a canary at 25 % puts all traffic back on stable before exiting', async (t) => {
  const s = setup(
    '  production:\n    strategy: { type: canary, steps: [{ weight: 5, pause: 0 }, { weight: 25, pause: 20s }, 50] }',
  );
  t.after(s.cleanup);
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'], { env: LIVE_BLUE });
  await run.waitFor(
    (line) =>
      line.includes('"type":"step-start"') &&
      line.includes('"phase":"canary-step"') &&
      line.includes('"weight":25'),
  );
  run.child.kill('SIGTERM');
  const { code, stdout } = await run.done;
  assert.equal(code, 143);
  const result = events(stdout).at(-1)!.result as { status: string; rollbacks: Array<{ ok: boolean }> };
  assert.equal(result.status, 'cancelled');
  assert.equal(result.rollbacks[0]!.ok, true);
  const calls = withoutHealth(s.calls());
  assert.deepEqual(calls.slice(-2), ['set_weight green 0', 'teardown green']);
  assert.ok(!calls.includes('set_weight green 50'), 'no step after the cancellation');
});

test('in a GitHub Actions job, cancelled as the runner cancels (SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after): a rollback command that hangs is stopped in time, the unfinished rollback is reported and recorded, the built CLI exits before the kill', async (t) => {
  const s = setup('  production:\n    strategy: { type: canary, steps: [{ weight: 5, pause: 30s }, 50] }');
  t.after(s.cleanup);
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'], {
    entry: CLI_BUNDLE,
    // Traffic going back to stable hangs: only the deadline can end it before the runner's SIGKILL.
    env: { ...LIVE_BLUE, GITHUB_ACTIONS: 'true', SLEEP_ON: 'set_weight green 0=60000', LOG_END: '1' },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  for (let i = 0; !s.calls().includes('set_weight green 5'); i++) {
    if (run.child.exitCode !== null || i > 600)
      assert.fail(`the canary never took 5 %:\n${s.calls().join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = () => run.child.exitCode !== null || run.child.signalCode !== null;
  const { sent, exitedAfterMs } = await cancelLikeRunner({ child: run.child, exited });
  const { code, stdout } = await run.done;
  assert.ok(
    !sent.includes('SIGKILL'),
    `the runner had to kill it (${exitedAfterMs} ms after SIGINT):\n${stdout}`,
  );
  // 3, not 130: a rollback that did not finish outranks the cancellation (docs/commands.md, exit codes).
  assert.equal(code, 3, stdout);
  const result = events(stdout).at(-1)!.result as {
    status: string;
    rollbacks: Array<{ ok: boolean; steps: Array<{ result: { ok: boolean; reason?: string } }> }>;
  };
  assert.equal(result.status, 'cancelled');
  assert.equal(result.rollbacks[0]!.ok, false, 'the rollback did not finish');
  assert.match(
    JSON.stringify(result.rollbacks[0]!.steps),
    /set_weight[^"]*was stopped unfinished: the job was cancelled and is about to be killed/,
  );
  // The hanging command was stopped, not left running past the job.
  assert.ok(s.calls().includes('end set_weight green 0 terminated'), s.calls().join('\n'));
  // What is left to undo stays in the record, for reconcile to finish.
  const record = JSON.parse(readFileSync(join(s.dir, 'state/records/production.json'), 'utf8'));
  assert.ok(record.rollout, 'the unfinished rollout is kept in the record');
});

test('Ctrl-C twice at a terminal (SIGINT to the whole foreground group): the second one does not kill the rollback command, traffic is back on stable, exit 130', async (t) => {
  const s = setup('  production:\n    strategy: { type: canary, steps: [{ weight: 5, pause: 20s }, 50] }');
  t.after(s.cleanup);
  // A terminal sends Ctrl-C to its foreground process group: the CLI and, unless they run in groups of
  // their own, the commands it runs. Traffic going back to stable takes 3 s, so the second Ctrl-C lands in it.
  const child = spawn(
    process.execPath,
    [CLI_SOURCE, 'run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'],
    {
      env: { ...process.env, NO_COLOR: '1', ...LIVE_BLUE, SLEEP_ON: 'set_weight green 0=3000' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  t.after(
    () => void (child.exitCode === null && child.signalCode === null && process.kill(-child.pid!, 'SIGKILL')),
  );
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const until = async (what: string, probe: () => boolean) => {
    for (let i = 0; !probe(); i++) {
      if (child.exitCode !== null || i > 600) assert.fail(`${what} never happened:\n${stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await until('the canary took 5 %', () => s.calls().includes('set_weight green 5'));
  process.kill(-child.pid!, 'SIGINT');
  await until('traffic started going back', () => s.calls().includes('set_weight green 0'));
  process.kill(-child.pid!, 'SIGINT');
  const code = await exited;
  assert.equal(code, 130, stdout);
  assert.match(stdout, /SIGINT received again: the cancellation is already under way and will finish/);
  const result = events(stdout).at(-1)!.result as {
    status: string;
    rollbacks: Array<{ ok: boolean; steps: Array<{ result: { ok: boolean; reason?: string } }> }>;
  };
  assert.equal(result.status, 'cancelled');
  assert.deepEqual(
    result.rollbacks[0]!.steps.map((step) => step.result),
    [{ ok: true }, { ok: true }],
    'the rollback steps ran to their end',
  );
  const record = JSON.parse(readFileSync(join(s.dir, 'state/records/production.json'), 'utf8'));
  assert.equal(record.rollout, undefined, 'nothing is left to undo');
  assert.equal(record.history.at(-1).event, 'cancelled');
  assert.deepEqual(withoutHealth(s.calls()).slice(-2), ['set_weight green 0', 'teardown green']);
});

for (const strategy of ['blue-green', '{ type: canary, steps: [5, 50], pause: 0 }'])
  test(`${strategy}: cancelled while the current command runs, the run ends cancelled before anything changed, not refused for a failing current command`, async (t) => {
    // It ended failed [state_refused], exit 1, "could not read what is live … fix the current command": on
    // GitHub a failed deployment and a failed check run for a job the user cancelled.
    const s = setup(`  production:\n    strategy: ${strategy}`);
    t.after(s.cleanup);
    const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'], {
      env: { ...LIVE_BLUE, SLEEP_ON: 'current=20000' },
    });
    for (let i = 0; i < 400 && !s.calls().includes('current'); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(s.calls(), ['current'], 'the current command runs');
    run.child.kill('SIGINT');
    const { code, stdout } = await run.done;
    const result = events(stdout).at(-1)!.result as { status: string; code: string; message: string };
    assert.deepEqual(
      { code, status: result.status, reason: result.code, message: result.message },
      { code: 130, status: 'cancelled', reason: 'cancelled', message: 'cancelled before anything changed' },
    );
    assert.deepEqual(s.calls(), ['current'], 'nothing else ran');
  });

test('blue-green failing after the switch switches back to the old slot', async (t) => {
  const s = setup('  production:\n    strategy: blue-green');
  t.after(s.cleanup);
  const { code } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config], {
    env: { ...LIVE_BLUE, FAIL_AFTER: 'switch green', FAIL_LATER: 'health:green' },
  });
  assert.equal(code, 1);
  assert.deepEqual(withoutHealth(s.calls()), [
    'deploy green v2',
    'switch green',
    'switch blue',
    'teardown green',
  ]);
});

test('a failing staging deployment never touches production', async (t) => {
  const s = setup(
    '  staging:\n    strategy: blue-green\n  production:\n    staging: staging\n    strategy: blue-green',
  );
  t.after(s.cleanup);
  const { code, stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'], {
    env: { CURRENT: '{"slot":"blue"}', FAIL_ON: 'health:green' },
  });
  assert.equal(code, 1);
  const result = events(stdout).at(-1)!.result as {
    code: string;
    phases: Array<{ phase: string; status: string }>;
  };
  assert.equal(result.code, 'staging_failed');
  assert.deepEqual(
    result.phases.map((p) => `${p.phase}:${p.status}`),
    ['validate:skipped', 'staging:failed'],
  );
  assert.deepEqual(withoutHealth(s.calls()), ['deploy green v2', 'teardown green']);
});

test('a failing backup hook stops the deployment before anything changes', async (t) => {
  const s = setup(
    `  production:\n    strategy: blue-green\n    hooks:\n      backup: [${JSON.stringify(process.execPath)}, -e, "process.exit(4)"]`,
  );
  t.after(s.cleanup);
  const { code, stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config], {
    env: LIVE_BLUE,
  });
  assert.equal(code, 1);
  assert.match(stdout, /failed \[hook_failed\]: backup hook failed: .*exited with code 4/);
  assert.deepEqual(withoutHealth(s.calls()), []);
});

test('a backup hook naming {{previous_version}} on a first deployment: refused before anything runs, saying why there is none and what to do', async (t) => {
  // It said only "{{previous_version}} has no value here", leaving the author to guess that nothing was live.
  const s = setup(
    `  production:\n    strategy: blue-green\n    hooks:\n      backup: [${JSON.stringify(process.execPath)}, -e, "0", "backup-{{previous_version}}"]`,
  );
  t.after(s.cleanup);
  const { code, stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config], {
    env: { CURRENT: '' },
  });
  assert.equal(code, 1, stdout);
  assert.match(
    stdout,
    /failed \[hook_failed\]: backup hook failed: .*\{\{previous_version\}\} has no value here: no earlier version of production is recorded or reported live \(a first deployment.*\. Nothing was deployed to production: have the target's current command print the live version, or write the hook so it needs none/,
  );
  assert.deepEqual(withoutHealth(s.calls()), []);
});

test("production's backup hook naming {{previous_version}} on its first deployment, after staging deployed: it says nothing was deployed to production, not nothing at all", async (t) => {
  const s = setup(
    `  staging:\n    strategy: blue-green\n  production:\n    staging: staging\n    strategy: blue-green\n    hooks:\n      backup: [${JSON.stringify(process.execPath)}, -e, "0", "backup-{{previous_version}}"]`,
  );
  t.after(s.cleanup);
  const { code, stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config], {
    env: { CURRENT: '' },
  });
  assert.equal(code, 1, stdout);
  assert.ok(
    s.calls().some((c) => c.startsWith('deploy ')),
    `staging was deployed:\n${s.calls().join('\n')}`,
  );
  assert.match(
    stdout,
    /no earlier version of production is recorded or reported live .*\. Nothing was deployed to production:/,
  );
  assert.doesNotMatch(stdout, /Nothing was deployed:/);
});

test('plan prints every command as it would run and runs nothing', async (t) => {
  const s = setup('  production:\n    strategy: { type: canary, steps: [10, 100] }');
  t.after(s.cleanup);
  // v1 is live on green: the canary on blue takes its 10 % step (a first deployment goes straight to 100 %).
  const at = '2026-01-01T00:00:00.000Z';
  await new FileStateStore(join(s.dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'green', since: at },
  });
  const { code, stdout } = await cliInProcess(['plan', '-e', 'production', '-v', 'v2+b.1', '-c', s.config]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /set weight blue=10%/);
  assert.match(stdout, /record-target\.pl \S+ deploy blue v2\+b\.1\n/);
  // A version no rule allows is refused before the plan, and nothing runs.
  const hostile = await cliInProcess(['plan', '-e', 'production', '-v', 'v2 $(rm -rf /)', '-c', s.config]);
  assert.equal(hostile.code, 2, hostile.stdout);
  assert.match(hostile.stderr, /a version is 1-128 letters/);
  assert.match(stdout, /on failure, rollback:\n {2}1\. set weight blue=0%/);
  assert.deepEqual(s.calls(), [], 'plan ran a command');
  const json = await cliInProcess(['plan', '-e', 'production', '-v', 'v2', '-c', s.config, '--json']);
  const plan = JSON.parse(json.stdout) as { strategy: string; phases: Array<{ phase: string }> };
  assert.equal(plan.strategy, 'canary');
  assert.deepEqual(
    plan.phases.map((p) => p.phase),
    ['validate', 'production', 'verify', 'monitor', 'finalize'],
  );
});

test('config errors exit 2 with file:line:column, and --help works on every command', async (t) => {
  const s = setup('  production:\n    stratgy: canary');
  t.after(s.cleanup);
  const { code, stderr } = await runCli(['validate', '-c', s.config]);
  assert.equal(code, 2);
  assert.match(
    stderr,
    new RegExp(
      `${s.config.replace(/[.]/g, '\\.')}:\\d+:5: environments\\.production\\.stratgy: unknown key "stratgy": did you mean "strategy"\\?`,
    ),
  );
  for (const command of ['validate', 'plan', 'run']) {
    const help = await cliInProcess([command, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, new RegExp(`Usage: deploy-action ${command}`));
  }
  const unknown = await cliInProcess([
    'run',
    '-e',
    'nowhere',
    '-v',
    'v1',
    '-c',
    s.config.replace('deploy.yml', 'missing.yml'),
  ]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /missing\.yml: config file not found/);
});

test('a blocking gate stops the deployment before anything is touched; an advisory one only warns', async (t) => {
  const fail = JSON.stringify([
    process.execPath,
    '-e',
    'console.error("compile error in app.ts"); process.exit(1)',
  ]);
  const s = setup(
    '  production:\n    strategy: blue-green',
    `gates:\n  build:\n    command: ${fail}\n  secrets:\n    scope: all\n    required: false\n`,
  );
  t.after(s.cleanup);
  const { code, stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'], {
    env: LIVE_BLUE,
  });
  assert.equal(code, 2);
  const all = events(stdout);
  const result = all.at(-1)!.result as {
    status: string;
    code: string;
    gates: { status: string; gates: Array<{ name: string; status: string }> };
  };
  assert.equal(result.status, 'blocked');
  assert.equal(result.code, 'gates_blocked');
  assert.equal(result.gates.status, 'BLOCK');
  assert.equal(result.gates.gates.find((g) => g.name === 'build')!.status, 'block');
  assert.deepEqual(withoutHealth(s.calls()), [], 'nothing was deployed');
  assert.ok(!all.some((e) => e.type === 'phase-start' && e.phase === 'production'));
});

test('gates --json --only prints the documented report shape; an unknown gate name is a usage error', async (t) => {
  const ok = JSON.stringify([process.execPath, '-e', '']);
  const s = setup(
    '  production:\n    strategy: blue-green',
    `gates:\n  build:\n    command: ${ok}\n  secrets:\n    scope: all\n`,
  );
  t.after(s.cleanup);
  const { code, stdout } = await cliInProcess(['gates', '-c', s.config, '--only', 'build', '--json']);
  assert.equal(code, 0, stdout);
  const report = JSON.parse(stdout) as {
    schema: number;
    status: string;
    gates: Array<Record<string, unknown>>;
  };
  assert.equal(report.schema, 1);
  assert.equal(report.status, 'PASS');
  assert.deepEqual(
    report.gates.map((g) => g.name),
    ['build'],
  );
  for (const key of ['name', 'status', 'summary', 'findings', 'durationMs', 'required'])
    assert.ok(key in report.gates[0]!, key);
  const bad = await cliInProcess(['gates', '-c', s.config, '--only', 'tets']);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /unknown gate "tets": the gates are tests, audit, secrets, sarif, review, build, migrations, infrastructure, performance, dependencies, custom: did you mean "tests"\?\n/,
  );
  // A name with a line break in it stays on one line, escaped.
  const odd = await cliInProcess(['gates', '-c', s.config, '--only', 'build\n::error::x']);
  assert.equal(odd.code, 2);
  assert.match(odd.stderr, /^error: unknown gate "build\\n::error::x": /);
});

test('the terminal summary has a per-step analysis table with each verdict and its reason', async (t) => {
  const s = setup('  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }');
  t.after(s.cleanup);
  const { stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config], {
    env: { ...LIVE_BLUE, FAIL_AFTER: 'set_weight green 25', FAIL_LATER: 'health:green' },
  });
  const table = stdout.slice(stdout.indexOf('Analysis by step'));
  assert.match(table, /production canary-step @ 5%\s+promote/);
  assert.match(table, /production canary-step @ 25%\s+rollback .*health check failed/);
});

test('plan renders every variable a run would see, rolling batches included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    'target:\n  commands:\n    deploy: ./roll.sh {{instances}} batch={{batch}}/{{batches}} surge={{surge}}\n' +
      'environments:\n  fleet:\n    strategy: { type: rolling, instances: [a, b, c] }\n',
  );
  const { code, stdout } = await runCli([
    'plan',
    '-e',
    'fleet',
    '-v',
    'v2',
    '-c',
    config,
    '--state-dir',
    dir,
  ]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /\$ \.\/roll\.sh a batch=1\/3 surge=1/);
  assert.match(stdout, /\$ \.\/roll\.sh c batch=3\/3 surge=1/);
});

test('a refused record file with a current command: the run goes on, and the refused file is kept aside, not written over', async (t) => {
  const s = setup('  production:\n    strategy: blue-green');
  t.after(s.cleanup);
  const records = join(s.dir, 'state/records');
  mkdirSync(records, { recursive: true });
  const refused = '{"schema": 1, "environment": "production", "retired": [{"slot": "blue"'; // cut short
  writeFileSync(join(records, 'production.json'), refused);
  const { code, stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'], {
    env: LIVE_BLUE,
  });
  assert.equal(code, 0, stdout);
  const kept = readdirSync(records).filter((name) => name.startsWith('production.json.refused-'));
  assert.equal(kept.length, 1, readdirSync(records).join(', '));
  assert.equal(readFileSync(join(records, kept[0]!), 'utf8'), refused);
  const warning = events(stdout).find(
    (e) => e.type === 'log' && /refused \[state_corrupt\]/.test(String(e.message)),
  );
  assert.match(String(warning?.message), new RegExp(`kept as .*${kept[0]!.replace(/[.]/g, '\\.')}$`));
  const record = JSON.parse(readFileSync(join(records, 'production.json'), 'utf8'));
  assert.equal(record.live.version, 'v2');
});

test("a newer deploy-action's record file with a current command: nothing is deployed and the file stays as it is", async (t) => {
  // A CLI on this version after another moved on wrote schema 2 (its canary half-way, how to undo it). The run
  // deployed on top of it and moved the file aside: the newer version's rollout and recovery were lost.
  const s = setup('  production:\n    strategy: blue-green');
  t.after(s.cleanup);
  const records = join(s.dir, 'state/records');
  mkdirSync(records, { recursive: true });
  const newer = `${JSON.stringify({
    schema: 2,
    repository: 'local',
    environment: 'production',
    seq: 7,
    updatedAt: '2026-12-06T10:00:00.000Z',
    retired: [],
    history: [],
    rollout: { deploymentId: 'cli-1', version: 'v9', traffic: { green: 50 } },
  })}\n`;
  writeFileSync(join(records, 'production.json'), newer);
  const { code, stdout } = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config, '--json'], {
    env: LIVE_BLUE,
  });
  assert.equal(code, 1, stdout);
  assert.match(stdout, /"code":"state_refused"/);
  assert.match(stdout, /written by a newer deploy-action \(record schema 2; this one reads schema 1\)/);
  assert.match(stdout, /Nothing was deployed, even with a current command/);
  assert.deepEqual(readdirSync(records), ['production.json']);
  assert.equal(readFileSync(join(records, 'production.json'), 'utf8'), newer);
});
