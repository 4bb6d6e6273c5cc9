// Gate check runs (conclusion, output, annotations batched at GitHub's limit) and the Deployments tab
// statuses (every outcome's state, descriptions within GitHub's 140 characters whatever the message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANNOTATIONS_PER_REQUEST,
  annotationBatches,
  gateCheckName,
  gateCheckOutput,
  gateConclusion,
  MAX_ANNOTATIONS,
  toAnnotation,
} from '../../../src/report/github/gate-checks.ts';
import {
  deployConclusion,
  DESCRIPTION_MAX,
  finalStatus,
  phaseStatus,
  startStatus,
} from '../../../src/report/github/deployment-status.ts';
import type { Finding } from '../../../src/gates/types.ts';
import {
  PHASES,
  type OutcomeCode,
  type PipelineResult,
  type PipelineStatus,
} from '../../../src/pipeline/events.ts';
import { blocked, gate, HOSTILE, rolledBack, succeeded } from './fixtures.ts';

function findings(n: number, extra: Partial<Finding> = {}): Finding[] {
  return Array.from({ length: n }, (_, i) => ({
    path: `src/f${i}.ts`,
    line: i + 1,
    rule: 'lint.rule',
    message: `finding ${i}`,
    severity: 'warning' as const,
    ...extra,
  }));
}

test('gate conclusion and name', () => {
  assert.equal(gateConclusion(gate({ status: 'pass' })), 'success');
  assert.equal(gateConclusion(gate({ status: 'warn' })), 'neutral');
  assert.equal(gateConclusion(gate({ status: 'block' })), 'failure');
  assert.equal(gateCheckName('secrets'), 'gates / secrets');
});

test('annotations come in batches of at most 50, findings without a file left out', () => {
  const all = [...findings(120), ...findings(7, { path: undefined }), ...findings(3, { path: '' })];
  const batches = annotationBatches(all);
  assert.equal(ANNOTATIONS_PER_REQUEST, 50);
  assert.deepEqual(
    batches.map((b) => b.length),
    [50, 50, 20],
  );
  assert.deepEqual(
    batches.flat().map((a) => a.path),
    findings(120).map((f) => f.path),
  );
  assert.deepEqual(annotationBatches([]), []);
  assert.deepEqual(
    annotationBatches(findings(60), 25).map((b) => b.length),
    [25, 25, 10],
  );
});

test('annotations stop at MAX_ANNOTATIONS and the output says so', () => {
  const batches = annotationBatches(findings(MAX_ANNOTATIONS + 77));
  assert.equal(batches.flat().length, MAX_ANNOTATIONS);
  assert.ok(batches.every((b) => b.length <= ANNOTATIONS_PER_REQUEST));
  const output = gateCheckOutput(gate({ findings: findings(MAX_ANNOTATIONS + 77) }));
  assert.match(output.summary, new RegExp(`Only the first ${MAX_ANNOTATIONS} are shown as annotations`));
  // Findings without a file are not annotations, so they do not make the cap message appear.
  const mixed = gateCheckOutput(
    gate({ findings: [...findings(MAX_ANNOTATIONS), ...findings(10, { path: undefined })] }),
  );
  assert.doesNotMatch(mixed.summary, /Only the first/);
});

