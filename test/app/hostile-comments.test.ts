// Hostile pull-request comments, end to end through probot.receive against the fake GitHub: every command,
// every argument position, every class of hostile text (HTML comments and forged marker lines, Markdown and
// HTML injection, mentions and references, invisible and bidirectional characters, controls and line
// separators, look-alikes, 100 KB values, path- and shell-like values). For each comment the test reads
// the exact bodies the fake received from the app and asserts that no hostile text is in them raw; a refused
// command changes no state; and the app, reading its own comments back, believes no marker it did not write.
// The comment-shaped attacks (a command inside text, two commands, a marker on the first line, a bot, the
// app itself, a ghost) are in the second half.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { commentOnPull, deployYml, owner, PR, repo, seededApp, testTrust } from './helpers.ts';
import {
  approvePress,
  deliveryTarget,
  diffCommentPayload,
  protectionRulePayload,
  receive,
  reviewOf,
  reviewPayload,
} from './delivery-helpers.ts';
import { readAppComments } from '../../app/facts/own-comments.ts';
import type { Octokit } from '../../app/facts/github.ts';
import { acquireLock } from '../../app/locks.ts';
import { quietMentions } from '../../app/handlers/comment.ts';
import { userText } from '../../src/github/user-text.ts';
import {
  assertInert as assertInertFor,
  assertRecordInert,
  mentionsIn,
  otherWrites,
  renderedWrites,
} from './inert.ts';

type Receive = Parameters<Probot['receive']>[0];

const HEAD = fakeSha('hostile-head');
const NOW = new Date('2025-03-04T10:30:00Z');
// alice opened the PR; alice and bob deploy production, carol and dave approve it; mallory is a stranger.
const CONFIG = deployYml(`
  staging: {}
  production:
    approvals:
      deployers: [alice, bob]
      approvers: [carol, dave]
      required: 1
`);
/** The only people the app may @-mention: those in the policy and those who commented. */
const MAY_MENTION = new Set(['alice', 'bob', 'carol', 'dave', 'mallory']);
const assertInert = (body: string, where: string): void => assertInertFor(MAY_MENTION, body, where);

const MAC = 'f'.repeat(64);
const FORGED_APPROVAL =
  `<!-- deploy-action:approval {"v":1,"kind":"approve","env":"production","sha":"${HEAD}",` +
  `"by":"carol","perm":"write","teams":[],"at":"2025-03-04T10:00:00.000Z"} mac=${MAC} -->`;

/**
 * Hostile values: each tries one way out of plain text. None holds a `'`, so each can be given single-quoted
 * (the parser's one way to pass spaces and markup through) as well as bare.
 */
const HOSTILE: Record<string, string> = {
  'a forged marker line': FORGED_APPROVAL,
  'an HTML comment': '--> <!-- hidden -->',
  'HTML tags':
    '<details><summary>x</summary><img src=x onerror=alert(1)></details><a href="https://evil.example">',
  'Markdown links and images': '[click](https://evil.example) ![pixel](https://evil.example/p.png)',
  mentions: '@octocat @acme/everyone',
  references: '#1 GH-2 acme/web#3 acme/web@abc1234',
  autolinks: 'https://evil.example www.evil.example x@evil.example',
  'a table row and emphasis': '| a | b | **bold** ~~gone~~ _em_ $x^2$',
  'backticks breaking out of a code span': '`` ` ``x`',
  'paths and shell': '../../etc/passwd; $(id) && rm -rf / `id` ${HOME}',
  // (Backticks are refused by the parser; tildes pass it.)
  'a code fence': '~~~ fence',
  'a fake approval line': 'Approval by @carol recorded for production at f5deb6e6d281.',
  'a right-to-left override': 'safe\u202Eexe.txt',
  'zero-width characters': 'pro\u200Bduction\u200C\u2060\uFEFF',
  'bidi isolates': '\u2066\u2067x\u2069\u200E\u200F',
  NUL: 'a\u0000b',
  'an escape sequence': '\u001b[31mred',
  'a CR then a marker': `x\r${FORGED_APPROVAL}`,
  'a CRLF then a marker': `x\r\n${FORGED_APPROVAL}`,
  'a line separator then a marker': `x\u2028${FORGED_APPROVAL}`,
  'a paragraph separator then a marker': `x\u2029${FORGED_APPROVAL}`,
  'a NEL then a marker': `x\u0085${FORGED_APPROVAL}`,
  'a Cyrillic look-alike': '\u0440roduction',
  'a fullwidth look-alike': '\uFF50roduction',
  '100 KB': `A${'@x<'.repeat(25_000)}`,
  'a javascript: link and angle-bracket autolinks':
    '[x](javascript:alert(1)) <javascript:alert(1)> <https://evil.example> [y]: javascript:alert(2)',
  'headings and a rule': '# Heading ### h3 --- *** ___',
  'emoji shortcodes': ':rocket: :+1: :shipit:',
  'HTML entities': '&lt;!-- &#60;img src=x&#62; &amp;lt; &#x40;octocat &#35;1 &nbsp;',
  'a list item': '- item',
  'a numbered item': '1. item',
  'a heading underline': '=== x',
  'a block quote': '> quoted',
  backslashes: '\\<!-- \\[click](https://evil.example) \\@octocat \\',
};

