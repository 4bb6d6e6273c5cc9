// /status --history [--since 90d] (issue 17): the delivery metrics per environment under the /status reply,
// read through GitHub's GraphQL API (the fake validates the query against GitHub's schema), one request;
// plain /status reads none; a bad window or --since without --history is refused by the parser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Probot } from 'probot';
import { parseCommand } from '../../app/commands/parse.ts';
import { DAY, HOUR, historyFake, makeHistory, type HistoryFake } from '../helpers/deployment-history.ts';
import { commentOnPull, PR, testApp, testProbot } from './helpers.ts';

type Receive = Parameters<Probot['receive']>[0];

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  staging: {}
  prod_eu.1: {}
`;

async function world(
  body: (w: { h: HistoryFake; say: (text: string, user?: string) => Promise<string> }) => Promise<void>,
) {
  const now = Date.now();
  const start = now - 40 * DAY;
  const h = await historyFake(start);
  try {
    await makeHistory(h, [
      // Older than 30 days: only a 90-day window sees it.
      {
        environment: 'prod_eu.1',
        committedAt: start,
        createdAt: start + HOUR,
        pr: PR,
        statuses: [{ state: 'success', at: start + 3 * HOUR }],
      },
      {
        environment: 'prod_eu.1',
        committedAt: start + 20 * DAY,
        createdAt: start + 20 * DAY + HOUR,
        statuses: [
          { state: 'failure', at: start + 20 * DAY + 2 * HOUR, description: 'rolled back: v0 serves again' },
        ],
      },
      {
        environment: 'prod_eu.1',
        committedAt: start + 21 * DAY,
        createdAt: start + 21 * DAY + HOUR,
        statuses: [{ state: 'success', at: start + 21 * DAY + 2 * HOUR }],
      },
      {
        environment: 'staging',
        committedAt: start + 35 * DAY,
        createdAt: start + 35 * DAY + HOUR,
        statuses: [{ state: 'in_progress', at: start + 35 * DAY + 2 * HOUR }],
      },
      // Not in the config: not shown.
      {
        environment: 'sandbox',
        committedAt: start + 36 * DAY,
        createdAt: start + 36 * DAY + HOUR,
        statuses: [{ state: 'success', at: start + 36 * DAY + 2 * HOUR }],
      },
    ]);
    h.fake.setFile('.github/deploy.yml', CONFIG);
    h.fake.repo().collaborators.set('erin', 'write');
    const probot = testProbot(h.fake);
    await probot.load(testApp({ now: () => new Date(now) }));
    const bot = `${h.fake.state.appSlug}[bot]`;
    const say = async (text: string, user = 'erin') => {
      const { payload } = commentOnPull(h.fake, text, { user });
      await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
      const replies = [...h.fake.repo().comments.values()].filter(
        (c) => (c.user as { login: string }).login === bot,
      );
      return String(replies.at(-1)?.body ?? '');
    };
    await body({ h, say });
    h.fake.assertNoViolations();
  } finally {
    await h.fake.stop();
  }
}

test('/status --history adds the metrics of the configured environments from one GraphQL request', async () => {
  await world(async ({ h, say }) => {
    const plain = await say('/status');
    assert.doesNotMatch(plain, /Delivery metrics/);
    assert.equal(h.fake.requestsFor('graphql').length, 0, 'plain /status reads no metrics');

    const reply = await say('/status --history');
    assert.equal(h.fake.requestsFor('graphql').length, 1);
    assert.match(reply, /\*\*Locks\*\*/, 'the usual /status is there too');
    assert.match(reply, /\*\*Delivery metrics\*\* \(since 90d\)/);
    const rows = reply.split('\n').filter((l) => l.startsWith('| '));
    assert.equal(rows.length, 4, `header, rule and two environments:\n${reply}`);
    const prod = rows.find((r) => r.includes('`prod_eu.1`'))!;
    assert.match(prod, /3: 2 ok, 1 failed/);
    assert.match(prod, /33\.3 % \(1 of 3\)/);
    assert.match(prod, /median 1d|median 24h/);
    assert.match(
      rows.find((r) => r.includes('`staging`'))!,
      /1: 0 ok, 0 failed, 1 in progress/,
    );
    assert.doesNotMatch(reply, /sandbox/);
    assert.match(reply, /```mermaid/);

    // A shorter window and one environment: the first release is outside it.
    const week = await say('/status prod_eu.1 --history --since 30d');
    assert.match(week, /\(since 30d\)/);
    const only = week.split('\n').filter((l) => l.startsWith('| '));
    assert.equal(only.length, 3);
    assert.match(only[2]!, /2: 1 ok, 1 failed/);
    assert.equal(h.fake.requestsFor('graphql').length, 2);
  });
});

test('/status --since without --history, or a window that is not a duration, is refused', async () => {
  for (const [line, pattern] of [
    ['/status --since 30d', /--since goes with --history/],
    ['/status --history --since forever', /is not a window/],
    ['/status --history --since 800d', /at most 731d/],
    ['/status --history --since=-5d', /is not a window/],
  ] as const) {
    const parsed = parseCommand(line);
    assert.equal(parsed.kind, 'invalid', line);
    assert.match((parsed as { message: string }).message, pattern, line);
  }
  assert.deepEqual(parseCommand('/status --history'), { kind: 'status', history: {} });
  assert.deepEqual(parseCommand('/status staging --history --since 12h'), {
    kind: 'status',
    environment: 'staging',
    history: { since: '12h' },
  });
  await world(async ({ say }) => {
    assert.match(await say('/status --since 7d'), /\*\*Not accepted\*\* \(`invalid_option_value`\)/);
  });
});

test('/status --history is for people with write permission: anyone else is refused before any page is read', async () => {
  await world(async ({ h, say }) => {
    h.fake.repo().collaborators.set('rita', 'read');
    h.fake.repo().collaborators.set('tom', 'triage');
    for (const user of ['rita', 'tom', 'stranger']) {
      const refused = await say('/status --history --since 30d', user);
      assert.match(refused, /^\*\*Not accepted\*\* \(`history_not_allowed`\)/, `${user}: ${refused}`);
      assert.match(refused, /write permission/);
      assert.doesNotMatch(refused, /Delivery metrics|\*\*Locks\*\*/);
      // Plain /status stays open to them.
      assert.match(await say('/status', user), /\*\*Locks\*\*/);
    }
    assert.equal(h.fake.requestsFor('graphql').length, 0, 'no page of the history was read for them');
    assert.match(await say('/status --history'), /\*\*Delivery metrics\*\*/);
    assert.equal(h.fake.requestsFor('graphql').length, 1);
  });
});