test('an annotation: levels, lines clamped, columns only on a single line', () => {
  const one = toAnnotation({ path: 'a.ts', line: 4, column: 7, rule: 'r', message: 'm', severity: 'error' });
  assert.deepEqual(one, {
    path: 'a.ts',
    start_line: 4,
    end_line: 4,
    start_column: 7,
    end_column: 7,
    annotation_level: 'failure',
    message: 'm',
    title: 'r',
  });
  const span = toAnnotation({
    path: 'a.ts',
    line: 4,
    endLine: 9,
    column: 7,
    rule: 'r',
    message: 'm',
    severity: 'notice',
  });
  assert.equal(span.end_line, 9);
  assert.equal(span.start_column, undefined);
  assert.equal(span.end_column, undefined);
  assert.equal(span.annotation_level, 'notice');
  const noLine = toAnnotation({ path: 'a.ts', rule: 'r', message: 'm', severity: 'warning' });
  assert.deepEqual([noLine.start_line, noLine.end_line, noLine.annotation_level], [1, 1, 'warning']);
  const backwards = toAnnotation({
    path: 'a.ts',
    line: 0,
    endLine: -3,
    rule: 'r',
    message: 'm',
    severity: 'warning',
  });
  assert.deepEqual([backwards.start_line, backwards.end_line], [1, 1]);
  const huge = toAnnotation({
    path: 'a.ts',
    rule: 'x'.repeat(1000),
    message: 'y'.repeat(70_000),
    severity: 'warning',
  });
  assert.ok(huge.message.length <= 60_000);
  assert.ok(huge.title!.length <= 255);
});

test('check output: findings without a file go to the text, escaped and bounded', () => {
  const output = gateCheckOutput(
    gate({
      name: 'secrets',
      status: 'block',
      summary: HOSTILE,
      findings: [
        ...findings(2),
        { rule: 'audit.cve', message: HOSTILE, severity: 'error' },
        ...findings(150, { path: undefined, message: 'z'.repeat(300) }),
      ],
    }),
  );
  assert.match(output.title, /^secrets: BLOCK: evil/);
  assert.ok(output.title.length <= 255);
  assert.match(output.summary, /^\*\*BLOCK\*\* \(required\) in 1\.5s/);
  assert.match(output.summary, /153 finding\(s\)\./);
  assert.doesNotMatch(output.summary, /<script>/);
  const text = output.text!;
  assert.match(text, /^Findings without a file:/);
  assert.match(text, /- audit\.cve: evil \\\| pipe &lt;script&gt;/);
  assert.match(text, /- … and 51 more$/);
  const huge = gateCheckOutput(
    gate({ findings: findings(150, { path: undefined, message: 'z'.repeat(5000) }) }),
  );
  assert.ok(huge.text!.length <= 65_535, `text is ${huge.text!.length} characters`);
  assert.equal(gateCheckOutput(gate({ findings: findings(3) })).text, undefined);
});

test('check output: GitHub counts its limit in bytes, so multi-byte findings never make the check run refused', () => {
  // A finding's message is often text of the code under review: 100 of 1,000 CJK characters are 300 KB.
  const wide = gateCheckOutput(
    gate({
      summary: '漢'.repeat(2000),
      findings: findings(100, { path: undefined, message: '漢'.repeat(1000) }),
    }),
  );
  for (const [field, value] of Object.entries({ summary: wide.summary, text: wide.text! }))
    assert.ok(Buffer.byteLength(value) <= 65_535, `${field} is ${Buffer.byteLength(value)} bytes`);
  assert.match(wide.text!, /^Findings without a file:/);
});

const STATUSES: Array<[PipelineStatus, OutcomeCode, string]> = [
  ['succeeded', 'deployed', 'success'],
  ['rolled_back', 'strategy_failed', 'failure'],
  ['rolled_back', 'verify_failed', 'failure'],
  ['blocked', 'gates_blocked', 'failure'],
  ['cancelled', 'cancelled', 'error'],
  ['paused', 'rollout_paused', 'failure'],
  // Handed off: the rollout is not finished, so the deployment stays in progress.
  ['waiting', 'rollout_waiting', 'in_progress'],
  ['rolled_back', 'rollout_aborted', 'failure'],
  ['failed', 'staging_failed', 'failure'],
  ['failed', 'hook_failed', 'failure'],
  ['failed', 'monitor_failed', 'failure'],
  ['failed', 'rollback_failed', 'error'],
  ['failed', 'internal_error', 'error'],
];

