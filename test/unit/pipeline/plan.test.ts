// `plan` shows every command in POSIX shell quoting: pasted into a shell, the line does exactly what the run
// would do (JSON quoting, "a$(touch x)", would run the substitution when pasted).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPlan } from '../../../src/cli/main.ts';
import { renderPlanSummary } from '../../../src/report/job-summary.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { planDeployment } from '../../../src/pipeline/plan.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';

/** A temporary directory, removed after the test. */
function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `body` under a `state_dir` of its own, parsed; the test fails on a config error. */
function configIn(t: TestContext, body: string) {
  const parsed = parseConfig(`state_dir: ${tempDir(t)}/state\n${body}`, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  return parsed.config;
}

const NOTE = `a$(touch PWNED) \`touch PWNED\` it's "q"`;

test('plan prints argv and shell commands so that pasting them runs exactly that', (t) => {
  const dir = tempDir(t);
  const printer = join(dir, 'print-argv.cjs');
  writeFileSync(printer, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))');
  const node = JSON.stringify(process.execPath);
  const text = `state_dir: ${dir}/state
target:
  commands:
    deploy: [${node}, ${JSON.stringify(printer)}, "{{version}}", "{{note}}"]
environments:
  production:
    variables:
      note: ${JSON.stringify(NOTE)}
    smoke:
      run: ${JSON.stringify(`${process.execPath} ${printer} "note: {{note}}" '{{environment}}' | cat`)}
      shell: true
`;
  const parsed = parseConfig(text, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const plan = planDeployment(parsed.config, 'production', 'v1.2');
  const runs = plan.phases
    .flatMap((phase) => phase.actions)
    .flatMap((action) => (action.run ? [action] : []));
  const deploy = runs.find((action) => action.description === 'deploy')!.run!;
  const smoke = runs.find((action) => action.description === 'smoke tests')!.run!;

  assert.equal(deploy, `${process.execPath} ${printer} v1.2 'a$(touch PWNED) \`touch PWNED\` it'\\''s "q"'`);
  assert.equal(
    smoke,
    `DEPLOY_NOTE='a$(touch PWNED) \`touch PWNED\` it'\\''s "q"' DEPLOY_ENVIRONMENT=production bash -c ` +
      `'${process.execPath} ${printer} "note: \${DEPLOY_NOTE}" '\\'''\\''"\${DEPLOY_ENVIRONMENT}"'\\'''\\'' | cat'`,
  );
  const formatted = formatPlan(plan);
  assert.ok(formatted.includes(`$ ${deploy}\n`) && formatted.includes(`$ ${smoke}\n`), formatted);

  // Pasted into a plain shell, each line gives the program exactly the values the run would.
  const paste = (line: string) =>
    JSON.parse(
      execFileSync('/bin/sh', ['-c', line], { cwd: dir, env: { PATH: process.env.PATH }, encoding: 'utf8' }),
    );
  assert.deepEqual(paste(deploy), ['v1.2', NOTE]);
  assert.deepEqual(paste(smoke), [`note: ${NOTE}`, 'production']);
  assert.deepEqual(readdirSync(dir).sort(), ['print-argv.cjs']);
});

test("plan's verify checks name the slot the run checks: the one the strategy leaves live", () => {
  // The run's verify checks the new slot (machine.ts watchStep); the plan rendered them without any slot and
  // printed "(… {{slot}} has no value here)" or the URL template itself.
  for (const strategy of ['blue-green', 'canary']) {
    const text = `state_dir: ${join(tmpdir(), 'plan-verify-no-state')}
target:
  commands:
    deploy: ./deploy.sh {{slot}} {{version}}
    switch: ./route.sh {{slot}}
    set_weight: ./route.sh {{slot}} {{weight}}
    health:
      - ./check.sh {{slot}}
      - url: http://{{slot}}.internal.example/health
environments:
  production:
    strategy: ${strategy}
`;
    const parsed = parseConfig(text, 'deploy.yml');
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    const plan = planDeployment(parsed.config, 'production', 'v2');
    const verify = plan.phases.find((phase) => phase.phase === 'verify')!;
    assert.deepEqual(
      verify.actions.map((action) => action.run),
      ['./check.sh blue; GET http://blue.internal.example/health'],
      strategy,
    );
  }
});

test('plan names the on_success hook, and says hooks.after_success is run later by reconcile, when, and its command; not for a rollback', (t) => {
  const config = configIn(
    t,
    `target:
  commands:
    deploy: ./deploy.sh {{version}}
environments:
  production:
    hooks:
      on_success: ./announce.sh {{version}}
      after_success:
        after: 24h
        run: npm run migrate:cleanup -- --env={{environment}} --version={{version}}
`,
  );
  const finalize = (rollback: boolean) =>
    planDeployment(config, 'production', 'v1.2', undefined, rollback ? { rollback: true } : {}).phases.find(
      (p) => p.phase === 'finalize',
    )!.actions;
  // on_success runs in finalize itself, before the delayed hook's later run.
  assert.deepEqual(
    finalize(false).map((a) => a.description.split(':')[0]),
    [
      'record the live version (direct replaces the release in place',
      'on_success hook',
      'hooks.after_success',
    ],
  );
  assert.equal(finalize(false)[1]!.run, './announce.sh v1.2');
  const hook = finalize(false).find((a) => a.description.startsWith('hooks.after_success'))!;
  assert.match(hook.description, /run by reconcile once this release has been live for 24h/);
  assert.equal(hook.run, 'npm run migrate:cleanup -- --env=production --version=v1.2');
  assert.deepEqual(
    finalize(true).filter((a) => a.description.startsWith('hooks.after_success')),
    [{ description: "hooks.after_success: not run for a rollback deployment's release" }],
  );
  assert.match(
    formatPlan(planDeployment(config, 'production', 'v1.2')),
    /hooks\.after_success: run by reconcile/,
  );
});

test('plan of a first deployment says a hook needing {{previous_version}} has none, instead of crashing', (t) => {
  const config = configIn(
    t,
    `target:
  commands:
    deploy: ./deploy.sh {{version}}
environments:
  production:
    smoke: ./smoke.sh {{previous_version}}
    hooks:
      backup: ./backup.sh {{previous_version}}
      migrate: ./migrate.sh --from {{previous_version}} --to {{version}}
      on_success: ./announce.sh {{previous_version}}
      after_success: { after: 24h, run: "./contract.sh {{previous_version}}" }
`,
  );
  // Nothing was deployed yet: the run fails each of these for the value it lacks, and the plan says so.
  const runs = planDeployment(config, 'production', 'v1')
    .phases.flatMap((phase) => phase.actions)
    .flatMap((action) => (action.run?.includes('previous_version') ? [action.run] : []));
  assert.deepEqual(
    runs,
    ['backup', 'migrate', 'smoke', 'on_success', 'after_success'].map(
      (name) =>
        `(environments.production.${name === 'smoke' ? '' : 'hooks.'}${name}: {{previous_version}} has no value here)`,
    ),
  );
});

test('plan says when a run now would be refused, in the words and code of the run, and exits 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-refused-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const configText = (current = '') =>
    `state_dir: ${dir}/state
target:
  commands:
    deploy: [deploy, "{{version}}", "{{slot}}"]
    switch: [switch, "{{slot}}"]${current}
environments:
  production:
    strategy: blue-green
`;
  const config = (current = '') => parseConfig(configText(current), 'deploy.yml');
  const parsed = config();
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const store = new FileStateStore(join(dir, 'state'));
  const at = '2026-01-01T00:00:00.000Z';
  const base = { ...emptyRecord('local', 'production', new Date(at)), seq: 1 };

  // Nothing recorded, or a slot it has: the plan is a plan, with nothing refused.
  assert.equal(planDeployment(parsed.config, 'production', 'v2').refused, undefined);
  await store.write({ ...base, live: { version: 'v1', slot: 'blue', since: at } });
  const fine = planDeployment(parsed.config, 'production', 'v2');
  assert.equal(fine.refused, undefined);
  assert.deepEqual(fine.live, { slot: 'blue', version: 'v1', source: 'state record' });

  // Slots renamed since the record was written: the run refuses (readLiveForRun), and so does the plan.
  await store.write({ ...base, seq: 2, live: { version: 'v1', slot: 'purple', since: at } });
  const renamed = planDeployment(parsed.config, 'production', 'v2');
  assert.equal(renamed.refused?.code, 'state_refused');
  assert.match(renamed.refused?.message ?? '', /^the state record of production says slot "purple" is live/);
  const text = formatPlan(renamed);
  assert.match(
    text,
    /\nRefused \[state_refused\]: a run now would deploy nothing and fail: the state record/,
  );

  // A teardown claimed on the idle slot (green, beside blue live): the run refuses to deploy into it.
  await store.write({
    ...base,
    seq: 3,
    live: { version: 'v1', slot: 'blue', since: at },
    retired: [
      {
        slot: 'green',
        version: 'v0',
        dueAt: at,
        teardown: { startedAt: at, by: 'reconcile:42' },
      },
    ],
  });
  const tearing = planDeployment(parsed.config, 'production', 'v2');
  assert.equal(tearing.refused?.code, 'state_refused');
  assert.match(
    tearing.refused?.message ?? '',
    /^green \(v0\), the slot this run would deploy into, is being torn down by reconcile:42/,
  );

  // An unfinished rollout in the record: the run stops with rollout_unfinished.
  await store.write({
    ...base,
    seq: 4,
    live: { version: 'v1', slot: 'blue', since: at },
    rollout: {
      deploymentId: 'cli-1',
      version: 'v2',
      strategy: 'blue-green',
      phase: 'production',
      step: 0,
      steps: 2,
      startedAt: at,
      owner: { kind: 'workflow', runId: '7' },
      recovery: [],
    },
  });
  const unfinished = planDeployment(parsed.config, 'production', 'v3');
  assert.equal(unfinished.refused?.code, 'rollout_unfinished');
  assert.match(unfinished.refused?.message ?? '', /^production has an unfinished rollout of v2/);
  // A first deployment's unfinished rollout: the record holds no live release, but it is not "nothing".
  const { live: _live, ...noLive } = await store.read('production').then((r) => (r.ok ? r.record! : base));
  await store.write({ ...noLive, seq: 5 });
  const first = planDeployment(parsed.config, 'production', 'v3');
  assert.equal(first.refused?.code, 'rollout_unfinished');
  assert.equal(first.live.source, 'state record: no live release recorded');

  // A record that cannot be believed: refused without a current command; with one the run goes on by it.
  writeFileSync(store.pathFor('production'), '{');
  assert.equal(planDeployment(parsed.config, 'production', 'v3').refused?.code, 'state_refused');
  const withCurrent = config('\n    current: [current]');
  assert.ok(withCurrent.ok);
  assert.equal(planDeployment(withCurrent.config, 'production', 'v3').refused, undefined);

  // The CLI: the plan printed, exit 1 (the run would fail).
  const cliDir = mkdtempSync(join(tmpdir(), 'plan-refused-cli-'));
  t.after(() => rmSync(cliDir, { recursive: true, force: true }));
  const configPath = join(cliDir, 'deploy.yml');
  writeFileSync(configPath, configText());
  const cli = spawnSync(
    process.execPath,
    [
      join(import.meta.dirname, '../../../src/cli/index.ts'),
      'plan',
      '-e',
      'production',
      '--version',
      'v3',
      '-c',
      configPath,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(cli.status, 1, cli.stderr);
  assert.match(cli.stdout, /Refused \[state_refused\]/);
});

test('no record, and a current command the run asks: plan shows no first deployment, and says what the run does with its answer', (t) => {
  // It said "a first deployment: green serves nothing", "nothing to decommission: a first deployment has no old
  // slot" and "nothing to go back to … as on a first deployment", while a router may serve a release this tool
  // has no record of: the run asks the current command and deploys beside what it names.
  const target = (current: string) => `target:
  commands:
    deploy: [deploy, "{{slot}}", "{{version}}"]
    switch: [switch, "{{slot}}"]
    set_weight: [weight, "{{slot}}", "{{weight}}"]
    teardown: [teardown, "{{slot}}"]${current}
`;
  for (const strategy of ['blue-green', '{ type: canary, steps: [10, 100], pause: 1m }']) {
    const config = configIn(
      t,
      `${target('\n    current: [current]')}environments:\n  production:\n    strategy: ${strategy}\n`,
    );
    const plan = planDeployment(config, 'production', 'v2');
    assert.equal(plan.live.currentNotAsked, true, strategy);
    assert.equal(plan.refused, undefined);
    const text = formatPlan(plan);
    // Only the note on what the run does names one, as what an empty answer makes it.
    const steps = text.split('\n').filter((line) => !line.startsWith('What the run does: '));
    assert.doesNotMatch(steps.join('\n'), /first deployment/i, text);
    assert.match(text, /^Live now: unknown \(from the target's current command \(not run by plan/m, text);
    assert.match(
      text,
      /^What the run does: it asks the current command what serves first, which plan does not run\. If it names a live slot and version \(a release with no state record\), the run deploys beside it, /m,
      text,
    );
    assert.match(text, /if it prints nothing, the run deploys as a first deployment/);
    const summary = renderPlanSummary(plan);
    assert.match(summary, /What the run does: it asks the current command what serves first/, summary);
  }
  // With no current command the run has only the record: nothing recorded is a first deployment, as before.
  const noCurrent = planDeployment(
    configIn(t, `${target('')}environments:\n  production:\n    strategy: blue-green\n`),
    'production',
    'v2',
  );
  assert.equal(noCurrent.live.currentNotAsked, undefined);
  assert.match(formatPlan(noCurrent), /a first deployment: green serves nothing/);
  assert.doesNotMatch(formatPlan(noCurrent), /What the run does/);
});

test('plan says what an analysis step judges and for how long, in the words the run uses', async (t) => {
  // It said "health checks over 240s" for a step whose metrics are analysed, and "watch for 3600s".
  // v1 is live on blue: a first deployment would go straight to 100 % (no step at 10 % or 50 %).
  const dir = tempDir(t);
  const at = '2026-01-01T00:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: at },
  });
  const text = (analysis: string) => `state_dir: ${dir}/state
target:
  commands:
    deploy: ./deploy.sh {{slot}} {{version}}
    set_weight: ./weight.sh {{slot}} {{weight}}
environments:
  production:
    strategy: { type: canary, steps: [10, 50], pause: 4m }
${analysis}`;
  const runs = (analysis: string) => {
    const parsed = parseConfig(text(analysis), 'deploy.yml');
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    const plan = planDeployment(parsed.config, 'production', 'v1.2');
    return plan.phases.flatMap((p) => p.actions).map((a) => `${a.description}: ${a.run ?? ''}`);
  };
  const metrics = runs(`    analysis:
      providers:
        p: { type: command, run: ["true"] }
      metrics:
        error_rate: { provider: p }
`);
  assert.ok(
    metrics.includes('analysis (canary-step at 10%): metric analysis and health checks over 4m'),
    metrics.join('\n'),
  );
  assert.ok(metrics.includes('analysis (canary-step at 100%): health checks, once'), metrics.join('\n'));
  assert.ok(
    metrics.some((a) => a.startsWith('watch for 1h, rollback triggers armed')),
    metrics.join('\n'),
  );
  const health = runs('');
  assert.ok(health.includes('analysis (canary-step at 50%): health checks over 4m'), health.join('\n'));
});

test('plan of a first canary deployment: straight to 100 %, says why, and its rollback only removes the canary', () => {
  // It planned 10 % then 50 % with 90 % of the traffic on a slot that runs nothing, and a rollback to it.
  const parsed = parseConfig(
    `state_dir: ${join(tmpdir(), 'plan-first-canary-no-state')}
target:
  commands:
    deploy: ./deploy.sh {{slot}} {{version}}
    set_weight: ./weight.sh {{slot}} {{weight}} {{stable_slot}}
    teardown: ./teardown.sh {{slot}}
environments:
  production:
    strategy: { type: canary, steps: [{ weight: 10, pause: manual }, 50], pause: 4m }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const plan = planDeployment(parsed.config, 'production', 'v1');
  const production = plan.phases.find((p) => p.phase === 'production')!.actions;
  assert.deepEqual(
    production.map((a) => a.description),
    ['deploy on blue', 'set weight blue=100% green=0%', 'analysis (canary-step at 100%)'],
  );
  assert.ok(production.every((a) => !/wait|pause/.test(a.description)));
  const text = JSON.stringify(plan);
  assert.match(text, /first deployment: nothing live to compare with or return to: straight to 100 %/);
  assert.match(text, /skipped: nothing is live to compare the canary with/);
  assert.deepEqual(
    plan.rollback.map((a) => a.description),
    ['teardown on blue'],
  );
});

test("plan's finalize line says what finalize does for each strategy, a first deployment's included", async (t) => {
  // It said "decommission the old slot after its delay" on every plan: a first deployment has no old slot,
  // rolling and direct none at all.
  const stateDir = `${tempDir(t)}/state`;
  const config = (strategy: string, teardown = true) => {
    const parsed = parseConfig(
      `state_dir: ${stateDir}
target:
  commands:
    deploy: ./deploy.sh {{version}}
    switch: ./route.sh {{slot}}
    set_weight: ./weight.sh {{slot}} {{weight}}
${teardown ? '    teardown: ./teardown.sh {{version}}\n' : ''}environments:
  production:
    strategy: ${strategy}
`,
      'deploy.yml',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    return parsed.config;
  };
  const finalizeLine = (strategy: string, teardown = true) =>
    planDeployment(config(strategy, teardown), 'production', 'v2').phases.find((p) => p.phase === 'finalize')!
      .actions[0]!.description;
  const first = 'record the live version; nothing to decommission: a first deployment has no old slot';
  assert.equal(finalizeLine('blue-green'), first);
  assert.equal(finalizeLine('canary'), first);
  const inPlace =
    'record the live version (rolling replaces the release in place: there is no old slot to decommission)';
  assert.equal(finalizeLine('{ type: rolling, instances: [a, b] }'), inPlace);
  // The first plan also says nothing is live, and a blue-green's switch that no slot serves before it.
  const text = formatPlan(planDeployment(config('blue-green'), 'production', 'v2'));
  assert.match(text, /^Live now: none recorded \(from state record: nothing recorded yet\)$/m);
  assert.match(
    text,
    /blue passed its checks: send traffic to it \(a first deployment: green serves nothing\)/,
  );

  // v1 live on blue: the next deployment goes to green and decommissions blue, as finalize does.
  const at = '2026-12-01T10:00:00.000Z';
  await new FileStateStore(stateDir).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: at },
  });
  assert.equal(
    finalizeLine('{ type: blue-green, scale_down_delay: 5m }'),
    'record the live version; decommission the old slot blue (v1) after 5m',
  );
  assert.equal(
    finalizeLine('{ type: canary, scale_down_delay: 0 }'),
    'record the live version; decommission the old slot blue (v1) at once',
  );
  assert.equal(
    finalizeLine('{ type: blue-green, scale_down_delay: 2h }'),
    'record the live version; the old slot blue (v1) stays up as the instant rollback target for 2h, then a reconcile run decommissions it',
  );
  assert.equal(
    finalizeLine('blue-green', false),
    'record the live version; the old slot blue (v1) stays up: the target has no teardown command',
  );

  // v1 live with no slot (the environment was direct before): no first deployment, in any line of the plan.
  await new FileStateStore(stateDir).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 2,
    live: { version: 'v1', since: at },
  });
  assert.equal(
    finalizeLine('blue-green'),
    'record the live version; nothing to decommission: no slot is recorded for v1',
  );
  const switched = formatPlan(planDeployment(config('blue-green'), 'production', 'v2'));
  assert.doesNotMatch(switched, /first deployment|serves nothing/);
  assert.match(switched, /blue passed its checks: switch traffic to it \(v1 serves from no recorded slot\)/);
});

test('plan of a first rolling or direct deployment: its rollback steps say plainly there is nothing to go back to', async (t) => {
  // They showed "(target.commands.rollback: {{version}} has no value here)", or no command at all.
  const stateDir = `${tempDir(t)}/state`;
  const config = (strategy: string, rollback?: string) => {
    const parsed = parseConfig(
      `state_dir: ${stateDir}
target:
  commands:
    deploy: ./deploy.sh {{version}}
${rollback ? `    rollback: ${rollback}\n` : ''}environments:
  production:
    strategy: ${strategy}
`,
      'deploy.yml',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    return parsed.config;
  };
  const rollbackRuns = (strategy: string, rollback?: string) =>
    planDeployment(config(strategy, rollback), 'production', 'v2').rollback.map((a) => a.run);
  const nothing = '(nothing to go back to: no earlier version is recorded live, as on a first deployment)';
  const rolling = '{ type: rolling, instances: [a, b] }';
  assert.deepEqual(rollbackRuns(rolling, './rollback.sh {{version}}'), [nothing, nothing]);
  assert.deepEqual(rollbackRuns(rolling), [nothing, nothing]);
  assert.deepEqual(rollbackRuns('direct'), [nothing]);
  assert.deepEqual(rollbackRuns('direct', './rollback.sh {{previous_version}}'), [nothing]);
  // A rollback command that needs no version runs as it would (the target knows what to go back to).
  assert.deepEqual(rollbackRuns('direct', './undo.sh'), ['./undo.sh']);

  // v1 live: the rollback redeploys it.
  const at = '2026-12-01T10:00:00.000Z';
  await new FileStateStore(stateDir).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', since: at },
  });
  assert.deepEqual(rollbackRuns('direct'), ['./deploy.sh v1']);
  assert.deepEqual(rollbackRuns(rolling, './rollback.sh {{version}}'), [
    './rollback.sh v1',
    './rollback.sh v1',
  ]);
});

test('plan over a record it refuses says what is live is unknown, not that none is recorded', async (t) => {
  // "Live now: none recorded (from state record: refused [state_corrupt]: …)": there is a record, unread.
  const stateDir = `${tempDir(t)}/state`;
  const parsed = parseConfig(
    `state_dir: ${stateDir}
target:
  commands:
    deploy: ./deploy.sh {{version}} {{slot}}
    switch: ./route.sh {{slot}}
    current: ./current.sh
environments:
  production:
    strategy: blue-green
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const store = new FileStateStore(stateDir);
  await store.write({ ...emptyRecord('local', 'production', new Date(0)), seq: 1 });
  const file = join(stateDir, 'records', 'production.json');
  writeFileSync(file, '{"schema": 2}');
  const text = formatPlan(planDeployment(parsed.config, 'production', 'v2'));
  assert.match(text, /^Live now: unknown \(from .*refused \[state_corrupt\]/m);
  assert.doesNotMatch(text, /none recorded|a first deployment has no old slot/);
  // Nor does the switch say first: "a first deployment: green serves nothing" was a guess.
  assert.doesNotMatch(text, /first deployment|serves nothing/);
  assert.match(text, /blue passed its checks: switch traffic to it \(what serves now is not known here\)/);
  // A direct deployment's rollback over it: not "nothing to go back to … as on a first deployment" either.
  const direct = structuredClone(parsed.config);
  direct.environments.production!.strategy = 'direct';
  const rollback = planDeployment(direct, 'production', 'v2').rollback.map((a) => a.run);
  assert.deepEqual(rollback, ['(what to go back to is not known here: the record was not read)']);
});

test('plan of a canary over a version recorded with no slot is refused as the run is: its stable slot would be a guess', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-unslotted-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const parsed = parseConfig(
    `state_dir: ${dir}/state
target:
  commands:
    deploy: [deploy, "{{version}}", "{{slot}}"]
    set_weight: [weight, "{{slot}}", "{{weight}}", "{{stable_slot}}"]
environments:
  production:
    strategy: canary
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const at = '2026-01-01T00:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', since: at },
  });
  // Before: a plan that sent 95 % of the traffic to green ("stable"), which nothing said served v1.
  const plan = planDeployment(parsed.config, 'production', 'v2');
  assert.equal(plan.refused?.code, 'state_refused');
  assert.match(
    plan.refused?.message ?? '',
    /^v1 serves on production from no known slot \(the state record names its version but no slot/,
  );
  assert.match(
    formatPlan(plan),
    /\nRefused \[state_refused\]: a run now would deploy nothing and fail: v1 serves/,
  );
});

test("plan's staging phase lists what the run does there: its hooks, its strategy, its smoke, its health checks and its validation window", (t) => {
  // The run deploys staging with its own backup and migrate hooks, then checks it (smoke, health) and watches
  // it for its validation_window before production starts (machine/loop.ts program); the plan showed only the
  // strategy's steps, so a 15-minute watch, a smoke test and a migration ran that the plan never printed.
  const config = configIn(
    t,
    `target:
  commands:
    deploy: ./deploy.sh {{slot}} {{version}}
    switch: ./route.sh {{slot}}
    health: ./check.sh {{slot}}
environments:
  staging:
    strategy: blue-green
    smoke: ./smoke.sh {{environment}}
    hooks: { backup: './snap.sh {{environment}}', migrate: './migrate.sh {{environment}}' }
  production:
    staging: staging
    strategy: blue-green
`,
  );
  const staging = planDeployment(config, 'production', 'v2').phases.find(
    (phase) => phase.phase === 'staging',
  )!;
  const lines = staging.actions.map(
    (action) => `${action.description}${action.run ? ` $ ${action.run}` : ''}`,
  );
  assert.deepEqual(lines.slice(0, 3), [
    'backup hook $ ./snap.sh staging',
    'migrate hook $ ./migrate.sh staging',
    'deploy on blue $ ./deploy.sh blue v2',
  ]);
  assert.deepEqual(lines.slice(-4), [
    'smoke tests $ ./smoke.sh staging',
    'health checks $ ./check.sh blue',
    'validation window: watch staging before production starts $ health checks over 15m',
    'finalize staging: record the live version; nothing to decommission: a first deployment has no old slot',
  ]);

  const none = configIn(
    t,
    `target: { commands: { deploy: './deploy.sh {{version}}', health: ./check.sh } }
environments:
  staging: { validation_window: 0 }
  production: { staging: staging }
`,
  );
  const zero = planDeployment(none, 'production', 'v2').phases.find((phase) => phase.phase === 'staging')!;
  assert.equal(zero.actions.at(-2)!.description, 'validation window is 0: skipped');
});

test("plan's rollback lists the on_rollback levels after the traffic steps, each with its command and its verify", async (t) => {
  // The run moves traffic back, then runs the levels in order (seed 04: flag, config, code), each only while the
  // ones before were not enough; the plan's rollback stopped at the traffic steps.
  const dir = tempDir(t);
  const at = '2026-12-01T10:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: at },
  });
  const parsed = parseConfig(
    `state_dir: ${dir}/state
target:
  commands:
    deploy: ./deploy.sh {{slot}} {{version}}
    set_weight: ./weight.sh {{slot}} {{weight}}
    health: ./check.sh {{slot}}
environments:
  production:
    strategy: { type: canary, steps: [10] }
    hooks:
      on_rollback:
        - { name: feature-flag, run: ./flags.sh off, verify: ./flags.sh assert-off }
        - { name: config, run: ./config.sh --previous, verify: health }
        - { name: code, run: './deploy.sh {{previous_version}}' }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const plan = planDeployment(parsed.config, 'production', 'v2');
  assert.deepEqual(
    plan.rollback.map((a) => `${a.description}${a.run ? ` $ ${a.run}` : ''}`),
    [
      'set weight green=0% blue=100% $ ./weight.sh green 0',
      'rollback level feature-flag $ ./flags.sh off',
      'verify feature-flag: if it passes, the later levels are skipped $ ./flags.sh assert-off',
      'rollback level config $ ./config.sh --previous',
      'verify config: if it passes, the later levels are skipped $ ./check.sh blue',
      'rollback level code $ ./deploy.sh v1',
    ],
  );
});

test('a canary step says how long it is analysed as the config writes durations (15m, not 900s)', async (t) => {
  const dir = tempDir(t);
  const at = '2026-12-01T10:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: at },
  });
  const parsed = parseConfig(
    `state_dir: ${dir}/state
target: { commands: { deploy: './deploy.sh {{slot}}', set_weight: './weight.sh {{slot}} {{weight}}' } }
environments:
  production: { strategy: { type: canary, steps: [5, { weight: 10, pause: 1h30m }, 50] } }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const reasons = planDeployment(parsed.config, 'production', 'v2')
    .phases.find((p) => p.phase === 'production')!
    .actions.filter((a) => a.description.startsWith('analysis'))
    .map((a) => a.reason);
  assert.deepEqual(reasons, [
    'analyse the canary at 5 % for 15m',
    'analyse the canary at 10 % for 1h30m',
    'analyse the canary at 50 % for 15m',
    'analyse the canary at 100 %',
  ]);
});

test('a hotfix plan (plan --skip-staging, an Action dry run of a hotfix) skips staging as the run does', (t) => {
  // The run skips staging for a hotfix (machine/loop.ts program: "skipped (hotfix)"); its plan listed staging's
  // migrate hook, deploy and validation window all the same, none of which the run does.
  const text = `target:
  commands:
    deploy: ./deploy.sh {{version}}
    health: ./check.sh
environments:
  staging:
    hooks: { migrate: './migrate.sh {{environment}}' }
  production: { staging: staging }
`;
  const config = configIn(t, text);
  const staging = (skipStaging: boolean) =>
    planDeployment(config, 'production', 'v2', undefined, { skipStaging }).phases.find(
      (phase) => phase.phase === 'staging',
    )!;
  assert.deepEqual(staging(true).actions, [{ description: 'skipped (hotfix)' }]);
  assert.equal(staging(false).actions[0]!.run, './migrate.sh staging');

  const dir = tempDir(t);
  const configPath = join(dir, 'deploy.yml');
  writeFileSync(configPath, `state_dir: ${dir}/state\n${text}`);
  const cli = spawnSync(
    process.execPath,
    [
      join(import.meta.dirname, '../../../src/cli/index.ts'),
      ...['plan', '-e', 'production', '--version', 'v2', '--skip-staging', '--json', '-c', configPath],
    ],
    { encoding: 'utf8' },
  );
  assert.equal(cli.status, 0, cli.stderr);
  const printed = JSON.parse(cli.stdout) as { phases: Array<{ phase: string; actions: unknown[] }> };
  assert.deepEqual(printed.phases.find((phase) => phase.phase === 'staging')!.actions, [
    { description: 'skipped (hotfix)' },
  ]);
});

test("plan's staging phase ends with staging's finalize, as the run's: the record, and its old slot's teardown", async (t) => {
  // The run finalizes staging before production starts (machine/loop.ts: finalize, quiet), waiting out its
  // scale_down_delay (up to 10 minutes in the job) and tearing its old slot down; the plan said nothing of it.
  const dir = tempDir(t);
  const at = '2026-01-01T00:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'staging', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: at },
  });
  const parsed = parseConfig(
    `state_dir: ${dir}/state
target:
  commands:
    deploy: ./deploy.sh {{slot}} {{version}}
    switch: ./route.sh {{slot}}
    teardown: ./down.sh {{slot}}
environments:
  staging:
    strategy: { type: blue-green, scale_down_delay: 5m }
  production:
    staging: staging
    strategy: blue-green
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const staging = planDeployment(parsed.config, 'production', 'v2').phases.find(
    (phase) => phase.phase === 'staging',
  )!;
  assert.equal(
    staging.actions.at(-1)!.description,
    'finalize staging: record the live version; decommission the old slot blue (v1) after 5m',
  );
});

test("plan's rollback for a failure in staging is staging's own (its traffic steps and on_rollback levels), beside production's", async (t) => {
  // A failure in the staging phase runs staging's rollback and its levels (production untouched); the plan
  // listed production's rollback only, so staging's flag switch and redeploy were never shown.
  const dir = tempDir(t);
  const at = '2026-12-01T10:00:00.000Z';
  for (const environment of ['staging', 'production'])
    await new FileStateStore(join(dir, 'state')).write({
      ...emptyRecord('local', environment, new Date(at)),
      seq: 1,
      live: { version: 'v1', slot: 'blue', since: at },
    });
  const parsed = parseConfig(
    `state_dir: ${dir}/state
target:
  commands:
    deploy: ./deploy.sh {{environment}} {{slot}} {{version}}
    switch: ./route.sh {{environment}} {{slot}}
    set_weight: ./weight.sh {{slot}} {{weight}}
environments:
  staging:
    strategy: blue-green
    hooks:
      on_rollback:
        - { name: flags, run: './flags.sh {{environment}} off' }
  production:
    staging: staging
    strategy: { type: canary, steps: [10] }
    hooks:
      on_rollback:
        - { name: code, run: './deploy.sh {{environment}} {{previous_version}}' }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const plan = planDeployment(parsed.config, 'production', 'v2');
  const shown = (actions: Array<{ description: string; run?: string }>) =>
    actions.map((a) => `${a.description}${a.run ? ` $ ${a.run}` : ''}`);
  assert.equal(plan.stagingRollback?.environment, 'staging');
  assert.deepEqual(shown(plan.stagingRollback.actions), [
    'switch traffic green → blue $ ./route.sh staging blue',
    'rollback level flags $ ./flags.sh staging off',
  ]);
  assert.deepEqual(shown(plan.rollback), [
    'set weight green=0% blue=100% $ ./weight.sh green 0',
    'rollback level code $ ./deploy.sh production v1',
  ]);
  const text = formatPlan(plan);
  assert.match(
    text,
    /\non failure in staging \(staging\), its rollback:\n {2}1\. switch traffic green → blue\n {7}\$ \.\/route\.sh staging blue\n {2}2\. rollback level flags\n/,
  );
  assert.match(text, /\non failure in production, rollback:\n {2}1\. set weight green=0% blue=100%\n/);
  const summary = renderPlanSummary(plan);
  assert.match(
    summary,
    /### rollback path on a failure in staging \(staging\)\n\n- switch traffic green → blue: /,
  );
  assert.match(summary, /### rollback path on a failure in production\n\n- set weight green=0% blue=100%: /);

  // A hotfix skips staging, and a rollback deployment goes straight back: no staging rollback to list.
  assert.equal(
    planDeployment(parsed.config, 'production', 'v2', undefined, { skipStaging: true }).stagingRollback,
    undefined,
  );
  assert.match(
    formatPlan(planDeployment(parsed.config, 'production', 'v2', undefined, { skipStaging: true })),
    /\non failure, rollback:\n/,
  );
});
