// Whom the App's replies notify. A reply names people (deployers, approvers, teams, the lock holder, who asked
// for a deployment or recorded a control request) to show who, and @-mentions only the commenter it answers;
// it calls on someone else only where that is the point: a /deploy waiting for approvals calls on its
// approvers. Every command, by a deployer and by a stranger, with a lock held by someone else: each reply is
// read as the fake received it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAD, PR, appReplies, deployYml, repliesTo, withSeededApp } from './helpers.ts';
import { mentionsIn } from './inert.ts';
import { approvePress, protectionRulePayload, receive } from './delivery-helpers.ts';

const CONFIG = deployYml(`
  staging:
    approvals:
      deployers: [alice, acme/ops]
      required: 0
  production:
    approvals:
      deployers: [alice, acme/ops]
      approvers: [carol, dave, acme/sre]
      required: 1
`);

const COMMANDS = [
  '/deploy staging',
  '/deploy staging --queue',
  '/deploy staging --dry-run',
  '/deploy staging at 2030-01-02 10:00 UTC',
  '/rollback staging',
  '/lock staging',
  '/unlock staging',
  '/promote staging',
  '/pause staging',
  '/resume staging',
  '/abort staging',
  '/approve-deploy production',
  '/reject-deploy production',
  '/cancel-deploy',
  '/status',
  '/help',
  '/deploy nowhere',
];

for (const user of ['alice', 'mallory']) {
  test(`no reply to ${user}'s commands @-mentions anyone but ${user}, with bob's lock on staging`, async () => {
    await withSeededApp(
      {
        config: CONFIG,
        collaborators: { alice: 'write', bob: 'write', carol: 'write', dave: 'write' },
        teams: { ops: ['alice', 'bob'], sre: ['dave'] },
        pulls: [{ number: PR, head: HEAD, user: 'erin' }],
      },
      async (fake, probot) => {
        assert.match(await repliesTo(fake, probot, '/lock staging --reason "db work"', 'bob'), /Locked/);
        for (const command of COMMANDS) {
          const reply = await repliesTo(fake, probot, command, user);
          assert.ok(reply, `${command} is answered`);
          const others = mentionsIn(reply).filter((m) => m.toLowerCase() !== user);
          assert.deepEqual(others, [], `${user}: ${command}\n${reply.slice(0, 1500)}`);
        }
        // The point of this one: a /deploy waiting for approvals calls on its approvers (not on its asker's
        // own approval, which does not count).
        const waiting = await repliesTo(fake, probot, '/deploy production', 'alice');
        assert.match(waiting, /\*\*Waiting for 1 approval\(s\)\*\*/);
        assert.deepEqual(mentionsIn(waiting).sort(), ['acme/sre', 'carol', 'dave']);
        assert.ok(appReplies(fake).length > COMMANDS.length);
      },
    );
  });
}

test("no answer to a press of the Approve button @-mentions anyone but its presser: a stranger's refusal names the approvers quietly", async () => {
  await withSeededApp(
    {
      config: CONFIG,
      collaborators: { alice: 'write', carol: 'write', dave: 'write', mallory: 'write' },
      teams: { ops: ['alice'], sre: ['dave'] },
      pulls: [{ number: PR, head: HEAD, user: 'erin' }],
    },
    async (fake, probot) => {
      await receive(
        probot,
        'deployment_protection_rule',
        protectionRulePayload(fake, { run: 11, pullRequests: [PR] }),
      );
      const gate = [...fake.repo().checkRuns.values()].find((r) => r.name === 'approval / production')!;
      // mallory may push but is no approver: the refusal says who the approvers are, and calls on nobody.
      await receive(probot, 'check_run', approvePress(fake, gate as never, 'mallory'));
      const refusal = appReplies(fake).at(-1)!;
      assert.match(refusal, /^\*\*Approval by @mallory not recorded\*\* \(`not_an_approver`\)/);
      assert.match(refusal, /carol/);
      assert.deepEqual(
        mentionsIn(refusal).filter((m) => m !== 'mallory'),
        [],
        refusal,
      );
    },
  );
});
