// App benchmark: prints figures, asserts nothing. Run with Node 24: `node bench/app.ts` (npm run bench:app).
// 1. Webhook throughput and handling latency: SIGNED deliveries over loopback HTTP into the real server
//    (createServer: Probot's node middleware), the fake GitHub on loopback, the deploy app side by side with a
//    Probot app that registers nothing. Bounded: a fixed number of deliveries at a fixed concurrency.
// 2. GitHub API requests per command (/deploy, /approve-deploy), counted on the fake GitHub.
import { createServer } from '../app/server.ts';
import type { RunningServer } from '../app/server.ts';
import { renderStatusComment } from '../src/github/status-comment.ts';
import {
  createFakeGitHub,
  fakeSha,
  pullRequestCommentPayload,
  webhookPayload,
} from '../test/fake-github/index.ts';
import type { FakeGitHub } from '../test/fake-github/index.ts';
import { deliver as post, privateKey, SECRET, TestOctokit } from '../test/app/helpers.ts';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2000);
const API_DELIVERIES = Math.min(DELIVERIES, 500);
const CONCURRENCY = 20;
/** Each scenario runs in this many rounds per app, alternating between the apps. */
const ROUNDS = 2;
/** The fake GitHub's app slug names its bot (GET /app). */
const APP_BOT = 'deploy-action[bot]';
const OWNER = 'acme';
const REPO = 'web';
const PR = 7;
const HEAD = fakeSha('bench-pr-7');

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  staging: {}
  production:
    approvals:
      approvers: [dave, erin]
      required: 2
