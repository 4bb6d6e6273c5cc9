// Rollback levels escalate (seed 04: feature flag, then config, then code): a level runs only when the ones
// before were not enough. Driven through the pipeline machine with a fake world (machine-driver.ts), then the
// record through the reports that show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeStep } from '../../../src/strategies/sequence.ts';
import type { Step, StepResult } from '../../../src/strategies/types.ts';
import type { RollbackLevelRecord } from '../../../src/pipeline/events.ts';
import { rollbackShortfall } from '../../../src/pipeline/rollback-shortfall.ts';
import { renderJobSummary } from '../../../src/report/job-summary.ts';
import { renderDeploymentRecord } from '../../../src/report/record.ts';
import { terminalReporter } from '../../../src/report/terminal.ts';
import { formatStatus } from '../../../src/cli/status.ts';
import { recordRefusal } from '../../../src/pipeline/machine/records.ts';
import { drive, environment, input, type Run, type World } from '../../helpers/machine-driver.ts';

const CANARY = '    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }\n';

/** The seed's three levels: the first two verify (the second with its own timeout), the last does not. */
const SEED_LEVELS = `      on_rollback:
        - name: flag
          run: flag off
          verify: flag check
        - name: config
          run: config previous
          verify: { run: config check, timeout: 30s }
        - name: code
          run: code revert
`;

const failCanary = (step: Step): StepResult =>
  describeStep(step) === 'analysis (canary-step at 25%)'
    ? { ok: false, reason: 'error rate too high' }
    : { ok: true, analysis: 'promote' };

function rollBack(levels: string, world: World = {}, strategy = CANARY): Run {
  const env = environment(`  production:\n${strategy}    hooks:\n${levels}`);
  return drive(input(env), { step: failCanary, ...world });
}

/** What ran once traffic was back (the level commands and their verifies). */
const levelsRan = (r: Run) =>
  r.ran.filter((s) => s.startsWith('production:rollback:')).map((s) => s.slice('production:'.length));

const outcome = (l: RollbackLevelRecord) =>
  l.skipped
    ? `skipped (${l.skipped.code}: ${l.skipped.level})`
    : `${l.ok ? 'ok' : 'failed'}${l.verify ? `, verify ${l.verify.ok ? 'passed' : 'failed'}` : ''}`;
const levelsOf = (r: Run) => r.result.rollbacks[0]!.levels.map((l) => [l.name, outcome(l)]);

test('level 1 is enough (its verify passes): levels 2 and 3 are not run, recorded skipped, the rollback complete', () => {
  const r = rollBack(SEED_LEVELS);
  assert.equal(r.result.status, 'rolled_back');
  assert.deepEqual(levelsRan(r), ['rollback:flag', 'rollback:flag:verify']);
  assert.deepEqual(levelsOf(r), [
    ['flag', 'ok, verify passed'],
    ['config', 'skipped (level_sufficed: flag)'],
    ['code', 'skipped (level_sufficed: flag)'],
  ]);
  const rb = r.result.rollbacks[0]!;
  assert.equal(rb.ok, true);
  assert.equal(rb.levels[1]!.detail, 'skipped: level flag was enough (its verify passed)');
  // The verify ran after traffic was back, as the rollback's last I/O before the report.
  const kinds = r.actions.filter((a) => a.kind === 'run_step' || a.kind === 'run_command');
  const verify = kinds.at(-1)!;
  assert.equal(verify.kind, 'run_command');
  assert.equal(verify.kind === 'run_command' && verify.command, 'on_rollback_verify');
  assert.equal(verify.kind === 'run_command' && verify.cancellable, false, 'a rollback is not cancellable');
});

