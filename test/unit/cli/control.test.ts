// `deploy-action promote|pause|resume|abort|status -e ENV` (issue 14) through the CLI entry, with the record in
// a temp state dir and the recorded command target: what is refused (and with which code and exit status),
// what request is appended to the control file, and, for a rollout handed off to wait, that the command goes
// on with it (or rolls it back) in its own process. The handed-off records are made by the pipeline itself.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { cliRequest, pendingRequest } from '../../../src/cli/control.ts';
import { main } from '../../../src/cli/main.ts';
import { loadConfigFile } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { ControlRequest, ControlVerb } from '../../../src/control/request.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord, type EnvironmentRecord, type Rollout } from '../../../src/state/record.ts';
import { startCli } from '../../helpers/cli.ts';
import { recordedTarget, type RecordedTarget } from '../../helpers/recorded-target.ts';
import { linkInPlaceOf } from '../../helpers/command-workdir.ts';
import { webhookReceiver } from '../../helpers/notify-receivers.ts';

let dir: string;
let stateDir: string;
let configPath: string;
let target: RecordedTarget;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'control-cli-'));
  stateDir = join(dir, 'state');
  configPath = join(dir, 'deploy.yml');
  target = recordedTarget(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A canary whose 25 % step waits (manual by default); max_wait_in_job 0 hands it off at once. */
function writeConfig(gate = 'pause: manual', targetExtra = '') {
  writeFileSync(
    configPath,
    `preset: fast
state_dir: ${JSON.stringify(stateDir)}
${target.targetYaml}  env:
    CURRENT: '{"slot":"blue","version":"v1"}'
${targetExtra}
environments:
  production:
    strategy:
      type: canary
      slots: [blue, green]
      # No analysis window: the wait for people is the only wait, and it is handed off at once.
      pause: 0
      steps: [{ weight: 25, ${gate} }, 50, 100]
    control: { max_wait_in_job: 0 }
`,
  );
}

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main([...argv, '-c', configPath], {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  return { code, out, err };
}

/**
 * The CLI as a process the mode bits bind: root writes where a mode says no, so as root it runs without the
 * capabilities that override them (setpriv, from util-linux), still root, so it reads and owns all it did.
 */
async function cliBoundByModes(...argv: string[]) {
  const asRoot = process.getuid?.() === 0;
  const run = startCli([...argv, '-c', configPath], {
    ...(asRoot ? { prefix: ['setpriv', '--bounding-set=-dac_override,-dac_read_search,-fowner', '--'] } : {}),
  });
  const { code, stdout, stderr } = await run.done;
  return { code, out: stdout, err: stderr };
}

const store = () => new FileStateStore(stateDir);
async function current(): Promise<EnvironmentRecord | undefined> {
  const read = await store().read('production');
  assert.ok(read.ok, read.ok ? '' : read.message);
  return read.record;
}
function requests(): ControlRequest[] {
  const path = join(stateDir, 'control', 'production.ndjson');
  return existsSync(path)
    ? readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ControlRequest)
    : [];
}

/** v1 live on blue, then the pipeline rolls v2 out until its 25 % wait and hands it off. */
async function handedOff(): Promise<EnvironmentRecord> {
  await store().write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
  const env = resolveEnvironment(await loadConfigFile(configPath), 'production');
  const result = await runPipeline(
    { env, version: 'v2', sha: 'abcdef1234567', deploymentId: 'cli-d1', handOff: true },
    { reporter: { event() {} }, store: store() },
  );
  assert.equal(result.status, 'waiting', result.message);
  const record = (await current())!;
  assert.equal(record.rollout?.wait?.handedOff, true);
  return record;
}

/** A rollout owned by this (live) test process: the running owner polls the requests, nothing runs here. */
async function runningRollout(change: Partial<Rollout> = {}): Promise<Rollout> {
  const rollout: Rollout = {
    deploymentId: 'cli-r1',
    version: 'v2',
    sha: 'ABCDEF1234567',
    strategy: 'canary',
    phase: 'production',
    step: 3,
    steps: 7,
    weight: 25,
    startedAt: new Date().toISOString(),
    owner: { kind: 'process', pid: process.pid, host: hostname() },
    stableSlot: 'blue',
    newSlot: 'green',
    recovery: [{ kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 0 }],
    ...change,
  };
  await store().write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 5,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
    rollout,
  });
  return rollout;
}