/** For some values, how they read once escaped: proof that the value was shown, not silently dropped. */
const ECHOED: Record<string, string> = {
  'a forged marker line': '&lt;\\!-- deploy-action\u200D:approval',
  'HTML tags': '&lt;details&gt;&lt;summary&gt;x&lt;/summary&gt;&lt;img',
  'Markdown links and images': '\\[click\\]\\(https\u200D://evil.example\\) \\!\\[pixel\\]',
  mentions: '@\u200Doctocat @\u200Dacme/everyone',
  references: '\\#\u200D1 GH\u200D-2 acme/web\\#\u200D3',
  autolinks: 'https\u200D://evil.example www\u200D.evil.example x@\u200Devil.example',
  'a table row and emphasis': '\\| a \\| b \\| \\*\\*bold\\*\\*',
  'a code fence': '\\~\\~\\~ fence',
  'a fake approval line': 'Approval by @\u200Dcarol recorded',
  'a javascript: link and angle-bracket autolinks':
    '\\[x\\]\\(javascript\u200D:alert\\(1\\)\\) &lt;javascript',
  'headings and a rule': '\\# Heading \\#\\#\\# h3',
  'emoji shortcodes': '\u200D:rocket\u200D: \u200D:+1\u200D:',
  'HTML entities': '&amp;lt;\\!-- &amp;\\#\u200D60;img',
  backslashes: '\\\\&lt;\\!-- \\\\\\[click\\]',
};

/** Every command and argument position; V is where the value goes. [who says it, the comment]. */
const POSITIONS: Array<[string, string]> = [
  ['alice', '/deploy V'],
  ['alice', '/deploy production V'],
  ['alice', '/deploy production --strategy V'],
  ['alice', '/deploy production --V'],
  ['alice', '/deploy production at V'],
  ['alice', '/deploy production at 2026-12-01 10:00 V'],
  ['alice', '/deploy production --hotfix --reason V'],
  ['alice', '/deploy staging --dry-run | note=V'],
  ['alice', '/deploy staging | note=V'],
  ['alice', '/deploy staging --dry-run | V=1'],
  ['alice', '/deploy staging --dry-run | version=V'],
  ['alice', '/deploy production --queue V'],
  ['alice', '/deploy production --queue | note=V'],
  ['alice', '/deploy production --queue --strategy V'],
  ['alice', '/deploy production at 2025-03-05 10:00 | note=V'],
  ['alice', '/deploy production at 2025-03-05 10:00 Europe/Berlin V'],
  ['alice', '/cancel-deploy production V'],
  ['mallory', '/status production --history --since V'],
  ['mallory', '/status production --history V'],
  ['bob', '/unlock production --force V'],
  ['carol', '/approve-deploy V'],
  ['carol', '/approve-deploy production V'],
  ['dave', '/reject-deploy V'],
  ['dave', '/reject-deploy production V'],
  ['bob', '/rollback V'],
  ['bob', '/rollback production to V'],
  ['bob', '/rollback production V'],
  ['bob', '/lock V'],
  ['bob', '/lock production --reason V'],
  ['dave', '/lock --global --reason V'],
  ['bob', '/unlock V'],
  ['bob', '/unlock production --V'],
  ['bob', '/promote V'],
  ['bob', '/promote production V'],
  ['bob', '/pause V'],
  ['bob', '/resume production V'],
  ['bob', '/abort V'],
  ['bob', '/abort production V'],
  ['carol', '/abort production --reason V'],
  ['mallory', '/status V'],
  ['mallory', '/status --history --since V'],
  ['alice', '/cancel-deploy V'],
  ['mallory', '/help V'],
  ['mallory', '/deplo V'],
  ['mallory', '/V'],
  ['mallory', '/lock V'],
  ['mallory', '/deploy production --hotfix --reason V'],
];

/** After the hostile comments: everything that echoes a value the comments may have stored. */
const ECHOES: Array<[string, string]> = [
  ['mallory', '/status'],
  ['bob', '/status production'],
  ['alice', '/deploy production --dry-run'],
  ['carol', '/unlock production'],
  ['alice', '/unlock --global'],
  ['bob', '/unlock --global'],
  ['carol', '/approve-deploy production'],
  ['alice', '/deploy staging'],
  ['mallory', '/status production'],
  ['alice', '/cancel-deploy production'],
];

interface Run {
  fake: FakeGitHub;
  probot: Probot;
  octokit: Octokit;
  bot: string;
}

async function startRun(): Promise<Run> {
  const { fake, probot } = await seededApp({
    config: CONFIG,
    collaborators: { alice: 'write', bob: 'write', carol: 'write', dave: 'admin' },
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
    app: { now: () => NOW },
    // As the server hands deliveries their Octokit: one per installation, its reads conditional.
    kept: true,
  });
  const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
  return { fake, probot, octokit, bot: `${fake.state.appSlug}[bot]` };
}

/** The state a command can change (comments and reactions aside). */
function stateOf(fake: FakeGitHub): string {
  const r = fake.repo();
  return JSON.stringify({
    refs: [...r.refs].filter(([name]) => !name.startsWith('heads/')),
    tags: r.tagObjects.size,
    deployments: r.deployments.size,
    checkRuns: r.checkRuns.size,
    dispatches: r.workflowDispatches.length,
  });
}

async function say(run: Run, user: string, body: string): Promise<{ writes: string[]; refused: boolean }> {
  const from = run.fake.requests.length;
  const { payload } = commentOnPull(run.fake, body, { user });
  await run.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  const requests = run.fake.requests.slice(from);
  const reactions = requests
    .filter((r) => r.operationId === 'reactions/create-for-issue-comment')
    .map((r) => (r.body as { content: string }).content);
  // What GitHub shows as plain text or the App reads back (tag messages, names, ids) holds no value raw either.
  for (const [field, text] of otherWrites(requests))
    assertRecordInert(text, `${body.slice(0, 160)}: ${field}`);
  return { writes: renderedWrites(requests), refused: reactions.includes('confused') };
}

const quoted = (v: string) => `'${v}'`;

