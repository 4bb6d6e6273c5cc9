// An approval and a veto by the same person, handled out of the order they were written in (two replicas at
// once, a delivery that waited, a redelivery after a failure): the record is dated when its comment was
// written, so the one written last is the one that stands. A veto written after an approval is never lifted
// by that approval, however late it is handled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, PR, appReplies, commentOnPull, deployYml, sayOnPull, withSeededApp } from './helpers.ts';

const CONFIG = deployYml(`
  production:
    approvals:
      deployers: [alice]
      approvers: [dave, erin]
      required: 1
`);

/** A clock the App and the fake GitHub share, moved by hand. */
function clock(start: string) {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), tick: (s: number) => void (t += s * 1000) };
}

/** `user` writes `body` now; the App gets it only when the returned function is called (its replies). */
function written(fake: FakeGitHub, probot: Probot, body: string, user: string) {
  const { payload } = commentOnPull(fake, body, { user });
  return async (): Promise<string> => {
    const before = appReplies(fake).length;
    await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Parameters<
      Probot['receive']
    >[0]);
    return appReplies(fake).slice(before).join('\n');
  };
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

test('a veto written after an approval stands, even when the approval is handled last', async () => {
  const c = clock('2026-12-01T10:00:00Z');
  await withSeededApp(
    {
      config: CONFIG,
      collaborators: { alice: 'write', dave: 'write', erin: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'alice' }],
      fake: { now: c.now },
      app: { now: c.now },
    },
    async (fake, probot) => {
      assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
      c.tick(10);
      const approve = written(fake, probot, '/approve-deploy production', 'dave');
      c.tick(5);
      const veto = written(fake, probot, '/reject-deploy production changed my mind', 'dave');
      c.tick(1);
      assert.match(await veto(), /\*\*Veto\*\* by/);
      c.tick(1);
      const late = await approve();
      assert.match(late, /Approval by @dave/);
      assert.equal(deployments(fake).length, 0, `dave's last word was his veto: ${late}`);
      assert.match(
        await sayOnPull(fake, probot, '/deploy production', 'alice'),
        /\*\*Not deployed\*\* \(`rejected`\): vetoed by @\u200d?dave \(changed my mind\)/,
      );
    },
  );
});

test("the author's approval written before her own veto does not lift it when handled after it", async () => {
  const c = clock('2026-12-01T10:00:00Z');
  await withSeededApp(
    {
      config: CONFIG,
      collaborators: { alice: 'write', dave: 'write', erin: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'alice' }],
      fake: { now: c.now },
      app: { now: c.now },
    },
    async (fake, probot) => {
      assert.match(
        await sayOnPull(fake, probot, '/reject-deploy production wait', 'alice'),
        /\*\*Veto\*\* by/,
      );
      c.tick(10);
      const lift = written(fake, probot, '/approve-deploy production', 'alice');
      c.tick(5);
      const veto = written(fake, probot, '/reject-deploy production wait again', 'alice');
      c.tick(1);
      assert.match(await veto(), /\*\*Veto\*\* by/);
      c.tick(1);
      const refused = await lift();
      assert.match(refused, /^\*\*Not accepted\*\* \(`self_approval_refused`\)/, refused);
      assert.doesNotMatch(refused, /lifted/);
      assert.match(await sayOnPull(fake, probot, '/approve-deploy production', 'dave'), /Approval by @dave/);
      assert.match(
        await sayOnPull(fake, probot, '/deploy production', 'alice'),
        /\*\*Not deployed\*\* \(`rejected`\): vetoed by @alice \(wait again\)/,
      );
      assert.equal(deployments(fake).length, 0);
    },
  );
});
