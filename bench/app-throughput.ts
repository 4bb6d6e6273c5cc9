// Webhook throughput of the App against a Probot app that registers nothing, one whose handlers do nothing,
// and one that makes just the one request a deployment_status needs (bench/app.ts, part 1). Each App runs in
// its own process (bench/app-under-test.ts), GitHub is a stand-in in a third (bench/github-stand-in.ts), and
// this process only sends pre-signed deliveries: what is measured is the App's handling, not the fake
// GitHub's request validation or the sender. Prints figures and requests per delivery, asserts nothing.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { pullRequestCommentPayload, webhookPayload } from '../test/fake-github/index.ts';
import { sign } from '../test/app/helpers.ts';
import { APP_KINDS } from './app-under-test.ts';
import type { AppKind, AppMessage } from './app-under-test.ts';
import { STAND_IN } from './github-stand-in.ts';
import type { StandInMessage } from './github-stand-in.ts';

const OWNER = 'acme';
const REPO = 'web';
const PR = 7;
const APP_BOT = `${STAND_IN.appSlug}[bot]`;

interface Delivery {
  event: string;
  body: Buffer;
  signature: string;
}

interface Scenario {
  event: string;
  count: number;
  /**
   * Sent in order, each app from where it left off (wrapping round): a scenario of distinct deliveries never
   * sends one of them twice to an app unless it runs out, so nothing is answered from what an earlier
   * delivery left behind (app/handlers/status-comment-lanes.ts drops a status older than one it wrote).
   */
  deliveries: Delivery[];
  target?: number;
}

/** A forked helper process and a way to ask it something over IPC. */
interface Helper<M> {
  child: ChildProcess;
  ready: string;
  ask<K extends string>(question: string, key: K): Promise<Extract<M, Record<K, unknown>>>;
}

