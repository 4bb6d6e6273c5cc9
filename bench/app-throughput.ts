// Webhook throughput of the App against a Probot app that registers nothing, and against one that makes just
// the one request a deployment_status needs (bench/app.ts, part 1). Each App runs in its own process (bench/app-under-test.ts), GitHub is a stand-in in a third
// (bench/github-stand-in.ts), and this process only sends pre-signed deliveries: what is measured is the
// App's handling, not the fake GitHub's request validation or the sender. Prints figures, asserts nothing.
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
  delivery: Delivery;
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
  delivery: Delivery,
  count: number,
  concurrency: number,
): Promise<Run> {
  const url = new URL(target.ready);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let issued = 0;
  let failed = 0;
  const worker = async () => {
    while (issued < count) {
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

function scenarios(baseUrl: string, deliveries: number, apiDeliveries: number): Scenario[] {
  const target = { owner: OWNER, repo: REPO, baseUrl, installationId: STAND_IN.installationId };
  const status = (known: boolean) => {
    const environment = known ? 'production' : 'staging';
    const deployment = known
      ? {
          id: 2,
          creator: { login: APP_BOT, type: 'Bot' },
          payload: { pr: PR, comment_id: STAND_IN.commentId, strategy: 'canary', version: 'v2' },
        }
      : { id: 1, creator: { login: 'github-actions[bot]', type: 'Bot' }, payload: { pr: PR } };
    // The same delivery every time: the stand-in's comment is older (2020), so none is stale.
    return signed(
      'deployment_status',
      webhookPayload(
        'deployment_status',
        'created',
        {
          repository: { default_branch: 'main' },
          deployment: { ...deployment, sha: STAND_IN.sha, environment },
          deployment_status: {
            state: 'in_progress',
            environment,
            description: 'production: canary to v2',
            created_at: '2030-01-01T00:00:00Z',
            creator: { login: 'github-actions[bot]', type: 'Bot' },
          },
        },
        target,
      ),
    );
  };
  return [
    {
      event: 'PR comment, not a command',
      count: deliveries,
      delivery: signed(
        'issue_comment',
        pullRequestCommentPayload({
          ...target,
          number: PR,
          body: 'Looks good to me, thanks!',
          user: 'alice',
          commentId: 1,
        }),
      ),
    },
    {
      event: "deployment_status, App's deployment (comment id known)",
      count: apiDeliveries,
      delivery: status(true),
      target: 0.8,
    },
    {
      event: 'deployment_status, push deployment (comment searched for)',
      count: apiDeliveries,
      delivery: status(false),
    },
  ];
}

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
      const runs: Record<AppKind, Run[]> = { 'no-op': [], 'one-request': [], deploy: [] };
      // Warm-up: the first deliveries pay for the installation token, GET /app and the JIT.
      for (const app of Object.values(apps)) await load(app, scenario.delivery, 100, options.concurrency);
      let requests: Record<string, number> = {};
      for (let round = 0; round < options.rounds; round++) {
        for (const name of APP_KINDS) {
          const before = (await standIn.ask('counts', 'counts')).counts;
          const count = Math.ceil(scenario.count / options.rounds);
          runs[name].push(await load(apps[name], scenario.delivery, count, options.concurrency));
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
      const [noop, minimal, deploy] = [sum(runs['no-op']), sum(runs['one-request']), sum(runs.deploy)];
      const ratio = deploy.perSecond / noop.perSecond;
      rows.push([
        scenario.event,
        fmt(noop.perSecond, 0),
        fmt(minimal.perSecond, 0),
        fmt(deploy.perSecond, 0),
        `${fmt(ratio, 2)}x`,
        scenario.target === undefined
          ? '-'
          : `>= ${scenario.target}x: ${ratio >= scenario.target ? 'met' : 'NOT met'}`,
        `${fmt(deploy.perSecond / minimal.perSecond, 2)}x`,
        `${fmt(noop.cpuMs, 2)} / ${fmt(minimal.cpuMs, 2)} / ${fmt(deploy.cpuMs, 2)}`,
        String(deploy.failed + noop.failed + minimal.failed),
      ]);
      // Counted on the stand-in while the deploy app ran (the no-op app makes none).
      requests = Object.fromEntries(Object.entries(requests).filter(([, n]) => n > 0.001));
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
