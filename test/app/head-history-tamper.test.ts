// The history of heads (refs/deploy-heads/pr-<n>) binds the first command on a pull request to the head its
// comment was written at. Anyone who can push can delete that ref, or point it at another genuine history the
// App wrote (an older one of the same pull request, or another pull request's). Each of those must leave a
// command written at one head refused when a push made another the head, never deployed on the pushed one.
// The App's own check run on every head it records (head-anchor.ts) is what tells a history set back or deleted
// apart from a pull request opened before the App kept heads. Also: what a push costs where the App has shown
// nothing (the fake GitHub's request log).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  appReplies,
  commentOnPull,
  deployYml,
  synchronizePayload,
  withSeededApp,
} from './helpers.ts';

type Receive = Parameters<Probot['receive']>[0];

const B = fakeSha('pr-7-second-head');
const C = fakeSha('pr-7-third-head');
const REF = `deploy-heads/pr-${PR}`;
const seed = {
  config: deployYml(`\n  staging: {}\n`),
  pulls: [
    { number: PR, head: HEAD, user: 'alice' },
    { number: 8, head: fakeSha('pr-8-head'), user: 'alice' },
  ],
};

const target = (fake: FakeGitHub) => ({
  owner: 'acme',
  repo: 'web',
  baseUrl: fake.url,
  installationId: fake.state.installationId,
});

/** pull_request.opened, GitHub creating pull request `number` at `at`. */
const opened = (fake: FakeGitHub, probot: Probot, at: string, number = PR) =>
  probot.receive({
    id: crypto.randomUUID(),
    name: 'pull_request',
    payload: webhookPayload(
      'pull_request',
      'opened',
      {
        number,
        pull_request: {
          number,
          head: { sha: fake.repo().pulls.get(number)!.headSha },
          created_at: at,
          updated_at: at,
        },
        repository: { default_branch: 'main' },
      },
      target(fake),
    ),
  } as Receive);

/** A push (or a force-push) moves the head to `sha` at `at`, and GitHub tells the App. */
async function pushedAt(fake: FakeGitHub, probot: Probot, sha: string, at: string): Promise<void> {
  const pull = fake.repo().pulls.get(PR)!;
  const before = pull.headSha;
  if (fake.repo().commits.has(sha)) pull.headSha = sha;
  else fake.pushCommit(PR, sha, { author: 'alice' });
  const payload = synchronizePayload(fake, before, sha);
  payload.pull_request = { ...(payload.pull_request as object), updated_at: at };
  await probot.receive({ id: crypto.randomUUID(), name: 'pull_request', payload } as Receive);
}

/** alice writes `/deploy staging` at `at` (GitHub's created_at); the App gets it when the result is called. */
function deployWrittenAt(fake: FakeGitHub, probot: Probot, at: string) {
  const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
  (payload.comment as Record<string, unknown>).created_at = at;
  return async (): Promise<string> => {
    const before = appReplies(fake).length;
    await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    return appReplies(fake).slice(before).join('\n');
  };
}

const deployed = (fake: FakeGitHub) => [...fake.repo().deployments.values()].map((d) => d.sha as string);

/**
 * The attack: alice writes /deploy at `written` while the head is the one of the history before the last push;
 * the history is tampered with (`tamper`), and her comment is handled after the push. It must be refused.
 */
