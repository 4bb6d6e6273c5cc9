// `deploy-action reconcile` through the CLI entry, with the records in files (the CLI's store) and the
// recorded command target: an orphan left by a process that died is rolled back; exit codes.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { capabilitiesOf } from '../../../src/pipeline/step-runner.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { createStrategy } from '../../../src/strategies/index.ts';
import { emptyRecord, type EnvironmentRecord } from '../../../src/state/record.ts';
import { main } from '../../../src/cli/main.ts';
import { events, runCli } from '../../helpers/cli.ts';
import { recordedTarget, type RecordedTarget } from '../../helpers/recorded-target.ts';
import { deadPid, processRollout as rollout } from '../../helpers/orphaned-rollout.ts';

let dir: string;
let target: RecordedTarget;
let stateDir: string;
let configPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-cli-'));
  target = recordedTarget(dir);
  stateDir = join(dir, 'state');
  configPath = join(dir, 'deploy.yml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The CLI's main() in this process, its output captured. Starting src/cli/index.ts costs about 1 s of CPU;
 * the reconciles whose point is what they report and write run here. The exit codes 0 and 1, an orphan
 * rolled back or resumed, a live owner and the deployments run as processes of their own.
 */
async function cliInProcess(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** The target's `current` prints what the records here say is live (v1 on blue). */
const LIVE = `  env:\n    CURRENT: '{"slot":"blue","version":"v1"}'\n`;

function writeConfig(targetEnv = LIVE) {
  writeFileSync(
    configPath,
    `state_dir: ${JSON.stringify(stateDir)}
${target.targetYaml}${targetEnv}
environments:
  production:
    strategy: { type: canary, slots: [blue, green] }
  staging:
    strategy: blue-green
`,
  );
}

async function writeRecord(change: Partial<EnvironmentRecord>): Promise<FileStateStore> {
  const store = new FileStateStore(stateDir);
  await store.write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 3,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
    ...change,
  });
  return store;
}