describe('deploy-action promote|pause|resume|abort: refusals', () => {
  it('no record, or a record without a rollout: no_rollout, exit 2, nothing appended', async () => {
    writeConfig();
    for (const verb of ['promote', 'pause', 'resume', 'abort']) {
      const r = await cli(verb, '-e', 'production');
      assert.equal(r.code, 2, `${verb}: ${r.err}`);
      assert.match(r.err, /^error: no_rollout: no rollout of production is in progress/);
    }
    await store().write({ ...emptyRecord('local', 'production', new Date()), seq: 2 });
    const json = await cli('promote', '-e', 'production', '--json');
    assert.equal(json.code, 2);
    assert.deepEqual(
      { ...JSON.parse(json.out), message: undefined },
      { type: 'control', ok: false, code: 'no_rollout', message: undefined },
    );
    assert.deepEqual(requests(), []);
  });

  it('pause twice is already_paused; resume without a pause is not_paused; both exit 2', async () => {
    writeConfig();
    await runningRollout();
    const notPaused = await cli('resume', '-e', 'production');
    assert.equal(notPaused.code, 2);
    assert.match(
      notPaused.err,
      /error: not_paused: the rollout of production is not paused, so there is nothing to resume; nothing was recorded\. (It waits at .+: `deploy-action promote -e production` lets it go on|It goes on by itself; `deploy-action status -e production` shows where it is)/,
    );
    assert.equal((await cli('pause', '-e', 'production')).code, 0);
    const again = await cli('pause', '-e', 'production');
    assert.equal(again.code, 2);
    assert.match(again.err, /error: already_paused/);
    assert.equal((await cli('resume', '-e', 'production')).code, 0);
    assert.equal((await cli('resume', '-e', 'production')).code, 2, 'resumed already');
    assert.deepEqual(
      requests().map((r) => r.verb),
      ['pause', 'resume'],
    );
  });

  it('a rollout rolling back, aborted, or past its last step: refused with the state, exit 2, nothing appended', async () => {
    writeConfig();
    await runningRollout({ phase: 'rollback' });
    for (const verb of ['promote', 'pause', 'resume', 'abort']) {
      const r = await cli(verb, '-e', 'production');
      assert.equal(r.code, 2, verb);
      assert.match(r.err, /^error: rolling_back: the rollout of production .* is rolling back/);
    }
    rmSync(store().pathFor('production'));
    await runningRollout({ phase: 'verify', step: 6 });
    for (const verb of ['promote', 'pause', 'resume']) {
      const r = await cli(verb, '-e', 'production');
      assert.equal(r.code, 2, verb);
      assert.match(r.err, /^error: past_last_step: .* in its verify phase: there is nothing left to/);
    }
    assert.deepEqual(requests(), []);
    assert.equal((await cli('abort', '-e', 'production', '--reason', 'errors')).code, 0, 'abort is taken');
    const after = await cli('promote', '-e', 'production');
    assert.equal(after.code, 2);
    assert.match(after.err, /^error: already_aborted: .* was aborted by cli:/);
    assert.deepEqual(
      requests().map((r) => r.verb),
      ['abort'],
    );
  });

  it('promote --full with an approval step ahead (or a record without its steps): full_passes_approval, exit 2, as the App refuses it', async () => {
    // 25 % waits for one /promote, 40 % for two approvers: --full would pass theirs.
    writeConfig('pause: manual }, { weight: 40, approval: 2');
    await handedOff();
    const before = target.calls().length;
    const r = await cli('promote', '-e', 'production', '--full');
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(
      r.err,
      /^error: full_passes_approval: `promote --full` would pass the approval step\(s\) at canary 40 % of the rollout of production, which only its approvers may pass; `promote` without --full\. Nothing was recorded/,
    );
    assert.deepEqual(requests(), [], 'nothing appended');
    assert.deepEqual(target.calls().slice(before), [], 'nothing ran');
    assert.equal((await current())!.rollout?.weight, 25, 'still waiting where it was');
    // Without --full the manual step is promoted, and the rollout waits for the approvers.
    assert.equal((await cli('promote', '-e', 'production')).code, 0);
    assert.equal((await current())!.rollout?.wait?.kind, 'approval');

    rmSync(store().pathFor('production'));
    await runningRollout();
    const unknown = await cli('promote', '-e', 'production', '--full', '--json');
    assert.equal(unknown.code, 2);
    const line = JSON.parse(unknown.out) as { code: string; message: string };
    assert.equal(line.code, 'full_passes_approval');
    assert.match(line.message, /does not show its steps/);
  });

  it('a rollout held in the record (a hold the runner took up) counts as paused', async () => {
    writeConfig();
    await runningRollout({
      wait: { kind: 'hold', step: 4, since: new Date().toISOString(), by: 'dave', handedOff: false },
    });
    assert.match((await cli('pause', '-e', 'production')).err, /already_paused/);
  });

  it('an over-long --reason, an unknown environment, a corrupt record: exit 2 with what was wrong', async () => {
    writeConfig();
    await runningRollout();
    const long = await cli('abort', '-e', 'production', '--reason', 'x'.repeat(501));
    assert.equal(long.code, 2);
    assert.match(long.err, /invalid_reason: --reason is 501 characters long; at most 500/);
    const unknown = await cli('promote', '-e', 'nowhere');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /nowhere/);
    writeFileSync(store().pathFor('production'), '{ not json');
    const corrupt = await cli('promote', '-e', 'production');
    assert.equal(corrupt.code, 2);
    assert.match(corrupt.err, /error: state_corrupt: .*production\.json/);
    assert.deepEqual(requests(), []);
  });
});