`;

async function seededFake(): Promise<FakeGitHub> {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner: OWNER,
    repo: REPO,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write', carol: 'write', dave: 'write', erin: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'carol' }],
  });
  return fake;
}

async function server(fake: FakeGitHub, appFn?: () => void): Promise<RunningServer> {
  return createServer({
    appId: fake.state.appId,
    privateKey: privateKey(),
    webhookSecret: SECRET,
    port: 0,
    host: '127.0.0.1',
    baseUrl: fake.url,
    logLevel: 'fatal',
    // Without GitHub's write throttling (one comment per few seconds), which would measure the throttle.
    Octokit: TestOctokit,
    ...(appFn ? { appFn } : {}),
  });
}

/** One signed delivery through the server's middleware (the tests' delivery helper); its HTTP status. */
async function deliver(target: RunningServer, event: string, payload: unknown): Promise<number> {
  return (await post(`${target.url}${target.webhookPath}`, event, payload)).status;
}

interface Run {
  deliveries: number;
  /** GitHub requests per delivery (after the warm-up), and by operation. */
  requests: number;
  operations: string;
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function load(
  fake: FakeGitHub,
  target: RunningServer,
  count: number,
  next: () => [string, unknown],
): Promise<Run> {
  // Warm-up: the first delivery pays for the installation token and lazy module work.
  const [event, payload] = next();
  await deliver(target, event, payload);
  const requestsBefore = fake.requests.length;
  const latencies: number[] = [];
  let failed = 0;
  let issued = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < count) {
      issued += 1;
      const [e, p] = next();
      const t0 = performance.now();
      const status = await deliver(target, e, p).catch(() => 0);
      latencies.push(performance.now() - t0);
      if (status < 200 || status >= 300) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const made = fake.requests.slice(requestsBefore);
  const counts = new Map<string, number>();
  for (const r of made) counts.set(r.operationId ?? r.path, (counts.get(r.operationId ?? r.path) ?? 0) + 1);
  return {
    deliveries: count,
    requests: made.length / count,
    operations: [...counts].map(([op, n]) => `${op} ×${fmt(n / count, 2)}`).join(', ') || 'none',
    perSecond: count / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failed,
  };
}

/** A PR comment that is not a command: verified, routed, ignored by the app without any API request. */
function chatter(fake: FakeGitHub): () => [string, unknown] {
  const payload = pullRequestCommentPayload({
    owner: OWNER,
    repo: REPO,
    number: PR,
    body: 'Looks good to me, thanks!',
    user: 'alice',
    commentId: 1,
    baseUrl: fake.url,
  });
  return () => ['issue_comment', payload];
}

/**
 * deployment_status for a PR deployment (in progress, as the Action posts it when a phase starts). `known`:
 * the App made the deployment and put its status comment's id in the payload, so the comment is written
 * straight (one request). Otherwise a deployment the Action made for a push names only the PR: the comment is
 * searched for among the PR's comments first.
 */
async function statusEvents(fake: FakeGitHub, known: boolean): Promise<() => [string, unknown]> {
  const environment = known ? 'production' : 'staging';
  const comment = fake.addComment(PR, {
    user: known ? APP_BOT : 'github-actions[bot]',
    body: renderStatusComment({ environment, state: 'queued', sha: HEAD, updatedAt: '2020-01-01T00:00:00Z' }),
  });
  const deployment = known
    ? {
        id: 2,
        creator: { login: APP_BOT, type: 'Bot' },
        payload: { pr: PR, comment_id: comment.id as number, strategy: 'canary', version: 'v2' },
      }
    : { id: 1, creator: { login: 'github-actions[bot]', type: 'Bot' }, payload: { pr: PR } };
  let n = 0;
  return () => {
    n += 1;
    const at = new Date(Date.UTC(2030, 0, 1) + n * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    return [
      'deployment_status',
      webhookPayload(
        'deployment_status',
        'created',
        {
          repository: { default_branch: 'main' },
          deployment: { ...deployment, sha: HEAD, environment },
          deployment_status: {
            state: 'in_progress',
            environment,
            description: 'production: canary to v2',
            created_at: at,
            creator: { login: 'github-actions[bot]', type: 'Bot' },
          },
        },
        { owner: OWNER, repo: REPO, baseUrl: fake.url, installationId: fake.state.installationId },
      ),
    ];
  };
}

/** Posts a command comment to the deploy app and counts the GitHub requests its handling made. */
async function commandCost(
  fake: FakeGitHub,
  target: RunningServer,
  body: string,
  user: string,
): Promise<{ requests: number; deployments: number; reply: string; operations: string }> {
  const stored = fake.addComment(PR, { user, body });
  const before = fake.requests.length;
  const deploymentsBefore = fake.repo().deployments.size;
  const commentsBefore = new Set(fake.repo().comments.keys());
  await deliver(
    target,
    'issue_comment',
    pullRequestCommentPayload({
      owner: OWNER,
      repo: REPO,
      number: PR,
      body,
      user,
      commentId: stored.id as number,
      baseUrl: fake.url,
    }),
  );
  // The installation token and GET /app (the bot login) are fetched once per process, not per command.
  const made = fake.requests.slice(before).filter((r) => !(r.operationId ?? '').startsWith('apps/'));
  // The answer to the command: a reply, or else the status comment a direct /deploy answers with.
  const written = [...fake.repo().comments.values()].filter((c) => !commentsBefore.has(c.id as number));
  const isStatus = (c: (typeof written)[number]): boolean =>
    String(c.body).startsWith('<!-- deploy-action:status');
  const reply = written.find((c) => !isStatus(c)) ?? written.find(isStatus);
  const counts = new Map<string, number>();
  for (const r of made) counts.set(r.operationId ?? r.path, (counts.get(r.operationId ?? r.path) ?? 0) + 1);
  return {
    operations: [...counts].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(', '),
    requests: made.length,
    deployments: fake.repo().deployments.size - deploymentsBefore,
    reply: String(reply?.body ?? '(no reply)')
      .split('\n')
      .find((line) => line && !line.startsWith('<!--'))!
      .slice(0, 70),
  };
}

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

async function main(): Promise<void> {
  console.log(
    `App benchmark: ${DELIVERIES} signed deliveries (${API_DELIVERIES} for API-calling events), concurrency ${CONCURRENCY}, loopback\n`,
  );
  // Both apps run side by side; each scenario alternates between them (A B A B) so load on the machine
  // falls on both alike.
  const apps = await Promise.all(
    (['no-op', 'deploy'] as const).map(async (label) => {
      const fake = await seededFake();
      return { label, fake, target: await server(fake, label === 'no-op' ? () => {} : undefined) };
    }),
  );
  const scenarios: Array<{
    event: string;
    count: number;
    next: (fake: FakeGitHub) => Promise<() => [string, unknown]>;
    target?: number;
  }> = [
    { event: 'PR comment, not a command', count: DELIVERIES, next: async (f) => chatter(f) },
    {
      event: "deployment_status, App's deployment (comment id known)",
      count: API_DELIVERIES,
      next: (f) => statusEvents(f, true),
      target: 0.8,
    },
    {
      event: 'deployment_status, push deployment (comment searched for)',
      count: API_DELIVERIES,
      next: (f) => statusEvents(f, false),
    },
  ];
  const rows: string[][] = [];
  const operations: string[] = [];
  try {
    for (const scenario of scenarios) {
      const runs = new Map<string, Run[]>();
      const nexts = await Promise.all(apps.map((a) => scenario.next(a.fake)));
      for (let round = 0; round < ROUNDS; round++)
        for (const [i, app] of apps.entries()) {
          const run = await load(app.fake, app.target, Math.ceil(scenario.count / ROUNDS), nexts[i]!);
          runs.set(app.label, [...(runs.get(app.label) ?? []), run]);
        }
      const [noop, deploy] = [merged(runs.get('no-op')!), merged(runs.get('deploy')!)];
      const ratio = deploy.perSecond / noop.perSecond;
      rows.push([
        scenario.event,
        fmt(noop.perSecond, 0),
        fmt(deploy.perSecond, 0),
        `${fmt(ratio, 2)}x`,
        scenario.target === undefined
          ? '-'
          : `>= ${scenario.target}x: ${ratio >= scenario.target ? 'met' : 'NOT met'}`,
        fmt(deploy.p50),
        fmt(deploy.p99),
        String(deploy.failed + noop.failed),
        fmt(deploy.requests, 2),
      ]);
      operations.push(`${scenario.event}: ${deploy.operations}`);
    }
  } finally {
    for (const app of apps) {
      await app.target.close();
      await app.fake.stop();
    }
  }
  table(['event', 'no-op/s', 'deploy/s', 'ratio', 'target', 'p50 ms', 'p99 ms', 'non-2xx', 'requests'], rows);
  console.log('\nGitHub requests per delivery of the deploy app (after the warm-up):');
  for (const line of operations) console.log(`  ${line}`);

  console.log('\nGitHub API requests per command (counted on the fake GitHub):\n');
  const fake = await seededFake();
  const target = await server(fake);
  try {
    // [comment, author, what happens on GitHub before it]
    const steps: Array<[string, string, (() => void)?]> = [
      ['/deploy staging', 'alice'],
      ['/deploy production', 'alice'],
      ['/approve-deploy production', 'dave'],
      ['/approve-deploy production', 'erin'],
      // Approvals first, then the /deploy: this /deploy production ends in a deployment by itself.
      [
        '/approve-deploy production',
        'dave',
        () => {
          // The earlier deployments ended (their locks released) and the PR got a new commit.
          fake.repo().refs.delete('deploy-locks/production');
          fake.pushCommit(PR, fakeSha('bench-pr-7-second'));
        },
      ],
      ['/approve-deploy production', 'erin'],
      ['/deploy production', 'alice'],
    ];
    const costRows: string[][] = [];
    const operations: string[] = [];
    for (const [body, user, before] of steps) {
      before?.();
      const cost = await commandCost(fake, target, body, user);
      operations.push(cost.operations);
      costRows.push([body, `@${user}`, String(cost.requests), String(cost.deployments), cost.reply]);
    }
    table(['command', 'by', 'requests', 'deployments', 'reply'], costRows);
    console.log('');
    for (const [i, [body, user]] of steps.entries()) console.log(`${body} (@${user}): ${operations[i]}`);
    console.log('\n(once per process, not counted: the installation token and GET /app for the bot login)');
    const violations = fake.violations.length;
    if (violations)
      console.log(
        `\n(the fake GitHub recorded ${violations} violation(s), e.g. ${fake.violations[0]!.operationId ?? fake.violations[0]!.path}: ${fake.violations[0]!.message.slice(0, 120)})`,
      );
    console.log(
      '\nTarget: a /deploy production that ends in a deployment in at most 10 requests (github/branch-deploy: about 22).',
    );
  } finally {
    await target.close();
    await fake.stop();
  }
}

/** Several runs of one app as one: deliveries per second over their summed time, the worst percentiles. */
function merged(runs: Run[]): Run {
  const deliveries = runs.reduce((n, r) => n + r.deliveries, 0);
  const seconds = runs.reduce((n, r) => n + r.deliveries / r.perSecond, 0);
  return {
    deliveries,
    perSecond: deliveries / seconds,
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    requests: runs.reduce((n, r) => n + r.requests * r.deliveries, 0) / deliveries,
    operations: runs.at(-1)!.operations,
  };
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

await main();