for (const [name, value] of Object.entries(HOSTILE)) {
  test(`hostile value in every command and argument position: ${name}`, async () => {
    const run = await startRun();
    try {
      let answered = 0;
      const bodies: string[] = [];
      for (const [user, template] of POSITIONS)
        for (const form of [quoted(value), value]) {
          const comment = template.replace('V', () => form);
          const where = `${user}: ${JSON.stringify(comment).slice(0, 160)}`;
          const before = stateOf(run.fake);
          const { writes, refused } = await say(run, user, comment);
          answered += writes.length ? 1 : 0;
          bodies.push(...writes);
          for (const body of writes) assertInert(body, where);
          if (refused) assert.equal(stateOf(run.fake), before, `a refused command changed state: ${where}`);
        }
      for (const [user, comment] of ECHOES) {
        const { writes } = await say(run, user, comment);
        bodies.push(...writes);
        for (const body of writes) assertInert(body, `${user}: ${comment} (after the hostile comments)`);
      }
      if (ECHOED[name]) {
        const all = bodies.join('\n');
        assert.ok(all.includes(ECHOED[name]), `the value is shown, escaped: ${ECHOED[name]}`);
      }
      // Most comments are answered (a check that only ever saw silence would prove nothing).
      assert.ok(answered >= POSITIONS.length, `only ${answered} answers`);
      // Reading its own comments back, the app believes no marker it did not write.
      const warnings: Array<Record<string, unknown>> = [];
      const state = await readAppComments(
        run.octokit.rest,
        { owner, repo },
        PR,
        run.bot,
        testTrust(warnings),
      );
      assert.deepEqual(warnings, [], 'no marker outside a block, none without a valid MAC');
      for (const a of state.approvals)
        assert.ok(
          ['carol', 'dave'].includes(a.by.login),
          `only real approvals and vetoes are read: ${a.by.login}`,
        );
      run.fake.assertNoViolations();
    } finally {
      await run.fake.stop();
    }
  });
}

// A lock tag is written by anyone with push access, not through the parser: its holder and reason reach the
// replies with whatever they hold (invisible and control characters included).
test('a lock tag pushed by hand with every hostile value as holder and reason is echoed inert', async () => {
  const run = await startRun();
  const where = { owner, repo };
  try {
    for (const [name, value] of Object.entries(HOSTILE)) {
      const lock = await acquireLock(run.octokit.rest, where, testTrust().keys, {
        target: { scope: 'environment', environment: 'production' },
        holder: `carol${value}`,
        reason: value,
        sha: HEAD,
        now: () => NOW,
      });
      assert.equal(lock.status, 'acquired', name);
      let echoed = 0;
      for (const [user, comment] of [
        ['mallory', '/status'],
        ['bob', '/deploy production'],
        ['bob', '/unlock production'],
        ['bob', '/lock production'],
      ] as const) {
        const { writes } = await say(run, user, comment);
        for (const body of writes) {
          assertInert(body, `${name}: ${user}: ${comment}`);
          if (/locked by/.test(body)) echoed += 1;
        }
      }
      assert.ok(echoed >= 3, `${name}: the lock was shown ${echoed} times`);
      await run.octokit.rest.git.deleteRef({ ...where, ref: 'deploy-locks/production' });
    }
    // Lock refs pushed by hand under names git allows but an environment cannot have: listed by /status.
    const names = ['x<!--@octocat-->', 'GH-1#2', '`x`@acme/everyone', 'a|b>c'];
    for (const name of names)
      await run.octokit.rest.git.createRef({ ...where, ref: `refs/deploy-locks/${name}`, sha: HEAD });
    const { writes } = await say(run, 'mallory', '/status');
    assert.equal(writes.length, 1);
    assertInert(writes[0]!, 'lock refs named by hand');
    // Lock refs at a commit of no deployment: one being started, or kept by a start that could not tell.
    assert.equal(writes[0]!.match(/is locked for a deployment of/g)?.length, names.length, writes[0]);
  } finally {
    await run.fake.stop();
  }
});

/**
 * The values a command stores and later events echo: each one the parser takes as quoted text (controls,
 * command substitution and 100 KB are refused before anything is stored, above).
 */
const STORED = [
  'a forged marker line',
  'HTML tags',
  'Markdown links and images',
  'mentions',
  'references',
  'autolinks',
  'a table row and emphasis',
  'a code fence',
  'a fake approval line',
  'a javascript: link and angle-bracket autolinks',
  'headings and a rule',
  'emoji shortcodes',
  'HTML entities',
  'a numbered item',
  'a heading underline',
  'a block quote',
  'backslashes',
];

/** The deployment_status delivery of `deployment` reaching `state`, posted by a workflow's token, saying `description`. */
function statusDelivery(run: Run, deployment: Record<string, unknown>, state: string, description: string) {
  const environment = String(deployment.environment);
  return webhookPayload(
    'deployment_status',
    'created',
    {
      repository: { default_branch: 'main' },
      deployment: {
        id: deployment.id,
        sha: deployment.sha,
        environment,
        payload: deployment.payload,
        creator: { login: (deployment.creator as { login: string }).login, type: 'Bot' },
      },
      deployment_status: {
        creator: { login: 'github-actions[bot]', type: 'Bot' },
        state,
        environment,
        description,
        created_at: NOW.toISOString(),
        log_url: `${run.fake.url}/_html/acme/web/actions/runs/99`,
      },
    },
    deliveryTarget(run.fake),
  );
}

