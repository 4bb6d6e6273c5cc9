// The pure side of ending an App deployment whose approved workflow run ended without the Action finishing it
// (app/deploy/run-record.ts): which run the App's own status names, whether a completion leaves the
// deployment an orphan, whether the record and the run as GitHub shows it now let the App end it, and which
// of a commit's deployments a run may deploy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SEVERAL_RUNS_DESCRIPTION,
  approvalNaming,
  approvedRunDescription,
  namingDecision,
  orphanDecision,
  orphanedRunDescription,
  rerunRunDescription,
  runClaim,
  runDeploymentCandidates,
  rejectedRunDescription,
  runNamedIn,
  waitingRunDescription,
} from '../../../app/deploy/run-record.ts';
import type { StateRead } from '../../../src/state/store.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';

const APP = 'deploy-action[bot]';
const app = { login: APP, type: 'Bot' };
const workflow = { login: 'github-actions[bot]', type: 'Bot' };
const person = { login: 'mallory', type: 'User' };
const RUN = { id: 4242, attempt: 1 };

test('each description the App writes names its run and attempt, read back as written', () => {
  for (const run of [RUN, { id: 9_007_199_254, attempt: 12 }]) {
    assert.deepEqual(runNamedIn(approvedRunDescription(run)), run);
    assert.deepEqual(runNamedIn(rerunRunDescription(run)), run);
    assert.deepEqual(runNamedIn(orphanedRunDescription(run, 'cancelled')), run);
    for (const d of [approvedRunDescription(run), rerunRunDescription(run), orphanedRunDescription(run, 'x')])
      assert.ok(d.length <= 140, d);
  }
  // Without its attempt (the rule did not read the run): the run alone.
  assert.deepEqual(runNamedIn(approvedRunDescription({ id: 4242 })), { id: 4242 });
  assert.deepEqual(runNamedIn(rerunRunDescription({ id: 4242 })), { id: 4242 });
  assert.equal(approvedRunDescription({ id: 4242 }), 'workflow run 4242 approved: deploying');
  assert.deepEqual(runNamedIn('workflow run 42421 approved'), { id: 42421 });
  assert.equal(runNamedIn('workflow run 4242x (attempt 1): y'), undefined);
  assert.equal(runNamedIn(undefined), undefined);
  assert.equal(runNamedIn('workflow run 0 (attempt 1)'), undefined);
  // A conclusion GitHub never sends is not repeated.
  assert.doesNotMatch(orphanedRunDescription(RUN, 'x <b>y</b>'), /<b>/);
});

test('the statuses of a run the App does not approve name it as the others do; only a stable code is repeated', () => {
  for (const run of [RUN, { id: 9_007_199_254, attempt: 12 }, { id: 4242 }]) {
    assert.deepEqual(runNamedIn(waitingRunDescription(run)), run);
    assert.deepEqual(runNamedIn(rejectedRunDescription(run, 'checks_not_green')), run);
    assert.deepEqual(runNamedIn(rejectedRunDescription(run, undefined)), run);
    assert.ok(rejectedRunDescription(run, 'x'.repeat(40)).length <= 140);
  }
  assert.equal(waitingRunDescription({ id: 4242 }), 'workflow run 4242 waiting for approvals');
  assert.equal(
    rejectedRunDescription(RUN, 'locked'),
    'workflow run 4242 (attempt 1) not let through (locked): nothing deploys',
  );
  assert.equal(
    rejectedRunDescription({ id: 4242 }, 'x <b>y</b>'),
    'workflow run 4242 not let through: nothing deploys',
  );
  // Each is a record of the run: its completion ends the deployment while it is the newest.
  for (const description of [waitingRunDescription(RUN), rejectedRunDescription(RUN, 'rejected')])
    assert.deepEqual(runClaim([{ state: 'pending', creator: app, description }], RUN, APP), {
      orphan: true,
      named: RUN,
    });
});

