// GitHub's limits on what the App writes (a comment body: 65,536 characters; a check run's summary: 65,535),
// against values that grow when shown: every `&` a person types is written `&amp;`, so 300 of them are 1,500
// characters. A write over a limit is refused (422) and whatever it carried is lost: a reply, a record of an
// approval or a veto. The fake GitHub refuses such writes as GitHub does (and counts them as violations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { acquireLock } from '../../app/locks.ts';
import type { Octokit } from '../../app/facts/github.ts';
import { LEDGER_CHECK_NAME, recordInLedger } from '../../app/facts/approval-ledger.ts';
import {
  HEAD,
  PR,
  appReplies,
  approvalRecord,
  deployYml,
  handClock,
  owner,
  repo,
  repliesTo,
  sayOnPull,
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

/**
 * A veto reason that shows at its longest: 200 `&` (each written `&amp;`, five characters) and 100 CJK
 * characters (three bytes each). Its line in a ledger summary is ~1,250 characters but ~1,450 bytes, so 50
 * of them pass GitHub's limit in bytes while staying under it in characters.
 */
const GROWS = `${'&'.repeat(200)}${'漢'.repeat(100)}`;

const ledgerRuns = (fake: FakeGitHub) =>
  [...fake.repo().checkRuns.values()].filter((r) => r.name === LEDGER_CHECK_NAME);

test('vetoes with long reasons never push the ledger check run past GitHub limit: a veto is still lifted and the deployment starts', async () => {
  // One clock for the App and GitHub, moved between comments: a veto and its lifting are seconds apart.
  const c = handClock('2026-12-01T10:00:00Z');
  await withSeededApp({ ...SEED, fake: { now: c.now }, app: { now: c.now } }, async (fake, probot) => {
    const say = async (body: string, user: string) => {
      c.tick(2_000);
      return sayOnPull(fake, probot, body, user);
    };
    assert.match(await say('/deploy production', 'alice'), /Waiting for 1 approval/);
    // 48 vetoes already in the ledger, as the App records them (each check run lists the newest 50 records).
    const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
    const none = { records: [], entries: 0, externalIds: new Set<string>() };
    for (let i = 0; i < 48; i++) {
      c.tick(2_000);
      const by = i % 2 ? 'dave' : 'carol';
      const record = approvalRecord(by, { kind: 'reject', at: c.now(), reason: GROWS });
      await recordInLedger(
        octokit.rest,
        { owner, repo },
        {
          record,
          pr: PR,
          appId: fake.state.appId,
          keys: testTrust().keys,
          before: none,
        },
      );
    }
    assert.match(await say(`/reject-deploy production '${GROWS}'`, 'carol'), /\*\*Veto\*\* by/);
    // Both lift their vetoes; carol's approval then deploys.
    assert.match(await say('/approve-deploy production', 'dave'), /Approval by @dave/);
    const last = await say('/approve-deploy production', 'carol');
    assert.match(last, /Approval by @carol recorded/);
    assert.match(last, /Deployment \*\*\\#\u200D\d+\*\* created/);
    const started = (run: Record<string, unknown>) => String(run.external_id).includes(':started-');
    assert.equal(
      ledgerRuns(fake).filter((r) => !started(r)).length,
      51,
      'every veto and approval has its ledger check run',
    );
    assert.equal(ledgerRuns(fake).filter(started).length, 1, "and the request's start its mark");
    for (const run of ledgerRuns(fake)) {
      const summary = String((run.output as { summary: string }).summary);
      assert.ok(Buffer.byteLength(summary) <= 65_535, `a summary of ${Buffer.byteLength(summary)} bytes`);
    }
  });
});

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
