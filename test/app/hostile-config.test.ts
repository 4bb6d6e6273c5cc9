// Hostile values in .github/deploy.yml, end to end through probot.receive against the fake GitHub: whoever
// may write the config (or open a pull request that changes it, once merged) chooses a freeze's reason, the
// names of required checks and release-tag patterns, and every value a config error quotes back. Each class
// of hostile text (forged marker lines, HTML, Markdown links, mentions and team mentions, references and
// autolinks, emphasis and table rows, code fences, invisible and bidirectional characters, controls, a line
// break that starts a command or a fake "approved" line, 100 KB) goes into each field; every reply that
// names the field (a /deploy refusal, a dry run, a scheduled request, /status, /help, the config error, the
// deployment protection rule's rejection) is read as the fake received it, and nothing in it renders. The
// App reads its comments back and believes no marker it did not write. (Command arguments:
// hostile-comments.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import { commentOnPull, deployYml, owner, PR, repo, seededApp, testTrust } from './helpers.ts';
import { readAppComments } from '../../app/facts/own-comments.ts';
import type { Octokit } from '../../app/facts/github.ts';
import { assertInert, assertRecordInert, otherWrites, renderedWrites } from './inert.ts';
import { protectionRulePayload, reviewOf } from './delivery-helpers.ts';

type Receive = Parameters<Probot['receive']>[0];

const HEAD = fakeSha('hostile-config-head');
const NOW = new Date('2025-03-04T10:30:00Z');
/** The only people a reply may @-mention: the commenter and those the policy names. */
const MAY_MENTION = new Set(['alice', 'carol']);

const FORGED_APPROVAL =
  `<!-- deploy-action:approval {"v":1,"kind":"approve","env":"checked","sha":"${HEAD}",` +
  `"by":"carol","perm":"write","teams":[],"at":"2025-03-04T10:00:00.000Z"} mac=${'f'.repeat(64)} -->`;

/** Hostile values for the free-text fields (a freeze's reason, a check's name). */
const HOSTILE: Record<string, string> = {
  'a forged marker line': FORGED_APPROVAL,
  'an HTML comment': '--> <!-- hidden -->',
  'HTML tags': '<details><summary>x</summary><img src=x onerror=alert(1)></details>',
  'Markdown links and images': '[click](https://evil.example) ![pixel](https://evil.example/p.png)',
  'mentions and a team': '@octocat @acme/everyone',
  references: '#1 GH-2 acme/web#3',
  autolinks: 'https://evil.example www.evil.example x@evil.example',
  'a table row and emphasis': '| a | b | **bold** ~~gone~~ _em_',
  'code fences': '``` ~~~ `id`',
  'a right-to-left override': 'safe\u202Eexe.txt',
  'zero-width and bidi characters': 'pro\u200Bduc\uFEFFtion\u2066x\u2069y',
  // (A NUL is refused by the config itself: the config_invalid test below.)
  'controls and an escape sequence': 'a\u0007b\u001b[31mred\u0085z',
  'a line break, then a command': 'x\n/approve-deploy checked',
  'a line break, then a fake approval': 'x\r\nApproval by @carol recorded for `checked`.',
  'a line separator, then a marker': `x\u2028${FORGED_APPROVAL}`,
  'a line break, then a fence': 'x\n```\ny',
  '100 KB': `A${'@x<'.repeat(25_000)}`,
};

/** Release-tag patterns: what git allows in a tag name (no spaces, controls, `~^:?[\`). */
const HOSTILE_TAG_PATTERNS = [
  'v<!--x-->*',
  'v<img>*',
  'v@octocat*',
  'v#1*',
  'v**bold**',
  'v|a|*',
  'v```*',
  'v$(id)*',
];

// A check's name is a query parameter when the App lists its runs: one of 100 KB makes a URL too long to
// send, whatever its text (a limit, not an echo), so the longest tried as a check's name is 1,000.
const LONGEST_CHECK_NAME = 1000;

const configWith = (value: string, patterns: readonly string[]): string => {
  const v = JSON.stringify(value);
  const check = JSON.stringify([...value].slice(0, LONGEST_CHECK_NAME).join(''));
  return deployYml(`
  frozen:
    approvals:
      deployers: [alice]
      required: 0
      freezes:
        - { from: "2025-03-01T00:00", to: "2025-03-10T00:00", reason: ${v} }
  checked:
    approvals:
      deployers: [alice]
      approvers: [carol]
      required: 1
      required_checks: [${check}, { name: ${check}, app: github-actions }]
  tagged:
    approvals:
      deployers: [alice]
      required: 0
      release_tags: ${JSON.stringify(patterns)}
`);
};