test("level 1's verify fails: level 2 runs (escalation) and is enough; level 3 is skipped", () => {
  const r = rollBack(SEED_LEVELS, {
    command: (label) => (label === 'rollback:flag:verify' ? 'exit 1' : undefined),
  });
  assert.deepEqual(levelsRan(r), [
    'rollback:flag',
    'rollback:flag:verify',
    'rollback:config',
    'rollback:config:verify',
  ]);
  assert.deepEqual(levelsOf(r), [
    ['flag', 'ok, verify failed'],
    ['config', 'ok, verify passed'],
    ['code', 'skipped (level_sufficed: config)'],
  ]);
  assert.equal(r.result.rollbacks[0]!.levels[0]!.verify!.detail, 'exit 1');
  assert.equal(r.result.rollbacks[0]!.ok, true);
  assert.equal(r.result.status, 'rolled_back');
});

test("level 1's run fails: its verify is not run, level 2 runs and is enough; the rollback is complete", () => {
  const r = rollBack(SEED_LEVELS, {
    command: (label) => (label === 'rollback:flag' ? 'flag service down' : undefined),
  });
  assert.deepEqual(levelsRan(r), ['rollback:flag', 'rollback:config', 'rollback:config:verify']);
  assert.deepEqual(levelsOf(r), [
    ['flag', 'failed'],
    ['config', 'ok, verify passed'],
    ['code', 'skipped (level_sufficed: config)'],
  ]);
  const rb = r.result.rollbacks[0]!;
  assert.equal(rb.ok, true, 'the next level was enough: nothing is left undone');
  assert.deepEqual(rollbackShortfall(rb), { kind: 'complete' });
  assert.equal(r.result.status, 'rolled_back');
});

test('no level is enough: every level runs; the last, without verify, decides as before', () => {
  const r = rollBack(SEED_LEVELS, {
    command: (label) => (label.endsWith(':verify') ? 'still broken' : undefined),
  });
  assert.deepEqual(levelsRan(r), [
    'rollback:flag',
    'rollback:flag:verify',
    'rollback:config',
    'rollback:config:verify',
    'rollback:code',
  ]);
  assert.deepEqual(levelsOf(r), [
    ['flag', 'ok, verify failed'],
    ['config', 'ok, verify failed'],
    ['code', 'ok'],
  ]);
  assert.equal(r.result.rollbacks[0]!.ok, true);
});

test("the last level's verify fails: nothing was enough, the rollback is incomplete and says which level", () => {
  const levels = `      on_rollback:
        - name: flag
          run: flag off
          verify: flag check
        - name: code
          run: code revert
          verify: code check
`;
  const r = rollBack(levels, {
    command: (label) => (label.endsWith(':verify') ? 'still broken' : undefined),
  });
  assert.deepEqual(levelsRan(r), [
    'rollback:flag',
    'rollback:flag:verify',
    'rollback:code',
    'rollback:code:verify',
  ]);
  const rb = r.result.rollbacks[0]!;
  assert.equal(rb.ok, false);
  assert.deepEqual(rollbackShortfall(rb), { kind: 'incomplete', left: ['level code (its verify failed)'] });
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'rollback_failed');
});

