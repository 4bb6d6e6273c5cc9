// `requires: staging` through the real App and the fake GitHub, from staging's signed record: a commit that
// succeeded in staging and was then superseded by a newer release still meets it (its `succeeded` history
// entry names the commit); one rolled back by /rollback (the next release went back to the one before it)
// does not, with the reason in the reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, owner, repliesTo, repo } from './helpers.ts';
import { askProtectionRule } from './delivery-helpers.ts';
import {
  BEFORE,
  inRequiresRepo,
  keepStagingRecord,
  productionDeployments as production,
} from './record-helpers.ts';
import type { HistoryEntry } from '../../src/state/record.ts';

const NEWER = fakeSha('release-newer');

const run = (body: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> =>
  inRequiresRepo((w) => body(w.fake, w.probot), { commits: [NEWER], realTime: true });

let minute = 0;
/** One successful run of `sha` as the pipeline records it: started, verify, succeeded, each naming the commit. */
function release(sha: string, version: string): HistoryEntry[] {
  return (['rollout_started:started', 'phase:verify', 'succeeded:deployed'] as const).map((ec) => {
    const [event, code] = ec.split(':') as [string, string];
    minute += 1;
    return {
      at: new Date(Date.UTC(2026, 10, 30, 8, minute)).toISOString(),
      by: 'workflow:1',
      event,
      code,
      version,
      sha,
    };
  });
}

/** Staging's record, signed under staging's state key, on a workflow's deployment of what is live. */
async function stagingRecord(
  fake: FakeGitHub,
  history: HistoryEntry[],
  live: [string, string],
): Promise<void> {
  await keepStagingRecord(fake, {
    schema: 1,
    repository: `${owner}/${repo}`,
    environment: 'staging',
    seq: 9,
    updatedAt: history.at(-1)!.at,
    live: { sha: live[0], version: live[1], since: history.at(-1)!.at },
    retired: [],
    history,
  });
}

const deployProduction = (fake: FakeGitHub, probot: Probot): Promise<string> =>
  repliesTo(fake, probot, '/deploy production');

let runs = 900;
const protectionRule = async (fake: FakeGitHub, probot: Probot): Promise<string | undefined> =>
  (await askProtectionRule(fake, probot, { run: runs++ })).state;

test('requires: a commit that succeeded in staging and was superseded by a newer release meets it', async () => {
  await run(async (fake, probot) => {
    await stagingRecord(
      fake,
      [...release(BEFORE, 'v1'), ...release(HEAD, 'pr-7'), ...release(NEWER, 'v3')],
      [NEWER, 'v3'],
    );
    assert.equal(await protectionRule(fake, probot), 'approved');
    const reply = await deployProduction(fake, probot);
    assert.doesNotMatch(reply, /prior_environment_missing/);
    assert.equal(production(fake).length, 1, reply);
  });
});

test('requires: a commit rolled back in staging by /rollback (the release before it put back) does not meet it', async () => {
  await run(async (fake, probot) => {
    await stagingRecord(
      fake,
      [...release(BEFORE, 'v1'), ...release(HEAD, 'pr-7'), ...release(BEFORE, 'v1')],
      [BEFORE, 'v1'],
    );
    assert.equal(await protectionRule(fake, probot), 'rejected');
    const reply = await deployProduction(fake, probot);
    assert.match(reply, /prior_environment_missing/);
    assert.match(reply, /not_live/);
    assert.match(reply, /rolled back/);
    assert.equal(production(fake).length, 0);
  });
});