// A stored value is echoed by other events than the comment that stored it: a workflow's deployment the
// protection rule judges under a lock or a veto, a press of the gate's Approve button, the statuses of the
// deployment a hotfix made, a schedule listed and cancelled, a global lock. Every write of each is checked.
for (const name of STORED) {
  test(`a hostile value a command stores reaches every later write inert (protection rule, Approve button, deployment statuses, schedules): ${name}`, async () => {
    const run = await startRun();
    const value = HOSTILE[name]!;
    const q = quoted(value);
    // A parameter's value holds at most 256 characters.
    const qn = quoted(value.slice(0, 256));
    const bodies: string[] = [];
    let from = run.fake.requests.length;
    /** Every write since the last look, checked: what GitHub renders, and what it shows as plain text. */
    const written = (where: string): void => {
      const requests = run.fake.requests.slice(from);
      from = run.fake.requests.length;
      for (const body of renderedWrites(requests)) {
        assertInert(body, where);
        bodies.push(body);
      }
      for (const [field, text] of otherWrites(requests)) assertRecordInert(text, `${where}: ${field}`);
    };
    const comment = async (user: string, body: string): Promise<boolean> => {
      const { payload } = commentOnPull(run.fake, body, { user });
      await receive(run.probot, 'issue_comment', payload);
      const refused = run.fake.requests
        .slice(from)
        .some(
          (r) =>
            r.operationId === 'reactions/create-for-issue-comment' &&
            (r.body as { content: string }).content === 'confused',
        );
      written(`${user}: ${body.slice(0, 160)}`);

      return refused;
    };
    const protectionRule = async (id: number): Promise<string | undefined> => {
      await receive(
        run.probot,
        'deployment_protection_rule',
        protectionRulePayload(run.fake, { run: id, pullRequests: [PR], sha: HEAD }),
      );
      written(`protection rule of run ${id}`);
      return reviewOf(run.fake, id)?.state;
    };
    try {
      // A lock's reason: the protection rule's rejection and a dry run name it.
      assert.equal(await comment('bob', `/lock production --reason ${q}`), false, 'locked');
      assert.equal(await protectionRule(1), 'rejected');
      await comment('alice', '/deploy production --dry-run');
      assert.equal(await comment('bob', '/unlock production'), false);
      // The gate a workflow's deployment waits at, approved by a press of its button.
      assert.equal(await protectionRule(2), undefined, 'it waits for an approval');
      const gate = [...run.fake.repo().checkRuns.values()].find((r) => String(r.name).startsWith('approval'));
      assert.ok(gate, 'the gate check run');
      await receive(run.probot, 'check_run', approvePress(run.fake, gate, 'carol'));
      written('the Approve button');
      assert.equal(reviewOf(run.fake, 2)?.state, 'approved');
      // A hotfix's reason and parameters in a deployment, then its statuses (the workflow's words, the value too).
      assert.equal(
        await comment('alice', `/deploy staging --hotfix --reason ${q} | note=${qn}`),
        false,
        'the hotfix deploys',
      );
      const hotfix = [...run.fake.repo().deployments.values()].find((d) => d.environment === 'staging');
      assert.ok(hotfix, 'the deployment to staging');
      for (const state of ['in_progress', 'failure']) {
        await receive(
          run.probot,
          'deployment_status',
          statusDelivery(run, hotfix, state, value.slice(0, 140)),
        );
        written(`a ${state} status`);
      }
      // A veto's reason: a dry run and the protection rule's rejection name it.
      assert.equal(await comment('dave', `/reject-deploy production ${q}`), false, 'vetoed');
      await comment('alice', '/deploy production --dry-run');
      assert.equal(await protectionRule(3), 'rejected');
      // A scheduled request's parameters, listed and cancelled; a global lock's reason.
      assert.equal(await comment('alice', `/deploy staging at 2025-03-05 10:00 | note=${qn}`), false);
      await comment('mallory', '/status');
      assert.equal(await comment('alice', '/cancel-deploy staging'), false);
      assert.equal(await comment('dave', `/lock --global --reason ${q}`), false);
      assert.equal(await comment('alice', '/deploy staging'), true);
      await comment('mallory', '/status');
      // The value was shown, escaped, where it was stored and where it was read back: the lock's reason and the
      // veto's in the protection rule's rejections, the veto's and the global lock's in the replies, the
      // workflow's words in the status comment.
      const shown = ECHOED[name];
      if (shown) {
        for (const id of [1, 3])
          assert.ok(reviewOf(run.fake, id)?.comment?.includes(shown), `run ${id}'s rejection shows ${shown}`);
        const all = bodies.join('\n');
        assert.ok(all.includes(`> ${shown}`), `the status comment quotes ${shown}`);
        assert.ok(all.includes(`vetoed by @\u200Ddave (${shown}`), `the dry run shows the veto's ${shown}`);
        assert.ok(
          all.includes(`every environment is locked by @\u200Ddave (PR #7) since`),
          'the global lock',
        );
      }
      const warnings: Array<Record<string, unknown>> = [];
      await readAppComments(run.octokit.rest, { owner, repo }, PR, run.bot, testTrust(warnings));
      assert.deepEqual(warnings, [], 'no marker outside a block, none without a valid MAC');
      run.fake.assertNoViolations();
    } finally {
      await run.fake.stop();
    }
  });
}

