// App benchmark: prints figures, asserts nothing. Run with Node 24: `node bench/app.ts` (npm run bench:app).
// 1. Webhook throughput: SIGNED deliveries over loopback HTTP into the real server (createServer: Probot's
//    node middleware). Each App runs in a process of its own (bench/app-under-test.ts): the deploy app, and a
//    Probot app that registers nothing, as the baseline (beside it, one with empty handlers and one that
//    makes the one request). Scenarios include bursts of statuses per deployment. GitHub is a stand-in in
//    another process (bench/github-stand-in.ts: canned answers checked once against the OpenAPI
//    description), and this process only sends. So the figures are the App's: deliveries per second, the
//    App process's CPU per delivery, and the deploy app's GitHub requests per delivery. Rounds alternate
//    between the apps (A B A B). Bounded: a fixed number of deliveries at a fixed concurrency.
// 2. GitHub API requests per command (/deploy, /approve-deploy), counted on the fake GitHub (in-process,
//    validating every request: counts, not speed).
// 3. The same for the deployment protection rule's deliveries and a workflow run's completion
//    (bench/app-run-costs.ts).
import { createServer } from '../app/server.ts';
import type { RunningServer } from '../app/server.ts';
import { fakeSha, pullRequestCommentPayload } from '../test/fake-github/index.ts';
import type { FakeGitHub } from '../test/fake-github/index.ts';
import {
  deliver as post,
  deployYml,
  owner,
  PR,
  privateKey,
  repo,
  SECRET,
  seededFake,
  synchronizePayload,
  TestOctokit,
} from '../test/app/helpers.ts';
import type { Seed } from '../test/app/helpers.ts';
import { benchThroughput } from './app-throughput.ts';
import { costSince, runCosts, runSeed } from './app-run-costs.ts';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2000);
const API_DELIVERIES = Math.min(DELIVERIES, 500);
const CONCURRENCY = 20;
/** Each scenario runs in this many rounds per app, alternating between the apps. */
const ROUNDS = 2;
const HEAD = fakeSha('bench-pr-7');

const CONFIG = deployYml(`
  staging: {}
  production:
    approvals:
      approvers: [dave, erin]
      required: 2
`);

const seed: Seed = {
  config: CONFIG,
  collaborators: { alice: 'write', carol: 'write', dave: 'write', erin: 'write' },
  pulls: [{ number: PR, head: HEAD, user: 'carol' }],
};

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

/** Posts a command comment to the deploy app and counts the GitHub requests its handling made. */
async function commandCost(
  fake: FakeGitHub,
  target: RunningServer,
  body: string,
  user: string,
  pr = PR,
): Promise<{ requests: number; deployments: number; reply: string; operations: string }> {
  const stored = fake.addComment(pr, { user, body });
  const before = fake.requests.length;
  const deploymentsBefore = fake.repo().deployments.size;
  const commentsBefore = new Set(fake.repo().comments.keys());
  await deliver(
    target,
    'issue_comment',
    pullRequestCommentPayload({
      owner,
      repo,
      number: pr,
      body,
      user,
      commentId: stored.id as number,
      baseUrl: fake.url,
    }),
  );
  // The installation token and GET /app (the bot login) are fetched once per process, not per command.
  const { requests, operations } = costSince(fake, before);
  // The answer to the command: a reply, or else the status comment a direct /deploy answers with.
  const written = [...fake.repo().comments.values()].filter((c) => !commentsBefore.has(c.id as number));
  const isStatus = (c: (typeof written)[number]): boolean =>
    String(c.body).startsWith('<!-- deploy-action:status');
  const reply = written.find((c) => !isStatus(c)) ?? written.find(isStatus);
  return {
    operations,
    requests,
    deployments: fake.repo().deployments.size - deploymentsBefore,
    reply: String(reply?.body ?? '(no reply)')
      .split('\n')
      .find((line) => line && !line.startsWith('<!--'))!
      .slice(0, 70),
  };
}

