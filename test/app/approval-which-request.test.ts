// Which waiting request an /approve-deploy or /reject-deploy answers. An approval is for an environment and a
// commit; when the command names no environment, the App used to take the newest waiting request, whenever it
// was written. A delivery handled after a later /deploy (one that waited, a redelivery, another replica) then
// approved an environment, or a deployment type, its author had never seen; and with several environments
// waiting the newest was chosen for them. Only requests written before the command count, and an unnamed one
// with several environments waiting is refused (`environment_ambiguous`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  TestOctokit,
  deployYml,
  sayOnPull,
  testTrust,
  withSeededApp,
  writtenComment,
} from './helpers.ts';
import { readLedger } from '../../app/facts/approval-ledger.ts';

const seed = {
  config: deployYml(`
  staging:
    approvals:
      deployers: [alice]
      approvers: [carol, dave]
      required: 1
  production:
    approvals:
      deployers: [alice]
      approvers: [carol, dave]
      required: 1
      hotfix:
        approvers: [dave]
        required: 1
`),
  collaborators: { alice: 'write', carol: 'write', dave: 'write' } as const,
  pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  // A clock that moves on (a second each time it is read), as a real one does: each request is newer than the last.
  app: { now: ticking('2026-12-01T10:00:00Z') },
};

function ticking(start: string): () => Date {
  let t = new Date(start).getTime();
  return () => new Date((t += 1000));
}

const deployedTo = (fake: FakeGitHub): string[] =>
  [...fake.repo().deployments.values()].map((d) => String(d.environment));

/** The approvals and vetoes the App's ledger holds at the head, as `kind env by`. */
async function ledger(fake: FakeGitHub): Promise<string[]> {
  const octokit = new TestOctokit({ auth: 'x', baseUrl: fake.url });
  const read = await readLedger(
    octokit.rest,
    { owner: 'acme', repo: 'web' },
    HEAD,
    PR,
    fake.state.appId,
    testTrust(),
  );
  return read.records.map((r) => `${r.kind} ${r.environment} ${r.by.login}`);
}

test('an unnamed approval written while staging waited approves staging, not a production request handled before it', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy staging', 'alice'), /Waiting for 1 approval/);
    // carol answers the staging request; her comment's delivery waits behind alice's next request.
    const approval = writtenComment(fake, probot, '/approve-deploy', 'carol');
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const said = await approval();
    assert.match(said, /Approval by @carol recorded for `staging`/);
    assert.deepEqual(deployedTo(fake), ['staging'], 'production was never shown to carol');
    assert.deepEqual(await ledger(fake), ['approve staging carol']);
  });
});

test('an unnamed approval or veto with two environments waiting is refused, naming both, and records nothing', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await sayOnPull(fake, probot, '/deploy staging', 'alice');
    await sayOnPull(fake, probot, '/deploy production', 'alice');
    for (const command of ['/approve-deploy', '/reject-deploy']) {
      const said = await sayOnPull(fake, probot, command, 'carol');
      assert.match(said, /\(`environment_ambiguous`\)/, said);
      assert.match(said, /`staging`, `production`/);
      assert.match(said, new RegExp(`\`${command} staging\` or \`${command} production\``));
    }
    assert.deepEqual(await ledger(fake), []);
    assert.deepEqual(deployedTo(fake), []);
    // Named, it is recorded as before.
    assert.match(await sayOnPull(fake, probot, '/approve-deploy production', 'carol'), /Deployment \*\*/);
    assert.deepEqual(deployedTo(fake), ['production']);
  });
});

test('an unnamed approval answers the one request still waiting when another environment has started', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await sayOnPull(fake, probot, '/deploy staging', 'alice');
    assert.match(await sayOnPull(fake, probot, '/approve-deploy staging', 'carol'), /Deployment \*\*/);
    await sayOnPull(fake, probot, '/deploy production', 'alice');
    const said = await sayOnPull(fake, probot, '/approve-deploy', 'dave');
    assert.match(said, /Approval by @dave recorded for `production`/, said);
    assert.deepEqual(deployedTo(fake), ['staging', 'production']);
  });
});

test('a named approval written while a standard /deploy waited is judged under its rule, not a later --hotfix request', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    // carol approves the standard request she saw; a hotfix request (dave alone approves those) is handled first.
    const approval = writtenComment(fake, probot, '/approve-deploy production', 'carol');
    assert.match(
      await sayOnPull(fake, probot, '/deploy production --hotfix --reason "payments down"', 'alice'),
      /Waiting for 1 approval/,
    );
    const said = await approval();
    assert.doesNotMatch(said, /not_an_approver/, said);
    assert.match(said, /Approval by @carol recorded for `production`/);
    assert.deepEqual(await ledger(fake), ['approve production carol']);
  });
});