test('every pipeline status and code maps to a deployment state', () => {
  for (const [status, code, state] of STATUSES) {
    const r = { ...rolledBack(), status, code };
    assert.equal(finalStatus(r).state, state, `${status}/${code}`);
  }
  assert.match(finalStatus(succeeded()).description, /^deployed 1\.2\.3 with canary in 6m40s$/);
  assert.match(
    finalStatus(rolledBack()).description,
    /^rolled back: 1\.2\.2 serves again \[strategy_failed\]/,
  );
  assert.match(
    finalStatus({ ...rolledBack(), previousVersion: undefined }).description,
    /the previous version serves again/,
  );
  assert.match(finalStatus(blocked()).description, /^blocked before deploying: quality gates blocked/);
});

test('a rollout held on a failed batch (on_failure: pause) is not over: its deployment stays in progress', () => {
  const r = rolledBack();
  const held: PipelineResult = {
    ...r,
    status: 'paused',
    code: 'rollout_paused',
    message: 'rollout paused: health check on b: boom; paused at batch 2/3 (on_failure: pause)',
    rollbacks: [],
    record: {
      schema: 1,
      repository: 'o/r',
      environment: 'production',
      seq: 4,
      updatedAt: '2026-01-01T00:00:00.000Z',
      retired: [],
      history: [],
      rollout: {
        deploymentId: 'd-1',
        version: '1.2.3',
        strategy: 'rolling',
        phase: 'production',
        step: 2,
        steps: 6,
        startedAt: '2026-01-01T00:00:00.000Z',
        owner: { kind: 'workflow', runId: '41' },
        recovery: [],
        wait: {
          kind: 'hold',
          step: 2,
          since: '2026-01-01T00:00:00.000Z',
          by: 'on_failure: pause',
          handedOff: true,
        },
      },
    },
  };
  assert.equal(finalStatus(held).state, 'in_progress');
  assert.match(
    finalStatus(held).description,
    /^paused \[rollout_paused\]: rollout paused: health check on b: boom/,
  );
  assert.equal(deployConclusion(held), 'action_required');
});

test('a cancelled run says which version serves now, or that the rollback did not get there', () => {
  const cancelled = (r: PipelineResult): PipelineResult => ({
    ...r,
    status: 'cancelled',
    code: 'cancelled',
    message: 'cancelled; rolled back (traffic on stable)',
  });
  const rolled = cancelled(rolledBack());
  assert.deepEqual(finalStatus(rolled), { state: 'error', description: 'cancelled: 1.2.2 serves again' });
  assert.equal(
    finalStatus({ ...rolled, previousVersion: undefined }).description,
    'cancelled: the previous version serves again',
  );
  // A rollback that failed must not be reported as traffic back on the stable version.
  const incomplete = { ...rolled, rollbacks: rolled.rollbacks.map((r) => ({ ...r, ok: false })) };
  assert.equal(
    finalStatus(incomplete).description,
    'cancelled: the rollback did not complete, check production now',
  );
  assert.doesNotMatch(finalStatus(incomplete).description, /serves/);
  // Traffic went back and only the teardown was cut (the job's deadline): what serves is known.
  const cleanup = {
    ...rolled,
    rollbacks: rolled.rollbacks.map((r) => ({
      ...r,
      ok: false,
      steps: [
        ...r.steps,
        {
          ...r.steps[0]!,
          step: { kind: 'teardown' as const, slot: 'canary' },
          description: 'teardown on canary',
          result: { ok: false as const, reason: 'stopped unfinished' },
        },
      ],
    })),
  };
  assert.equal(
    finalStatus(cleanup).description,
    'cancelled: 1.2.2 serves again; cleanup did not finish on production, left for reconcile',
  );
  // Cancelled before traffic moved: what served before still does.
  const early = cancelled({ ...blocked(), previousVersion: '1.2.2' });
  assert.equal(finalStatus(early).description, 'cancelled before anything changed: 1.2.2 still serves');
  assert.equal(
    finalStatus({ ...early, previousVersion: undefined }).description,
    'cancelled before anything changed',
  );
  // After a migrate hook began: not "before anything changed" (the delivery metrics count it as a change).
  assert.equal(
    finalStatus({ ...early, hooksBegun: ["production's migrate"] }).description,
    "cancelled: 1.2.2 still serves, but production's migrate hook had begun and is not undone",
  );
  assert.equal(deployConclusion(rolled), 'cancelled');

  // Cancelled in finalize, the new version already live: the deployment succeeded, the run was cancelled.
  const finalize: PipelineResult = {
    ...succeeded(),
    status: 'cancelled',
    code: 'cancelled',
    message: 'cancelled in finalize, after 1.2.3 went live on production: blue was not torn down',
    live: { version: '1.2.3', slot: 'green' },
  };
  assert.deepEqual(finalStatus(finalize), {
    state: 'success',
    description:
      'deployed 1.2.3 with canary in 6m40s; cancelled in finalize, after 1.2.3 went live on production: blue was not torn down',
  });
  assert.doesNotMatch(finalStatus(finalize).description, /before anything changed|serves again/);
  assert.equal(deployConclusion(finalize), 'cancelled');
});

