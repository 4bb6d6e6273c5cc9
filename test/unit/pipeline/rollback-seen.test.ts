// At the crash deadline the CLI's last result line and the Action's job summary said "its rollback had not
// ended" of every run still going, also of one stuck before any rollback began. They now say what the run's
// events tell: no rollback begun, one begun and still going, or one ended with the run still going after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  deadlineRollback,
  nextRollbackSeen,
  rollbackProgress,
  rollbackWatch,
  stoppedRunWords,
} from '../../../src/pipeline/rollback-seen.ts';
import { deadlineResult, runSoFar, scheduledDeadlineMessage } from '../../../src/cli/deadline-result.ts';
import { deadlineOutputs, deadlineSummary } from '../../../src/action/deadline-outcome.ts';
import { onCrash, onCrashDeadline, onRunStart, CRASH_IDLE } from '../../../src/util/crash-decision.ts';
import type { PipelineEvent, RollbackRecord } from '../../../src/pipeline/events.ts';
import { unfinishedAtDeadline } from '../../../src/reconcile/unfinished.ts';

const late = onCrashDeadline(onCrash(onRunStart(CRASH_IDLE), 0).watch)!;
const run = { environment: 'production', version: 'v2', strategy: 'canary', startedAtMs: 0 };
const start: PipelineEvent = {
  type: 'rollback-start',
  environment: 'production',
  reason: 'internal error',
  steps: ['set_weight'],
};
const record: RollbackRecord = {
  reason: 'internal error',
  environment: 'production',
  steps: [],
  levels: [],
  ok: true,
  durationMs: 5,
};
const end: PipelineEvent = { type: 'rollback-end', record };

test('rollbackWatch follows the rollback: none begun, begun, ended', () => {
  const watch = rollbackWatch();
  assert.equal(watch.seen(), 'not_begun');
  watch.reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
  assert.equal(watch.seen(), 'not_begun');
  watch.reporter.event(start);
  assert.equal(watch.seen(), 'running');
  watch.reporter.event(end);
  assert.equal(watch.seen(), 'ended');
  assert.equal(nextRollbackSeen('ended', start), 'running', 'a later rollback begun');
});

test('the words say whether a rollback had begun, and never that one had not ended when none began', () => {
  assert.equal(
    stoppedRunWords('not_begun', '15 min'),
    'had not ended 15 min later, and no rollback had begun',
  );
  assert.equal(stoppedRunWords('running', '15 min'), 'its rollback had not ended 15 min later');
  assert.equal(stoppedRunWords('ended', '15 min'), 'had not ended 15 min later, after its rollback ended');
});

test('the CLI at the crash deadline: its result message says what the events seen tell', () => {
  const message = (events: PipelineEvent[]): string => {
    const so = runSoFar(() => 0);
    for (const e of events) so.reporter.event(e);
    return deadlineResult(so.seen(), run, late, 'Error: boom', 1000).message ?? '';
  };
  const none = message([]);
  assert.match(none, /the run was stopped and had not ended 15 min later, and no rollback had begun: /, none);
  assert.doesNotMatch(none, /its rollback had not ended/);
  const going = message([start]);
  assert.match(going, /the run was stopped and its rollback had not ended 15 min later: /, going);
  const ended = message([start, end]);
  assert.match(ended, /had not ended 15 min later, after its rollback ended: /, ended);
  assert.doesNotMatch(ended, /its rollback had not ended/);
});

