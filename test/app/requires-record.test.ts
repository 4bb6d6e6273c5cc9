// `requires: staging` is met only by staging's signed state record showing the commit live there, through the
// real Probot app and the fake GitHub: the /deploy path (app/deploy/decide.ts, which schedules share) and the
// deployment protection rule. A deployment of the commit to staging with a `success` status, which anyone with
// write permission can make (their own token or any workflow's), is not evidence; a record rolled back from
// the commit does not count; a record that does not verify is refused with its reason code.
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, completeWorkflowRun, owner, repliesTo, repo, rest } from './helpers.ts';
import { askProtectionRule } from './delivery-helpers.ts';
import {
  BEFORE,
  inRequiresRepo,
  keepStagingRecord,
  productionDeployments,
  stagingDeployment,
} from './record-helpers.ts';
import type { RecordWorld as World } from './record-helpers.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';

const WORKFLOW_TOKEN = 'workflow-token';
const MALLORY_TOKEN = 'mallory-token';

const run = (body: (w: World) => Promise<void>): Promise<void> =>
  inRequiresRepo(body, { tokens: { [MALLORY_TOKEN]: 'mallory' }, collaborators: { mallory: 'write' } });

/** What anyone with write permission can do: a staging deployment of `sha` and a `success` status on it. */
async function forgedSuccess(fake: FakeGitHub, token: string, sha = HEAD): Promise<number> {
  const { id } = await rest(fake, 'POST', '/deployments', stagingDeployment(sha), token);
  await rest(
    fake,
    'POST',
    `/deployments/${id}/statuses`,
    { state: 'success', description: 'deployed' },
    token,
  );
  return id;
}

/** A staging record as the Action's pipeline leaves it. */
function stagingRecord(overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  return {
    schema: 1,
    repository: `${owner}/${repo}`,
    environment: 'staging',
    seq: 4,
    updatedAt: '2025-03-04T10:00:00.000Z',
    live: { version: 'pr-7', sha: HEAD, since: '2025-03-04T10:00:00.000Z', deploymentId: '1' },
    previous: { version: 'v1', sha: BEFORE, since: '2025-03-01T09:00:00.000Z' },
    retired: [],
    history: [
      {
        at: '2025-03-04T09:50:00.000Z',
        by: 'workflow:1',
        event: 'rollout_started',
        code: 'started',
        version: 'pr-7',
      },
      {
        at: '2025-03-04T10:00:00.000Z',
        by: 'workflow:1',
        event: 'succeeded',
        code: 'deployed',
        version: 'pr-7',
      },
    ],
    ...overrides,
  };
}

/** alice asks for production; the App's replies (none when it deployed: the status comment says so). */
const deployProduction = (w: World): Promise<string> => repliesTo(w.fake, w.probot, '/deploy production');

test('/deploy: a staging deployment of the commit with a success status, made by a workflow or a person, does not meet requires', async () => {
  await run(async (w) => {
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    await forgedSuccess(w.fake, MALLORY_TOKEN);
    const reply = await deployProduction(w);
    assert.match(reply, /prior_environment_missing/);
    assert.match(reply, /state_not_kept/, 'says staging keeps no signed record');
    assert.match(reply, /state-key/, 'says what to configure');
    assert.equal(productionDeployments(w.fake).length, 0, 'nothing deployed to production');
  });
});

test("/deploy: staging's signed record with the commit live meets requires", async () => {
  await run(async (w) => {
    await keepStagingRecord(w.fake, stagingRecord(), HEAD);
    const reply = await deployProduction(w);
    assert.doesNotMatch(reply, /prior_environment_missing/);
    assert.equal(productionDeployments(w.fake).length, 1, 'deployed to production');
    assert.equal(productionDeployments(w.fake)[0]!.sha, HEAD);
  });
});

