// planControl in every rollout state (issue 14): a command is recorded only where it can act; elsewhere it
// is refused with a code and a message naming the state. A redelivered request is the one already recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planControl, recordedText } from '../../../app/deploy/control.ts';
import type { PlanInput } from '../../../app/deploy/control.ts';
import { CONTROL_VERBS } from '../../../src/control/request.ts';
import type { ControlRequest, ControlVerb } from '../../../src/control/request.ts';
import type { Rollout } from '../../../src/state/record.ts';
import type { ApproverDecision, DeployerDecision } from '../../../src/policy/index.ts';

const SHA = 'a'.repeat(40);
const NOW = new Date('2025-03-04T10:30:00Z');

const deployer = { ok: true, code: 'allowed', via: 'write_permission' } as unknown as DeployerDecision;
const approver = { ok: true, code: 'allowed', via: 'write_permission' } as unknown as ApproverDecision;

function rollout(over: Partial<Rollout> = {}): Rollout {
  return {
    deploymentId: '42',
    version: 'v3.0.0',
    sha: SHA,
    strategy: 'canary',
    phase: 'production',
    step: 2,
    steps: 5,
    weight: 25,
    startedAt: '2025-03-04T10:10:00.000Z',
    owner: { kind: 'workflow', runId: '7', runAttempt: '1' },
    recovery: [],
    ...over,
  };
}

function input(verb: ControlVerb, r: Rollout, existing: ControlRequest[] = [], id = 'comment:9'): PlanInput {
  return {
    verb,
    environment: 'production',
    login: 'alice',
    source: 'comment',
    id: () => id,
    deployer,
    approver,
    read: {
      ok: true,
      source: 'test',
      record: {
        schema: 1,
        repository: 'o/r',
        environment: 'production',
        seq: 1,
        updatedAt: NOW.toISOString(),
        retired: [],
        history: [],
        rollout: r,
      },
    },
    bindings: [{ what: 'the pull request', sha: SHA, pr: 1 }],
    existing,
    now: NOW,
  };
}

const request = (verb: ControlVerb, id: string, over: Partial<ControlRequest> = {}): ControlRequest => ({
  id,
  verb,
  by: 'carol',
  at: '2025-03-04T10:20:00.000Z',
  deploymentId: '42',
  sha: SHA,
  step: 2,
  source: 'comment',
  ...over,
});

const codeOf = (plan: ReturnType<typeof planControl>) => (plan.ok ? 'recorded' : plan.code);

test('after an /abort is recorded, every new command is refused as already_aborted, naming who aborted', () => {
  const abort = request('abort', 'comment:1');
  for (const verb of CONTROL_VERBS) {
    const plan = planControl(input(verb, rollout(), [abort]));
    assert.equal(codeOf(plan), 'already_aborted', verb);
    assert.match(plan.ok ? '' : plan.message, /aborted by @carol/);
  }
  // An /abort of an earlier attempt (before this rollout began) does not count.
  const old = request('abort', 'comment:0', { at: '2025-03-04T09:00:00.000Z' });
  assert.equal(codeOf(planControl(input('promote', rollout(), [old]))), 'recorded');
  // The /abort itself redelivered is the one recorded, not a refusal.
  const again = planControl(input('abort', rollout(), [abort], 'comment:1'));
  assert.ok(again.ok && again.duplicate && again.decision.action === 'abort');
});

test('a rollout rolling back refuses every command as rolling_back', () => {
  for (const verb of CONTROL_VERBS) {
    const plan = planControl(input(verb, rollout({ phase: 'rollback' })));
    assert.equal(codeOf(plan), 'rolling_back', verb);
    assert.match(plan.ok ? '' : plan.message, /rolling back/);
  }
});

test('the staging phase of a deployment is not steered: every command is refused as staging_rollout', () => {
  for (const verb of CONTROL_VERBS)
    assert.equal(codeOf(planControl(input(verb, rollout({ phase: 'staging' })))), 'staging_rollout', verb);
});

test('past its last step (verify, monitor) only /abort is taken; a handed-off monitor bake still takes /promote', () => {
  for (const phase of ['verify', 'monitor']) {
    const r = rollout({ phase, step: 4, weight: 100 });
    for (const verb of ['promote', 'pause', 'resume'] as const) {
      const plan = planControl(input(verb, r));
      assert.equal(codeOf(plan), 'past_last_step', `${verb} in ${phase}`);
      assert.match(plan.ok ? '' : plan.message, new RegExp(`${phase} phase`));
    }
    assert.equal(codeOf(planControl(input('abort', r))), 'recorded', `abort in ${phase}`);
  }
  const bake = rollout({
    phase: 'monitor',
    step: 4,
    wait: {
      kind: 'bake',
      step: 4,
      since: '2025-03-04T10:20:00.000Z',
      until: '2025-03-05T10:20:00.000Z',
      handedOff: true,
    },
  });
  const plan = planControl(input('promote', bake));
  assert.ok(plan.ok && plan.decision.action === 'go' && plan.startReconcile);
});

test('a redelivered /pause or /resume is the request already recorded, not already_paused or not_paused', () => {
  const pause = request('pause', 'comment:9');
  const paused = planControl(input('pause', rollout(), [pause]));
  assert.ok(paused.ok && paused.duplicate && paused.decision.action === 'hold');
  const resume = request('resume', 'button:5:alice:2:resume', { at: '2025-03-04T10:25:00.000Z' });
  const resumed = planControl(input('resume', rollout(), [pause, resume], resume.id));
  assert.ok(resumed.ok && resumed.duplicate);
  // A new /pause of a paused rollout is still refused, and a new /resume of a running one.
  assert.equal(codeOf(planControl(input('pause', rollout(), [pause], 'comment:10'))), 'already_paused');
  assert.equal(codeOf(planControl(input('resume', rollout(), [pause, resume], 'comment:10'))), 'not_paused');
});