test('namingDecision: a run the App does not approve is named only where no other run, the Action or an end is', () => {
  const status = { state: 'pending', description: rejectedRunDescription(RUN, 'rejected') };
  const other = { state: 'queued', creator: app, description: approvedRunDescription({ id: 7, attempt: 1 }) };
  assert.deepEqual(namingDecision([], RUN, status, APP), { name: true });
  assert.deepEqual(namingDecision([{ state: 'queued', creator: app, description: 'x' }], RUN, status, APP), {
    name: true,
  });
  // Another run of the same deployment event approved (or waiting): its end decides, never this one's.
  assert.deepEqual(namingDecision([other], RUN, status, APP), { name: false, why: 'other_run' });
  const waitingOther = { state: 'pending', creator: app, description: waitingRunDescription({ id: 7 }) };
  assert.deepEqual(namingDecision([waitingOther], RUN, status, APP), { name: false, why: 'other_run' });
  assert.deepEqual(namingDecision([{ state: 'in_progress', creator: workflow }, other], RUN, status, APP), {
    name: false,
    why: 'runner_went_on',
  });
  for (const state of ['success', 'failure', 'error', 'inactive'])
    assert.deepEqual(namingDecision([{ state, creator: app }], RUN, status, APP), {
      name: false,
      why: 'ended',
    });
  // A forged status naming another run is nobody's: it does not stop the naming.
  assert.deepEqual(namingDecision([{ ...other, creator: person }], RUN, status, APP), { name: true });
  // This run's waiting status, then its rejection: named again; the very same status: a redelivery.
  const waiting = { state: 'pending', creator: app, description: waitingRunDescription(RUN) };
  assert.deepEqual(namingDecision([waiting], RUN, status, APP), { name: true });
  assert.deepEqual(namingDecision([{ ...status, creator: app }], RUN, status, APP), {
    name: false,
    why: 'already_named',
  });
  const later = {
    state: 'queued',
    creator: app,
    description: approvedRunDescription({ id: RUN.id, attempt: 2 }),
  };
  assert.deepEqual(namingDecision([later], RUN, status, APP), { name: false, why: 'later_attempt' });
});

test('approvalNaming: an approval names its run only where no other run let through is named, nor the Action', () => {
  const mine = approvedRunDescription(RUN);
  const other = { state: 'queued', creator: app, description: approvedRunDescription({ id: 7, attempt: 1 }) };
  const several = { state: 'queued', creator: app, description: SEVERAL_RUNS_DESCRIPTION };
  assert.equal(runNamedIn(SEVERAL_RUNS_DESCRIPTION), undefined, 'names no run: no end of one run ends it');
  assert.deepEqual(approvalNaming([], RUN, APP), { write: true, description: mine, several: false });
  // Another run of the same deployment event let through (approved, or a re-run's reopening): none named.
  for (const deploying of [other, { ...other, description: rerunRunDescription({ id: 7, attempt: 2 }) }])
    assert.deepEqual(approvalNaming([deploying], RUN, APP), {
      write: true,
      description: SEVERAL_RUNS_DESCRIPTION,
      several: true,
    });
  // A third one finds none named already: nothing more to write.
  assert.deepEqual(approvalNaming([several], RUN, APP), { write: false, why: 'already_named' });
  // Another run waiting or rejected deploys nothing: this one is named over it.
  for (const held of [waitingRunDescription({ id: 7 }), rejectedRunDescription({ id: 7 }, 'rejected')])
    assert.deepEqual(approvalNaming([{ state: 'pending', creator: app, description: held }], RUN, APP), {
      write: true,
      description: mine,
      several: false,
    });
  // The Action's status newest: a run of it deploys, nothing is written over it.
  assert.deepEqual(approvalNaming([{ state: 'in_progress', creator: workflow }, other], RUN, APP), {
    write: false,
    why: 'runner_went_on',
  });
  // A forged status naming another run is nobody's; this run's own waiting status is named over.
  assert.deepEqual(approvalNaming([{ ...other, creator: person }], RUN, APP), {
    write: true,
    description: mine,
    several: false,
  });
  assert.deepEqual(approvalNaming([{ state: 'queued', creator: app, description: mine }], RUN, APP), {
    write: false,
    why: 'already_named',
  });
  // A rejection is not named over several runs let through either.
  const status = { state: 'pending', description: rejectedRunDescription(RUN, 'rejected') };
  assert.deepEqual(namingDecision([several], RUN, status, APP), { name: false, why: 'other_run' });
});

