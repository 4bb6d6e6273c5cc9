// A driver for the pipeline machine alone (src/pipeline/machine.ts): plain values in, state and actions out.
// It plays the world (step results, command failures, gates, cancellation at a chosen point, the control
// requests people made) and collects what the machine asked for. Shared by the machine's unit tests.
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.ts';
import {
  resolveEnvironment,
  type ResolvedEnvironment,
  type ResolveOverrides,
} from '../../src/config/resolve.ts';
import type { GatesReport } from '../../src/gates/runner.ts';
import {
  next,
  resume,
  start,
  type Action,
  type MachineEvent,
  type MachineInput,
  type MachineTransition,
  type PipelineState,
  type StoredRecord,
} from '../../src/pipeline/machine.ts';
import type { PipelineEvent, PipelineResult } from '../../src/pipeline/events.ts';
import type { ControlRequest } from '../../src/control/request.ts';
import { describeStep } from '../../src/strategies/sequence.ts';
import type { Step, StepResult } from '../../src/strategies/types.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';
import { InternalErrorStop, stopClause, stoppedPhrase } from '../../src/util/internal-error-stop.ts';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

export function environment(
  yaml: string,
  name = 'production',
  overrides: ResolveOverrides = {},
): ResolvedEnvironment {
  // {{slot}} has a value only with the slot strategies; the others get commands without it.
  const slots = /blue-green|canary/.test(yaml);
  const at = slots ? ' {{slot}}' : '';
  // A canary with a fresh baseline tells the router the third backend (issue 15).
  const baseline = /baseline: fresh/.test(yaml) ? ' {{baseline_slot}} {{baseline_weight}}' : '';
  const text = `preset: fast
state_dir: /nonexistent
target:
  commands:
    deploy: deploy${at} {{version}}
    set_weight: set_weight {{slot}} {{weight}}${baseline}
    switch: switch {{slot}}
    health: health${at}
    teardown: teardown${at}
    rollback: rollback
environments:
${yaml}
`;
  const parsed = parseConfig(text, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  return resolveEnvironment(parsed.config, name, overrides);
}

export const stored = (record?: EnvironmentRecord): StoredRecord => ({ ok: true, record });

/** Reconcile going on with `record`'s rollout `afterMs` after T0 (its owner, process 42 on box, ended). */
export function resumeFrom(
  env: ResolvedEnvironment,
  record: EnvironmentRecord,
  afterMs = 3_600_000,
): MachineTransition {
  return resume({
    now: T0 + afterMs,
    env,
    record,
    repository: 'local',
    owner: { kind: 'workflow', runId: '999' },
    actor: 'reconcile:999',
    reason: 'its owner process 42 on box ended',
  });
}

export function liveRecord(environment: string, version = 'v1', slot = 'blue'): EnvironmentRecord {
  return {
    schema: 1,
    repository: 'local',
    environment,
    seq: 7,
    updatedAt: new Date(T0 - 1000).toISOString(),
    live: { version, slot, since: new Date(T0 - 1000).toISOString() },
    retired: [],
    history: [],
  };
}

export function input(env: ResolvedEnvironment, over: Partial<MachineInput> = {}): MachineInput {
  return {
    now: T0,
    env,
    version: 'v2',
    deploymentId: 'd-1',
    repository: 'local',
    owner: { kind: 'process', pid: 42, host: 'box' },
    skipGates: true,
    skipStaging: false,
    hasGates: false,
    live: { slot: 'blue', version: 'v1' },
    stored: stored(liveRecord(env.name)),
    ...over,
  };
}

export interface World {
  step?(step: Step, phase: string): StepResult;
  command?(label: string): string | undefined;
  gates?: GatesReport['status'];
  /** Cancel the job just before the n-th I/O action (0-based) is performed. */
  cancelBefore?: (action: Action, n: number) => boolean;
  /** Cancel while the n-th I/O action runs (its result carries `cancelled`). */
  cancelDuring?: (action: Action, n: number) => boolean;
  /**
   * The cancellation is an internal error's, not the job's (the process crashed; util/crash-guard.ts): its
   * message, given to next() once cancelled, as the executor reads it off the aborted signal.
   */
  stoppedBy?: string;
  /** With cancelDuring: the step's own result came in, the signal just after it (not a "cancelled" result). */
  finishedBeforeSignal?: boolean;
  error?: (action: Action) => string | undefined;
  /** What the store holds for an environment read during the run (staging); an empty record by default. */
  storedFor?: (track: string) => ReturnType<typeof stored> | undefined;
  /** The control requests people made, as the executor would read them at the n-th I/O action. */
  requests?: (n: number, action: Action) => readonly ControlRequest[];
  /** Why the record waited for before the n-th action (a `confirm_stored`) was not stored; stored if undefined. */
  notStored?: (action: Action, n: number) => string | undefined;
  /** An /abort the executor saw while the n-th action (a step) ran. */
  abortDuring?: (action: Action, n: number) => ControlRequest | undefined;
}

export interface Run {
  result: PipelineResult;
  actions: Action[];
  events: PipelineEvent[];
  persists: Array<Extract<Action, { kind: 'persist' }>>;
  ran: string[];
  states: PipelineState[];
}

export function drive(begin: MachineInput | MachineTransition, world: World = {}): Run {
  let t = 'actions' in begin ? begin : start(begin);
  let now = t.state.input.now;
  const actions: Action[] = [];
  const states: PipelineState[] = [t.state];
  let cancelled = false;
  // The run's signal once cancelled, as the executor has it: its reason says which stop it was (the job's, or
  // an internal error's), and the step reasons written from it say so (as the executor's and runners' do).
  const stop = AbortSignal.abort(
    world.stoppedBy === undefined ? new Error('SIGINT received') : new InternalErrorStop(world.stoppedBy),
  );
  let n = 0;
  for (let guard = 0; guard < 500; guard++) {
    let event: MachineEvent | undefined;
    for (const action of t.actions) {
      actions.push(action);
      if (action.kind === 'finish') {
        const run = (k: Action['kind']) => actions.filter((a) => a.kind === k);
        return {
          result: action.result,
          actions,
          events: (run('report') as Array<Extract<Action, { kind: 'report' }>>).map((a) => a.event),
          persists: run('persist') as Array<Extract<Action, { kind: 'persist' }>>,
          ran: actions.flatMap((a) =>
            a.kind === 'run_step'
              ? [`${a.track}:${describeStep(a.step)}`]
              : a.kind === 'run_command'
                ? [`${a.track}:${a.label}`]
                : [],
          ),
          states,
        };
      }
      if (action.kind === 'report' || action.kind === 'persist' || action.kind === 'flush') continue;
      now += 1000;
      if (!cancelled && world.cancelBefore?.(action, n)) cancelled = true;
      const during = !cancelled && world.cancelDuring?.(action, n) === true;
      if (during) cancelled = true;
      n++;
      const error = world.error?.(action);
      if (error) {
        event = { type: 'error', message: error, now };
        continue;
      }
      const flag = { now, cancelled: cancelled && !('cancellable' in action && !action.cancellable) };
      switch (action.kind) {
        case 'checkpoint':
          event = cancelled
            ? { type: 'cancelled', now }
            : { type: 'resumed', now, ...(world.requests ? { requests: world.requests(n, action) } : {}) };
          break;
        case 'await_control': {
          // The wait ends when the requests say so; else the in-job wait runs out (or never, without maxMs).
          const requests = world.requests?.(n, action) ?? [];
          event = { type: 'control', requests, timedOut: action.maxMs !== undefined, ...flag };
          break;
        }
        case 'run_gates': {
          const status = world.gates ?? 'PASS';
          const report = {
            schema: 1,
            status,
            reasons: [],
            gates: [],
            wallMs: 1,
            sumMs: 1,
          } as unknown as GatesReport;
          event = { type: 'gates_done', report, summary: `1 gate(s) in 1ms`, ...flag };
          break;
        }
        case 'read_state':
          event = {
            type: 'state_read',
            live: { slot: 'blue', version: 'v0' },
            stored: world.storedFor?.(action.track) ?? stored(),
            ...flag,
          };
          break;
        case 'prepare':
          event = { type: 'prepared', ...flag };
          break;
        case 'run_step': {
          const result = world.step?.(action.step, action.track) ?? { ok: true, analysis: 'promote' };
          const aborted = world.abortDuring?.(action, n - 1);
          // Cancelled before it began: never started, as the executor answers then.
          const notBegun = cancelled && !during && action.cancellable && !aborted;
          event = {
            type: 'step_done',
            result: notBegun
              ? { ok: false, reason: `not started: ${stopClause(stop)}`, untouched: 'not-started' }
              : ((cancelled && flag.cancelled) || aborted) && !(during && world.finishedBeforeSignal)
                ? { ok: false, reason: cancelled && flag.cancelled ? stoppedPhrase(stop) : 'cancelled' }
                : result,
            durationMs: 5,
            ...flag,
            // A step the signal does not stop (a teardown, a rollback step) ran on: said so, as the executor does.
            ...(cancelled && !action.cancellable ? { signalled: true } : {}),
            ...(aborted ? { aborted } : {}),
          };
          break;
        }
        case 'run_command': {
          const failure = world.command?.(action.label);
          event = {
            type: 'command_done',
            durationMs: 5,
            error: failure
              ? { message: failure, text: `CommandFailed: ${failure}`, commandFailed: true }
              : undefined,
            ...flag,
            // Cancelled before it began, as the executor answers then: it never ran.
            ...(cancelled && !during && action.cancellable ? { notBegun: true } : {}),
          };
          break;
        }
        case 'wait':
          event = { type: 'waited', ...flag };
          break;
        case 'confirm_stored': {
          const why = world.notStored?.(action, n - 1);
          // Cancelled by the time the write answered (stored or not): as the executor says it.
          event = {
            type: 'stored',
            now,
            ...(why !== undefined
              ? { notStored: why, ...(cancelled ? { cancelled: true } : {}) }
              : cancelled
                ? { signalled: true }
                : {}),
          };
          break;
        }
      }
    }
    assert.ok(
      event,
      `the machine stopped without finishing after ${JSON.stringify(t.actions.map((a) => a.kind))}`,
    );
    const before = structuredClone(t.state);
    t = next(t.state, event!, cancelled ? world.stoppedBy : undefined);
    assert.deepEqual(states.at(-1), before, 'next() changed the state it was given');
    states.push(t.state);
  }
  throw new Error('the machine did not finish in 500 transitions');
}