describe('deploy-action reconcile', () => {
  it('rolls back the canary of a process that died; the record file loses the rollout; exit 0', async () => {
    writeConfig();
    const store = await writeRecord({ rollout: rollout(await deadPid()) });
    const { code, stdout, stderr } = await runCli(['reconcile', '--config', configPath, '--json']);
    assert.equal(code, 0, stderr);
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    const last = events(stdout).at(-1)!;
    assert.equal(last.type, 'reconcile');
    assert.equal(last.failed, false);
    assert.deepEqual(
      (last.entries as Array<{ environment: string; code: string }>).map((e) => [e.environment, e.code]),
      [
        ['production', 'orphan_rolled_back'],
        ['staging', 'nothing_due'],
      ],
    );
    const read = await store.read('production');
    assert.ok(read.ok && read.record);
    assert.equal(read.record.rollout, undefined);
    assert.equal(read.record.seq, 5, 'the rollback written ahead, then its end');
    assert.deepEqual(
      read.record.history.slice(-2).map((h) => h.event),
      ['rollback_started', 'orphan_rolled_back'],
    );
    assert.equal(read.record.history.at(-1)!.by, `reconcile:cli:${hostname()}`);
  });

  it('on_orphan: resume: the canary of a process that died goes on to 100 % from the file record; exit 0', async () => {
    writeFileSync(
      configPath,
      `preset: fast
state_dir: ${JSON.stringify(stateDir)}
${target.targetYaml}${LIVE}
environments:
  production:
    strategy: { type: canary, slots: [blue, green], steps: [25, 100], pause: 0 }
    on_orphan: resume
`,
    );
    const env = resolveEnvironment(await loadConfigFile(configPath), 'production');
    const machine = createStrategy(env.strategy, capabilitiesOf(env), { slot: 'blue', version: 'v1' });
    // Plan: deploy, health, 25 %, analysis, 100 %, analysis. The process died in the analysis at 25 %.
    const strategyState = { plan: machine.plan, index: 3, holds: 0 };
    const store = await writeRecord({
      rollout: {
        ...rollout(await deadPid()),
        step: 3,
        steps: machine.plan.length,
        weight: 25,
        recovery: machine.rollback(strategyState),
        strategyState,
      },
    });
    const { code, stdout, stderr } = await runCli([
      'reconcile',
      '-e',
      'production',
      '--config',
      configPath,
      '--json',
    ]);
    assert.equal(code, 0, stderr + stdout);
    assert.deepEqual(target.calls(), [
      'current',
      'health green',
      'set_weight green 100',
      'health green',
      'health green',
      'teardown blue',
    ]);
    const last = events(stdout).at(-1)!;
    assert.deepEqual(
      (last.entries as Array<{ code: string }>).map((e) => e.code),
      ['orphan_resumed'],
    );
    const read = await store.read('production');
    assert.ok(read.ok && read.record);
    assert.equal(read.record.rollout, undefined);
    assert.equal(read.record.live?.version, 'v2');
    assert.equal(read.record.live?.slot, 'green');
    assert.deepEqual(
      read.record.history.map((h) => `${h.event}:${h.code}`),
      ['orphan_resumed:orphan_resume', 'phase:verify', 'succeeded:deployed'],
    );
    assert.equal(read.record.history[0]!.by, `reconcile:cli:${hostname()}`);
  });

  it('a recovery step that fails: exit 1, the rollout stays; the slot that may still serve is not torn down', async () => {
    writeConfig(`${LIVE}    FAIL_ON: "set_weight:green"\n`);
    const store = await writeRecord({ rollout: rollout(await deadPid()) });
    const { code, stdout } = await runCli(['reconcile', '-e', 'production', '--config', configPath]);
    assert.equal(code, 1, stdout);
    // The weight did not go back to 0: green may still take traffic, so its teardown is held back.
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0']);
    assert.match(
      stdout,
      /teardown on green: not run: set weight green=0% blue=100% failed, so green may still take traffic/,
    );
    assert.match(
      stdout,
      /✖ production: orphan_rollback_failed: .*set weight green=0% blue=100%, teardown on green failed/,
    );
    const read = await store.read('production');
    assert.ok(read.ok && read.record?.rollout);
  });

  it('a rollout whose process still runs is left alone; exit 0', async () => {
    writeConfig();
    await writeRecord({ rollout: rollout(process.pid) });
    const { code, stdout } = await runCli(['reconcile', '-e', 'production', '--config', configPath]);
    assert.equal(code, 0, stdout);
    assert.deepEqual(target.calls(), []);
    assert.match(stdout, /production: owner_running/);
  });

  it('a corrupt record file is reported with state_corrupt and not acted on; exit 0', async () => {
    writeConfig();
    const store = await writeRecord({ rollout: rollout(await deadPid()) });
    writeFileSync(store.pathFor('production'), '{"schema": 1, "oops": true}');
    const { code, stdout } = await cliInProcess([
      'reconcile',
      '-e',
      'production',
      '--config',
      configPath,
      '--json',
    ]);
    assert.equal(code, 0, stdout);
    assert.deepEqual(target.calls(), []);
    const last = events(stdout).at(-1)!;
    assert.equal((last.entries as Array<{ code: string }>)[0]!.code, 'state_corrupt');
    assert.equal(readFileSync(store.pathFor('production'), 'utf8'), '{"schema": 1, "oops": true}');
  });

  it('an environment not in the config: exit 2 naming it, nothing run', async () => {
    writeConfig();
    const { code, stderr } = await cliInProcess([
      'reconcile',
      '-e',
      'production,prod',
      '--config',
      configPath,
    ]);
    assert.equal(code, 2);
    // The wording of the other commands (was: no environment "prod" in the config (it has production, staging)).
    assert.equal(
      stderr,
      'error: unknown environment "prod": the config defines "production" and "staging"\n',
    );
    assert.deepEqual(target.calls(), []);
  });
});