test('a full page of statuses without one of the App’s or its runner’s cannot be told: no run is named over what it hides', () => {
  // Someone with `deployments: write` posts 100 statuses after another run's approval, pushing it off the one
  // page read: naming this run there would let its end end the deployment the other run deploys.
  const flood = Array.from({ length: 100 }, () => ({ state: 'queued', creator: person, description: 'x' }));
  const status = { state: 'pending', description: rejectedRunDescription(RUN, 'rejected') };
  assert.deepEqual(namingDecision(flood, RUN, status, APP), { name: false, why: 'unknown' });
  assert.deepEqual(approvalNaming(flood, RUN, APP), {
    write: true,
    description: SEVERAL_RUNS_DESCRIPTION,
    several: true,
  });
  // Fewer than a page: nothing is hidden, the run is named.
  assert.deepEqual(namingDecision(flood.slice(1), RUN, status, APP), { name: true });
  assert.deepEqual(approvalNaming(flood.slice(1), RUN, APP), {
    write: true,
    description: approvedRunDescription(RUN),
    several: false,
  });
});

test('runClaim: the App’s own newest status naming this run at this attempt or an earlier one is an orphan', () => {
  const named = (run: { id: number; attempt: number }, creator = app, state = 'queued') => ({
    state,
    creator,
    description: approvedRunDescription(run),
  });
  assert.deepEqual(runClaim([named(RUN)], RUN, APP), { orphan: true, named: RUN });
  // Attempt 2's completion: attempt 1's approval is over too.
  assert.equal(runClaim([named(RUN)], { id: RUN.id, attempt: 2 }, APP).orphan, true);
  assert.deepEqual(runClaim([named({ id: RUN.id, attempt: 2 })], RUN, APP), {
    orphan: false,
    why: 'later_attempt',
  });
  assert.deepEqual(runClaim([named({ id: 7, attempt: 1 })], RUN, APP), { orphan: false, why: 'other_run' });
  // Named without its attempt: any attempt's completion may end it (orphanDecision then reads the run).
  const bare = { state: 'queued', creator: app, description: approvedRunDescription({ id: RUN.id }) };
  assert.deepEqual(runClaim([bare], { id: RUN.id, attempt: 3 }, APP), {
    orphan: true,
    named: { id: RUN.id },
  });
  assert.deepEqual(runClaim([bare], { id: 7, attempt: 1 }, APP), { orphan: false, why: 'other_run' });
  assert.deepEqual(runClaim([], RUN, APP), { orphan: false, why: 'no_runner_status' });
  assert.deepEqual(runClaim([{ state: 'queued', creator: app, description: 'something' }], RUN, APP), {
    orphan: false,
    why: 'not_named',
  });
});

test('runClaim: a final status of the runner’s, or the Action’s (or anyone’s) status after the App’s, leaves it alone', () => {
  const approved = { state: 'queued', creator: app, description: approvedRunDescription(RUN) };
  for (const state of ['success', 'failure', 'error', 'inactive'])
    assert.deepEqual(runClaim([{ state, creator: workflow }, approved], RUN, APP), {
      orphan: false,
      why: 'ended',
    });
  assert.deepEqual(runClaim([{ state: 'in_progress', creator: workflow }, approved], RUN, APP), {
    orphan: false,
    why: 'runner_went_on',
  });
  // Anyone else's status names what they like: never a record of the App's.
  const forged = { state: 'queued', creator: person, description: approvedRunDescription(RUN) };
  assert.deepEqual(runClaim([forged], RUN, APP), { orphan: false, why: 'no_runner_status' });
  // After the App's, it may be the Action's, reporting with a token of its own (`github-token`): "nothing
  // deployed" is not written over what it says; nothing ends it either (its locks stay, as before).
  for (const creator of [person, { login: 'release-app[bot]', type: 'Bot' }])
    assert.deepEqual(runClaim([{ state: 'success', creator }, approved], RUN, APP), {
      orphan: false,
      why: 'others_after',
    });
  // The workflow token's status naming the run is not the App's record.
  assert.deepEqual(runClaim([{ ...approved, creator: workflow }], RUN, APP), {
    orphan: false,
    why: 'runner_went_on',
  });
});

