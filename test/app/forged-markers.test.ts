// The class of attack in issue 11 §2: state markers forged through text the app echoes. For every command
// and every field a user controls (command arguments, reasons, parameters, option names, and a lock tag
// pushed by hand), the same scenario runs twice: once with harmless values, once with well-formed markers
// as the app writes them (same function, same key): approvals by the two approvers for this commit and
// for the commit the author pushes next, with a valid MAC for another PR, with a valid MAC for this very
// PR (replayed), and with no MAC; a pending request and a gate notice. The harmless values are the same
// text with `<` and `>` swapped for parentheses, so both runs take the same validation paths. Every
// decision the app then takes (dry runs at both commits, a real /deploy, one real approval, the state it
// reads back from its own comments, deployments) must be the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  commentOnPull,
  owner,
  PR,
  pushToPull,
  repo,
  testApp,
  testMarkerKeys,
  testProbot,
  testTrust,
} from './helpers.ts';
import { serializeApprovalMarker } from '../../src/policy/index.ts';
import type { ApprovalRecord } from '../../src/policy/index.ts';
import { serializePendingMarker } from '../../app/deploy/pending.ts';
import { serializeGateNotice } from '../../app/deploy/gate-notice.ts';
import { acquireLock } from '../../app/locks.ts';
import { readAppComments } from '../../app/facts/own-comments.ts';
import { keepInstallationOctokits } from '../../app/installation-octokits.ts';
import type { Octokit } from '../../app/facts/github.ts';

type Receive = Parameters<Probot['receive']>[0];

const HEAD = fakeSha('forged-head');
const NEXT = fakeSha('forged-next');
const NOW = new Date('2025-03-04T10:30:00Z');
const OTHER_PR = 8;

// alice opened the PR and may deploy, but is no approver: the attacker. carol and dave approve; two needed.
const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  production:
    approvals:
      deployers: [alice, bob]
      approvers: [carol, dave]
      required: 2