/** The comments whose replies name the config's values; [who says it, the comment]. */
const COMMANDS: Array<[string, string]> = [
  ['alice', '/deploy frozen'],
  ['alice', '/deploy frozen --dry-run'],
  ['alice', '/deploy frozen at 2025-03-05 10:00'],
  ['alice', '/deploy frozen --queue'],
  ['alice', '/deploy frozen --hotfix --reason fix'],
  ['carol', '/approve-deploy checked'],
  ['alice', '/deploy checked'],
  ['alice', '/deploy checked --dry-run'],
  ['alice', '/deploy tagged'],
  ['alice', '/deploy tagged --dry-run'],
  ['mallory', '/status'],
  ['mallory', '/status checked'],
  ['mallory', '/help'],
];

interface Seen {
  bodies: string[];
  answered: number;
}

async function sayAll(
  config: string,
  commands: ReadonlyArray<[string, string]>,
  options: { protectionRule?: boolean } = {},
): Promise<Seen> {
  const { fake, probot } = await seededApp({
    config,
    collaborators: { alice: 'write', carol: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
    app: { now: () => NOW },
  });
  try {
    const seen: Seen = { bodies: [], answered: 0 };
    for (const [user, comment] of commands) {
      const from = fake.requests.length;
      const { payload } = commentOnPull(fake, comment, { user });
      await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
      const requests = fake.requests.slice(from);
      const where = `${user}: ${comment}`;
      const writes = renderedWrites(requests);
      seen.answered += writes.length ? 1 : 0;
      seen.bodies.push(...writes);
      for (const body of writes) assertInert(MAY_MENTION, body, where);
      for (const [field, text] of otherWrites(requests)) assertRecordInert(text, `${where}: ${field}`);
    }
    // The deployment protection rule judges a deployment made elsewhere (a workflow's) by the same policy:
    // its rejection, the review's comment, names the freeze and the checks too.
    if (options.protectionRule)
      for (const [run, environment] of [
        [1, 'frozen'],
        [2, 'checked'],
      ] as const) {
        const from = fake.requests.length;
        const payload = protectionRulePayload(fake, { run, environment, sha: HEAD, pullRequests: [PR] });
        await probot.receive({
          id: crypto.randomUUID(),
          name: 'deployment_protection_rule',
          payload,
        } as Receive);
        const requests = fake.requests.slice(from);
        const where = `protection rule on ${environment}`;
        for (const body of renderedWrites(requests)) assertInert(MAY_MENTION, body, where);
        for (const [field, text] of otherWrites(requests)) assertRecordInert(text, `${where}: ${field}`);
        const review = reviewOf(fake, run);
        assert.equal(review?.state, 'rejected', where);
        seen.bodies.push(review!.comment ?? '');
      }
    // Reading its own comments back, the App believes no marker it did not write.
    const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
    const warnings: Array<Record<string, unknown>> = [];
    const state = await readAppComments(
      octokit.rest,
      { owner, repo },
      PR,
      `${fake.state.appSlug}[bot]`,
      testTrust(warnings),
    );
    assert.deepEqual(warnings, [], 'no marker outside a block, none without a valid MAC');
    for (const a of state.approvals) assert.equal(a.by.login, 'carol', 'only the real approval is read');
    fake.assertNoViolations();
    return seen;
  } finally {
    await fake.stop();
  }
}

for (const [name, value] of Object.entries(HOSTILE)) {
  test(`a hostile freeze reason and required check name in deploy.yml reach every reply inert: ${name}`, async () => {
    const seen = await sayAll(configWith(value, ['v*']), COMMANDS, { protectionRule: true });
    assert.equal(seen.answered, COMMANDS.length, 'every command is answered');
    const all = seen.bodies.join('\n');
    // The values were shown (escaped), not silently dropped: the freeze and the checks are named.
    assert.match(all, /\(`frozen`\): deployments are frozen until 2025-03-10T00:00:00Z: \S/);
    assert.match(all, /\(`checks_not_green`\): required checks are not green: \S[^\n]* \(not run\)/);
    const [frozenReview, checkedReview] = seen.bodies.slice(-2);
    assert.match(frozenReview!, /frozen until 2025-03-10T00:00:00Z: \S/, 'the rejection names the freeze');
    assert.match(checkedReview!, /required checks are not green: \S/, 'the rejection names the checks');
  });
}

test('hostile release-tag patterns in deploy.yml reach the release_tags refusal inert', async () => {
  const seen = await sayAll(configWith('incident', HOSTILE_TAG_PATTERNS), COMMANDS);
  assert.match(seen.bodies.join('\n'), /\(`release_tag_missing`\): \S+ is not a tagged release/);
});

test('a deploy.yml whose errors quote hostile values: the config_invalid reply quotes them inert', async () => {
  for (const [name, value] of Object.entries(HOSTILE)) {
    const v = JSON.stringify(value);
    // An unknown environment, a key that is no setting, a window day and a tag pattern that are no such
    // thing: each error quotes the value or key as written.
    const config = deployYml(`
  checked:
    approvals:
      deployers: [alice]
      requires: [${v}]
      windows: [{ days: [${v}], start: "09:00", end: "17:00" }]
      release_tags: [${v}]
      ${v}: 1
`);
    const seen = await sayAll(config, [
      ['alice', '/deploy checked'],
      ['mallory', '/status'],
    ]);
    assert.equal(seen.answered, 2, `both are answered: ${name}`);
    for (const body of seen.bodies)
      assert.match(body, /\(`config_invalid`\)/, `${name}: ${body.slice(0, 300)}`);
  }
});

// Where the config takes only plain names, a hostile one is a config error, and the error quotes it: each
// field on its own, so each error is the one the reply gives (it names the first).
test('a deploy.yml with a hostile name where only plain ones go (an environment, a person, a group, a time zone, a time, a strategy, a top-level key): every reply quoting it is inert', async () => {
  const fields: Record<string, (v: string) => string> = {
    'an environment': (v) => deployYml(`\n  ${v}: {}\n  checked: {}\n`),
    'a deployer': (v) => deployYml(`\n  checked:\n    approvals:\n      deployers: [${v}, alice]\n`),
    'an approver': (v) => deployYml(`\n  checked:\n    approvals:\n      approvers: [${v}]\n`),
    "a hotfix's approver": (v) =>
      deployYml(`\n  checked:\n    approvals:\n      hotfix: { approvers: [${v}] }\n`),
    'a group': (v) =>
      deployYml(`\n  checked:\n    approvals:\n      groups: [{ name: ${v}, approvers: [carol] }]\n`),
    'a time zone': (v) => deployYml(`\n  checked:\n    approvals:\n      timezone: ${v}\n`),
    "a window's start": (v) =>
      deployYml(
        `\n  checked:\n    approvals:\n      windows: [{ days: [mon], start: ${v}, end: "17:00" }]\n`,
      ),
    "a freeze's start": (v) =>
      deployYml(`\n  checked:\n    approvals:\n      freezes: [{ from: ${v}, to: "2030-01-01T00:00" }]\n`),
    'a strategy': (v) => deployYml(`\n  checked:\n    strategy: ${v}\n`),
    'a top-level key': (v) => `${v}: 1\n${deployYml('\n  checked: {}\n')}`,
  };
  for (const [name, value] of Object.entries(HOSTILE)) {
    const v = JSON.stringify(value);
    const { fake, probot } = await seededApp({
      config: deployYml('\n  checked: {}\n'),
      collaborators: { alice: 'write', carol: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'alice' }],
      app: { now: () => NOW },
    });
    try {
      for (const [field, config] of Object.entries(fields)) {
        fake.setFile('.github/deploy.yml', config(v));
        for (const [user, comment] of [
          ['alice', '/deploy checked'],
          ['mallory', '/help'],
        ] as const) {
          const where = `${name} as ${field}: ${user}: ${comment}`;
          const from = fake.requests.length;
          const { payload } = commentOnPull(fake, comment, { user });
          await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
          const requests = fake.requests.slice(from);
          const writes = renderedWrites(requests);
          assert.equal(writes.length, 1, `answered: ${where}`);
          assert.match(writes[0]!, /is invalid/, `${where}: ${writes[0]!.slice(0, 300)}`);
          assertInert(MAY_MENTION, writes[0]!, where);
          for (const [f, text] of otherWrites(requests)) assertRecordInert(text, `${where}: ${f}`);
        }
      }
      fake.assertNoViolations();
    } finally {
      await fake.stop();
    }
  }
});

test('a required check name longer than any GitHub runs (100 KB) is a config error at its path, answered, never a request', async () => {
  // Before, the name went into the URL of the check-run lookup, which failed: the /deploy got no answer of its own.
  const config = deployYml(`
  checked:
    approvals:
      deployers: [alice]
      required: 0
      required_checks: [lint, { name: ${JSON.stringify('c'.repeat(100_000))}, app: github-actions }]
`);
  const seen = await sayAll(config, [
    ['alice', '/deploy checked'],
    ['mallory', '/status'],
  ]);
  assert.equal(seen.answered, 2, 'both are answered');
  for (const body of seen.bodies) {
    // As it reads once rendered: the escapes (a joiner after a colon, a backslash before `_`) taken out.
    const shown = body.replace(/\u200D/g, '').replace(/\\(.)/g, '$1');
    assert.match(
      shown,
      /\(`config_invalid`\)[^\n]*environments\.checked\.approvals\.required_checks\[1\]\.name: is 100000 bytes long: a check name here is at most 1024 bytes/,
    );
    assert.ok(body.length < 5_000, 'the name itself is not quoted back');
  }
});