describe('deploy-action promote|pause|resume|abort: a requests file that cannot be written', () => {
  it('is control_unwritable, exit 2, naming the file and why: never a crash', async () => {
    writeConfig();
    await runningRollout();
    // Read as no file (no request yet), but the append cannot create it.
    const control = join(stateDir, 'control');
    mkdirSync(control, { recursive: true });
    chmodSync(control, 0o555);
    try {
      for (const json of [false, true]) {
        const r = await cliBoundByModes('abort', '-e', 'production', ...(json ? ['--json'] : []));
        assert.equal(r.code, 2, r.err);
        if (json) {
          const line = JSON.parse(r.out.trim()) as { ok: boolean; code: string; message: string };
          assert.equal(line.ok, false);
          assert.equal(line.code, 'control_unwritable');
        } else {
          assert.match(
            r.err,
            /^error: control_unwritable: the \/abort could not be written to .*production\.ndjson \(EACCES.*\); `deploy-action status -e production` shows whether it was recorded\n$/,
          );
          assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
        }
      }
    } finally {
      chmodSync(control, 0o755);
    }
  });

  it('a state directory others may write, or a link, is state_untrusted, exit 2: another record or control/ could be put there', async () => {
    writeConfig();
    await runningRollout();
    const cases: Array<[() => void, () => void, RegExp]> = [
      [
        () => chmodSync(stateDir, 0o777),
        () => chmodSync(stateDir, 0o755),
        /^error: state_untrusted: its state directory .*state may be written by its group and others \(mode 0777\), so its records are not read or written; check them, then `chmod go-w` it \(.*production\.json\); nothing was recorded\n$/,
      ],
      [
        ...linkInPlaceOf(stateDir),
        /^error: state_untrusted: its state directory .*state is a symbolic link \(the CLI makes a directory there\), so its records are not read or written; set state_dir to the directory it points to \(.*production\.json\); nothing was recorded\n$/,
      ],
    ];
    for (const [spoil, mend, message] of cases) {
      spoil();
      try {
        const r = await cliBoundByModes('pause', '-e', 'production');
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, message);
        assert.deepEqual(requests(), [], 'nothing written');
        // Nor is the record shown as if it could be believed.
        const status = await cliBoundByModes('status', '-e', 'production');
        assert.equal(status.code, 2, status.err);
        assert.match(status.err, /^error: state_untrusted: its state directory /);
        assert.equal(status.out, '');
      } finally {
        mend();
      }
    }
    assert.equal((await cliBoundByModes('pause', '-e', 'production')).code, 0, 'mended, it is written');
  });

  it('a link in place of it (even one to nowhere) is control_unreadable, exit 2: nothing is written through it', async () => {
    writeConfig();
    await runningRollout();
    const path = join(stateDir, 'control', 'production.ndjson');
    mkdirSync(join(stateDir, 'control'), { recursive: true });
    symlinkSync(join(dir, 'gone', 'requests.ndjson'), path);
    const r = await cli('abort', '-e', 'production');
    assert.equal(r.code, 2, r.err);
    assert.match(
      r.err,
      /^error: control_unreadable: the requests already made cannot be read: the control file .*production\.ndjson is a symbolic link/,
    );
    assert.equal(existsSync(join(dir, 'gone')), false, 'nothing made where the link points');
  });
});