async function main(): Promise<void> {
  console.log(
    `App benchmark: ${DELIVERIES} signed deliveries (${API_DELIVERIES} for API-calling events), concurrency ${CONCURRENCY}, loopback\n`,
  );
  console.log(
    'Each app in a process of its own, GitHub a stand-in in another (canned answers, checked once against the\n' +
      'OpenAPI description), this process only sends; rounds alternate between the apps. no-op: registers\n' +
      'nothing (Probot builds no context or Octokit); empty: handlers that do nothing (Probot builds the\n' +
      'context and takes the installation Octokit); minimal: on deployment_status makes the one request\n' +
      '(updateComment, fixed body) and nothing else; bare: the same request without Octokit (a kept-alive\n' +
      'node:http PATCH, fixed token, answer parsed): the floor under any app that makes it. ratio: deliveries\n' +
      'per second, deploy / no-op (the target); vs minimal: deploy / minimal; bare ratio: bare / no-op, the\n' +
      "most any app that makes the one request reaches here. CPU ms: each App process's CPU time per delivery\n" +
      '(all its threads).\n' +
      'req: GitHub requests per delivery of the deploy app. Each comment-id-known delivery is a deployment of\n' +
      'its own; the bursts send each deployment queued, 1-3 in_progress and success, 20 in flight at once, so a\n' +
      "deployment's statuses overlap; writes are not throttled here (GitHub's spacing, about one write a second\n" +
      'per installation, makes more of them wait, and collapse, in production).\n',
  );
  const { rows, operations } = await benchThroughput({
    deliveries: DELIVERIES,
    apiDeliveries: API_DELIVERIES,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
  });
  table(
    [
      'event',
      'no-op/s',
      'empty/s',
      'minimal/s',
      'bare/s',
      'deploy/s',
      'ratio',
      'target',
      'vs minimal',
      'bare ratio',
      'CPU ms no-op / empty / minimal / bare / deploy',
      'req',
      'non-2xx',
    ],
    rows,
  );
  console.log(
    '\nGitHub requests per delivery of the deploy app (after the warm-up, counted on the stand-in):',
  );
  for (const line of operations) console.log(`  ${line}`);

  console.log('\nGitHub API requests per command (counted on the fake GitHub):\n');
  const fake = await seededFake(seed);
  const target = await server(fake);
  try {
    // [comment, author, what happens on GitHub before it]
    const steps: Array<[string, string, (() => Promise<void>)?]> = [
      ['/deploy staging', 'alice'],
      ['/deploy production', 'alice'],
      ['/approve-deploy production', 'dave'],
      ['/approve-deploy production', 'erin'],
      // Approvals first, then the /deploy: this /deploy production ends in a deployment by itself.
      [
        '/approve-deploy production',
        'dave',
        async () => {
          // The earlier deployments ended (their locks released) and the PR got a new commit, delivered (not
          // counted): without it the App has not shown the new head, and the approval is refused `head_moved`.
          fake.repo().refs.delete('deploy-locks/production');
          const second = fakeSha('bench-pr-7-second');
          fake.pushCommit(PR, second);
          await deliver(target, 'pull_request', synchronizePayload(fake, HEAD, second));
        },
      ],
      ['/approve-deploy production', 'erin'],
      ['/deploy production', 'alice'],
    ];
    const costRows: string[][] = [];
    const operations: string[] = [];
    for (const [body, user, before] of steps) {
      await before?.();
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
    // The last step: the /deploy production that the approvals before it let end in a deployment.
    const last = costRows.at(-1)!;
    const ended = last[3] === '1';
    console.log(
      `\nTarget: a /deploy production that ends in a deployment in at most 10 requests (github/branch-deploy: about 22): ${
        ended
          ? `${last[2]}, ${Number(last[2]) <= 10 ? 'met' : 'NOT met'}`
          : 'not measured (it made no deployment)'
      }.`,
    );
  } finally {
    await target.close();
    await fake.stop();
  }
  await printRunCosts();
}

/** Part 3: the protection rule's deliveries and workflow run completions, on a fake of their own. */
async function printRunCosts(): Promise<void> {
  console.log(
    '\nGitHub API requests per protection rule delivery and workflow run completion (counted on the fake GitHub;\n' +
      "production: alice's /deploy, then the run the App's deployment event started; not counted: the /deploy,\n" +
      "the Action's statuses and their deliveries):\n",
  );
  const fake = await seededFake(runSeed);
  const target = await server(fake);
  try {
    const rows = await runCosts(fake, target, (body, user, pr) => commandCost(fake, target, body, user, pr));
    table(
      ['delivery', 'requests', 'outcome (review; newest status on the deployment)'],
      rows.map((r) => [r.step, String(r.requests), r.outcome.slice(0, 90)]),
    );
    console.log('');
    for (const r of rows) console.log(`${r.step}: ${r.operations}`);
    const violations = fake.violations.length;
    if (violations)
      console.log(
        `\n(the fake GitHub recorded ${violations} violation(s), e.g. ${fake.violations[0]!.operationId ?? fake.violations[0]!.path}: ${fake.violations[0]!.message.slice(0, 120)})`,
      );
  } finally {
    await target.close();
    await fake.stop();
  }
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

await main();
