// A deployment interrupted anywhere: cancelled during any action it performs (gates, hooks, every strategy
// step, verify, monitor, finalize), or killed (SIGKILL) right after any record write it made, the rollback's
// included. A model of the router follows every traffic step; what must hold:
// - a cancelled run ends with all traffic on the stable version, starts nothing forward after the
//   cancellation, runs each hook at most once, and exits 130;
// - a killed run leaves a record whose recovery, run from wherever the traffic can be at that moment (any
//   step started before the next write the run waited for may have run), puts all traffic on stable;
// - that record, resumed (reconcile, on_orphan: resume), never runs a hook again nor moves the traffic back
//   to an earlier share than it may have reached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Action } from '../../../src/pipeline/machine.ts';
import { checkResumable } from '../../../src/pipeline/resume-check.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import type { Step } from '../../../src/strategies/types.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { drive, environment, input, resumeFrom, type Run } from '../../helpers/machine-driver.ts';

const HOOKS = `    hooks:
      backup: backup-db
      migrate: migrate-db
      on_rollback:
        - name: flag
          run: flag off
          verify: health
        - name: config
          run: config previous
          verify: config check
`;

const STRATEGIES = {
  canary: '{ type: canary, steps: [5, 25, 50, 100], pause: 0 }',
  'blue-green': '{ type: blue-green, scale_down_delay: 30s }',
  rolling: '{ type: rolling, instances: [a, b, c, d], max_unavailable: 2, pause: 10s }',
  direct: 'direct',
} as const;

function envFor(strategy: keyof typeof STRATEGIES, onOrphan: 'rollback' | 'resume'): ResolvedEnvironment {
  return environment(
    `  production:\n    strategy: ${STRATEGIES[strategy]}\n    on_orphan: ${onOrphan}\n    monitor: 1m\n    smoke: smoke-test\n${HOOKS}`,
  );
}

/** Where traffic is: the new version's share (slots), or the instances serving it (rolling, direct). */
type Traffic = { share: number; onNew: ReadonlySet<string> };
const STABLE: Traffic = { share: 0, onNew: new Set() };
const stable = (t: Traffic) => t.share === 0 && t.onNew.size === 0;

/** What a traffic step does to the router (slot strategies: green is the new slot, blue the stable one). */
function apply(t: Traffic, step: Step): Traffic {
  switch (step.kind) {
    case 'set_weight':
      return { ...t, share: step.slot === 'green' ? step.weight : 100 - step.weight };
    case 'switch':
      return { ...t, share: step.slot === 'green' ? 100 : 0 };
    case 'deploy':
      if (step.instances) return { ...t, onNew: new Set([...t.onNew, ...step.instances]) };
      // Direct deploys in place: the new version serves; the previous one back means stable again.
      if (step.slot === undefined) return { ...t, onNew: new Set(step.version === 'previous' ? [] : ['*']) };
      return t;
    case 'rollback':
      return {
        ...t,
        onNew: step.instances ? new Set([...t.onNew].filter((i) => !step.instances!.includes(i))) : new Set(),
      };
    case 'teardown':
      if (step.slot === 'green') assert.equal(t.share, 0, 'the new slot torn down while it serves');
      return t;
    default:
      return t;
  }
}

const applyAll = (t: Traffic, steps: readonly Step[]) => steps.reduce(apply, t);
const show = (t: Traffic) => `share ${t.share}, on new: ${[...t.onNew].join(',') || 'none'}`;

/** The I/O actions a run performed, in order (what the driver counts for cancelBefore/cancelDuring). */
function ioActions(r: Run): Action[] {
  return r.actions.filter((a) => !['report', 'persist', 'flush', 'finish'].includes(a.kind));
}

/**
 * For each record write: the traffic states the run can be in when killed with that write the last one
 * stored. Writes land in order; the run waits only for some (`wait`), so every step issued before the next
 * waited-for write may have run, each in full or not at all (a step in progress: either).
 */
function killPoints(r: Run): Array<{ record: EnvironmentRecord; states: Traffic[]; at: number }> {
  const points: Array<{ record: EnvironmentRecord; states: Traffic[]; at: number }> = [];
  let traffic = STABLE;
  r.actions.forEach((action, i) => {
    if (action.kind === 'run_step') traffic = apply(traffic, action.step);
    if (action.kind !== 'persist' || action.record.environment !== 'production') return;
    const states = [traffic];
    let after = traffic;
    for (const later of r.actions.slice(i + 1)) {
      if (later.kind === 'persist' && later.wait) break;
      if (later.kind === 'run_step') {
        after = apply(after, later.step);
        states.push(after);
      }
    }
    points.push({ record: action.record, states, at: i });
  });
  return points;
}