test('a command after the rollout ended is answered with how the last one ended', () => {
  const ended = input('promote', rollout());
  if (!ended.read.ok) throw new Error('unreachable');
  const record = { ...ended.read.record!, rollout: undefined };
  record.history = [
    { at: '2025-03-04T10:25:00.000Z', by: 'workflow:7', event: 'rollback_started', code: 'rollout_aborted' },
    {
      at: '2025-03-04T10:26:00.000Z',
      by: 'workflow:7',
      event: 'rolled_back',
      code: 'rollout_aborted',
      version: 'v3.0.0',
    },
  ];
  for (const verb of CONTROL_VERBS) {
    const plan = planControl({ ...ended, verb, read: { ...ended.read, record } });
    assert.equal(codeOf(plan), 'no_rollout');
    assert.match(
      plan.ok ? '' : plan.message,
      /no rollout of `production` is in progress: the last one, `v3\.0\.0`, was rolled back \(`rollout_aborted`\) at `2025-03-04T10:26:00\.000Z`/,
    );
  }
});

test('an approver who is no deployer may not end a /pause with /promote (only deployers resume)', () => {
  const notDeployer = {
    ok: false,
    code: 'not_a_deployer',
    login: 'carol',
    why: 'not_listed',
    permission: 'write',
    deployers: ['alice'],
    also: [],
  } as unknown as DeployerDecision;
  const approval = rollout({
    wait: { kind: 'approval', step: 2, approvals: 1, since: '2025-03-04T10:15:00.000Z', handedOff: true },
  });
  const pause = request('pause', 'comment:1', { by: 'alice' });
  const asApprover = (existing: ControlRequest[]) =>
    planControl({ ...input('promote', approval, existing), login: 'carol', deployer: notDeployer });
  const held = asApprover([pause]);
  assert.equal(codeOf(held), 'not_a_deployer');
  assert.match(held.ok ? '' : held.message, /is paused, and a `\/promote` would resume it/);
  // Not paused: the approver's /promote approves the step as before.
  const approved = asApprover([]);
  assert.ok(approved.ok && approved.decision.action === 'go' && approved.startReconcile);
  // A deployer's /promote still ends the hold.
  const resumed = planControl(input('promote', approval, [pause]));
  assert.ok(resumed.ok && resumed.decision.action === 'go');
});

test('/promote --full never passes an approval step ahead; at the approval step itself, or with none ahead, it is taken', () => {
  const step = (s: Record<string, unknown>) => ({ step: s as never, reason: 'r' });
  const plan = [
    step({ kind: 'set_weight', weight: 10 }),
    step({ kind: 'wait', gate: 'manual', at: 'canary 10 %' }),
    step({ kind: 'set_weight', weight: 25 }),
    step({ kind: 'wait', gate: 'approval', approvals: 2, at: 'canary 25 %' }),
    step({ kind: 'set_weight', weight: 100 }),
  ];
  const at = (index: number, wait?: Rollout['wait']) =>
    rollout({ step: index, strategyState: { plan, index, holds: 0 }, ...(wait ? { wait } : {}) });
  const since = '2025-03-04T10:15:00.000Z';
  const full = (r: Rollout) => planControl({ ...input('promote', r), full: true });
  const manual = full(at(1, { kind: 'manual', step: 1, since, handedOff: true }));
  assert.equal(codeOf(manual), 'full_passes_approval');
  assert.match(manual.ok ? '' : manual.message, /approval step\(s\) at canary 25 %/);
  assert.equal(codeOf(full(at(0))), 'full_passes_approval', 'while a step runs');
  assert.equal(codeOf(full(rollout())), 'full_passes_approval', 'a record without its plan');
  // Without --full the manual step is promoted as before.
  assert.equal(
    codeOf(planControl(input('promote', at(1, { kind: 'manual', step: 1, since, handedOff: true })))),
    'recorded',
  );
  // At the approval step, --full is for after it: its own approvers decide it.
  const approval = full(at(3, { kind: 'approval', step: 3, approvals: 2, since, handedOff: true }));
  assert.ok(approval.ok && approval.request.full === true);
});

test("the same person's second /promote at an approval: N step is recorded, counts once, and the reply says so", () => {
  const approval = rollout({
    wait: { kind: 'approval', step: 2, approvals: 2, since: '2025-03-04T10:15:00.000Z', handedOff: true },
  });
  // alice approved already (another comment); she comments /promote again.
  const first = request('promote', 'comment:1', { by: 'alice', approver: true });
  const again = planControl(input('promote', approval, [first]));
  assert.ok(again.ok && !again.duplicate, codeOf(again));
  assert.ok(again.alreadyCounted, 'told apart from a new approval');
  assert.ok(again.decision.action === 'wait' && again.decision.approvers?.length === 1);
  const text = recordedText(again, 'production');
  assert.match(
    text,
    /; the approval of @alice was already counted \(each approver counts once\)\. Waiting for 1 more approval\(s\) \(so far: @alice\): another approver replies `\/promote production`\./,
  );
  // Someone else's first approval is no repeat, nor is alice's when she had not approved yet.
  const other = planControl({ ...input('promote', approval, [first]), login: 'bob' });
  assert.ok(other.ok && !other.alreadyCounted);
  const fresh = planControl(input('promote', approval, []));
  assert.ok(fresh.ok && !fresh.alreadyCounted);
  assert.doesNotMatch(recordedText(fresh, 'production'), /already counted/);
});