test('runClaim: a re-run of a deployment that had ended is ended in the state it had, a first run in `error`', () => {
  const reopened = {
    state: 'queued',
    creator: app,
    description: rerunRunDescription({ id: RUN.id, attempt: 2 }),
  };
  const run = { id: RUN.id, attempt: 2 };
  for (const state of ['success', 'failure', 'inactive'])
    assert.deepEqual(
      runClaim(
        [reopened, { state, creator: workflow }, { state: 'in_progress', creator: workflow }],
        run,
        APP,
      ),
      { orphan: true, named: run, before: state },
    );
  // Anyone else's final status below is nobody's end.
  assert.deepEqual(runClaim([reopened, { state: 'success', creator: person }], run, APP), {
    orphan: true,
    named: run,
  });
  assert.match(orphanedRunDescription(run, 'cancelled', true), /nothing deployed, it stands as before$/);
});

test('runClaim and orphanDecision: runs named let through one after the other (approvals at the same moment) end it only once all are over', () => {
  const approvedOf = (id: number) => ({
    state: 'queued',
    creator: app,
    description: approvedRunDescription({ id }),
  });
  const statuses = [approvedOf(8), approvedOf(RUN.id), { state: 'in_progress', creator: person }];
  assert.deepEqual(runClaim(statuses, RUN, APP), { orphan: true, named: { id: RUN.id }, alongside: [8] });
  assert.deepEqual(runClaim(statuses, { id: 8, attempt: 1 }, APP), {
    orphan: true,
    named: { id: 8 },
    alongside: [RUN.id],
  });
  const over = { status: 'completed', attempt: 1 };
  assert.deepEqual(orphanDecision([], RUN, over, [{ id: 8, now: { status: 'in_progress', attempt: 1 } }]), {
    action: 'none',
    why: 'another_run_goes_on',
  });
  assert.deepEqual(
    orphanDecision([], RUN, over, [
      { id: 8, now: over },
      { id: 9, now: 'gone' },
    ]),
    { action: 'end' },
  );
  // A rejected run's naming below an approval is not one let through: the approval's run alone is judged.
  const rejected = {
    state: 'pending',
    creator: app,
    description: rejectedRunDescription({ id: 8 }, 'locked'),
  };
  assert.deepEqual(runClaim([approvedOf(RUN.id), rejected], RUN, APP), {
    orphan: true,
    named: { id: RUN.id },
  });
  assert.deepEqual(runClaim([approvedOf(RUN.id), rejected], { id: 8, attempt: 1 }, APP), {
    orphan: false,
    why: 'other_run',
  });
});

test('runClaim: a run named not let through over another run’s approval (the two namings raced) ends it only once that run is over', () => {
  const approvedOf = (id: number) => ({
    state: 'queued',
    creator: app,
    description: approvedRunDescription({ id }),
  });
  const rejectedOf = (id: number) => ({
    state: 'pending',
    creator: app,
    description: rejectedRunDescription({ id }, 'locked'),
  });
  const waitingOf = (id: number) => ({
    state: 'pending',
    creator: app,
    description: waitingRunDescription({ id }),
  });
  // Run 8 approved and RUN rejected at the same moment: RUN's naming landed last. RUN completes within seconds,
  // before run 8's job reaches the Action: its end must wait for run 8's.
  assert.deepEqual(runClaim([rejectedOf(RUN.id), approvedOf(8)], RUN, APP), {
    orphan: true,
    named: { id: RUN.id },
    alongside: [8],
  });
  // Run 8 cancelled before its job: its end is judged alone (RUN's naming says nothing of RUN deploying).
  assert.deepEqual(runClaim([rejectedOf(RUN.id), approvedOf(8)], { id: 8, attempt: 1 }, APP), {
    orphan: true,
    named: { id: 8 },
  });
  // RUN waited, raced run 8's approval, then was approved itself: both are judged together.
  assert.deepEqual(runClaim([approvedOf(RUN.id), waitingOf(RUN.id), approvedOf(8)], RUN, APP), {
    orphan: true,
    named: { id: RUN.id },
    alongside: [8],
  });
  // Over several runs approved (none named): nobody's end ends it; the Action's final status does.
  const several = { state: 'queued', creator: app, description: SEVERAL_RUNS_DESCRIPTION };
  assert.deepEqual(runClaim([rejectedOf(RUN.id), several], RUN, APP), { orphan: false, why: 'other_run' });
  // A waiting naming under this run's approval (one workflow, approved after a wait) changes nothing.
  assert.deepEqual(runClaim([approvedOf(RUN.id), waitingOf(RUN.id)], RUN, APP), {
    orphan: true,
    named: { id: RUN.id },
  });
});

