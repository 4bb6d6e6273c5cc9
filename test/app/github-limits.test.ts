// GitHub's limits on what the App writes (a comment body: 65,536 characters; a check run's summary: 65,535
// bytes), against values that grow when shown: every `&` a person types is written `&amp;`, so 300 of them are
// 1,500 characters. A write over a limit is refused (422) and whatever it carried is lost: a reply, a record
// of an approval or a veto. The fake GitHub refuses such writes as GitHub does (and counts them as violations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acquireLock } from '../../app/locks.ts';
import type { Octokit } from '../../app/facts/github.ts';
import {
  HEAD,
  PR,
  appReplies,
  deployYml,
  owner,
  repo,
  repliesTo,
  testTrust,
  withSeededApp,
} from './helpers.ts';
import type { Seed } from './helpers.ts';

const CONFIG = deployYml(`
  production:
    approvals:
      approvers: [carol, dave]
      required: 1
`);
const SEED: Seed = {
  config: CONFIG,
  collaborators: { alice: 'write', carol: 'write', dave: 'write' },
  pulls: [{ number: PR, head: HEAD, user: 'alice' }],
};

test('/status over more locks than one comment holds (hand-pushed tags, long reasons) is answered within the limit', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
    // Anyone who can push writes lock tags, with any reason: 40 locks of 600 `&` each.
    for (let i = 0; i < 40; i++)
      await acquireLock(octokit.rest, { owner, repo }, testTrust().keys, {
        target: { scope: 'environment', environment: `env${String(i).padStart(2, '0')}` },
        holder: 'carol',
        reason: '&'.repeat(600),
        sha: HEAD,
        now: () => new Date(),
      });
    const before = appReplies(fake).length;
    await repliesTo(fake, probot, '/status', 'alice');
    const replies = appReplies(fake).slice(before);
    assert.equal(replies.length, 1, 'one reply');
    const reply = replies[0]!;
    assert.ok(reply.length <= 65_536, `${reply.length} characters`);
    assert.match(reply, /`env00` is locked by/, 'the first locks are shown');
    assert.match(reply, /cut here/, 'and the reply says it was cut');
  });
});
