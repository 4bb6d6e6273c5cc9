// The App's commands name environments, options, parameters, zones and durations: each may be one of
// Object.prototype's names ("constructor", "toString", "__proto__"). End to end through probot.receive
// against the fake GitHub: every such name in every argument position is answered (refused with a reply that
// says why, or done), nothing throws, a refusal changes no state, and an environment or a parameter that
// deploy.yml does define by such a name is deployed to, as any other. Found safe when swept (the parser and
// the App's lookups were made own-keys-only before); kept so that it stays so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Probot } from 'probot';
import type { FakeGitHub } from '../fake-github/index.ts';
import { commentOnPull, HEAD, PR, seededApp } from './helpers.ts';

type Receive = Parameters<Probot['receive']>[0];

const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];
// production declares a variable; an environment is named constructor, and declares one named so.
const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh {{version}}
environments:
  production:
    variables:
      region: eu
  constructor:
    variables:
      constructor: "1"
`;

/**
 * Every argument position of every command; N is where the name goes. Those marked `true` name an
 * environment deploy.yml does not define (but "constructor"): refused (`/unlock` of one is answered "not
 * locked", for any name: a lock may outlive its environment). A parameter is checked against the
 * environment's variables by the run (resolve.ts), for every name alike: the App passes it on.
 */
const POSITIONS: Array<[string, boolean]> = [
  ['/deploy N', true],
  ['/deploy production N', false],
  ['/deploy production --N', false],
  ['/deploy production --strategy N', false],
  ['/deploy production --dry-run | N=1', false],
  ['/deploy production --dry-run | region=N', false],
  ['/deploy production at 2030-01-01 10:00 N', false],
  ['/deploy production --queue | N=1', false],
  ['/deploy production --hotfix --reason N', false],
  ['/approve-deploy N', true],
  ['/reject-deploy N', true],
  ['/reject-deploy production N', false],
  ['/rollback N', true],
  ['/rollback production N', false],
  ['/lock N', true],
  ['/lock production --reason N', false],
  ['/unlock N', false],
  ['/unlock production --N', false],
  ['/promote N', true],
  ['/pause N', true],
  ['/resume N', true],
  ['/abort N', true],
  ['/abort production --reason N', false],
  ['/status N', true],
  ['/status production --history --since N', false],
  ['/cancel-deploy N', true],
  ['/help N', false],
  ['/N', false],
];

/** The state a command can change (comments and reactions aside). */
function stateOf(fake: FakeGitHub): string {
  const r = fake.repo();
  return JSON.stringify({
    refs: [...r.refs].filter(([name]) => !name.startsWith('heads/')),
    deployments: r.deployments.size,
    checkRuns: r.checkRuns.size,
    dispatches: r.workflowDispatches.length,
  });
}

async function say(fake: FakeGitHub, probot: Probot, body: string) {
  const from = fake.requests.length;
  const { payload } = commentOnPull(fake, body, { user: 'alice' });
  await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  const requests = fake.requests.slice(from);
  const replies = requests
    .filter(
      (r) => r.method !== 'GET' && r.status < 300 && typeof (r.body as { body?: unknown })?.body === 'string',
    )
    .map((r) => (r.body as { body: string }).body);
  const refused = requests.some(
    (r) =>
      r.operationId === 'reactions/create-for-issue-comment' &&
      (r.body as { content: string }).content === 'confused',
  );
  return { replies, refused };
}

test('a name like an Object.prototype property in any argument of any command is answered, and a refusal changes nothing', async () => {
  const { fake, probot } = await seededApp({
    config: CONFIG,
    collaborators: { alice: 'admin' },
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  });
  try {
    let refusals = 0;
    for (const [position, unknown] of POSITIONS)
      for (const name of NAMES) {
        const comment = position.replace('N', name);
        const before = stateOf(fake);
        const { replies, refused } = await say(fake, probot, comment);
        // `/constructor` and the like are chat, not commands: no answer is the answer.
        if (position === '/N') continue;
        assert.ok(replies.length > 0, `no answer to ${comment}`);
        assert.doesNotMatch(replies.join('\n'), /\[native code\]|TypeError|function Object/, comment);
        if (unknown && !(position.endsWith('N') && name === 'constructor'))
          assert.ok(refused, `not refused: ${comment}\n${replies.join('\n')}`);
        if (refused) {
          refusals++;
          assert.equal(stateOf(fake), before, `a refused command changed state: ${comment}`);
        }
      }
    assert.ok(refusals > POSITIONS.length * 5, `${refusals} refusals`);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});

test('an environment and a parameter named constructor that deploy.yml defines are deployed, as any other', async () => {
  const { fake, probot } = await seededApp({
    config: CONFIG,
    collaborators: { alice: 'admin' },
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  });
  try {
    const { replies, refused } = await say(fake, probot, '/deploy constructor | constructor=2');
    assert.equal(refused, false, replies.join('\n'));
    const deployments = [...fake.repo().deployments.values()] as Array<{
      environment: string;
      payload: unknown;
    }>;
    assert.equal(deployments.length, 1, replies.join('\n'));
    assert.equal(deployments[0]!.environment, 'constructor');
    assert.deepEqual((deployments[0]!.payload as { params?: unknown }).params, { constructor: '2' });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});