test('/deploy: a record in which the commit was rolled back does not meet requires, whatever statuses say', async () => {
  await run(async (w) => {
    // The commit went live in staging, then /rollback put the release before it back.
    const rolledBack = stagingRecord({
      seq: 6,
      live: { version: 'v1', sha: BEFORE, since: '2025-03-04T11:00:00.000Z', deploymentId: '3' },
      previous: { version: 'pr-7', sha: HEAD, since: '2025-03-04T10:00:00.000Z', deploymentId: '1' },
      history: [
        ...stagingRecord().history,
        {
          at: '2025-03-04T10:50:00.000Z',
          by: 'workflow:2',
          event: 'rollout_started',
          code: 'started',
          version: 'v1',
        },
        {
          at: '2025-03-04T11:00:00.000Z',
          by: 'workflow:2',
          event: 'succeeded',
          code: 'deployed',
          version: 'v1',
        },
      ],
    });
    await keepStagingRecord(w.fake, rolledBack, BEFORE);
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    const reply = await deployProduction(w);
    assert.match(reply, /prior_environment_missing/);
    assert.match(reply, /not_live/);
    assert.equal(productionDeployments(w.fake).length, 0);
  });
});

test('/deploy: a rollout of the commit that failed and was rolled back does not meet requires', async () => {
  await run(async (w) => {
    const failed = stagingRecord({
      seq: 5,
      live: { version: 'v1', sha: BEFORE, since: '2025-03-01T09:00:00.000Z' },
      previous: undefined,
      history: [
        {
          at: '2025-03-04T09:50:00.000Z',
          by: 'workflow:1',
          event: 'rollout_started',
          code: 'started',
          version: 'pr-7',
        },
        {
          at: '2025-03-04T09:55:00.000Z',
          by: 'workflow:1',
          event: 'rolled_back',
          code: 'staging_failed',
          version: 'pr-7',
        },
      ],
    });
    await keepStagingRecord(w.fake, failed, HEAD);
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    const reply = await deployProduction(w);
    assert.match(reply, /not_live/);
    assert.equal(productionDeployments(w.fake).length, 0);
  });
});

test('/deploy: a staging record signed under another key is refused with its code, not believed', async () => {
  await run(async (w) => {
    await keepStagingRecord(w.fake, stagingRecord(), HEAD, randomBytes(32));
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    const reply = await deployProduction(w);
    assert.match(reply, /prior_environment_missing/);
    assert.match(reply, /state_forged/);
    assert.equal(productionDeployments(w.fake).length, 0);
  });
});

test('protection rule: a forged staging success is rejected; a tampered record with its code; a genuine record is approved', async () => {
  await run(async (w) => {
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    const forged = await askProtectionRule(w.fake, w.probot, { run: 1 });
    assert.equal(forged.state, 'rejected');
    assert.match(forged.comment, /state_not_kept/);

    await keepStagingRecord(w.fake, stagingRecord(), HEAD, randomBytes(32));
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    const tampered = await askProtectionRule(w.fake, w.probot, { run: 2 });
    assert.equal(tampered.state, 'rejected');
    assert.match(tampered.comment, /state_forged/);
  });
  await run(async (w) => {
    await keepStagingRecord(w.fake, stagingRecord(), HEAD);
    const genuine = await askProtectionRule(w.fake, w.probot, { run: 3 });
    assert.equal(genuine.state, 'approved', genuine.comment);
  });
});

let runs = 9100;
/** A workflow run completes: the App's trigger to start what is due. */
const runCompletes = (w: World): Promise<string> => completeWorkflowRun(w.fake, w.probot, runs++);

test('a schedule at its time: a forged staging success does not meet requires; the signed record does', async () => {
  await run(async (w) => {
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    assert.match(
      await repliesTo(w.fake, w.probot, '/deploy production at 2026-12-01 09:00'),
      /schedule_recorded/,
    );
    w.clock.now = new Date('2026-12-01T09:01:00Z');
    const refused = await runCompletes(w);
    assert.match(refused, /schedule_prior_environment_missing/);
    assert.match(refused, /state_not_kept/);
    assert.equal(productionDeployments(w.fake).length, 0);

    await keepStagingRecord(w.fake, stagingRecord(), HEAD);
    assert.match(
      await repliesTo(w.fake, w.probot, '/deploy production at 2026-12-01 10:00'),
      /schedule_recorded/,
    );
    w.clock.now = new Date('2026-12-01T10:01:00Z');
    assert.match(await runCompletes(w), /schedule_started/);
    assert.equal(productionDeployments(w.fake).length, 1);
  });
});