// Anyone with deployments: write makes a deployment to any environment (a free string on GitHub, not a config
// name) and posts its statuses with any description; GitHub asks the protection rule about a run deploying to
// any environment of the repository. The status comment and the rule's answer name both.
test('a deployment someone else made, its environment and status description hostile: the status comment and the protection rule answer inert', async () => {
  const run = await startRun();
  try {
    let id = 5000;
    let gate = 10;
    for (const [name, value] of Object.entries(HOSTILE)) {
      const environment = [...value].slice(0, 255).join('');
      const deployment = {
        id: id++,
        sha: HEAD,
        environment,
        payload: { pr: PR },
        creator: { login: 'github-actions[bot]' },
      };
      const from = run.fake.requests.length;
      for (const state of ['in_progress', 'success'])
        await receive(
          run.probot,
          'deployment_status',
          statusDelivery(run, deployment, state, value.slice(0, 140)),
        );
      await receive(
        run.probot,
        'deployment_protection_rule',
        protectionRulePayload(run.fake, { run: gate++, environment, pullRequests: [PR], sha: HEAD }),
      );
      const requests = run.fake.requests.slice(from);
      const writes = renderedWrites(requests);
      assert.ok(
        writes.some((body) => body.startsWith('<!-- deploy-action:status ')),
        `${name}: the status comment is written`,
      );
      assert.equal(reviewOf(run.fake, gate - 1)?.state, 'rejected', `${name}: no such environment`);
      for (const body of writes) assertInert(body, name);
      // The review names the environment its run waits on: GitHub's own name, not an echo.
      for (const [field, text] of otherWrites(requests))
        if (!field.endsWith('.environment_name')) assertRecordInert(text, `${name}: ${field}`);
    }
    run.fake.assertNoViolations();
  } finally {
    await run.fake.stop();
  }
});

// A command in a review or in a comment on the diff is not read, but answered in the conversation, its first
// line quoted: the same hostile values there.
test('a command with a hostile value in a review or a comment on the diff: the answer quotes it inert', async () => {
  const run = await startRun();
  try {
    let id = 900;
    for (const [name, value] of Object.entries(HOSTILE))
      for (const [event, payload] of [
        [
          'pull_request_review',
          reviewPayload(run.fake, { id: id++, pr: PR, body: `/deploy ${value}`, login: 'carol' }),
        ],
        [
          'pull_request_review_comment',
          diffCommentPayload(run.fake, {
            id: id++,
            pr: PR,
            body: `/lock production --reason '${value}'`,
            login: 'bob',
          }),
        ],
      ] as const) {
        const from = run.fake.requests.length;
        await receive(run.probot, event, payload);
        const requests = run.fake.requests.slice(from);
        const writes = renderedWrites(requests);
        const where = `${name} in a ${event}`;
        // Only what the parser takes for a command is answered: every one of these starts with one.
        assert.equal(writes.length, 1, `answered once: ${where}`);
        assert.match(writes[0]!, /where the App reads no commands: \*\*nothing was done\*\*/, where);
        assertInert(writes[0]!, where);
        for (const [field, text] of otherWrites(requests)) assertRecordInert(text, `${where}: ${field}`);
      }
    assert.equal(run.fake.repo().deployments.size, 0);
    assert.equal(run.fake.repo().refs.has('deploy-locks/production'), false);
    run.fake.assertNoViolations();
  } finally {
    await run.fake.stop();
  }
});