test('a level left undone keeps the rollout in the record, saying so, for reconcile; a complete rollback drops it', () => {
  // The traffic steps all went back, the last level failed: the run dropped the rollout (nothing of its
  // recovery was left), so the record no longer said a level was undone and no reconcile would run it.
  const levels = `      on_rollback:
        - name: flag
          run: flag off
        - name: code
          run: code revert
`;
  const failed = rollBack(levels, {
    command: (label) => (label === 'rollback:code' ? 'git is down' : undefined),
  });
  assert.equal(failed.result.code, 'rollback_failed');
  const kept = failed.persists.at(-1)!.record.rollout;
  assert.ok(kept, 'the rollout stays in the record');
  assert.deepEqual(kept.recovery, [], 'every traffic step went back');
  assert.deepEqual(kept.levelsUndone, ['level code']);
  assert.equal(kept.weight, 0, 'its traffic is back: the new version serves none');
  assert.match(
    formatStatus('production', failed.persists.at(-1)!.record),
    /\n {2}undone: {3}level code of its rollback: a reconcile runs the on_rollback levels again \(.*`deploy-action reconcile -e production`.*\n/,
  );
  const done = rollBack(levels);
  assert.equal(done.result.rollbacks[0]!.ok, true);
  assert.equal(done.persists.at(-1)!.record.rollout, undefined);
});

test('a rollout kept for an undone level says why, what refuses the next deployment, and the way out of a level that cannot succeed', () => {
  // The next deployment said "its traffic may still be split ... reconcile rolls it back or resumes it",
  // and the run only "check production now": nothing said a level that never succeeds blocks every deployment,
  // nor that reconcile runs the config's levels (fixed, or taken out once done by hand).
  const levels = `      on_rollback:
        - name: flag
          run: flag off
        - name: code
          run: code revert
`;
  const failed = rollBack(levels, {
    command: (label) => (label === 'rollback:code' ? 'git is down' : undefined),
  });
  const way =
    /a reconcile runs the on_rollback levels again .*deploy-action reconcile -e production.*mode: reconcile.*until then a deployment of production is refused \(rollout_unfinished\).*fix its run or verify in deploy\.yml.*take it out of on_rollback once what it undoes is done by hand/;
  assert.match(failed.result.message, /its rollback left level code undone/);
  assert.match(failed.result.message, way);
  const record = failed.persists.at(-1)!.record;
  const refusal = recordRefusal({ name: 'production', target: {} }, {
    ok: true,
    record,
    source: 'test',
  } as Parameters<typeof recordRefusal>[1]);
  assert.equal(refusal?.kind, 'unfinished');
  assert.match(refusal.message, /was rolled back, but its rollback left level code undone/);
  assert.match(refusal.message, way);
  assert.doesNotMatch(refusal.message, /traffic may still be split|rolls it back or resumes it/);
  assert.match(formatStatus('production', record), /undone: {3}level code of its rollback: a reconcile runs/);
});

test('a level without verify never stops the escalation: after it, a level that verifies stops it', () => {
  const levels = `      on_rollback:
        - name: flag
          run: flag off
        - name: config
          run: config previous
          verify: config check
        - name: code
          run: code revert
`;
  const r = rollBack(levels);
  assert.deepEqual(levelsRan(r), ['rollback:flag', 'rollback:config', 'rollback:config:verify']);
  assert.deepEqual(levelsOf(r), [
    ['flag', 'ok'],
    ['config', 'ok, verify passed'],
    ['code', 'skipped (level_sufficed: config)'],
  ]);
});

test('without verify every level runs, in order, as before (a failed one fails the rollback)', () => {
  // Unchanged behaviour, kept: this passes on the code before verify existed too.
  const levels = `      on_rollback:
        - name: flag
          run: flag off
        - name: config
          run: config previous
        - name: code
          run: code revert
`;
  const r = rollBack(levels, { command: (label) => (label === 'rollback:config' ? 'exit 2' : undefined) });
  assert.deepEqual(levelsRan(r), ['rollback:flag', 'rollback:config', 'rollback:code']);
  assert.deepEqual(
    r.result.rollbacks[0]!.levels.map((l) => [l.name, l.ok, l.detail]),
    [
      ['flag', true, 'done'],
      ['config', false, 'exit 2'],
      ['code', true, 'done'],
    ],
  );
  assert.equal(r.result.rollbacks[0]!.ok, false);
  assert.deepEqual(
    r.result.rollbacks[0]!.levels.map((l) => Object.keys(l).sort()),
    [0, 1, 2].map(() => ['detail', 'durationMs', 'name', 'ok']),
    'a level without verify is recorded exactly as before',
  );
});

test('verify: health runs the health checks on the slot traffic went back to; unhealthy escalates', () => {
  const levels = `      on_rollback:
        - name: flag
          run: flag off
          verify: health
        - name: config
          run: config previous
          verify: health
        - name: code
          run: code revert
`;
  let healthChecks = 0;
  const r = rollBack(levels, {
    step: (step) => {
      if (step.kind === 'health' && step.slot === 'blue' && ++healthChecks === 1)
        return { ok: false, reason: 'GET /health answered 503' };
      return failCanary(step);
    },
  });
  const after = r.ran.slice(r.ran.indexOf('production:teardown on green') + 1);
  assert.deepEqual(after, [
    'production:rollback:flag',
    'production:health check on blue',
    'production:rollback:config',
    'production:health check on blue',
  ]);
  assert.deepEqual(levelsOf(r), [
    ['flag', 'ok, verify failed'],
    ['config', 'ok, verify passed'],
    ['code', 'skipped (level_sufficed: config)'],
  ]);
  assert.equal(r.result.rollbacks[0]!.levels[0]!.verify!.detail, 'GET /health answered 503');
  const health = r.actions.filter(
    (a) => a.kind === 'run_step' && a.step.kind === 'health' && a.step.slot === 'blue',
  );
  assert.ok(health.every((a) => a.kind === 'run_step' && !a.cancellable));
});

test('verify: health with a strategy without slots checks the environment as a whole', () => {
  const levels = `      on_rollback:
        - name: flag
          run: flag off
          verify: health
        - name: code
          run: code revert
`;
  const env = environment(`  production:\n    hooks:\n${levels}`);
  const r = drive(input(env), {
    step: (step) =>
      step.kind === 'analysis'
        ? { ok: false, reason: 'error rate too high' }
        : { ok: true, analysis: 'promote' },
  });
  // direct rolls back with rollback + health, then the level and its verify (a health check, no slot).
  assert.deepEqual(r.ran.slice(-4), [
    'production:rollback',
    'production:health check',
    'production:rollback:flag',
    'production:health check',
  ]);
  assert.deepEqual(levelsOf(r), [
    ['flag', 'ok, verify passed'],
    ['code', 'skipped (level_sufficed: flag)'],
  ]);
});

test('the job summary, the deployment record and the terminal say which levels ran, were enough, or were skipped and why', () => {
  const r = rollBack(SEED_LEVELS, {
    command: (label) => (label === 'rollback:flag:verify' ? 'flag still on' : undefined),
  });
  // Read as shown: without the Markdown escapes and the joiner that keeps "word:" from being a link scheme.
  const shown = (md: string) => md.replace(/\u200d/g, '').replace(/\\/g, '');
  const summary = shown(renderJobSummary(r.result));
  assert.match(summary, /\| level: flag \| ⚠️ done; verify failed: flag still on \|/);
  assert.match(summary, /\| level: config \| ✅ enough \(verify passed\) \|/);
  assert.match(summary, /\| level: code \| ⏭️ skipped: level config was enough \(its verify passed\) \|/);

  const record = shown(renderDeploymentRecord(r.result, { type: 'standard' }));
  assert.match(record, /- Level flag: done; verify failed: flag still on/);
  assert.match(record, /- Level config: done; verify passed: enough/);
  assert.match(record, /- Level code: skipped: level config was enough \(its verify passed\)/);

  const out: string[] = [];
  const terminal = terminalReporter({ write: (t) => out.push(t), color: false });
  for (const e of r.events) terminal.event(e);
  const text = out.join('');
  assert.match(text, /! rollback level flag: done; verify failed: flag still on/);
  assert.match(text, /✓ rollback level config: done; verify passed: enough/);
  assert.match(text, /- rollback level code: skipped: level config was enough/);
});

test('a record from before verify existed (levels with name, ok, detail, durationMs only) still reads as before', () => {
  const old = {
    ok: false,
    steps: [],
    levels: [
      { name: 'flag', ok: true, detail: 'done', durationMs: 5 },
      { name: 'config', ok: false, detail: 'exit 2', durationMs: 5 },
    ],
  };
  assert.deepEqual(rollbackShortfall(old), { kind: 'incomplete', left: ['level config'] });
});
