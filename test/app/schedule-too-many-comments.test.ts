// A scheduled deployment on a pull request with more comments than the App reads: it is not started and the
// PR is told (too_many_comments), and it does not hold up the repository's other scheduled deployments
// (a start that throws stops the pass, so every later request would wait until the bad one was missed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { completeWorkflowRun, owner, repliesTo, repo, testApp, testProbot } from './helpers.ts';

const BOT = 'deploy-action[bot]';
const SPAMMED = 7;
const OTHER = 8;

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  staging: {}
  qa: {}
`;

const say = (fake: FakeGitHub, probot: Probot, pr: number, body: string): Promise<string> =>
  repliesTo(fake, probot, body, 'alice', pr);

test('a scheduled deployment on a PR with too many comments is refused and told; the others still start', async () => {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write', mallory: 'read' },
    pulls: [
      { number: SPAMMED, head: fakeSha('pr-7-head'), user: 'alice' },
      { number: OTHER, head: fakeSha('pr-8-head'), user: 'alice' },
    ],
  });
  const clock = { now: new Date('2026-12-01T08:00:00Z') };
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => clock.now, botLogin: BOT }));
  try {
    await say(fake, probot, SPAMMED, '/deploy qa at 2026-12-01 09:30 UTC');
    await say(fake, probot, OTHER, '/deploy staging at 2026-12-01 09:35 UTC');
    const scheduled = () =>
      [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-schedule/')).sort();
    assert.equal(
      scheduled().length,
      2,
      [...fake.repo().comments.values()].map((c) => String(c.body).slice(0, 300)).join('\n'),
    );
    for (let i = 0; i < 1000; i++) fake.addComment(SPAMMED, { user: 'mallory', body: `spam ${i}` });

    clock.now = new Date('2026-12-01T09:40:00Z');
    await completeWorkflowRun(fake, probot, 9000, fakeSha('pr-8-head'));

    const deployments = [...fake.repo().deployments.values()];
    assert.deepEqual(
      deployments.map((d) => d.environment),
      ['staging'],
      "the other PR's schedule started",
    );
    assert.deepEqual(scheduled(), [], 'neither is left waiting');
    const told = [...fake.repo().comments.values()]
      .map((c) => String(c.body))
      .filter((b) => b.includes('too_many_comments'));
    assert.equal(told.length, 1, 'the spammed PR is told why');
  } finally {
    await fake.stop();
  }
});