test('descriptions never pass 140 characters, even with a 10 kB message full of line breaks', () => {
  const message = `${'💥 boom\n'.repeat(1250)}`;
  for (const [status, code] of STATUSES) {
    const d = finalStatus({ ...rolledBack(), status, code, message }).description;
    assert.ok(d.length <= DESCRIPTION_MAX, `${status}: ${d.length}`);
    assert.doesNotMatch(d, /\n/);
    assert.ok(!/[\uD800-\uDBFF]$/.test(d.replace(/…$/, '')), 'no half emoji before the ellipsis');
  }
  const long = 'v'.repeat(128);
  for (const phase of PHASES) {
    const s = phaseStatus(phase, 'e'.repeat(100), long, 'blue-green');
    assert.ok(s.description.length <= DESCRIPTION_MAX, phase);
    assert.ok(s.description.startsWith(`${phase}:`), s.description);
    assert.equal(s.state, phase === 'validate' || phase === 'staging' ? 'queued' : 'in_progress');
  }
  assert.ok(startStatus(long, 'canary').description.length <= DESCRIPTION_MAX);
  assert.deepEqual(startStatus('1.0', 'canary'), { state: 'queued', description: 'starting: canary to 1.0' });
});

test('the deploy check run conclusion', () => {
  assert.equal(deployConclusion(succeeded()), 'success');
  assert.equal(deployConclusion(rolledBack()), 'failure');
  assert.equal(deployConclusion(blocked()), 'failure');
  assert.equal(deployConclusion({ ...blocked(), status: 'cancelled' }), 'cancelled');
  assert.equal(deployConclusion({ ...blocked(), status: 'paused' }), 'action_required');
  assert.equal(deployConclusion({ ...blocked(), status: 'waiting', code: 'rollout_waiting' }), 'neutral');
});

test("an annotation's message stays within GitHub's 64 KB in bytes (not characters), whole characters, never empty", () => {
  const wide = toAnnotation({
    path: 'a.ts',
    line: 1,
    rule: 'r',
    message: '日本🚀'.repeat(30_000),
    severity: 'error',
  });
  assert.ok(Buffer.byteLength(wide.message) <= 64 * 1024, `${Buffer.byteLength(wide.message)} bytes`);
  assert.ok(wide.message.endsWith('…') && !wide.message.includes('\uFFFD'));
  assert.equal(
    toAnnotation({ path: 'a.ts', rule: 'no-eval', message: '', severity: 'warning' }).message,
    'no-eval',
  );
  assert.equal(
    toAnnotation({ path: 'a.ts', rule: 'r', message: 'short', severity: 'notice' }).message,
    'short',
  );
});