describe('deploy-action promote|pause|resume|abort: a rollout its process still runs', () => {
  it('a request dated ahead of this clock (another machine runs fast) is warned of: it, not this /pause, decides until then', async () => {
    writeConfig();
    const rollout = await runningRollout();
    // Another machine, its clock an hour ahead, wrote a /promote: ordered by time, it stays the latest.
    const ahead = cliRequest('promote', rollout, {}, new Date(Date.now() + 3_600_000), {
      user: 'bob',
      host: 'fast',
      pid: 1,
    });
    mkdirSync(join(stateDir, 'control'), { recursive: true });
    writeFileSync(join(stateDir, 'control', 'production.ndjson'), `${JSON.stringify(ahead)}\n`);
    const text = await cli('pause', '-e', 'production');
    assert.equal(text.code, 0, text.err);
    assert.match(
      text.err,
      /^warning: clock_skew: the \/promote by cli:bob@fast is dated \S+, 3[56]\d\d s after this machine's clock: requests are ordered by the time they carry, so until then it, not this \/pause, decides whether the rollout is held; check the clocks of both machines\n$/,
    );
    assert.equal(requests().length, 2, 'the /pause is still written');
    // Read by time, the /promote is still the latest: a /resume is refused as not_paused, and says why.
    const resume = await cli('resume', '-e', 'production');
    assert.equal(resume.code, 2);
    assert.match(resume.err, /^warning: clock_skew: the \/promote by cli:bob@fast .*\nerror: not_paused: /);
    const json = JSON.parse((await cli('resume', '-e', 'production', '--json')).out.trim()) as {
      code: string;
      warning?: string;
    };
    assert.equal(json.code, 'not_paused');
    assert.match(json.warning ?? '', /the \/promote by cli:bob@fast is dated/);
    // A /promote written now is recorded with the warning too (--json: its `warning`).
    const promote = JSON.parse((await cli('promote', '-e', 'production', '--json')).out.trim()) as {
      code: string;
      warning?: string;
    };
    assert.equal(promote.code, 'recorded');
    assert.match(promote.warning ?? '', /the \/promote by cli:bob@fast is dated/);
    // An /abort wins whenever it was made: nothing to warn of.
    assert.equal((await cli('abort', '-e', 'production')).err, '');
  });

  it('appends one request bound to the deployment, commit and step; runs nothing; exit 0', async () => {
    writeConfig();
    const step = (s: Record<string, unknown>) => ({ step: s as never, reason: 'r' });
    // No approval step ahead, so --full is taken.
    const plan = [3, 4, 5, 6].map((i) =>
      step(
        i === 4
          ? { kind: 'wait', gate: 'manual', at: 'canary 25 %' }
          : { kind: 'set_weight', weight: i * 10 },
      ),
    );
    await runningRollout({
      wait: { kind: 'manual', step: 4, since: new Date().toISOString(), handedOff: false },
      strategyState: { plan, index: 4, holds: 0 },
    });
    const r = await cli('promote', '-e', 'production', '--full');
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /recorded \/promote .* step 5\/7 .*runs it and acts on the request within its poll interval \(2 s\)/,
    );
    const [request, ...more] = requests();
    assert.equal(more.length, 0);
    assert.match(request!.id, new RegExp(`^cli:${hostname()}:${process.pid}:\\d+$`));
    assert.match(request!.by, new RegExp(`^cli:[^@]+@${hostname()}$`));
    assert.equal(request!.source, 'cli');
    assert.equal(request!.deploymentId, 'cli-r1');
    assert.equal(request!.sha, 'abcdef1234567', 'the commit, lower-cased as requests carry it');
    assert.equal(request!.step, 4, "the wait's step, not the rollout's");
    assert.equal(request!.full, true);
    assert.deepEqual(target.calls(), []);
    assert.equal((await current())!.seq, 5, 'the record is the owner’s to write');
  });

  it('without a wait the request is for the step the rollout runs; --reason goes with an abort', async () => {
    writeConfig();
    await runningRollout();
    const r = await cli('abort', '-e', 'production', '--reason', 'error budget', '--json');
    assert.equal(r.code, 0, r.err);
    const line = JSON.parse(r.out) as { ok: boolean; code: string; request: ControlRequest };
    assert.equal(line.code, 'recorded');
    assert.equal(line.request.step, 3);
    assert.equal(line.request.reason, 'error budget');
    assert.deepEqual(requests(), [line.request]);
    assert.deepEqual(target.calls(), [], 'the running owner rolls back, not this command');
  });
});