describe('deploy-action reconcile --adopt-current', () => {
  it('a stale record: deploy and reconcile refuse; adopting what current reports unsticks both', async () => {
    // The record names v1 live on blue and a canary of v2 whose process died; v3 serves on green (put there
    // by hand, or the record was rolled back): current says so.
    writeFileSync(
      configPath,
      `preset: fast
state_dir: ${JSON.stringify(stateDir)}
${target.targetYaml}  env:
    CURRENT: '{"slot":"green","version":"v3"}'
environments:
  production:
    strategy: { type: canary, slots: [blue, green], steps: [50, 100], pause: 0 }
  staging:
    strategy: blue-green
`,
    );
    const store = await writeRecord({ rollout: rollout(await deadPid()) });
    const base = ['--config', configPath, '--json'];
    const entries = (stdout: string) =>
      events(stdout).at(-1)!.entries as Array<{ code: string; failed: boolean; message: string }>;

    // Stuck: a deployment refuses the unfinished rollout, reconcile refuses the record; both name the way out.
    const deploy = await runCli(['run', '-e', 'production', '-v', 'v4', ...base]);
    assert.equal(deploy.code, 1, deploy.stderr);
    const refused = events(deploy.stdout).at(-1)!.result as { code: string; message: string };
    assert.equal(refused.code, 'rollout_unfinished');
    assert.match(refused.message, /deploy-action reconcile -e production --adopt-current/);
    const rec = await cliInProcess(['reconcile', '-e', 'production', ...base]);
    assert.equal(rec.code, 1);
    assert.equal(entries(rec.stdout)[0]!.code, 'current_disagrees');
    assert.match(entries(rec.stdout)[0]!.message, /deploy-action reconcile -e production --adopt-current/);
    assert.ok(!target.calls().some((c) => /^(deploy|set_weight|switch|teardown) /.test(c)), 'nothing moved');

    // Never for every environment.
    const all = await cliInProcess(['reconcile', '--adopt-current', ...base]);
    assert.equal(all.code, 2);
    assert.match(all.stderr, /--adopt-current .* needs the environment to adopt for, named with -e/);

    const before = target.calls().length;
    const adopted = await cliInProcess(['reconcile', '-e', 'production', '--adopt-current', ...base]);
    assert.equal(adopted.code, 0, adopted.stderr + adopted.stdout);
    assert.deepEqual(target.calls().slice(before), ['current'], 'nothing but current, no scheduled run');
    assert.deepEqual(
      entries(adopted.stdout).map((e) => [e.code, e.failed]),
      [['current_adopted', false]],
    );
    const read = await store.read('production');
    assert.ok(read.ok && read.record);
    assert.equal(read.record.seq, 4);
    assert.equal(read.record.rollout, undefined);
    assert.deepEqual([read.record.live?.version, read.record.live?.slot], ['v3', 'green']);
    const last = read.record.history.at(-1)!;
    assert.equal(last.event, 'adopted_current');
    assert.match(last.by, new RegExp(` via reconcile:cli:${hostname()}$`));

    // Idempotent.
    const again = await cliInProcess(['reconcile', '-e', 'production', '--adopt-current', ...base]);
    assert.equal(again.code, 0);
    assert.equal(entries(again.stdout)[0]!.code, 'current_agrees');
    const reread = await store.read('production');
    assert.ok(reread.ok && reread.record?.seq === 4, 'not written again');

    // The deployment goes on now: to blue, the slot current does not name.
    const unstuck = await runCli(['run', '-e', 'production', '-v', 'v4', ...base]);
    assert.equal(unstuck.code, 0, unstuck.stdout);
    assert.ok(target.calls().includes('deploy blue v4'), target.calls().join('\n'));
    const after = await store.read('production');
    assert.ok(after.ok && after.record);
    assert.deepEqual([after.record.live?.version, after.record.live?.slot], ['v4', 'blue']);
    assert.equal(after.record.previous?.version, 'v3');
  });
});

