// The App on several replicas (issue 17, part 4): three processes of the BUILT server (dist/app/server.js via
// test/helpers/app-replica.ts) behind a loopback round-robin proxy, one fake GitHub (every request checked
// against GitHub's OpenAPI description), and 1,000 signed webhooks built from GitHub's real issue_comment
// example. Every comment is delivered twice at once to two different replicas (the same delivery id) and
// redelivered later. Commands run concurrently: /deploy (twice for one environment), /deploy of an
// environment that needs two approvals together with three /approve-deploy comments, and rounds of contended
// /lock and /unlock. GitHub is the only shared state; what must hold:
// - exactly one deployment per intended (pull request, environment), of the head commit;
// - no approval lost: each approver's approval recorded once, and the request they complete deployed;
// - locks consistent: never two holders of one lock (creations and deletions of its ref alternate), one
//   winner per contended round, the final locks those intended;
// - no 5xx; every replica took traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import pLimit from 'p-limit';
import { createFakeGitHub, fakeSha, pullRequestCommentPayload } from '../fake-github/index.ts';
import type { FakeGitHub, RecordedRequest } from '../fake-github/index.ts';
import { privateKey, testMarkerKeys } from '../app/helpers.ts';
import { NODE, startProcess } from '../helpers/processes.ts';
import type { StartedProcess } from '../helpers/processes.ts';
import { PIN_HEADER, startRoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { readMarkerBlock } from '../../src/github/hidden-marker.ts';
import { APPROVAL_MARKER, parseApprovalMarkers } from '../../src/policy/index.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import { parseLockMessage } from '../../app/locks.ts';

const OWNER = 'acme';
const REPO = 'web';
const SECRET = 'replicas-webhook-secret';
const REPLICAS = 3;
const DELIVERIES = 1000;
const PULLS = 10;
const LOCK_ENVS = 6;
const LOCK_ROUNDS = 5;
const APPROVERS = ['carol', 'dave', 'erin'];
const LOCKERS = ['bob', 'carol', 'dave'];
const IN_FLIGHT = 24;

const head = (pr: number): string => fakeSha(`replicas-pr-${pr}`);

function config(): string {
  const envs: string[] = [];
  for (let n = 1; n <= PULLS; n++) {
    envs.push(`  stage-${n}:\n    url: https://stage-${n}.example`);
    envs.push(`  prod-${n}:\n    approvals:\n      approvers: [${APPROVERS.join(', ')}]\n      required: 2`);
  }
  for (let j = 1; j <= LOCK_ENVS; j++) envs.push(`  qa-${j}:\n    url: https://qa-${j}.example`);
  return `target:\n  commands:\n    deploy: ./deploy.sh\nenvironments:\n${envs.join('\n')}\n`;
}

interface Comment {
  id: number;
  pr: number;
  user: string;
  body: string;
  delivery: string;
  raw: string;
}

/**
 * One replica's deliveries in progress, on a connection of its own: a kept-alive socket the replica closes as
 * idle (node's 5 s keepAliveTimeout) while this process is too busy to notice would fail the next request
 * with ECONNRESET (the round-robin proxy avoids it the same way).
 */
function replicaProgress(url: string): Promise<{ inProgress: number; received: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as { inProgress: number; received: number });
        } catch (error) {
          reject(new Error(`replica status ${url}: ${String(error)}: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', (error) => reject(new Error(`replica status ${url}: ${error.message}`)));
  });
}

/**
 * Until no replica is handling a delivery: one answered 202 (past 9 s) is still being handled, and a phase's
 * checks must see what it did. Each replica counts the deliveries it is handling (test/helpers/app-replica.ts);
 * a quiet spell on the fake GitHub is no proof on a busy machine, where a replica may not get to its next
 * request for seconds. Bounded.
 */
async function settled(statusUrls: string[], maxMs = 180_000): Promise<void> {
  const until = Date.now() + maxMs;
  for (;;) {
    const progress = await Promise.all(statusUrls.map(replicaProgress));
    if (progress.every((p) => p.inProgress === 0)) return;
    assert.ok(
      Date.now() < until,
      `the replicas were still handling deliveries after ${maxMs} ms: ${JSON.stringify(progress)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Sent {
  status: number;
  text: string;
}

test('three replicas behind a round-robin proxy: 1,000 webhooks with duplicates and redeliveries', async (t) => {
  const fake: FakeGitHub = await createFakeGitHub();
  t.after(() => fake.stop());
  fake.seedRepo({
    owner: OWNER,
    repo: REPO,
    files: { '.github/deploy.yml': config() },
    collaborators: { alice: 'write', bob: 'write', carol: 'write', dave: 'write', erin: 'write' },
    pulls: Array.from({ length: PULLS }, (_, i) => ({ number: i + 1, head: head(i + 1), user: 'alice' })),
  });

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    APP_ID: String(fake.state.appId),
    PRIVATE_KEY: privateKey(),
    WEBHOOK_SECRET: SECRET,
    GITHUB_API_URL: fake.url,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  const replicas: StartedProcess[] = await Promise.all(
    Array.from({ length: REPLICAS }, (_, i) =>
      startProcess(t, {
        command: NODE,
        args: ['test/helpers/app-replica.ts'],
        env,
        name: `replica-${i}`,
        ready: /replica listening on http:\/\/127\.0\.0\.1:\d+/,
        readyTimeoutMs: 30_000,
      }),
    ),
  );
  const urls = replicas.map((r) => /replica listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.output())![1]!);
  const statusUrls = replicas.map(
    (r) => /replica status on (http:\/\/127\.0\.0\.1:\d+)/.exec(r.output())![1]!,
  );
  const proxy = await startRoundRobinProxy({ backends: urls, maxInFlight: 4 * IN_FLIGHT });
  t.after(() => proxy.close());
  const hook = `${proxy.url}/api/github/webhooks`;

  // A person's comment: stored on the fake (the App reacts to it), its webhook signed once.
  const comment = (pr: number, user: string, body: string): Comment => {
    const stored = fake.addComment(pr, { user, body });
    const id = stored.id as number;
    const payload = pullRequestCommentPayload({
      owner: OWNER,
      repo: REPO,
      number: pr,
      body,
      user,
      commentId: id,
      baseUrl: fake.url,
      installationId: fake.state.installationId,
    });
    return { id, pr, user, body, delivery: crypto.randomUUID(), raw: JSON.stringify(payload) };
  };

  const sent: Sent[] = [];
  const limit = pLimit(IN_FLIGHT);
  const post = (c: Comment, backend?: number): Promise<Sent> =>
    limit(async () => {
      const res = await fetch(hook, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'issue_comment',
          'x-github-delivery': c.delivery,
          'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(c.raw).digest('hex')}`,
          'user-agent': 'GitHub-Hookshot/replicas',
          ...(backend !== undefined ? { [PIN_HEADER]: String(backend) } : {}),
        },
        body: c.raw,
        signal: AbortSignal.timeout(90_000),
      }).catch((error: Error) => {
        // fetch's own message ("fetch failed") does not say which request or why.
        throw new Error(
          `delivery ${c.delivery} (${c.body}) through the proxy: ${error.message}: ${String(error.cause)}`,
        );
      });
      const out = { status: res.status, text: await res.text() };
      sent.push(out);
      return out;
    });
  let pin = 0;
  /** The same delivery to two different replicas at once. */
  const twice = (c: Comment): Promise<Sent[]> => {
    const first = pin++ % REPLICAS;
    return Promise.all([post(c, first), post(c, (first + 1) % REPLICAS)]);
  };

  /** What the replicas logged at warn level or above (the App's errors, by delivery), for a failure message. */
  const replicaLog = (): string =>
    replicas
      .map((r) => {
        const lines = r.output().split('\n');
        const from = lines.findIndex((l) => /^(WARN|ERROR|FATAL) \(/.test(l));
        return from < 0 ? '' : `${r.name}:\n${lines.slice(from, from + 40).join('\n')}`;
      })
      .filter(Boolean)
      .join('\n');
  /**
   * After each phase: no delivery failed so far. A failed delivery is the cause the later checks would only
   * show as a symptom (a lock not released), so it fails here with the App's own log.
   */
  const handledSoFar = (): void => {
    const bad = sent.filter((s) => s.status !== 200 && s.status !== 202);
    const reported = [...fake.repo().comments.values()].filter((c) => /internal_error/.test(String(c.body)));
    if (bad.length > 0 || reported.length > 0)
      assert.fail(
        `${bad.length} deliveries answered neither 200 nor 202 (${JSON.stringify(bad.slice(0, 3))}), ` +
          `${reported.length} failures reported on the PRs (${JSON.stringify(reported.slice(0, 3).map((c) => c.body))}); the replicas logged:\n${replicaLog()}`,
      );
  };

  // Redeliveries: every comment is redelivered after the phase it was sent in; these fill up to 1,000.
  const all: Comment[] = [];
  const owed: Comment[] = [];
  const phase = async (comments: Comment[]): Promise<void> => {
    all.push(...comments);
    const redeliver = owed.splice(0);
    await Promise.all([...comments.map(twice), ...redeliver.map((c) => post(c))]);
    await settled(statusUrls);
    handledSoFar();
    owed.push(...comments);
  };

  const started = performance.now();
  // 1. Deployments: per PR, /deploy stage-n twice (two comments) and /deploy prod-n with three approvals, all
  //    at once (an approval may arrive before the request it approves). Lock round 1 runs alongside.
  const deployComments: Comment[] = [];
  for (let n = 1; n <= PULLS; n++) {
    deployComments.push(comment(n, 'alice', `/deploy stage-${n}`), comment(n, 'alice', `/deploy stage-${n}`));
    deployComments.push(comment(n, 'alice', `/deploy prod-${n}`));
    for (const who of APPROVERS) deployComments.push(comment(n, who, `/approve-deploy prod-${n}`));
  }

  // 2. Locks: each round, three people /lock qa-j at once; then everyone /unlock qa-j at once (only the
  //    holder may). The last round is not unlocked for even j: those locks stay, held by that round's winner.
  const winners = new Map<string, string[]>();
  const lockRound = (round: number): Comment[] => {
    const out: Comment[] = [];
    for (let j = 1; j <= LOCK_ENVS; j++)
      for (const who of LOCKERS) out.push(comment(1 + ((j + round) % PULLS), who, `/lock qa-${j}`));
    return out;
  };
  const unlockRound = (round: number, last: boolean): Comment[] => {
    const out: Comment[] = [];
    for (let j = 1; j <= LOCK_ENVS; j++) {
      if (last && j % 2 === 0) continue;
      for (const who of LOCKERS) out.push(comment(1 + ((j + round) % PULLS), who, `/unlock qa-${j}`));
    }
    return out;
  };
  const reactionsOf = (c: Comment): string[] =>
    (fake.repo().reactions.get(c.id) ?? []).map((r) => String(r.content));
  const holderOf = (environment: string): string | undefined => {
    const sha = fake.repo().refs.get(`deploy-locks/${environment}`);
    if (!sha) return undefined;
    const tag = fake.repo().tagObjects.get(sha);
    const read = parseLockMessage(
      String(tag?.message ?? ''),
      { scope: 'environment', environment },
      String((tag?.object as { sha?: unknown } | undefined)?.sha ?? ''),
      { keys: testMarkerKeys(), repository: `${OWNER}/${REPO}` },
    );
    // The replicas sign what they write: a lock of theirs that does not verify would be nobody's to release.
    assert.ok(!read.holderUnverified, `the lock record of ${environment} does not verify`);
    return read.holder;
  };

  for (let round = 1; round <= LOCK_ROUNDS; round++) {
    const locks = lockRound(round);
    await phase(round === 1 ? [...deployComments, ...locks] : locks);
    for (let j = 1; j <= LOCK_ENVS; j++) {
      const contenders = locks.filter((c) => c.body === `/lock qa-${j}`);
      const won = contenders.filter((c) => reactionsOf(c).includes('+1'));
      assert.equal(won.length, 1, `round ${round}, qa-${j}: one /lock wins, got ${won.length}`);
      for (const c of contenders)
        if (c !== won[0])
          assert.ok(reactionsOf(c).includes('confused'), `the others are refused (${c.user})`);
      assert.equal(holderOf(`qa-${j}`), won[0]!.user, `round ${round}: the ref names the winner`);
      winners.set(`qa-${j}`, [...(winners.get(`qa-${j}`) ?? []), won[0]!.user]);
    }
    const last = round === LOCK_ROUNDS;
    await phase(unlockRound(round, last));
    for (let j = 1; j <= LOCK_ENVS; j++) {
      const kept = last && j % 2 === 0;
      assert.equal(
        holderOf(`qa-${j}`),
        kept ? winners.get(`qa-${j}`)!.at(-1) : undefined,
        `after unlock round ${round}: qa-${j} ${kept ? 'still held by its winner' : 'released'}`,
      );
    }
  }

  // 3. The redeliveries still owed, then more of them (round robin) until exactly 1,000 deliveries were made.
  const final = owed.splice(0);
  const sentSoFar = sent.length + final.length;
  assert.ok(sentSoFar <= DELIVERIES, `the plan sends ${sentSoFar} deliveries before topping up`);
  for (let i = 0; sentSoFar + i < DELIVERIES; i++) final.push(all[i % all.length]!);
  await Promise.all(final.map((c) => post(c)));
  await settled(statusUrls);
  const elapsed = performance.now() - started;
  t.diagnostic(`${sent.length} deliveries of ${all.length} comments in ${(elapsed / 1000).toFixed(1)} s`);

  // Every delivery answered 200 (or 202: Probot answers so after 9 s and goes on, as GitHub waits 10 s), none
  // with a 5xx; every replica took its share.
  assert.equal(sent.length, DELIVERIES);
  const bad = sent.filter((s) => s.status !== 200 && s.status !== 202);
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} deliveries were answered neither 200 nor 202`);
  assert.deepEqual(proxy.failures(), { overloaded: 0, backendErrors: 0, timeouts: 0 });
  for (const stats of proxy.stats()) {
    assert.ok(stats.requests >= DELIVERIES / REPLICAS / 2, `${stats.url} took ${stats.requests} requests`);
    for (const status of Object.keys(stats.statuses))
      assert.ok(['200', '202'].includes(status), `${stats.url}: ${JSON.stringify(stats.statuses)}`);
  }

  // Exactly one deployment per intended (PR, environment), of the PR's head commit.
  const deployments = [...fake.repo().deployments.values()];
  const byTarget = new Map<string, number>();
  for (const d of deployments) {
    const key = `${String(d.environment)}@${String(d.sha)}`;
    byTarget.set(key, (byTarget.get(key) ?? 0) + 1);
  }
  for (let n = 1; n <= PULLS; n++) {
    for (const environment of [`stage-${n}`, `prod-${n}`])
      assert.equal(
        byTarget.get(`${environment}@${head(n)}`),
        1,
        `one deployment of PR #${n} to ${environment}`,
      );
    const prod = deployments.find((d) => d.environment === `prod-${n}`)!;
    const payload = parseDeploymentPayload(prod.payload);
    assert.equal(payload.requested_by, 'alice');
    const approvedBy = payload.approved_by ?? [];
    assert.ok(
      approvedBy.length >= 2 && approvedBy.every((a) => APPROVERS.includes(a)),
      `prod-${n} was approved by two approvers: ${approvedBy.join(', ')}`,
    );
  }
  assert.equal(deployments.length, 2 * PULLS, 'no other deployment');

  // No approval lost or counted twice: each approver's approval is recorded once on each PR.
  const bot = `${fake.state.appSlug}[bot]`;
  const keys = testMarkerKeys();
  for (let n = 1; n <= PULLS; n++) {
    const scope = { repository: `${OWNER}/${REPO}`, pullRequest: n };
    const approvals = [...fake.repo().comments.values()]
      .filter((c) => c.issueNumber === n && (c.user as { login: string }).login === bot)
      .flatMap((c) => parseApprovalMarkers(readMarkerBlock(c.body, [APPROVAL_MARKER], { keys, scope })))
      .filter((a) => a.kind === 'approve')
      .map((a) => a.by.login)
      .sort();
    assert.deepEqual(approvals, APPROVERS, `PR #${n}: every approval recorded once`);
  }

  // Locks: the ref of each lock was created and deleted alternately over the whole run (never two holders).
  // /unlock deletes through GraphQL updateRefs (only if the ref is still the lock it read): a delete there is
  // an answer without errors.
  const deletedByGraphql = (r: RecordedRequest, ref: string): boolean => {
    if (r.operationId !== 'graphql' || r.status !== 200) return false;
    const { query, variables } = r.body as { query: string; variables?: { name?: string } };
    const answer = r.responseBody as { errors?: unknown[] } | undefined;
    return /updateRefs/.test(query) && variables?.name === `refs/${ref}` && !answer?.errors?.length;
  };
  for (let j = 1; j <= LOCK_ENVS; j++) {
    const ref = `deploy-locks/qa-${j}`;
    const changes = fake.requests
      .filter(
        (r) =>
          (r.operationId === 'git/create-ref' &&
            r.status === 201 &&
            (r.body as { ref: string }).ref === `refs/${ref}`) ||
          (r.operationId === 'git/delete-ref' &&
            r.status === 204 &&
            decodeURIComponent(String(r.params.ref)).replace(/^refs\//, '') === ref) ||
          deletedByGraphql(r, ref),
      )
      .sort((a, b) => a.at - b.at)
      .map((r) => (r.operationId === 'git/create-ref' ? 'create' : 'delete'));
    const expected = Array.from({ length: LOCK_ROUNDS }, (_, i) =>
      i === LOCK_ROUNDS - 1 && j % 2 === 0 ? ['create'] : ['create', 'delete'],
    ).flat();
    assert.deepEqual(changes, expected, `qa-${j}: one holder at a time`);
  }
  // Every command comment was handled once: no failure reported on any PR.
  const failures = [...fake.repo().comments.values()].filter((c) => /internal_error/.test(String(c.body)));
  assert.deepEqual(
    failures.map((c) => c.body),
    [],
  );
  // Probot logs in its pretty format: an error or fatal record starts with its level.
  for (const r of replicas)
    assert.doesNotMatch(r.output(), /^(ERROR|FATAL) \(/m, `${r.name} logged no error`);
  fake.assertNoViolations();
});