describe('deploy-action run waits in its process and reads the verbs from the state dir', () => {
  it('a run waiting at its manual step is promoted by `deploy-action promote` and finishes at 100 %', async () => {
    writeConfig();
    await store().write({
      ...emptyRecord('local', 'production', new Date()),
      seq: 1,
      live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
    });
    const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', configPath]);
    try {
      // The CLI never hands off (max_wait_in_job is for the Action): it waits until the record says so.
      const deadline = Date.now() + 20_000;
      while (!(await current())?.rollout?.wait) {
        assert.ok(Date.now() < deadline, 'the run never reached its wait');
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal((await current())!.rollout!.wait!.handedOff, false);
      const promote = await cli('promote', '-e', 'production');
      assert.equal(promote.code, 0, promote.err);
      assert.match(promote.out, /runs it and acts on the request within its poll interval/);
      const done = await Promise.race([
        run.done,
        new Promise<undefined>((r) => setTimeout(r, 20_000, undefined)),
      ]);
      assert.ok(done, 'the run did not go on within 20 s of the promote');
      assert.equal(done.code, 0, done.stdout + done.stderr);
      // The commands it names to go on are this tool's, not the App's comments (typed into a shell).
      assert.match(
        done.stdout,
        /to continue: deploy-action promote -e production · deploy-action promote -e production --full · deploy-action abort -e production \[--reason TEXT\]/,
      );
      assert.doesNotMatch(done.stdout, /to continue: \/promote/);
    } finally {
      run.child.kill();
    }
    assert.equal((await current())!.live?.version, 'v2');
    assert.deepEqual(
      target.calls().filter((c) => c.startsWith('set_weight')),
      ['set_weight green 25', 'set_weight green 50', 'set_weight green 100'],
    );
  });
});

describe('a rollout reading a request dated ahead of its clock (another machine runs fast)', () => {
  /** A request of `rollout` made an hour ahead of this clock on another machine, appended to the file. */
  function appendAhead(verb: 'pause' | 'promote', rollout: Rollout): ControlRequest {
    const ahead = cliRequest(verb, rollout, {}, new Date(Date.now() + 3_600_000), {
      user: 'bob',
      host: 'fast',
      pid: 1,
    });
    const path = join(stateDir, 'control', 'production.ndjson');
    mkdirSync(join(stateDir, 'control'), { recursive: true });
    writeFileSync(path, `${existsSync(path) ? readFileSync(path, 'utf8') : ''}${JSON.stringify(ahead)}\n`);
    return ahead;
  }
  const skewed = (text: string) => text.split('\n').filter((line) => line.includes('clock_skew'));
  const WARNING =
    /clock_skew: the \/pause by cli:bob@fast is dated \S+, 3[56]\d\d s after this machine's clock: requests are ordered by the time they carry, so until then a \/pause, \/resume or \/promote written after it does not decide whether the rollout is held \(an \/abort still stops it\); check the clocks of the machines that write requests/;

  it('the running rollout warns once, and the /pause still holds it over a /promote written after it', async () => {
    writeConfig();
    await store().write({
      ...emptyRecord('local', 'production', new Date()),
      seq: 1,
      live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
    });
    const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', configPath]);
    try {
      const until = async (what: string, ok: (r: Rollout | undefined) => boolean) => {
        const deadline = Date.now() + 20_000;
        while (!ok((await current())?.rollout)) {
          assert.ok(Date.now() < deadline, `the run never ${what}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await until('reached its wait', (r) => r?.wait !== undefined);
      appendAhead('pause', (await current())!.rollout!);
      await new Promise((r) => setTimeout(r, 3_000));
      // Written now, the /promote is dated before the /pause: as documented, the /pause stays the latest.
      assert.equal((await cli('promote', '-e', 'production')).code, 0);
      await new Promise((r) => setTimeout(r, 5_000));
      assert.ok((await current())!.rollout?.wait, 'still waiting');
      assert.equal((await cli('abort', '-e', 'production')).code, 0);
      const done = await Promise.race([
        run.done,
        new Promise<undefined>((r) => setTimeout(r, 20_000, undefined)),
      ]);
      assert.ok(done, 'the run did not end within 20 s of the abort');
      const warnings = skewed(done.stdout + done.stderr);
      assert.equal(warnings.length, 1, `warned once, over several polls:\n${done.stdout}${done.stderr}`);
      assert.match(warnings[0]!, WARNING);
    } finally {
      run.child.kill();
    }
    assert.ok(!target.calls().includes('set_weight green 50'), 'it never went on past the hold');
    assert.equal((await current())!.live?.version, 'v1');
  });

  it('reconcile of a handed-off rollout warns of it too, and leaves the rollout held', async () => {
    writeConfig();
    const waiting = await handedOff();
    appendAhead('pause', waiting.rollout!);
    const r = await cli('reconcile', '-e', 'production');
    assert.equal(r.code, 0, r.out + r.err);
    const warnings = skewed(r.out + r.err);
    assert.equal(warnings.length, 1, r.out + r.err);
    assert.match(warnings[0]!, /production: clock_skew: /);
    assert.match(warnings[0]!, WARNING);
    assert.equal((await current())!.rollout?.version, 'v2', 'still waiting');
  });
});

describe('deploy-action promote|abort: a rollout handed off to wait goes on in this process', () => {
  it('promote: the canary goes on from 25 % to 100 %, v2 is live, the history names the promoter', async () => {
    writeConfig();
    const waiting = await handedOff();
    assert.equal(waiting.rollout?.weight, 25);
    const before = target.calls().length;
    const r = await cli('promote', '-e', 'production');
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /going on with it now/);
    assert.match(r.out, /production: rollout_resumed/);
    const after = target.calls().slice(before);
    assert.deepEqual(
      after.filter((c) => c.startsWith('set_weight')),
      ['set_weight green 50', 'set_weight green 100'],
    );
    const record = (await current())!;
    assert.equal(record.rollout, undefined);
    assert.equal(record.live?.version, 'v2');
    const promoted = record.history.find((h) => h.event === 'promoted');
    assert.ok(promoted, record.history.map((h) => h.event).join(' '));
    assert.match(promoted.by, /^cli:/);
  });

  it("promote that goes on in this process tells the environment's channels how the rollout ended, as reconcile does", async () => {
    const hook = await webhookReceiver('a-webhook-secret');
    process.env.CONTROL_HOOK_URL = hook.url;
    process.env.CONTROL_HOOK_SECRET = 'a-webhook-secret';
    try {
      writeConfig(
        'pause: manual',
        'notifications:\n  channels:\n    audit: { type: webhook, url_env: CONTROL_HOOK_URL, secret_env: CONTROL_HOOK_SECRET }',
      );
      await handedOff();
      const r = await cli('promote', '-e', 'production');
      assert.equal(r.code, 0, r.out + r.err);
      assert.equal((await current())!.live?.version, 'v2');
      // It told nobody: the channel's last word was the wait.
      const events = hook.received.map((p) => (p.body as { event: string }).event);
      assert.ok(events.includes('succeeded'), `told: ${events.join(', ')}`);
      assert.ok(hook.received.every((p) => p.verified));
    } finally {
      delete process.env.CONTROL_HOOK_URL;
      delete process.env.CONTROL_HOOK_SECRET;
      await hook.close();
    }
  });

  it('abort: traffic goes back to the stable version; v1 stays live; exit 0 (done as asked)', async () => {
    writeConfig();
    await handedOff();
    const before = target.calls().length;
    const r = await cli('abort', '-e', 'production', '--reason', 'not today', '--json');
    assert.equal(r.code, 0, r.out + r.err);
    const last = JSON.parse(r.out.trim().split('\n').at(-1)!) as { code: string; ok: boolean };
    assert.equal(last.code, 'rollout_aborted');
    assert.equal(last.ok, true);
    assert.ok(target.calls().slice(before).includes('set_weight green 0'), target.calls().join('\n'));
    const record = (await current())!;
    assert.equal(record.rollout, undefined);
    assert.equal(record.live?.version, 'v1');
    assert.ok(record.history.some((h) => h.code === 'rollout_aborted' && h.detail?.includes('not today')));
  });

  it('a locks/ others may write: the promote is recorded, but nothing goes on (state_untrusted, exit 1); mended, it does', async () => {
    writeConfig();
    await handedOff();
    const locks = join(stateDir, 'locks');
    mkdirSync(locks, { recursive: true });
    chmodSync(locks, 0o777);
    const before = target.calls().length;
    const r = await cli('promote', '-e', 'production', '--json');
    assert.equal(r.code, 1, r.out + r.err);
    const last = JSON.parse(r.out.trim().split('\n').at(-1)!) as { code: string; ok: boolean };
    assert.equal(last.code, 'state_untrusted');
    assert.equal(last.ok, false);
    assert.match(r.out, /its locks directory .*locks may be written by its group and others \(mode 0777\)/);
    assert.deepEqual(target.calls().slice(before), [], 'nothing deployed');
    assert.equal((await current())!.rollout?.weight, 25, 'still waiting where it was');
    assert.deepEqual(readdirSync(locks), [], 'no lock taken');
    chmodSync(locks, 0o755);
    const mended = await cli('reconcile', '-e', 'production');
    assert.equal(mended.code, 0, mended.out + mended.err);
    assert.equal((await current())!.live?.version, 'v2', 'the recorded promote goes on');
  });

  it('promote cancelled (SIGINT) while the current check runs: reconcile_cancelled, exit 1; nothing moved, the promote stays for the next reconcile', async () => {
    writeConfig();
    await handedOff();
    // From now on `current` takes 20 s: the SIGINT lands in it.
    writeConfig('pause: manual', '    SLEEP_ON: "current=20000"\n');
    const before = target.calls().length;
    const run = startCli(['promote', '-e', 'production', '-c', configPath]);
    // Once `current` has started, this process listens for the signal (it began the reconcile after that).
    while (!target.calls().slice(before).includes('current'))
      await new Promise((resolve) => setTimeout(resolve, 50));
    run.child.kill('SIGINT');
    const { code, stdout } = await run.done;
    assert.equal(code, 1, stdout);
    assert.match(
      stdout,
      /production: reconcile_cancelled: not acted on: reconcile was cancelled before going on with the rollout of v2; nothing was run/,
    );
    assert.doesNotMatch(stdout, /current_failed|Make the current command work/);
    assert.deepEqual(target.actingCalls(before), [], 'nothing but the current check');
    const record = (await current())!;
    assert.equal(record.rollout?.weight, 25, 'still waiting where it was');
    assert.equal(record.rollout?.wait?.kind, 'manual');
    assert.deepEqual(
      requests().map((r) => r.verb),
      ['promote'],
      'the promote stays recorded',
    );
  });

  it('abort cancelled (SIGINT) before it acted: the same abort again rolls the rollout back now, recording nothing more', async () => {
    writeConfig();
    await handedOff();
    writeConfig('pause: manual', '    SLEEP_ON: "current=20000"\n');
    const before = target.calls().length;
    const run = startCli(['abort', '-e', 'production', '-c', configPath]);
    while (!target.calls().slice(before).includes('current'))
      await new Promise((resolve) => setTimeout(resolve, 50));
    run.child.kill('SIGINT');
    const cancelled = await run.done;
    assert.equal(cancelled.code, 1, cancelled.stdout);
    assert.match(cancelled.stdout, /reconcile_cancelled/);
    assert.equal((await current())!.rollout?.wait?.kind, 'manual', 'still waiting where it was');
    // The person asks again, as one would: it was refused (already_aborted, "rolls back to the stable
    // version") while nothing rolled it back.
    writeConfig();
    const again = await cli('abort', '-e', 'production');
    assert.equal(again.code, 0, again.out + again.err);
    assert.match(
      again.out,
      /the \/abort of cli:\S+ recorded at \S+ was not acted on yet \(the rollout of v2 still waits at step [^;]+\); rolling it back now; nothing more was recorded/,
    );
    assert.match(again.out, /production: rollout_aborted/);
    assert.deepEqual(
      requests().map((r) => r.verb),
      ['abort'],
      'nothing more recorded',
    );
    const record = (await current())!;
    assert.equal(record.rollout, undefined);
    assert.equal(record.live?.version, 'v1');
  });

  it('a rollout begun by a machine whose clock runs ahead: the abort is dated no earlier than its start, so it counts and rolls it back; clock_skew said', async () => {
    writeConfig();
    await handedOff();
    // The record as the fast machine wrote it: its rollout began an hour after this machine's clock.
    const path = store().pathFor('production');
    const raw = JSON.parse(readFileSync(path, 'utf8')) as EnvironmentRecord;
    const startedAt = new Date(Date.now() + 3_600_000).toISOString();
    writeFileSync(path, JSON.stringify({ ...raw, rollout: { ...raw.rollout!, startedAt } }));
    const before = target.calls().length;
    const r = await cli('abort', '-e', 'production', '--reason', 'errors');
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(
      r.err,
      /^warning: clock_skew: the rollout of production began at \S+, 3[56]\d\d s after this machine's clock: this \/abort is dated then \(it was made after the rollout began; dated earlier it would count for nothing\); check the clocks of both machines\n/,
    );
    assert.match(r.out, /production: rollout_aborted/);
    assert.deepEqual(
      target
        .calls()
        .slice(before)
        .filter((c) => c.startsWith('set_weight')),
      ['set_weight green 0'],
    );
    assert.equal(requests()[0]!.at, startedAt, 'dated at the rollout start');
    const record = (await current())!;
    assert.equal(record.rollout, undefined);
    assert.equal(record.live?.version, 'v1');
  });

  it('the resumed rollout fails and is rolled back: exit 1', async () => {
    writeConfig('pause: manual', '    FAIL_ON: "set_weight green 50"\n');
    await handedOff();
    const r = await cli('promote', '-e', 'production');
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /rollout_resume_rolled_back/);
    assert.equal((await current())!.live?.version, 'v1');
  });

  it('approval: 2 — one promote is recorded and the rollout keeps waiting; a second approver goes on', async () => {
    writeConfig('approval: 2');
    await handedOff();
    const before = target.calls().length;
    const first = await cli('promote', '-e', 'production');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /still waits: for 1 more approval\(s\)/);
    assert.deepEqual(target.calls().slice(before), [], 'nothing ran');
    // The CLI's approvers are told apart by who ran it: the same user twice counts once, and is told so.
    const same = await cli('promote', '-e', 'production');
    assert.equal(same.code, 0, same.err);
    const me = requests()[0]!.by;
    assert.ok(
      same.out.includes(
        `; the approval of ${me} was already counted (each approver counts once): 1 more approval(s) needed, from another approver (so far: ${me})`,
      ),
      same.out,
    );
    const sameJson = JSON.parse((await cli('promote', '-e', 'production', '--json')).out.trim());
    assert.equal(sameJson.alreadyCounted, true);
    assert.match(sameJson.message, /was already counted/);
    const other = requests()[0]!;
    writeFileSync(
      join(stateDir, 'control', 'production.ndjson'),
      `${readFileSync(join(stateDir, 'control', 'production.ndjson'), 'utf8')}${JSON.stringify({ ...other, id: 'cli:other:1:1', by: 'cli:erin@elsewhere' })}\n`,
    );
    const shown = await cli('status', '-e', 'production');
    assert.match(shown.out, /request: {2}promote by cli:erin@elsewhere/);
    const goes = await cli('reconcile', '-e', 'production');
    assert.equal(goes.code, 0, goes.out + goes.err);
    assert.equal((await current())!.live?.version, 'v2');
  });

  it('pause of a handed-off rollout only records; a promote for its step after the pause goes on', async () => {
    writeConfig();
    await handedOff();
    const before = target.calls().length;
    assert.equal((await cli('pause', '-e', 'production')).code, 0);
    assert.equal((await cli('promote', '-e', 'production')).code, 0);
    // A /promote for the waiting step ends the hold too (the latest of pause/resume/promote decides).
    assert.equal((await current())!.rollout, undefined, 'the promote went on');
    assert.ok(target.calls().slice(before).includes('set_weight green 100'));
  });
});

describe('deploy-action status', () => {
  it('prints live, previous, the rollout and its wait, the requests and the history; --json the record', async () => {
    writeConfig();
    const none = await cli('status', '-e', 'production');
    assert.equal(none.code, 0);
    assert.match(none.out, /no deployment recorded yet/);

    const record = await handedOff();
    await cli('pause', '-e', 'production');
    const text = await cli('status', '-e', 'production');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /live: {5}v1 on blue/);
    assert.match(
      text.out,
      /rollout: {2}v2 by canary, phase production, step \d+\/\d+ \(25 % on the new version\)/,
    );
    assert.match(text.out, /waiting: {2}since .*\(handed off: no process waits\), held by cli:/);
    assert.match(text.out, /request: {2}pause by cli:/);
    assert.match(text.out, /handed_off \[manual\]/);

    const json = await cli('status', '-e', 'production', '--json');
    const parsed = JSON.parse(json.out) as { record: EnvironmentRecord; requests: ControlRequest[] };
    assert.deepEqual(parsed.record, record);
    assert.equal(parsed.requests.length, 1);
    assert.equal(text.err, '');

    // A requests file the rollout does not trust (its group may write it) is said to be so, not shown as none.
    chmodSync(join(stateDir, 'control', 'production.ndjson'), 0o664);
    const untrusted = await cli('status', '-e', 'production');
    assert.equal(untrusted.code, 0);
    assert.match(
      untrusted.err,
      /^warning: control_unreadable: the control file .*production\.ndjson may be written by its group \(mode 0664\), so its requests are not acted on/,
    );
    const untrustedJson = JSON.parse((await cli('status', '-e', 'production', '--json')).out) as {
      requests: ControlRequest[];
      requestsError?: string;
    };
    assert.deepEqual(untrustedJson.requests, []);
    assert.match(untrustedJson.requestsError ?? '', /may be written by its group/);
  });

  it('a retired slot a reconcile is tearing down says so (why a deployment into it is refused)', async () => {
    writeConfig();
    await store().write({
      ...emptyRecord('local', 'production', new Date()),
      seq: 2,
      live: { version: 'v2', slot: 'green', since: new Date().toISOString() },
      retired: [
        {
          slot: 'blue',
          version: 'v1',
          dueAt: '2026-01-01T00:00:00.000Z',
          teardown: { startedAt: '2026-01-02T00:00:00.000Z', by: 'reconcile:cli:ci' },
        },
      ],
    });
    const r = await cli('status', '-e', 'production');
    assert.match(
      r.out,
      /retired: {2}blue \(v1\), torn down after 2026-01-01T00:00:00\.000Z; being torn down by reconcile:cli:ci since 2026-01-02T00:00:00\.000Z\n/,
    );
  });

  it('values people chose are printed on one line, control characters escaped', async () => {
    writeConfig();
    await runningRollout({ version: 'v2\u001b[31mred\nline' });
    const r = await cli('status', '-e', 'production');
    assert.ok(!r.out.includes('\u001b'), 'no escape sequence reaches the terminal');
    assert.match(r.out, /rollout: {2}v2\\u001b\[31mred\\nline by canary/);
  });
});

describe('cliRequest', () => {
  it('two requests of one process in the same millisecond get different ids (one id counts once)', () => {
    const rollout: Rollout = {
      deploymentId: 'd',
      version: 'v2',
      strategy: 'canary',
      phase: 'production',
      step: 1,
      steps: 3,
      startedAt: new Date().toISOString(),
      owner: { kind: 'process', pid: 1, host: 'h' },
      recovery: [],
    };
    const at = new Date('2026-01-01T00:00:00Z');
    const me = { user: 'u', host: 'h', pid: 7 };
    const a = cliRequest('pause', rollout, {}, at, me);
    const b = cliRequest('resume', rollout, {}, at, me);
    assert.match(a.id, /^cli:h:7:\d+$/);
    assert.notEqual(a.id, b.id);
    assert.equal(a.by, 'cli:u@h');
    assert.equal(a.at, b.at, 'the time itself is not changed');
  });
});

describe('pendingRequest: a request of a handed-off rollout that nothing acted on', () => {
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const rollout = (wait: Rollout['wait'], phase: Rollout['phase'] = 'production'): Rollout => ({
    deploymentId: 'd',
    version: 'v2',
    strategy: 'rolling',
    phase,
    step: 2,
    steps: 5,
    startedAt: iso(T0),
    owner: { kind: 'process', pid: 1, host: 'h' },
    recovery: [],
    ...(wait ? { wait } : {}),
  });
  const me = { user: 'u', host: 'h', pid: 7 };
  const made = (verb: ControlVerb, at: number) => cliRequest(verb, rollout(undefined), {}, new Date(at), me);
  const failedBatch = rollout({
    kind: 'hold',
    step: 2,
    since: iso(T0 + 60_000),
    by: 'on_failure: pause',
    handedOff: true,
  });

  it('a resume made since a failed batch was held: the resume again goes on with it; an abort aborts', () => {
    const resume = made('resume', T0 + 120_000);
    assert.deepEqual(pendingRequest('resume', failedBatch, [resume], T0 + 180_000), {
      request: resume,
      ends: 'go',
    });
    const abort = made('abort', T0 + 130_000);
    assert.deepEqual(pendingRequest('abort', failedBatch, [resume, abort], T0 + 180_000), {
      request: abort,
      ends: 'abort',
    });
    // An aborted rollout is not resumed (already_aborted).
    assert.equal(pendingRequest('resume', failedBatch, [resume, abort], T0 + 180_000), undefined);
  });

  it('nothing pending: no request, one made before the batch failed, a rollout a process polls, one rolling back', () => {
    assert.equal(pendingRequest('resume', failedBatch, [], T0 + 180_000), undefined);
    const early = made('resume', T0 + 30_000);
    assert.equal(pendingRequest('resume', failedBatch, [early], T0 + 180_000), undefined);
    const polled = rollout({ kind: 'manual', step: 2, since: iso(T0 + 60_000), handedOff: false });
    assert.equal(pendingRequest('abort', polled, [made('abort', T0 + 90_000)], T0 + 180_000), undefined);
    const back = { ...failedBatch, phase: 'rollback' as const };
    assert.equal(pendingRequest('abort', back, [made('abort', T0 + 90_000)], T0 + 180_000), undefined);
  });
});