describe('records of environments taken out of the config', () => {
  it('a rollout or retired slots there are reported (environment_not_in_config), never acted on; exit 0', async () => {
    writeConfig();
    const store = new FileStateStore(stateDir);
    const base = (environment: string) => ({
      ...emptyRecord('local', environment, new Date()),
      seq: 2,
      live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
    });
    // Names a file name must encode, too: the record is found under its own name.
    await store.write({ ...base('legacy/eu west'), rollout: rollout(await deadPid()) });
    await store.write({
      ...base('old'),
      retired: [{ slot: 'green', version: 'v0', dueAt: new Date(Date.now() - 60_000).toISOString() }],
    });
    await store.write(base('quiet'));
    const { code, stdout, stderr } = await cliInProcess(['reconcile', '--config', configPath, '--json']);
    assert.equal(code, 0, stderr + stdout);
    assert.deepEqual(target.calls(), [], 'nothing run for them');
    const entries = events(stdout).at(-1)!.entries as Array<{
      environment: string;
      code: string;
      message: string;
    }>;
    assert.deepEqual(
      entries.filter((e) => e.code === 'environment_not_in_config').map((e) => e.environment),
      ['legacy/eu west', 'old'],
    );
    assert.match(
      entries.find((e) => e.environment === 'legacy/eu west')!.message,
      /rollout of v2 in progress/,
    );
    assert.match(
      entries.find((e) => e.environment === 'old')!.message,
      /1 retired slot\(s\) not torn down \(green\)/,
    );
    // Asked for one environment: only that one.
    const one = await cliInProcess(['reconcile', '-e', 'production', '--config', configPath, '--json']);
    assert.deepEqual(
      (events(one.stdout).at(-1)!.entries as Array<{ code: string }>).map((e) => e.code),
      ['nothing_due'],
    );
    const text = await cliInProcess(['reconcile', '--config', configPath]);
    assert.match(text.stdout, /legacy\/eu west: environment_not_in_config/);
    // Logged as it is found, in the format of the configured environments' lines, not only in the summary.
    const logged = events(stdout)
      .filter((e) => e.type === 'log')
      .map((e) => e.message as string);
    assert.ok(
      logged.includes('reconcile production: nothing_due: no deployment recorded yet'),
      logged.join('\n'),
    );
    assert.ok(
      logged.some((m) => m.startsWith('reconcile legacy/eu west: environment_not_in_config: ')),
      logged.join('\n'),
    );
    assert.ok(
      logged.some((m) => m.startsWith('reconcile old: environment_not_in_config: ')),
      logged.join('\n'),
    );
    assert.match(text.stdout, /reconcile old: environment_not_in_config: /);
  });

  it('one others may write is state_untrusted (its path, what is wrong, the fix), not skipped; exit 1 after the rest is reconciled', async () => {
    writeConfig();
    const store = await writeRecord({ rollout: rollout(await deadPid()) });
    await store.write({
      ...emptyRecord('local', 'old', new Date()),
      seq: 2,
      live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
      rollout: rollout(await deadPid()),
    });
    const oldPath = store.pathFor('old');
    chmodSync(oldPath, 0o666);
    const { code, stdout, stderr } = await cliInProcess(['reconcile', '--config', configPath, '--json']);
    assert.equal(code, 1, stderr + stdout);
    const last = events(stdout).at(-1)!;
    assert.equal(last.failed, true);
    const entries = last.entries as Array<{
      environment: string;
      code: string;
      failed: boolean;
      message: string;
    }>;
    assert.deepEqual(
      entries.map((e) => [e.environment, e.code, e.failed]),
      [
        ['production', 'orphan_rolled_back', false],
        ['staging', 'nothing_due', false],
        ['old', 'state_untrusted', true],
      ],
    );
    // The configured environment was reconciled all the same; nothing was run for the removed one.
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    const message = entries.at(-1)!.message;
    assert.ok(message.includes(`(${oldPath}); not acted on`), message);
    assert.match(message, /may be written by its group and others \(mode 0666\).*`chmod go-w`/);
    assert.match(message, /the config no longer defines old/);
    assert.equal(statSync(oldPath).mode & 0o777, 0o666, 'left as it is');
    // Logged as an error as it is found, like a configured environment's refused record.
    const logged = events(stdout).filter(
      (e) => e.type === 'log' && (e.message as string).startsWith('reconcile old: state_untrusted: '),
    );
    assert.deepEqual(
      logged.map((e) => e.level),
      ['error'],
    );

    // Mended: what it holds is said again, and the run does not fail for it.
    chmodSync(oldPath, 0o644);
    const mended = await cliInProcess(['reconcile', '--config', configPath, '--json']);
    assert.equal(mended.code, 0, mended.stdout);
    const said = (events(mended.stdout).at(-1)!.entries as Array<{ environment: string; code: string }>).at(
      -1,
    )!;
    assert.deepEqual([said.environment, said.code], ['old', 'environment_not_in_config']);
  });
});