const rollout = (runId: string) =>
  ({
    ok: true,
    source: 'test',
    record: { rollout: { owner: { kind: 'workflow', runId, runAttempt: '1' } } } as EnvironmentRecord,
  }) as StateRead;
const empty: StateRead = { ok: true, record: undefined, source: 'test' };
const refused: StateRead = { ok: false, code: 'state_forged', message: 'no', source: 'test' } as StateRead;
const ended = { status: 'completed', attempt: 1 };

test('orphanDecision: a rollout of this run in a record is reconcile’s; a record that does not verify tells nothing', () => {
  assert.deepEqual(orphanDecision([empty], RUN, ended), { action: 'end' });
  assert.deepEqual(orphanDecision([rollout('7')], RUN, ended), { action: 'end' }, "another run's rollout");
  assert.deepEqual(orphanDecision([empty, rollout(String(RUN.id))], RUN, ended), {
    action: 'none',
    why: 'rolling_out',
  });
  assert.deepEqual(orphanDecision([refused], RUN, ended), { action: 'none', why: 'record_refused' });
});

test('orphanDecision: a rollout of a run named let through alongside this one is reconcile’s too, though that run is over', () => {
  // Run 8, approved at the same moment, reached the Action and wrote its rollout, then died before any status:
  // its own completion left the deployment (rolling_out); this run's later end must not release its locks.
  assert.deepEqual(orphanDecision([rollout('8')], RUN, ended, [{ id: 8, now: ended }]), {
    action: 'none',
    why: 'rolling_out',
  });
  assert.deepEqual(orphanDecision([rollout('7')], RUN, ended, [{ id: 8, now: ended }]), { action: 'end' });
});

test('orphanDecision: a run GitHub shows at a later attempt, or not completed, goes on; a deleted one does not', () => {
  assert.deepEqual(orphanDecision([], RUN, { status: 'completed', attempt: 2 }), {
    action: 'none',
    why: 'run_goes_on',
  });
  assert.deepEqual(orphanDecision([], RUN, { status: 'in_progress', attempt: 1 }), {
    action: 'none',
    why: 'run_goes_on',
  });
  assert.deepEqual(orphanDecision([], RUN, 'gone'), { action: 'end' });
});

test('runDeploymentCandidates: per environment, the newest App deployment made no later than the run', () => {
  const d = (id: number, environment: string, at: string, creator = app) => ({
    id,
    environment,
    created_at: at,
    creator,
  });
  const listed = [
    d(9, 'production', '2026-12-01T10:05:00Z'), // made after the run: another run's
    d(8, 'production', '2026-12-01T09:59:00Z', workflow), // GitHub's job deployment
    d(7, 'Production', '2026-12-01T09:58:00Z'),
    d(6, 'staging', '2026-12-01T09:57:00Z'),
    d(5, 'production', '2026-12-01T09:00:00Z'), // older of the same environment
  ];
  const isApps = (x: (typeof listed)[number]) => x.creator.login === APP;
  assert.deepEqual(
    runDeploymentCandidates(listed, '2026-12-01T10:00:00Z', isApps).map((x) => x.id),
    [7, 6],
  );
  assert.deepEqual(
    runDeploymentCandidates(listed, undefined, isApps).map((x) => x.id),
    [9, 6],
  );
});
