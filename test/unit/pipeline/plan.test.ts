// `plan` shows every command in POSIX shell quoting: pasted into a shell, the line does exactly what the run
// would do (JSON quoting, "a$(touch x)", would run the substitution when pasted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPlan } from '../../../src/cli/main.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { planDeployment } from '../../../src/pipeline/plan.ts';

const NOTE = `a$(touch PWNED) \`touch PWNED\` it's "q"`;

test('plan prints argv and shell commands so that pasting them runs exactly that', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
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
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const parsed = parseConfig(
    `state_dir: ${dir}/state
target:
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
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const finalize = (rollback: boolean) =>
    planDeployment(
      parsed.config,
      'production',
      'v1.2',
      undefined,
      rollback ? { rollback: true } : {},
    ).phases.find((p) => p.phase === 'finalize')!.actions;
  // on_success runs in finalize itself, before the delayed hook's later run.
  assert.deepEqual(
    finalize(false).map((a) => a.description.split(':')[0]),
    [
      'record the live version; decommission the old slot after its delay',
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
    formatPlan(planDeployment(parsed.config, 'production', 'v1.2')),
    /hooks\.after_success: run by reconcile/,
  );
});
