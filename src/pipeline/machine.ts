// One deployment as a pure state machine (DESIGN.md §1, §9a): `start(input)` and `next(state, event)` return
// the new state and the actions to perform; the executor (executor.ts) performs them and feeds the results
// back as events. Phases: validate → staging → production (backup/migrate hooks, then the strategy) → verify
// (smoke, analysis) → monitor → finalize. Any failure after the strategy started runs the rollback path: the
// strategy's rollback steps (traffic first), then the on_rollback levels. The strategies stay their own small
// machines (src/strategies), composed here. The outcome and its reason code come from this state, and so does
// the environment record (src/state/record.ts) written after every transition. No I/O and no clock in here:
// time comes in the input and in every event. `resume(input)` starts the machine from a persisted rollout
// whose owner died (reconcile, `on_orphan: resume`): see machine/resume.ts.
//
// This file is the machine's public face; its parts live in machine/, one concern each (each file says which):
// state.ts (the types), loop.ts (start, next, the task program), strategy.ts and waits.ts (the strategy's
// steps, people's control, waits and hand-offs), watch.ts, finalize.ts, rollback.ts, outcome.ts (how a run
// ends), records.ts and bookkeeping.ts (what every part shares), resume.ts.
export { MAX_IN_JOB_SCALE_DOWN_WAIT_MS } from './machine/finalize.ts';
export type {
  Action,
  CommandName,
  MachineEvent,
  MachineInput,
  MachineTransition,
  PipelineState,
  StoredRecord,
  Track,
  TrackId,
} from './machine/state.ts';
export { next, start } from './machine/loop.ts';
export { outcomeOf } from './machine/outcome.ts';
export { MONITOR_WINDOW } from './machine/watch.ts';
export { resume, type Handoff, type ResumeMachineInput } from './machine/resume.ts';