`;

const keys = testMarkerKeys();
const scopeOf = (pullRequest: number) => ({ repository: `${owner}/${repo}`, pullRequest });

function approval(by: string, sha: string, pullRequest: number): string {
  const record: ApprovalRecord = {
    kind: 'approve',
    by: { login: by, permission: 'write', teams: [] },
    environment: 'production',
    sha,
    at: new Date(NOW.getTime() - 60_000),
    source: 'comment',
  };
  return serializeApprovalMarker(record, keys, scopeOf(pullRequest));
}

const stripMac = (marker: string): string => marker.replace(/ mac=[0-9a-f]+ -->$/, ' -->');

/** One marker per value (a reason holds at most 500 characters: one marker each). */
const HOSTILE: string[] = [
  ...['carol', 'dave'].flatMap((who) => [
    approval(who, HEAD, OTHER_PR), // a valid MAC, for another pull request
    approval(who, NEXT, OTHER_PR),
    approval(who, HEAD, PR), // a valid MAC for this pull request and commit, replayed from elsewhere
    approval(who, NEXT, PR), // ...and for the commit the author pushes next
    stripMac(approval(who, HEAD, PR)), // no MAC at all (the old format)
    stripMac(approval(who, NEXT, PR)),
  ]),
  serializePendingMarker(
    {
      environment: 'production',
      sha: NEXT,
      type: 'standard',
      params: {},
      requestedBy: 'alice',
      sourceCommentId: 1,
      at: NOW,
    },
    keys,
    scopeOf(PR),
  ),
  serializeGateNotice({ environment: 'production', sha: NEXT, run: 4711 }, keys, scopeOf(PR)),
];
/** The same values, the same lengths and the same characters but for `<` and `>`: text, not markers. */
const BENIGN = HOSTILE.map((v) => v.replace(/</g, '(').replace(/>/g, ')'));

interface Run {
  fake: FakeGitHub;
  probot: Probot;
  octokit: Octokit;
  warnings: Array<Record<string, unknown>>;
}

const botLogin = (fake: FakeGitHub): string => `${fake.state.appSlug}[bot]`;

async function say(run: Run, body: string, user: string): Promise<string> {
  const { payload } = commentOnPull(run.fake, body, { user });
  const before = appReplies(run.fake).length;
  await run.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  return appReplies(run.fake).slice(before).join('\n---\n');
}

const appReplies = (fake: FakeGitHub): string[] =>
  [...fake.repo().comments.values()]
    .filter((c) => (c.user as { login: string }).login === botLogin(fake))
    .map((c) => String(c.body));

/** What a reply decided, without its words: the reason code, or the kind of answer. */
function decisionOf(reply: string): string {
  const codes = [...reply.matchAll(/\(`([a-z_]+)`\)/g)].map((m) => m[1]);
  const kinds = [
    /Waiting for (\d+) approval/.exec(reply)?.[0],
    /Still waiting for (\d+)/.exec(reply)?.[0],
    /Deployment \*\*\\#\u200D\d+\*\* created/.test(reply) ? 'created' : undefined,
    /Approval by \S+ recorded/.test(reply) ? 'approval recorded' : undefined,
    /\*\*Veto\*\* by \S+ recorded/.test(reply) ? 'veto recorded' : undefined,
    /^Locked /m.test(reply) ? 'locked' : undefined,
    /^Unlocked /m.test(reply) ? 'unlocked' : undefined,
    /\*\*Dry run\*\*: the policy allows/.test(reply) ? 'dry run allowed' : undefined,
  ].filter(Boolean);
  return [...codes, ...kinds].join(' ') || (reply ? 'other' : 'no reply');
}

/** The app's state as it reads it back from its own comments: what every later decision is made from. */
async function appState(run: Run): Promise<unknown> {
  const state = await readAppComments(
    run.octokit.rest,
    { owner, repo },
    PR,
    botLogin(run.fake),
    testTrust(run.warnings),
  );
  return {
    approvals: state.approvals.map((a) => [a.kind, a.by.login, a.sha]),
    pending: state.pending.map((p) => [p.environment, p.sha, p.requestedBy]),
    gates: state.gates.map((g) => [g.environment, g.sha, g.run]),
  };
}

type Inject = (run: Run, value: string) => Promise<string[]>;

/** Every command and every field a user controls, each a way to put `value` where the app may echo it. */
const FIELDS: Record<string, Inject> = {
  'veto reason (/reject-deploy, the author)': async (run, v) => [
    await say(run, `/reject-deploy production '${v}'`, 'alice'),
  ],
  'veto reason (/reject-deploy, an approver) then a lifting approval': async (run, v) => [
    await say(run, `/reject-deploy production '${v}'`, 'dave'),
    await say(run, '/approve-deploy production', 'dave'),
  ],
  'hotfix reason (/deploy --hotfix --reason)': async (run, v) => [
    await say(run, `/deploy production --hotfix --reason '${v}'`, 'alice'),
  ],
  'deploy parameter (/deploy | key=value)': async (run, v) => [
    await say(run, `/deploy production | note='${v}'`, 'alice'),
  ],
  'lock reason (/lock --reason), echoed by /status, a locked /deploy and /unlock': async (run, v) => [
    await say(run, `/lock production --reason '${v}'`, 'alice'),
    await say(run, '/status', 'bob'),
    await say(run, '/status production', 'carol'),
    await say(run, '/unlock production', 'bob'),
    await say(run, '/lock production', 'bob'),
    await say(run, '/unlock production', 'alice'),
  ],
  'arguments echoed by refusals (environment, sha, option, extra argument)': async (run, v) => [
    await say(run, `/deploy '${v}'`, 'alice'),
    await say(run, `/approve-deploy '${v}'`, 'alice'),
    await say(run, `/reject-deploy '${v}'`, 'alice'),
    await say(run, `/rollback production to '${v}'`, 'alice'),
    await say(run, `/status '${v}'`, 'alice'),
    await say(run, `/help '${v}'`, 'alice'),
    await say(run, `/lock '${v}'`, 'alice'),
    await say(run, `/unlock production '--${v}'`, 'alice'),
    await say(run, `/deploy production --strategy '${v}'`, 'alice'),
    await say(run, `/deploy production ${v}`, 'alice'),
  ],
  'a lock tag pushed by hand (holder and reason with line breaks), echoed by /status, /deploy, /unlock':
    async (run, v) => {
      const where = { owner, repo };
      const lock = await acquireLock(run.octokit.rest, where, keys, {
        target: { scope: 'environment', environment: 'production' },
        holder: `carol\n\n${v}`,
        reason: `\n\n${v}\n`,
        sha: HEAD,
        now: () => NOW,
      });
      assert.equal(lock.status, 'acquired');
      const echoed = [
        await say(run, '/status', 'bob'),
        await say(run, '/deploy production', 'bob'),
        await say(run, '/unlock production', 'bob'),
        await say(run, '/lock production', 'bob'),
      ];
      // A maintainer clears it (a ref deleted by hand), so the probe below decides on approvals alone.
      await run.octokit.rest.git.deleteRef({ ...where, ref: 'deploy-locks/production' });
      return echoed;
    },
};

/** Decisions after the injection: dry runs at both commits, then a real /deploy and one real approval. */
async function probe(run: Run): Promise<unknown> {
  const trace: unknown[] = [];
  trace.push(decisionOf(await say(run, '/deploy production --dry-run', 'alice')));
  trace.push(await appState(run));
  // GitHub tells the App of the push (pull_request.synchronize), as it would.
  await pushToPull(run.fake, run.probot, NEXT);
  trace.push(decisionOf(await say(run, '/deploy production --dry-run', 'alice')));
  trace.push(decisionOf(await say(run, '/deploy production', 'alice')));
  trace.push(decisionOf(await say(run, '/approve-deploy production', 'carol')));
  trace.push(await appState(run));
  trace.push({ deployments: run.fake.repo().deployments.size });
  return trace;
}

/** A fake GitHub with the PR (alice's, at HEAD) and the app loaded; the caller stops `run.fake`. */
async function startRun(
  pulls: Array<{ number: number; head: string; user: string }> = [{ number: PR, head: HEAD, user: 'alice' }],
): Promise<Run> {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write', bob: 'write', carol: 'write', dave: 'write' },
    pulls,
  });
  const probot = testProbot(fake);
  // As the server hands deliveries their Octokit: one per installation, its reads conditional.
  await keepInstallationOctokits(probot);
  await probot.load(testApp({ now: () => NOW }));
  const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
  return { fake, probot, octokit, warnings: [] };
}

async function scenario(inject: Inject, values: readonly string[]): Promise<{ trace: unknown; run: Run }> {
  const run = await startRun([
    { number: PR, head: HEAD, user: 'alice' },
    { number: OTHER_PR, head: fakeSha('other-pr'), user: 'bob' },
  ]);
  const { fake } = run;
  try {
    const injected: string[] = [];
    for (const value of values) injected.push(...(await inject(run, value)).map(decisionOf));
    const trace = { injected, after: await probe(run) };
    fake.assertNoViolations();
    return { trace, run };
  } finally {
    await fake.stop();
  }
}

for (const [field, inject] of Object.entries(FIELDS)) {
  test(`forged markers in ${field} change no decision`, async () => {
    const benign = await scenario(inject, BENIGN);
    const hostile = await scenario(inject, HOSTILE);
    assert.deepEqual(hostile.trace, benign.trace);
    // And in absolute terms: the attacker's /deploy waits for two approvals, one real approval is not enough.
    const after = (hostile.trace as { after: unknown[] }).after;
    assert.equal(after[3], 'Waiting for 2 approval', JSON.stringify(after));
    assert.match(String(after[4]), /^Still waiting for 1/, JSON.stringify(after));
    assert.deepEqual(after.at(-1), { deployments: 0 });
    // Nothing hostile reached an app comment raw: every marker the app's comments hold is in a trailing block.
    assert.deepEqual(hostile.run.warnings, [], 'no marker outside a block, none without a valid MAC');
  });
}

test('an edited app comment (a repository admin can edit it) counts for nothing it did not say, and is logged', async () => {
  const run = await startRun();
  const { fake } = run;
  try {
    assert.match(await say(run, '/approve-deploy production', 'carol'), /Approval by @carol recorded/);
    const [id, comment] = [...fake.repo().comments].find(
      ([, c]) => (c.user as { login: string }).login === botLogin(fake),
    )!;
    const real = String(comment.body);
    const block = real.slice(real.indexOf('\n\n<!-- deploy-action:') + 2);
    const edits = [
      // carol's marker re-addressed to dave: the MAC no longer matches the content.
      block.replace('"by":"carol"', '"by":"dave"'),
      approval('dave', HEAD, OTHER_PR), // a valid MAC, for another PR
      stripMac(approval('dave', HEAD, PR)), // no MAC
    ];
    for (const edit of edits) {
      comment.body = `${real}\n${edit}`;
      run.warnings.length = 0;
      assert.deepEqual(
        await appState(run),
        { approvals: [['approve', 'carol', HEAD]], pending: [], gates: [] },
        `edited comment ${id}: ${edit.slice(0, 60)}`,
      );
      assert.equal(run.warnings.length, 1, JSON.stringify(run.warnings));
      assert.equal(run.warnings[0]!.comment, id);
      assert.match(String(run.warnings[0]!.reason), /^(bad_mac|no_mac)$/);
    }
    // A marker moved above the block is never read, only reported.
    comment.body = `${approval('dave', HEAD, PR)}\n${real}`;
    run.warnings.length = 0;
    assert.deepEqual((await appState(run)) as unknown, {
      approvals: [['approve', 'carol', HEAD]],
      pending: [],
      gates: [],
    });
    assert.deepEqual(
      run.warnings.map((w) => w.reason),
      ['outside_block'],
    );
    assert.match(await say(run, '/deploy production --dry-run', 'alice'), /`needs_approvals`/);
  } finally {
    await fake.stop();
  }
});

test('a veto the app wrote after more comments than it reads is never passed over: nothing is decided on the PR', async () => {
  const run = await startRun();
  const { fake } = run;
  try {
    assert.match(await say(run, '/approve-deploy production', 'carol'), /Approval by @carol recorded/);
    assert.match(await say(run, '/approve-deploy production', 'dave'), /Approval by @dave recorded/);
    assert.match(decisionOf(await say(run, '/deploy production --dry-run', 'alice')), /dry run allowed/);
    // Anyone who may comment buries the app's approvals under a thousand comments (GitHub's pages of 100).
    for (let i = 0; i < 1000; i++) fake.addComment(PR, { user: 'mallory', body: `spam ${i}` });
    // carol's veto, and every later decision, cannot be read past them: refused, not decided without it.
    for (const [body, user] of [
      ['/reject-deploy production not this one', 'carol'],
      ['/deploy production --dry-run', 'alice'],
      ['/deploy production', 'alice'],
      ['/approve-deploy production', 'dave'],
    ] as const) {
      const reply = await say(run, body, user);
      assert.match(reply, /\(`too_many_comments`\)/, `${body}: ${reply}`);
    }
    assert.equal(fake.repo().deployments.size, 0, 'no deployment');
    await assert.rejects(appState(run), /more than 1000 comments/);
  } finally {
    await fake.stop();
  }
});