test('the Action at the crash deadline: its job summary says what the events seen tell', () => {
  const none = deadlineSummary('production', 'v2', late, { seen: 'not_begun', ended: [] });
  assert.match(none, /^## ❌ production: the stopped deployment of v2 did not end in time$/m, none);
  assert.match(none, /and had not ended 15 min later, and no rollback had begun: the action exited/, none);
  const going = deadlineSummary('production', 'v2', late, { seen: 'running', ended: [] });
  assert.match(going, /^## ❌ production: the rollback of v2 did not finish in time$/m, going);
  assert.match(going, /and its rollback had not ended 15 min later: the action exited/, going);
  const ended = deadlineSummary('production', 'v2', late, { seen: 'ended', ended: [record] });
  assert.match(ended, /^## ❌ production: the stopped deployment of v2 did not end in time$/m, ended);
  assert.match(ended, /after its rollback ended: the action exited/, ended);
  for (const text of [none, ended]) assert.doesNotMatch(text, /its rollback had not ended/);
});

// At the crash deadline the outcome said rollback_failed, rolled back, rollback `incomplete` of every run still
// going, also of one stuck before any rollback began (no rollback had run, none had failed).
const failedRecord: RollbackRecord = { ...record, ok: false };
test('deadlineRollback: rollback_failed only when a rollback began and is not known to have put traffic back', () => {
  assert.deepEqual(deadlineRollback('not_begun', []), {
    code: 'internal_error',
    rolledBack: false,
    rollback: undefined,
  });
  assert.deepEqual(deadlineRollback('running', []), {
    code: 'rollback_failed',
    rolledBack: true,
    rollback: 'incomplete',
  });
  assert.deepEqual(deadlineRollback('ended', [record]), {
    code: 'internal_error',
    rolledBack: true,
    rollback: 'complete',
  });
  assert.deepEqual(deadlineRollback('ended', [failedRecord]), {
    code: 'rollback_failed',
    rolledBack: true,
    rollback: 'incomplete',
  });
});

test('the CLI at the crash deadline: its result code says whether a rollback began, the status stays failed', () => {
  const result = (events: PipelineEvent[]) => {
    const so = runSoFar(() => 0);
    for (const e of events) so.reporter.event(e);
    return deadlineResult(so.seen(), run, late, 'Error: boom', 1000);
  };
  const none = result([]);
  assert.equal(none.status, 'failed');
  assert.equal(none.code, 'internal_error', 'no rollback began: none failed');
  assert.deepEqual(none.rollbacks, []);
  assert.equal(none.exitCode, 3, 'the record keeps the rollout: the environment must be checked');
  assert.equal(result([start]).code, 'rollback_failed');
  assert.equal(result([start]).rollbacks[0]?.ok, false);
  const ended = result([start, end]);
  assert.equal(ended.code, 'internal_error', 'its rollback completed');
  assert.match(
    ended.message ?? '',
    /Its rollback completed \(traffic back on the stable version\); check production now/,
  );
  assert.equal(result([start, { type: 'rollback-end', record: failedRecord }]).code, 'rollback_failed');
});

test('the Action at the crash deadline: its outputs say whether a rollback began, the summary lists them', () => {
  assert.deepEqual(deadlineOutputs({ seen: 'not_begun', ended: [] }), {
    status: 'failed',
    code: 'internal_error',
    'rolled-back': 'false',
  });
  assert.deepEqual(deadlineOutputs({ seen: 'running', ended: [] }), {
    status: 'failed',
    code: 'rollback_failed',
    'rolled-back': 'true',
    rollback: 'incomplete',
  });
  assert.deepEqual(deadlineOutputs({ seen: 'ended', ended: [record] }), {
    status: 'failed',
    code: 'internal_error',
    'rolled-back': 'true',
    rollback: 'complete',
  });
  const none = deadlineSummary('production', 'v2', late, { seen: 'not_begun', ended: [] });
  assert.match(
    none,
    /- Outputs: `status` `failed`, `code` `internal_error`, `rolled-back` `false`; exit code 3\./,
  );
  const ended = deadlineSummary('production', 'v2', late, { seen: 'ended', ended: [record] });
  assert.match(
    ended,
    /\*\*Its rollback completed \(traffic back on the stable version\), but the run did not end/,
  );
  assert.doesNotMatch(ended, /Traffic may not be back/);
});

// A rollback ended with only its teardown left (`rollback` `cleanup-incomplete`: traffic IS back on the stable
// version, action.yml) was said at the crash deadline as "traffic may not be back on the stable version" by the
// job summary, the CLI's result and reconcile's `unfinished`, contradicting that output.
test('at the crash deadline, a rollback with only its teardown left: traffic said back everywhere, code rollback_failed', () => {
  const cleanupLeft: RollbackRecord = {
    ...record,
    ok: false,
    steps: [
      {
        environment: 'production',
        phase: 'rollback',
        step: { kind: 'teardown', slot: 'green' },
        description: 'teardown on green',
        result: { ok: false, reason: 'teardown failed' },
        durationMs: 1,
      },
    ],
  };
  const seen = { seen: 'ended' as const, ended: [cleanupLeft] };
  assert.deepEqual(deadlineOutputs(seen), {
    status: 'failed',
    code: 'rollback_failed',
    'rolled-back': 'true',
    rollback: 'cleanup-incomplete',
  });
  const summary = deadlineSummary('production', 'v2', late, seen);
  assert.match(summary, /Its rollback put traffic back \(a teardown was left undone\)/);
  assert.doesNotMatch(summary, /Traffic may not be back/);
  const so = runSoFar(() => 0);
  so.reporter.event(start);
  so.reporter.event({ type: 'rollback-end', record: cleanupLeft });
  const result = deadlineResult(so.seen(), run, late, 'Error: boom', 1000);
  assert.equal(result.code, 'rollback_failed');
  assert.match(result.message ?? '', /Its rollback put traffic back \(a teardown was left undone\)/);
  assert.doesNotMatch(result.message ?? '', /is not known/);
  const unfinished = unfinishedAtDeadline('15 min', 'ended', [cleanupLeft]);
  assert.match(unfinished, /put traffic back on the stable version \(a teardown was left undone\)/);
  assert.doesNotMatch(unfinished, /may not be back/);
  assert.equal(rollbackProgress('ended', [cleanupLeft]), 'traffic_back');
});

// A scheduled run (deploy-action reconcile starting a due `run --at`) still going at the crash deadline: its
// `scheduled_runs` entry said "its rollback had not ended … the record keeps the rollout" also when the result line
// above it said internal_error with no rollback begun.
test('a scheduled run at the crash deadline: its scheduled_runs message says what the events seen tell', () => {
  const message = (events: PipelineEvent[]): string => {
    const so = runSoFar(() => 0);
    for (const e of events) so.reporter.event(e);
    return scheduledDeadlineMessage(so.seen(), late);
  };
  const none = message([]);
  assert.equal(
    none,
    'stopped by an internal error, had not ended 15 min later, and no rollback had begun: left unfinished; what its record keeps is for reconcile',
  );
  const going = message([start]);
  assert.equal(
    going,
    'stopped by an internal error, its rollback had not ended 15 min later: left unfinished; the record keeps the rollout for reconcile',
  );
  const ended = message([start, end]);
  assert.match(ended, /had not ended 15 min later, after its rollback ended: /);
  for (const text of [none, ended]) assert.doesNotMatch(text, /its rollback had not ended/);
});

// With no rollback begun, the run may have been stopped before its record's write of the rollout landed (the
// e2e crash test holds exactly that write): "the state record keeps the rollout" was said all the same.
test('at the crash deadline, no rollback begun: the record is said maybe to keep the rollout, not that it does', () => {
  const so = runSoFar(() => 0);
  const none = deadlineResult(so.seen(), run, late, 'Error: boom', 1000).message ?? '';
  assert.doesNotMatch(none, /The state record keeps the rollout/, none);
  assert.match(
    none,
    /Whether the state record keeps the rollout is not known \(the run may have been stopped before writing it\): a reconcile run \(deploy-action reconcile -e production\) takes up what it keeps; while it keeps one, deployments to production are refused$/,
    none,
  );
  const summary = deadlineSummary('production', 'v2', late, { seen: 'not_begun', ended: [] });
  assert.doesNotMatch(summary, /The state record keeps the rollout/, summary);
  assert.match(summary, /^- Whether the state record keeps the rollout is not known /m, summary);
  // A rollback begun: the rollout was written before traffic moved.
  so.reporter.event(start);
  assert.match(
    deadlineResult(so.seen(), run, late, 'Error: boom', 1000).message ?? '',
    /The state record keeps the rollout: a reconcile run rolls it back/,
  );
  assert.match(
    deadlineSummary('production', 'v2', late, { seen: 'running', ended: [] }),
    /^- The state record keeps the rollout: a reconcile run rolls it back/m,
  );
});

// The deadline's announcement said "stopping the commands still running (its rollback's too)" also of a run
// stuck before any rollback began.
test("the deadline's announcement names the rollback's commands only when one may be running", () => {
  const stopping = onCrash(onRunStart(CRASH_IDLE), 0).watch;
  const words = (progress: Parameters<typeof onCrashDeadline>[2]) =>
    onCrashDeadline(stopping, 1000, progress)!.message;
  assert.match(words(['none_begun']), /stopping the commands still running \(no rollback had begun\) before/);
  assert.match(
    words(['traffic_back']),
    /stopping the commands still running \(its rollback had ended\) before/,
  );
  assert.match(words(['not_completed']), /\(its rollback had ended\)/);
  for (const going of [['going'], [undefined], [], ['none_begun', 'going']] as const)
    assert.match(words(going), /stopping the commands still running \(its rollback's too\) before/);
  assert.match(words(['none_begun', 'traffic_back']), /\(no rollback is still running\)/);
  for (const quiet of [['none_begun'], ['traffic_back']] as const)
    assert.doesNotMatch(words(quiet), /rollback's too/);
});
