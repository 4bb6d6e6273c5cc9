// An approval and a veto by the same person, handled out of the order they were written in (two replicas at
// once, a delivery that waited, a redelivery after a failure): the record is dated when its comment was
// written, so the one written last is the one that stands. A veto written after an approval is never lifted
// by that approval, however late it is handled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, PR, deployYml, handClock, sayOnPull, withSeededApp, writtenComment } from './helpers.ts';

const CONFIG = deployYml(`
  production:
    approvals:
      deployers: [alice]
      approvers: [dave, erin]
      required: 1
`);

/** The seeded repository, the App and the fake GitHub on clock `c`. */
function withApp(c: ReturnType<typeof handClock>, body: Parameters<typeof withSeededApp>[1]): Promise<void> {
  return withSeededApp(
    {
      config: CONFIG,
      collaborators: { alice: 'write', dave: 'write', erin: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'alice' }],
      fake: { now: c.now },
      app: { now: c.now },
    },
    body,
  );
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

test('a veto written after an approval stands, even when the approval is handled last', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    c.tick(10_000);
    const approve = writtenComment(fake, probot, '/approve-deploy production', 'dave');
    c.tick(5_000);
    const veto = writtenComment(fake, probot, '/reject-deploy production changed my mind', 'dave');
    c.tick(1_000);
    assert.match(await veto(), /\*\*Veto\*\* by/);
    c.tick(1_000);
    const late = await approve();
    assert.match(late, /Approval by @dave/);
    assert.equal(deployments(fake).length, 0, `dave's last word was his veto: ${late}`);
    assert.match(
      await sayOnPull(fake, probot, '/deploy production', 'alice'),
      /\*\*Not deployed\*\* \(`rejected`\): vetoed by @\u200d?dave \(changed my mind\)/,
    );
  });
});

test("the author's approval written before her own veto does not lift it when handled after it", async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/reject-deploy production wait', 'alice'), /\*\*Veto\*\* by/);
    c.tick(10_000);
    const lift = writtenComment(fake, probot, '/approve-deploy production', 'alice');
    c.tick(5_000);
    const veto = writtenComment(fake, probot, '/reject-deploy production wait again', 'alice');
    c.tick(1_000);
    assert.match(await veto(), /\*\*Veto\*\* by/);
    c.tick(1_000);
    const refused = await lift();
    assert.match(refused, /^\*\*Not accepted\*\* \(`self_approval_refused`\)/, refused);
    assert.doesNotMatch(refused, /lifted/);
    assert.match(await sayOnPull(fake, probot, '/approve-deploy production', 'dave'), /Approval by @dave/);
    assert.match(
      await sayOnPull(fake, probot, '/deploy production', 'alice'),
      /\*\*Not deployed\*\* \(`rejected`\): vetoed by @alice \(wait again\)/,
    );
    assert.equal(deployments(fake).length, 0);
  });
});