async function start<M extends object>(
  script: string,
  args: string[],
  execArgv: string[] = [],
): Promise<Helper<M>> {
  const child = fork(new URL(script, import.meta.url), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...execArgv],
  });
  const ready = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited (code ${code}) before it was ready`)));
    child.once('message', (message) => resolve((message as { ready: string }).ready));
  });
  child.removeAllListeners('exit');
  return {
    child,
    ready,
    ask: (question, key) =>
      new Promise((resolve) => {
        const listener = (message: unknown) => {
          if (message && typeof message === 'object' && key in message) {
            child.off('message', listener);
            resolve(message as never);
          }
        };
        child.on('message', listener);
        child.send(question);
      }),
  };
}

function signed(event: string, payload: unknown): Delivery {
  const text = JSON.stringify(payload);
  return { event, body: Buffer.from(text), signature: sign(text) };
}

/** One delivery over a kept-alive connection; its HTTP status (0: no answer). */
function deliver(agent: Agent, url: URL, delivery: Delivery): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': delivery.body.length,
          'x-github-event': delivery.event,
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': delivery.signature,
          'user-agent': 'GitHub-Hookshot/bench',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(delivery.body);
  });
}

interface Run {
  deliveries: number;
  seconds: number;
  cpuMs: number;
  failed: number;
}

async function load(
  target: Helper<AppMessage>,
  deliveries: Delivery[],
  start: number,
  count: number,
  concurrency: number,
): Promise<Run> {
  const url = new URL(target.ready);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let issued = 0;
  let failed = 0;
  const worker = async () => {
    while (issued < count) {
      const delivery = deliveries[(start + issued) % deliveries.length]!;
      issued += 1;
      const status = await deliver(agent, url, delivery);
      if (status < 200 || status >= 300) failed += 1;
    }
  };
  const cpuBefore = (await target.ask('cpu', 'cpu')).cpu;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await target.ask('cpu', 'cpu')).cpu;
  agent.destroy();
  const cpuMs = (cpu.user - cpuBefore.user + cpu.system - cpuBefore.system) / 1000;
  return { deliveries: count, seconds, cpuMs, failed };
}

/** Distinct App deployments (ids from 1000), each with its own status comment: no two share a comment. */
const KNOWN_DISTINCT = 1000;
/** Deployments in the burst scenario, each with 3 to 5 statuses. */
const BURST_DEPLOYMENTS = 400;

function scenarios(baseUrl: string, deliveries: number, apiDeliveries: number): Scenario[] {
  const target = { owner: OWNER, repo: REPO, baseUrl, installationId: STAND_IN.installationId };
  const statusPayload = (o: {
    deploymentId: number;
    known: boolean;
    commentId?: number;
    state?: string;
    statusId?: number;
    second?: number;
    /** Who posted the status: the workflow's bot, which may end the deployment's lock. */
    creator?: { login: string; type: string };
  }) => {
    const environment = o.known ? 'production' : 'staging';
    const deployment = o.known
      ? {
          id: o.deploymentId,
          creator: { login: APP_BOT, type: 'Bot' },
          payload: { pr: PR, comment_id: o.commentId, strategy: 'canary', version: 'v2' },
        }
      : { id: o.deploymentId, creator: { login: 'github-actions[bot]', type: 'Bot' }, payload: { pr: PR } };
    const second = o.second ?? 0;
    return signed(
      'deployment_status',
      webhookPayload(
        'deployment_status',
        'created',
        {
          repository: { default_branch: 'main' },
          deployment: { ...deployment, sha: STAND_IN.sha, environment },
          deployment_status: {
            ...(o.statusId === undefined ? {} : { id: o.statusId }),
            state: o.state ?? 'in_progress',
            environment,
            description: 'production: canary to v2',
            // The stand-in's comment is older (2020), so none is stale on GitHub's side.
            created_at: new Date(Date.UTC(2030, 0, 1) + second * 1000).toISOString().replace('.000Z', 'Z'),
            creator: o.creator ?? { login: 'github-actions[bot]', type: 'Bot' },
          },
        },
        target,
      ),
    );
  };
  // One in-progress status per deployment, each naming its own comment: one request each.
  const known = Array.from({ length: KNOWN_DISTINCT }, (_, i) =>
    statusPayload({ deploymentId: 1000 + i, known: true, commentId: STAND_IN.commentId + i }),
  );
  // Bursts: queued, in_progress (1 to 3 of them: canary steps), then success, sent in that order; with the
  // deliveries in flight at once, a deployment's statuses overlap as GitHub's bursts do.
  const burst: Delivery[] = [];
  let statusId = 50_000;
  for (let d = 0; d < BURST_DEPLOYMENTS; d++) {
    const states = ['queued', ...Array.from({ length: 1 + (d % 3) }, () => 'in_progress'), 'success'];
    for (const [i, state] of states.entries())
      burst.push(
        statusPayload({
          deploymentId: 100_000 + d,
          known: true,
          commentId: 200_000 + d,
          state,
          statusId: statusId++,
          second: d * 10 + i,
        }),
      );
  }
  return [
    {
      event: 'PR comment, not a command',
      count: deliveries,
      deliveries: [
        signed(
          'issue_comment',
          pullRequestCommentPayload({
            ...target,
            number: PR,
            body: 'Looks good to me, thanks!',
            user: 'alice',
            commentId: 1,
          }),
        ),
      ],
    },
    {
      event: "deployment_status, App's deployment (comment id known)",
      count: apiDeliveries,
      deliveries: known,
      target: 0.8,
    },
    {
      event: 'deployment_status, push deployment (comment searched for)',
      count: apiDeliveries,
      // Each a newer status of the one deployment (as its canary's steps are): the same status again would be
      // dropped as one already written (status-comment-lanes.ts), measuring the search without its write.
      deliveries: Array.from({ length: KNOWN_DISTINCT }, (_, i) =>
        statusPayload({ deploymentId: 1, known: false, second: i, statusId: 10_000 + i }),
      ),
    },
    {
      event: 'deployment_status bursts: 3-5 statuses per deployment (id known)',
      count: apiDeliveries,
      deliveries: burst,
    },
  ];
}

/** Deliveries per app before each scenario's measured rounds. */
const WARM_UP = 100;

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export async function benchThroughput(options: {
  deliveries: number;
  apiDeliveries: number;
  concurrency: number;
  rounds: number;
}): Promise<{ rows: string[][]; operations: string[] }> {
  const standIn = await start<StandInMessage>('./github-stand-in.ts', []);
  const apps = {} as Record<AppKind, Helper<AppMessage>>;
  for (const kind of APP_KINDS)
    apps[kind] = await start<AppMessage>(
      './app-under-test.ts',
      [kind, standIn.ready],
      // BENCH_APP_CPU_PROF=DIR: a CPU profile of the deploy app's process (node --cpu-prof) to DIR.
      kind === 'deploy' && process.env.BENCH_APP_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_APP_CPU_PROF}`]
        : [],
    );
  const rows: string[][] = [];
  const operations: string[] = [];
  try {
    for (const scenario of scenarios(standIn.ready, options.deliveries, options.apiDeliveries)) {
      const runs = Object.fromEntries(APP_KINDS.map((kind) => [kind, [] as Run[]])) as Record<AppKind, Run[]>;
      // Where each app is in the scenario's deliveries.
      const sent = Object.fromEntries(APP_KINDS.map((kind) => [kind, 0])) as Record<AppKind, number>;
      // Warm-up: the first deliveries pay for the installation token, GET /app and the JIT.
      for (const kind of APP_KINDS) {
        await load(apps[kind], scenario.deliveries, sent[kind], WARM_UP, options.concurrency);
        sent[kind] += WARM_UP;
      }
      let requests: Record<string, number> = {};
      for (let round = 0; round < options.rounds; round++) {
        for (const name of APP_KINDS) {
          const before = (await standIn.ask('counts', 'counts')).counts;
          const count = Math.ceil(scenario.count / options.rounds);
          runs[name].push(
            await load(apps[name], scenario.deliveries, sent[name], count, options.concurrency),
          );
          sent[name] += count;
          const after = (await standIn.ask('counts', 'counts')).counts;
          if (name === 'deploy')
            for (const [op, n] of Object.entries(after))
              requests[op] = (requests[op] ?? 0) + (n - (before[op] ?? 0)) / count / options.rounds;
        }
      }
      const sum = (list: Run[]) => ({
        perSecond: list.reduce((n, r) => n + r.deliveries, 0) / list.reduce((n, r) => n + r.seconds, 0),
        cpuMs: list.reduce((n, r) => n + r.cpuMs, 0) / list.reduce((n, r) => n + r.deliveries, 0),
        failed: list.reduce((n, r) => n + r.failed, 0),
      });
      const [noop, empty, minimal, bare, deploy] = [
        sum(runs['no-op']),
        sum(runs['empty-handler']),
        sum(runs['one-request']),
        sum(runs['bare-request']),
        sum(runs.deploy),
      ];
      const ratio = deploy.perSecond / noop.perSecond;
      // Counted on the stand-in while the deploy app ran (the no-op app makes none).
      requests = Object.fromEntries(Object.entries(requests).filter(([, n]) => n > 0.001));
      const perDelivery = Object.values(requests).reduce((n, r) => n + r, 0);
      rows.push([
        scenario.event,
        fmt(noop.perSecond, 0),
        fmt(empty.perSecond, 0),
        fmt(minimal.perSecond, 0),
        fmt(bare.perSecond, 0),
        fmt(deploy.perSecond, 0),
        `${fmt(ratio, 2)}x`,
        scenario.target === undefined
          ? '-'
          : `>= ${scenario.target}x: ${ratio >= scenario.target ? 'met' : 'NOT met'}`,
        `${fmt(deploy.perSecond / minimal.perSecond, 2)}x`,
        `${fmt(bare.perSecond / noop.perSecond, 2)}x`,
        [noop, empty, minimal, bare, deploy].map((run) => fmt(run.cpuMs, 2)).join(' / '),
        fmt(perDelivery, 2),
        String([noop, empty, minimal, bare, deploy].reduce((n, run) => n + run.failed, 0)),
      ]);
      operations.push(
        `${scenario.event}: ${
          Object.entries(requests)
            .map(([op, n]) => `${op} ×${fmt(n, 2)}`)
            .join(', ') || 'none'
        }`,
      );
    }
  } finally {
    for (const helper of [...Object.values(apps), standIn]) helper.child.disconnect();
  }
  return { rows, operations };
}