/** Every run worth interrupting: the one that succeeds, and one cancelled during each action it performs. */
function runs(env: ResolvedEnvironment): Array<{ name: string; run: Run; cancelAt?: number }> {
  const whole = drive(input(env));
  assert.equal(whole.result.status, 'succeeded', whole.result.message);
  const count = ioActions(whole).length;
  const out: Array<{ name: string; run: Run; cancelAt?: number }> = [{ name: 'not cancelled', run: whole }];
  for (let n = 0; n < count; n++) {
    const action = ioActions(whole)[n]!;
    const what = action.kind === 'run_step' ? describeStep(action.step) : action.kind;
    const run = drive(input(env), { cancelDuring: (_, i) => i === n });
    out.push({ name: `cancelled during action ${n} (${what})`, run, cancelAt: n });
  }
  return out;
}

for (const strategy of Object.keys(STRATEGIES) as Array<keyof typeof STRATEGIES>) {
  test(`${strategy}: cancelled during any action, traffic ends on stable, nothing forward starts after it, hooks run once, exit 130`, () => {
    const env = envFor(strategy, 'rollback');
    const all = runs(env);
    const whole = ioActions(all[0]!.run);
    for (const { name, run, cancelAt } of all) {
      const io = ioActions(run);
      const hooks = run.ran.filter((s) => /:(backup|migrate)$/.test(s));
      assert.ok(new Set(hooks).size === hooks.length, `${name}: a hook ran twice: ${hooks.join(', ')}`);
      if (cancelAt === undefined) continue;
      const traffic = applyAll(
        STABLE,
        io.flatMap((a) => (a.kind === 'run_step' ? [a.step] : [])),
      );
      // Cancelled once the new release was live in the record (finalize): it stands; else rolled back.
      // Cancelled in the scale-down wait (or while its record was stored, just before it), the run says so;
      // during a step that must finish, it finished.
      if (run.result.record!.live?.version === 'v2') {
        // Cancelled in the scale-down wait, or while a record was stored with something still to start after
        // it (the wait, the old slot's teardown): that is not started, and the run says so.
        const left =
          io[cancelAt]!.kind === 'wait' ||
          (io[cancelAt]!.kind === 'confirm_stored' && whole.length > cancelAt + 1);
        assert.equal(run.result.status, left ? 'cancelled' : 'succeeded', `${name}: ${run.result.message}`);
        if (left) {
          assert.match(run.result.message, /^cancelled in finalize, after v2 went live/, name);
          assert.deepEqual(
            io.slice(cancelAt + 1).filter((a) => a.kind === 'run_step' || a.kind === 'run_command'),
            [],
            `${name}: started after the cancellation`,
          );
        }
        continue;
      }
      assert.equal(run.result.status, 'cancelled', `${name}: ${run.result.message}`);
      assert.equal(run.result.exitCode, 130, name);
      assert.ok(stable(traffic), `${name}: traffic left at ${show(traffic)}`);
      const after = io.slice(cancelAt + 1);
      const forward = after.filter((a) => 'cancellable' in a && a.cancellable);
      assert.deepEqual(forward, [], `${name}: started after the cancellation`);
      const record = run.result.record!;
      assert.equal(record.rollout, undefined, `${name}: the rollout is still in the record`);
      assert.equal(record.live?.version, 'v1', name);
      assert.equal(record.history.at(-1)?.event, 'cancelled', name);
    }
  });

  test(`${strategy}: killed after any record write, the record's recovery puts traffic on stable; resumed, no hook runs again and traffic never goes back`, () => {
    for (const onOrphan of ['rollback', 'resume'] as const) {
      const env = envFor(strategy, onOrphan);
      for (const { name, run } of runs(env)) {
        for (const { record, states, at } of killPoints(run)) {
          const where = `${onOrphan}, ${name}, killed after write ${record.seq} (action ${at})`;
          const recovery = record.rollout?.recovery ?? [];
          for (const state of states) {
            const end = applyAll(state, recovery);
            // Live in the record already (finalize): the new version serving everything is right.
            const live = !record.rollout && record.live?.version === 'v2';
            if (!live) assert.ok(stable(end), `${where}: recovery ends at ${show(end)} from ${show(state)}`);
          }
          if (!record.rollout || !checkResumable(env, record).ok) continue;
          const resumed = drive(resumeFrom(env, record));
          assert.deepEqual(
            resumed.ran.filter((s) => /:(backup|migrate)$/.test(s)),
            [],
            `${where}: a hook ran again on resume`,
          );
          const firstShare = resumed.actions.find(
            (a): a is Extract<Action, { kind: 'run_step' }> =>
              a.kind === 'run_step' && (a.step.kind === 'set_weight' || a.step.kind === 'switch'),
          );
          if (firstShare && strategy === 'canary') {
            const reached = Math.max(...states.map((s) => s.share));
            const share = apply(STABLE, firstShare.step).share;
            assert.ok(
              share >= Math.min(...states.map((s) => s.share)),
              `${where}: resumed at ${share}% though the router had ${reached}%`,
            );
          }
          assert.equal(resumed.result.status, 'succeeded', `${where}: ${resumed.result.message}`);
        }
      }
    }
  });
}