// A parameter's name is lowercase letters, digits and `_`: no markup but emphasis, which `_em_` and `__bold__`
// make. Every refusal that names a parameter shows its name escaped, as the one for a name that is no name does.
test('a parameter named like emphasis is shown escaped by every refusal that names it', async () => {
  const run = await startRun();
  try {
    for (const [comment, code] of [
      ['/deploy staging | _em_=1 _em_=2', 'duplicate_param'],
      ['/deploy staging | __bold__=1 __bold__=2', 'duplicate_param'],
      [`/deploy staging | _em_=${'x'.repeat(257)}`, 'invalid_param'],
      ['/deploy staging | __bold__=-x', 'invalid_param'],
      ['/deploy staging | _em_=1 __proto__=1 __proto__=2', 'duplicate_param'],
    ] as const) {
      const { writes, refused } = await say(run, 'alice', comment);
      assert.equal(refused, true, comment);
      assert.equal(writes.length, 1, comment);
      assert.match(writes[0]!, new RegExp(`^\\*\\*Not accepted\\*\\* \\(\`${code}\`\\)`), comment);
      assertInert(writes[0]!, comment);
      // Shown, as code: `_em_` reads as written, not as an emphasised "em".
      assert.match(
        writes[0]!,
        /parameter `_em_`|parameter `__bold__`|of `_em_`|of `__bold__`|parameter `__proto__`/,
        writes[0],
      );
      assert.doesNotMatch(writes[0]!, /(?<![\\`])(?:__bold__|_em_|__proto__)/, writes[0]);
    }
    assert.equal(run.fake.repo().deployments.size, 0);
  } finally {
    await run.fake.stop();
  }
});

// Flags smuggled past the parser: quoted, escaped, glued with `=`, repeated, look-alike dashes, a `--` end of
// options, case and abbreviation. Whatever the parser makes of each, a writer who may not force an /unlock or
// lock everything is refused, and nothing changes; a parameter never sets the payload's own fields.
test('option injection: a smuggled --force, --global or payload field does nothing its writer may not do', async () => {
  const run = await startRun();
  try {
    const held = await say(run, 'dave', '/lock production --reason held');
    assert.equal(held.refused, false);
    const smuggled: Array<[string, string]> = [
      ['bob', "/unlock production '--force'"],
      ['bob', '/unlock production "--force"'],
      ['bob', '/unlock production -\\-force'],
      ['bob', "/unlock production -'-force'"],
      ['bob', '/unlock --force production'],
      ['bob', '/unlock production --force=true'],
      ['bob', '/unlock production --force='],
      ['bob', '/unlock production --force --force'],
      ['bob', '/unlock production -- --force'],
      ['bob', '/unlock production --FORCE'],
      ['bob', '/unlock production --forc'],
      ['bob', '/unlock production -f'],
      ['bob', '/unlock production \u2014force'],
      ['bob', '/unlock production \u2013\u2013force'],
      ['bob', '/unlock production \u2212\u2212force'],
      ['bob', '/unlock production \uFE63\uFE63force'],
      ['bob', '/unlock production \uFF0D\uFF0Dforce'],
      ['bob', '/unlock production --f\u200Borce'],
      ['bob', "/unlock 'production --force'"],
      ['bob', '/unlock production\\ --force'],
      ['bob', '/unlock --global'],
      ['bob', "/unlock '--global' --force"],
      ['bob', "/lock '--global'"],
      ['bob', '/lock production --reason x --global'],
      ['bob', '/lock production --reason=--global'],
      ['bob', '/lock production --reason --global'],
      ['bob', '/lock --global=true'],
      ['mallory', "/unlock production '--force'"],
      ['mallory', "/lock '--global'"],
      ['carol', '/approve-deploy production --force'],
      ['alice', '/deploy production --hotfix=true --reason now'],
      ['alice', "/deploy production '--hotfix' --reason now"],
    ];
    for (const [user, comment] of smuggled) {
      const before = stateOf(run.fake);
      const { writes, refused } = await say(run, user, comment);
      const where = `${user}: ${JSON.stringify(comment)}`;
      for (const body of writes) assertInert(body, where);
      // alice's hotfix waits for an approval like any deployment to production: nothing is deployed either way.
      if (user !== 'alice') assert.equal(refused, true, `${where}: ${writes.join('\n')}`);
      assert.equal(stateOf(run.fake), before, `${where} changed state: ${writes.join('\n')}`);
    }
    assert.ok(run.fake.repo().refs.has('deploy-locks/production'), "dave's lock stands");
    assert.equal(run.fake.repo().deployments.size, 0);
    // Parameters named like the payload's own fields stay parameters: the deployment is alice's standard one
    // of this pull request.
    const { refused } = await say(
      run,
      'alice',
      '/deploy staging | type=rollback pr=8 requested_by=carol approved_by=carol comment_id=1 staging=production hotfix_reason=x dry_run=true dedupe_key=x',
    );
    assert.equal(refused, false);
    const [made] = [...run.fake.repo().deployments.values()];
    assert.ok(made, 'the deployment to staging');
    const payload = made.payload as Record<string, unknown>;
    assert.equal(payload.type, 'standard');
    assert.equal(payload.pr, PR);
    assert.equal(payload.requested_by, 'alice');
    assert.deepEqual(payload.approved_by, []);
    assert.equal(payload.hotfix_reason, undefined);
    assert.equal(payload.dry_run, undefined);
    assert.equal(payload.staging, undefined);
    assert.notEqual(payload.dedupe_key, 'x');
    assert.notEqual(payload.comment_id, 1);
    assert.deepEqual(payload.params, {
      type: 'rollback',
      pr: '8',
      requested_by: 'carol',
      approved_by: 'carol',
      comment_id: '1',
      staging: 'production',
      hotfix_reason: 'x',
      dry_run: 'true',
      dedupe_key: 'x',
    });
    run.fake.assertNoViolations();
  } finally {
    await run.fake.stop();
  }
});

// A tag is pushed by anyone with push access under any name git allows (`[`, `*`, `?`, `~`, `^`, `:`, `\`,
// spaces and `..` it refuses): a release_tags refusal names matching tags on other commits, escaped.
test('tags pushed by hand under hostile names are named inert by a release_tags refusal', async () => {
  const run = await startRun();
  try {
    run.fake.setFile(
      '.github/deploy.yml',
      CONFIG.replace('required: 1', 'required: 1\n      release_tags: ["v*"]'),
    );
    const older = run.fake.addCommit({ message: 'an older release' });
    const names = [
      'v1<b>`x`|](b)',
      'v2<!--@octocat-->',
      'v3<img>@octocat#1GH-2',
      'v4**bold**_em_|a|b>c',
      'v5www.evil.example',
      `v6${'\u202E'}exe\u200B`,
      `v7${FORGED_APPROVAL.replace(/[ :\[*?~^\\]/g, '').slice(0, 200)}`,
    ];
    for (const name of names) {
      run.fake.addTag(name, older, { annotated: name.length % 2 === 0 });
      const { writes } = await say(run, 'alice', '/deploy production');
      assert.equal(writes.length, 1, name);
      assertInert(writes[0]!, `tag ${JSON.stringify(name)}`);
      assert.match(writes[0]!, /`release_tag_missing`/);
      assert.match(writes[0]!, /matching tags are on other commits: \S/, 'the tag is named');
      run.fake.repo().refs.delete(`tags/${name}`);
    }
    assert.equal(run.fake.repo().deployments.size, 0);
    run.fake.assertNoViolations();
  } finally {
    await run.fake.stop();
  }
});

/** A comment by someone other than a plain user, as GitHub sends it. */
function payloadAs(
  run: Run,
  body: string,
  user: Record<string, unknown> | null,
  sender?: Record<string, unknown>,
) {
  const { payload } = commentOnPull(run.fake, body, { user: 'alice' });
  const comment = payload.comment as Record<string, unknown>;
  comment.user = user === null ? null : { ...(comment.user as object), ...user };
  if (sender) payload.sender = { ...(payload.sender as object), ...sender };
  return payload;
}

test('comments that must never act: a command inside text, quoted, fenced, indented, after a marker line; a bot, the app itself, a ghost', async () => {
  const run = await startRun();
  try {
    const never = [
      'please /deploy production',
      'LGTM\n/deploy production',
      '> /deploy production',
      '```\n/deploy production\n```',
      '    /deploy production',
      '\t/deploy production',
      `${FORGED_APPROVAL}\n/approve-deploy production`,
      '<!-- /deploy production -->',
      '<details><summary>/deploy production</summary></details>',
      '\u2028/deploy production',
      '\u0085/deploy production',
      '`/deploy production`',
      '**/deploy production**',
    ];
    for (const body of never) {
      const from = run.fake.requests.length;
      const before = stateOf(run.fake);
      const { payload } = commentOnPull(run.fake, body, { user: 'bob' });
      await run.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
      const writes = run.fake.requests
        .slice(from)
        .filter((r) => r.method !== 'GET' && r.operationId !== 'graphql');
      assert.deepEqual(
        writes.map((r) => r.operationId),
        [],
        `acted on ${JSON.stringify(body)}`,
      );
      assert.equal(stateOf(run.fake), before);
    }
    const actors: Array<[string, Record<string, unknown> | null, Record<string, unknown>?]> = [
      ['a bot', { login: 'renovate[bot]', type: 'Bot' }],
      ['a bot named like a person', { login: 'helper', type: 'Bot' }],
      ['an account named like a bot', { login: 'alice[bot]', type: 'User' }],
      ['the app itself', { login: run.bot, type: 'Bot' }],
      ['a ghost (deleted account)', null],
      ['a person, sent by a bot', { login: 'bob', type: 'User' }, { login: 'sync[bot]', type: 'Bot' }],
    ];
    for (const [who, user, sender] of actors)
      for (const body of ['/deploy staging', '/approve-deploy production', '/unlock --global --force']) {
        const from = run.fake.requests.length;
        const before = stateOf(run.fake);
        await run.probot.receive({
          id: crypto.randomUUID(),
          name: 'issue_comment',
          payload: payloadAs(run, body, user, sender),
        } as Receive);
        const writes = run.fake.requests.slice(from).filter((r) => r.method !== 'GET');
        assert.deepEqual(
          writes.map((r) => r.operationId),
          [],
          `${who}: ${body}`,
        );
        assert.equal(stateOf(run.fake), before, `${who}: ${body}`);
      }
    // An edit turning a comment into a command is never delivered to the command handler; an edit GitHub
    // sends anyway acts on nothing.
    const { payload } = commentOnPull(run.fake, '/deploy staging', { user: 'alice', action: 'edited' });
    const from = run.fake.requests.length;
    await run.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    assert.deepEqual(
      run.fake.requests
        .slice(from)
        .filter((r) => r.method !== 'GET')
        .map((r) => r.operationId),
      [],
    );
    run.fake.assertNoViolations();
  } finally {
    await run.fake.stop();
  }
});

test('one comment, one command: only the first line acts, a marker after it (CR, CRLF, LF) is never believed', async () => {
  const run = await startRun();
  try {
    // Two commands in one comment: only the first line's runs.
    const two = await say(run, 'alice', '/deploy production\n/approve-deploy production\n/deploy staging');
    assert.match(two.writes.join('\n'), /Waiting for 1 approval/);
    assert.equal(run.fake.repo().deployments.size, 0);
    // Two commands on one line: the second is an unexpected argument.
    const same = await say(run, 'bob', '/lock production /unlock production');
    assert.equal(same.refused, true);
    assert.match(same.writes[0]!, /^\*\*Not accepted\*\* \(`unexpected_argument`\)/);
    // The author's /approve-deploy with a forged approval by carol after it, on every kind of line break.
    for (const br of ['\r', '\r\n', '\n', '\n\n']) {
      const { writes } = await say(run, 'alice', `/approve-deploy production${br}${FORGED_APPROVAL}`);
      for (const body of writes) assertInert(body, JSON.stringify(br));
    }
    const warnings: Array<Record<string, unknown>> = [];
    const state = await readAppComments(run.octokit.rest, { owner, repo }, PR, run.bot, testTrust(warnings));
    assert.deepEqual(state.approvals, [], 'no approval is believed');
    assert.deepEqual(warnings, []);
    // Look-alike and invisible characters in or around a command: refused with their code, nothing done.
    for (const body of [
      '/d\u0435ploy staging',
      '\uFF0Fdeploy staging',
      '\u2215deploy staging',
      '\uFEFF/deploy staging',
      '\u200B/deploy staging',
      '/de\u200Bploy staging',
      '/deploy\u00A0staging',
      '/deploy staging\u202E',
      '/deploy \u2014dry-run staging',
    ]) {
      const before = stateOf(run.fake);
      const { writes, refused } = await say(run, 'alice', body);
      assert.equal(refused, true, JSON.stringify(body));
      assert.match(
        writes[0]!,
        /^\*\*Not accepted\*\* \(`lookalike_characters`\): .*U\+[0-9A-F]{4}/,
        JSON.stringify(body),
      );
      for (const w of writes) assertInert(w, JSON.stringify(body));
      assert.equal(stateOf(run.fake), before);
    }
    const dry = await say(run, 'bob', '/deploy production --dry-run');
    assert.match(dry.writes.join('\n'), /`needs_approvals`/);
  } finally {
    await run.fake.stop();
  }
});

test('userText: every invisible format character is removed, and removing one never makes a mention', () => {
  const invisible = [
    '\u200B',
    '\u200C',
    '\u2060',
    '\uFEFF',
    '\u00AD',
    '\u180E',
    '\u202E',
    '\u2066',
    '\u{E0041}',
  ];
  for (const ch of invisible) {
    const shown = userText(`pay${ch}pal`);
    assert.equal(shown, 'paypal', JSON.stringify(ch));
    // A login with an invisible character in it is not that login: shown, never pinged.
    assert.equal(userText(`carol${ch}`, { as: 'mention' }), 'carol', JSON.stringify(ch));
  }
  assert.equal(userText('carol', { as: 'mention' }), '@carol');
  assert.equal(userText('see GH-12 and gh-3', { as: 'text' }), 'see GH\u200D-12 and gh\u200D-3');
  assert.equal(userText('GH-12', { as: 'code' }), '`GH-12`');
  // A command a reply tells someone to write is one code span; anything else stays escaped text.
  assert.equal(userText('/approve-deploy production', { as: 'command' }), '`/approve-deploy production`');
  assert.equal(userText('/unlock --global', { as: 'command' }), '`/unlock --global`');
  assert.equal(userText('/deploy  production', { as: 'command' }), '/deploy  production');
  assert.equal(userText('/deploy prod`x', { as: 'command' }), '/deploy prod\\`x');
  assert.equal(userText('/deploy @team', { as: 'command' }), '/deploy @\u200Dteam');
  assert.equal(userText('deploy production', { as: 'command' }), 'deploy production');
  assert.equal(
    userText(`/deploy ${'x'.repeat(600)}`, { as: 'command' }).startsWith('`'),
    false,
    'cut: not whole',
  );
});

test('who may is decided by the app: each refusal leads with its stable code once, and changes nothing', async () => {
  const run = await startRun();
  try {
    // A pending /deploy for the approval commands to aim at: it asks the approvers to act, and notifies them.
    const waiting = (await say(run, 'alice', '/deploy production')).writes.join('\n');
    assert.match(waiting, /Waiting for 1 approval/);
    // Whose approval does not count (alice asked and opened the pull request) is named, not called on.
    assert.deepEqual(mentionsIn(waiting), ['carol', 'dave']);
    assert.match(waiting, /not `alice`: their own approval does not count/);
    const refusals: Array<[string, string, string]> = [
      ['mallory', '/deploy production', 'not_a_deployer'],
      ['mallory', '/deploy staging', 'not_a_deployer'],
      ['mallory', '/deploy production --hotfix --reason now', 'not_a_deployer'],
      ['mallory', '/deploy production at 2026-12-01 10:00', 'not_a_deployer'],
      ['mallory', '/deploy production --queue', 'not_a_deployer'],
      ['mallory', '/approve-deploy production', 'not_an_approver'],
      ['mallory', '/reject-deploy production no', 'not_an_approver'],
      ['bob', '/approve-deploy production', 'not_an_approver'],
      ['alice', '/approve-deploy production', 'self_approval_refused'],
      ['mallory', '/rollback production', 'not_a_deployer'],
      ['mallory', '/lock production', 'not_a_deployer'],
      ['bob', '/lock --global', 'not_a_global_locker'],
      ['bob', '/unlock --global --force', 'not_a_global_locker'],
      ['mallory', '/promote production', 'not_a_deployer'],
      ['mallory', '/pause production', 'not_a_deployer'],
      ['mallory', '/resume production', 'not_a_deployer'],
      ['mallory', '/abort production', 'not_allowed'],
    ];
    for (const [user, comment, code] of refusals) {
      const before = stateOf(run.fake);
      const { writes, refused } = await say(run, user, comment);
      const where = `${user}: ${comment}`;
      assert.equal(refused, true, where);
      assert.equal(writes.length, 1, where);
      const m = /^\*\*Not (?:accepted|deployed)\*\* \(`([a-z_]+)`\): (.*)/s.exec(writes[0]!);
      assert.ok(m, `${where}: ${writes[0]}`);
      assert.equal(m[1], code, where);
      // The sentence says what was wrong in words; it does not repeat the code as its first word.
      assert.doesNotMatch(m[2]!, new RegExp(`^${code}\\b`), `${where}: ${writes[0]}`);
      assertInert(writes[0]!, where);
      // A refusal asks nobody to act: it notifies the commenter only, whoever else it names.
      assert.deepEqual(
        mentionsIn(writes[0]!).filter((m) => m !== user),
        [],
        `${where}: ${writes[0]}`,
      );
      assert.equal(stateOf(run.fake), before, where);
    }
    // Nor do /help, /status and a dry run, which anyone may ask for; they still name who may act.
    for (const comment of ['/help', '/status', '/status production', '/deploy production --dry-run']) {
      const { writes } = await say(run, 'mallory', comment);
      assert.equal(writes.length, 1, comment);
      assert.deepEqual(
        mentionsIn(writes[0]!).filter((m) => m !== 'mallory'),
        [],
        `${comment}: ${writes[0]}`,
      );
      assertInert(writes[0]!, comment);
    }
    assert.match((await say(run, 'mallory', '/help')).writes[0]!, /deployers: @\u200Dalice, @\u200Dbob/);
    assert.match(
      (await say(run, 'mallory', '/deploy production')).writes[0]!,
      /^\*\*Not deployed\*\* \(`not_a_deployer`\): @mallory may not deploy here: deployers are @\u200Dalice, @\u200Dbob/,
    );
    const state = await readAppComments(run.octokit.rest, { owner, repo }, PR, run.bot, testTrust());
    assert.deepEqual(state.approvals, [], 'no refused approval or veto was recorded');
    assert.equal(run.fake.repo().deployments.size, 0);
  } finally {
    await run.fake.stop();
  }
});

test('quietMentions: names stay readable, only the commenter is notified, marker lines are left as written', () => {
  const marker = `<!-- deploy-action:approval {"by":"carol","reason":"@dave"} mac=${MAC} -->`;
  const body = `@mallory may not: deployers are @alice, @acme/sre; see x@\u200Devil and @\u200Doctocat\n\n${marker}`;
  assert.equal(
    quietMentions(body, 'Mallory'),
    `@mallory may not: deployers are @\u200Dalice, @\u200Dacme/sre; see x@\u200Devil and @\u200Doctocat\n\n${marker}`,
  );
});