const attacks: Array<{
  name: string;
  reason: RegExp;
  /** The heads pushed after opening (at 09:02, 09:04, ...), the time alice writes, and the tampering. */
  pushes: string[];
  written: string;
  tamper: (fake: FakeGitHub, saved: Map<string, string>) => void;
}> = [
  {
    name: 'the history deleted',
    reason: /`history_missing`/,
    pushes: [B],
    written: '2026-12-01T09:01:00Z',
    tamper: (fake) => fake.repo().refs.delete(REF),
  },
  {
    name: 'the history deleted after two pushes',
    reason: /`history_missing`/,
    pushes: [B, C],
    written: '2026-12-01T09:03:00Z',
    tamper: (fake) => fake.repo().refs.delete(REF),
  },
  {
    // Opened at HEAD, pushed B, force-pushed back to HEAD: alice wrote while B was the head. The history as it
    // was before the force-push back ends with B; the one before that, with HEAD at 09:00.
    name: 'the history set back to the one written at opening (force-push back to the opening head)',
    reason: /`history_stale`/,
    pushes: [B, HEAD],
    written: '2026-12-01T09:03:00Z',
    tamper: (fake, saved) => fake.repo().refs.set(REF, saved.get('opened')!),
  },
  {
    name: 'the history set back to the one before the last push',
    reason: /`history_stale`/,
    pushes: [B, C],
    written: '2026-12-01T09:03:00Z',
    tamper: (fake, saved) => fake.repo().refs.set(REF, saved.get(B)!),
  },
  {
    name: "the history pointed at another pull request's",
    reason: /`history_refused`/,
    pushes: [B],
    written: '2026-12-01T09:01:00Z',
    tamper: (fake) => fake.repo().refs.set(REF, fake.repo().refs.get('deploy-heads/pr-8')!),
  },
];

for (const attack of attacks)
  test(`a /deploy written at one head is not deployed on a pushed one: ${attack.name}`, async () => {
    await withSeededApp(seed, async (fake, probot) => {
      await opened(fake, probot, '2026-12-01T08:00:00Z', 8);
      await opened(fake, probot, '2026-12-01T09:00:00Z');
      const saved = new Map([['opened', fake.repo().refs.get(REF)!]]);
      const deploy = deployWrittenAt(fake, probot, attack.written);
      let minute = 2;
      for (const sha of attack.pushes) {
        await pushedAt(fake, probot, sha, `2026-12-01T09:0${minute}:00Z`);
        saved.set(sha, fake.repo().refs.get(REF)!);
        minute += 2;
      }
      assert.deepEqual(appReplies(fake), [], 'the heads are kept without a comment');
      attack.tamper(fake, saved);
      const reply = await deploy();
      assert.match(reply, /\*\*Not accepted\*\* \(`head_moved`\)/);
      assert.match(reply, attack.reason);
      assert.deepEqual(deployed(fake), [], 'nothing deployed');
      // The refusal shows the head: asked again after it, the head deploys.
      const again = deployWrittenAt(fake, probot, '2026-12-01T09:30:00Z');
      await again();
      assert.deepEqual(deployed(fake), [fake.repo().pulls.get(PR)!.headSha]);
    });
  });

test('untampered, the same commands act as before: written after the last push deploys it', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await opened(fake, probot, '2026-12-01T09:00:00Z');
    await pushedAt(fake, probot, B, '2026-12-01T09:02:00Z');
    await pushedAt(fake, probot, HEAD, '2026-12-01T09:04:00Z');
    await deployWrittenAt(fake, probot, '2026-12-01T09:05:00Z')();
    assert.deepEqual(deployed(fake), [HEAD]);
  });
});

test('a pull request from before the App kept heads (no history, no anchor) is for the head it shows', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await deployWrittenAt(fake, probot, '2026-12-01T09:05:00Z')();
    assert.deepEqual(deployed(fake), [HEAD]);
  });
});

test('a push on a pull request where the App has shown nothing costs six requests (eight before), none of them a comment', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await opened(fake, probot, '2026-12-01T09:00:00Z');
    await pushedAt(fake, probot, B, '2026-12-01T09:02:00Z');
    const before = fake.requests.length;
    await pushedAt(fake, probot, C, '2026-12-01T09:04:00Z');
    const sent = fake.requests.slice(before).map((r) => r.operationId ?? r.path);
    assert.deepEqual(sent, [
      'issues/list-comments',
      'git/get-ref',
      'git/get-tag',
      'checks/create',
      'git/create-tag',
      'graphql',
    ]);
    assert.deepEqual(appReplies(fake), []);
  });
});
