// The App reads every state record through one reader (app/index.ts), which remembers the highest record
// number it has trusted: a record older than one any earlier delivery read is refused as state_stale. The
// protection rule and scheduled deployments built a reader of their own per decision, so after a write user
// deleted the newer deployment (its record on another commit), they believed the older record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, completeWorkflowRun, owner, repliesTo, repo, restWith } from './helpers.ts';
import { askProtectionRule } from './delivery-helpers.ts';
import {
  BEFORE,
  inRequiresRepo,
  keepStagingRecord,
  productionDeployments as production,
} from './record-helpers.ts';
import type { RecordWorld as World } from './record-helpers.ts';

const run = (body: (w: World) => Promise<void>): Promise<void> => inRequiresRepo(body);

/** A write user's REST call, with a workflow's token; expects 201 or 204. */
async function call(fake: FakeGitHub, method: string, path: string, body?: unknown): Promise<void> {
  const res = await restWith(fake, 'workflow-token', method, path, body);
  assert.ok(res.status === 201 || res.status === 204, `${method} ${path}: ${await res.clone().text()}`);
}

/** A staging record numbered `seq` with `live` live, kept as the Action keeps it, on a deployment of `live`. */
const stagingRecord = (fake: FakeGitHub, seq: number, live: string): Promise<number> =>
  keepStagingRecord(fake, {
    schema: 1,
    repository: `${owner}/${repo}`,
    environment: 'staging',
    seq,
    updatedAt: '2025-03-04T10:00:00.000Z',
    live: { version: `v${seq}`, sha: live, since: '2025-03-04T10:00:00.000Z' },
    retired: [],
    history: [],
  });

/** What a write user can do: mark a deployment inactive and delete it. */
async function deleteDeployment(fake: FakeGitHub, id: number): Promise<void> {
  await call(fake, 'POST', `/deployments/${id}/statuses`, { state: 'inactive' });
  await call(fake, 'DELETE', `/deployments/${id}`);
}

/**
 * Staging: record #4 shows HEAD live; then record #6, on a deployment of BEFORE, shows BEFORE live. `read`
 * reads #6 through one path; the #6 deployment is deleted, so GitHub shows #4 as staging's newest record.
 */
async function staleAfter(w: World, read: () => Promise<void>): Promise<void> {
  await stagingRecord(w.fake, 4, HEAD);
  const newer = await stagingRecord(w.fake, 6, BEFORE);
  await read();
  await deleteDeployment(w.fake, newer);
}

let runs = 500;
const protectionRule = (w: World) => askProtectionRule(w.fake, w.probot, { run: runs++ });

const say = (w: World, body: string): Promise<string> => repliesTo(w.fake, w.probot, body);

test('protection rule: a record older than one /deploy read is refused as state_stale, not believed', async () => {
  await run(async (w) => {
    await staleAfter(w, async () => {
      const refused = await say(w, '/deploy production');
      assert.match(refused, /prior_environment_missing/);
      assert.match(refused, /not_live/);
    });
    const answer = await protectionRule(w);
    assert.equal(answer.state, 'rejected', 'record #4 after #6 is not believed');
    assert.match(answer.comment, /state_stale/);
  });
});

test('schedule: a record older than one the protection rule read is refused as state_stale at its time', async () => {
  await run(async (w) => {
    await stagingRecord(w.fake, 4, HEAD);
    assert.match(await say(w, '/deploy production at 2026-12-01 09:00'), /schedule_recorded/);
    const newer = await stagingRecord(w.fake, 6, BEFORE);
    assert.equal((await protectionRule(w)).state, 'rejected', 'record #6: HEAD not live');
    await deleteDeployment(w.fake, newer);
    w.clock.now = new Date('2026-12-01T09:01:00Z');
    const replies = await completeWorkflowRun(w.fake, w.probot, runs++);
    assert.match(replies, /schedule_prior_environment_missing/);
    assert.match(replies, /state_stale/);
    assert.equal(production(w.fake).length, 0, 'nothing deployed on the older record');
  });
});
