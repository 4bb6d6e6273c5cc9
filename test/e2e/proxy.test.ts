// A self-hosted runner (or the App's host) behind an outbound proxy: GitHub is reachable only through the
// proxy that HTTPS_PROXY / HTTP_PROXY name. The BUILT action (dist/action/index.js, run as the runner runs
// it), the BUILT App server (dist/app/server.js, what `npm start` runs) and the BUILT CLI (dist/cli/index.js)
// are pointed at a GitHub API name that does not resolve (github.proxied.test): a request that went direct
// would fail. The loopback proxy (test/helpers/connect-proxy.ts) answers every host with the fake GitHub
// (every request checked against GitHub's OpenAPI description) and records each request, so the tests can
// say: every request the fake got came through the proxy, with the proxy URL's credentials; loopback (the
// action's health check) went direct; the log says the proxy is used, once, and never shows its password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeGitHub, fakeSha, pullRequestCommentPayload } from '../fake-github/index.ts';
import type { FakeGitHub, RecordedRequest } from '../fake-github/index.ts';
import { createAppDeployment, deploymentEvent, runBuiltAction, runnerGitHubEnv } from '../helpers/action.ts';
import { startConnectProxy, type ConnectProxy, type ProxiedRequest } from '../helpers/connect-proxy.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';
import { privateKey } from '../app/helpers.ts';
import { NODE, startProcess } from '../helpers/processes.ts';
import { CLI_BUNDLE, repoRoot, startCli } from '../helpers/cli.ts';
import { DAY, HOUR, historyFake, makeHistory } from '../helpers/deployment-history.ts';

const OWNER = 'acme';
const REPO = 'shop';
const PR = 7;
const APP_TOKEN = 'ghs_app_installation_token';
const ACTION_TOKEN = 'ghs_workflow_token';
/** A name only the proxy reaches (.test never resolves). */
const PROXIED_HOST = 'github.proxied.test';
const PROXY_USER = 'runner';
const PROXY_PASSWORD = 'proxy-pass-7f3a';
const WEBHOOK_SECRET = 'proxy-webhook-secret';

const basic = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;

/** The proxy's URL with its credentials, as a runner's environment names it. */
const withCredentials = (proxy: ConnectProxy): string =>
  proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`);

/** The fake GitHub's API under the proxied name (same port: the proxy sends every host to the fake). */
const proxiedApi = (fake: FakeGitHub): string => `http://${PROXIED_HOST}:${new URL(fake.url).port}`;

const key = (r: { method: string; path: string }): string => `${r.method} ${r.path}`;

/**
 * Every request the fake GitHub got came through the proxy, to the proxied name, and nothing else went through
 * it: the fake's requests and the proxy's are the same list (order aside: requests run concurrently).
 */
function assertAllThroughProxy(fake: FakeGitHub, proxy: ConnectProxy, api: string): void {
  const host = new URL(api).host;
  assert.ok(fake.requests.length > 0, 'the fake GitHub got requests');
  assert.deepEqual(
    proxy.requests.filter((r: ProxiedRequest) => r.host !== host),
    [],
    'the proxy was asked for no other host (loopback goes direct)',
  );
  assert.deepEqual(
    proxy.requests.map(key).sort(),
    fake.requests.map((r: RecordedRequest) => key(r)).sort(),
    'the fake GitHub got exactly the requests that came through the proxy',
  );
  for (const connect of proxy.connects) {
    assert.equal(connect.target, host, 'every tunnel was to the proxied GitHub');
    assert.equal(connect.authorization, basic, "every tunnel carried the proxy URL's credentials");
  }
  for (const authorization of proxy.forwardAuthorizations) assert.equal(authorization, basic);
}

/** A loopback health endpoint that counts its checks. */
async function healthEndpoint(t: { after(fn: () => unknown): void }) {
  let checks = 0;
  const server = http.createServer((_req, res) => {
    checks += 1;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`, checks: () => checks };
}

interface ActionScenario {
  fake: FakeGitHub;
  api: string;
  health: Awaited<ReturnType<typeof healthEndpoint>>;
  /** Runs the built action on the deployment with HTTPS_PROXY and HTTP_PROXY set to `proxyUrl`. */
  run(proxyUrl: string): ReturnType<typeof runBuiltAction>;
}

/** The App's deployment of PR 7 (made directly, not counted), a canary config with a loopback health check. */
async function actionScenario(t: { after(fn: () => unknown): void }): Promise<ActionScenario> {
  const fake = await createFakeGitHub({
    tokens: { [APP_TOKEN]: 'deploy-action[bot]', [ACTION_TOKEN]: 'github-actions[bot]' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'action-proxy-'));
  t.after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const head = fakeSha('proxy-pr-head');
  fake.seedRepo({ owner: OWNER, repo: REPO, pulls: [{ number: PR, head, user: 'alice' }] });
  const { deployment } = await createAppDeployment(fake, {
    token: APP_TOKEN,
    owner: OWNER,
    repo: REPO,
    ref: head,
    payload: { strategy: 'canary', version: 'v2', pr: PR, requested_by: 'alice', approved_by: ['bob'] },
  });
  const api = proxiedApi(fake);
  const event = deploymentEvent(deployment, { owner: OWNER, repo: REPO, baseUrl: api });
  fake.requests.splice(0, fake.requests.length);
  const health = await healthEndpoint(t);
  const target = recordedTarget(dir);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
${target.targetYaml}environments:
  production:
    url: https://shop.example
    strategy: { type: canary, steps: [50, 100], pause: 0 }
    health:
      - url: ${health.url}
`,
  );
  const run = (proxyUrl: string) =>
    runBuiltAction({
      dir,
      inputs: { 'github-token': ACTION_TOKEN, config: 'deploy.yml' },
      event,
      env: {
        ...runnerGitHubEnv(api, OWNER, REPO),
        CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }),
        DEPLOY_ACTION_RETRY_BASE_MS: '20',
        DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
        HTTPS_PROXY: proxyUrl,
        HTTP_PROXY: proxyUrl,
        NO_PROXY: 'metrics.internal.example',
      },
      timeoutMs: 60_000,
    });
  return { fake, api, health, run };
}

test('the built action behind a proxy: every GitHub request goes through it, the loopback health check does not, the log names the proxy once without its password', async (t) => {
  const { fake, api, health, run: runAction } = await actionScenario(t);
  const proxy = await startConnectProxy(fake.url, { authorization: basic });
  t.after(() => proxy.close());

  const run = await runAction(withCredentials(proxy));
  const log = run.stdout + run.stderr;
  assert.equal(run.status, 0, log);
  assert.equal(run.outputs.status, 'succeeded', log);
  assert.doesNotMatch(log, /::warning::GitHub/, 'nothing was left unreported on GitHub');
  fake.assertNoViolations();

  // GitHub was told, through the proxy only: the deployment's statuses and the PR's status comment.
  const states = fake
    .requestsFor('repos/create-deployment-status')
    .filter((r) => r.status === 201)
    .map((r) => (r.body as { state: string }).state);
  assert.deepEqual(states, ['queued', 'in_progress', 'success']);
  assert.equal(fake.requestsFor('issues/create-comment').length, 1, 'the status comment on the PR');
  assert.ok(proxy.connects.length > 0, 'the action opened tunnels through the proxy');
  assertAllThroughProxy(fake, proxy, api);

  // The health check on loopback went direct.
  assert.ok(health.checks() > 0, 'the health check reached the loopback endpoint');

  // The log: the proxy line once, by the variables' names; the password nowhere.
  const proxyLines = log.split('\n').filter((line) => /through the prox/.test(line));
  assert.deepEqual(proxyLines, [
    'Requests go through the proxies HTTPS_PROXY (https) and HTTP_PROXY (http) name (not for: metrics.internal.example,localhost,127.0.0.1,::1)',
  ]);
  assert.ok(!log.includes(PROXY_PASSWORD), "the proxy's password is not in the job log");
  assert.ok(!run.summary.includes(PROXY_PASSWORD), "the proxy's password is not in the job summary");
});

test('the built action behind a proxy that refuses its credentials: it deploys, and the one GitHub warning says the proxy answered 407, not only that GitHub looks down', async (t) => {
  const { fake, run: runAction } = await actionScenario(t);
  const proxy = await startConnectProxy(fake.url, { authorization: basic });
  t.after(() => proxy.close());

  const wrong = 'wrong-pass-5c1d';
  const run = await runAction(proxy.url.replace('http://', `http://${PROXY_USER}:${wrong}@`));
  const log = run.stdout + run.stderr;
  // GitHub is reporting, never the deployment: the run deploys all the same.
  assert.equal(run.status, 0, log);
  assert.equal(run.outputs.status, 'succeeded', log);
  assert.equal(fake.requests.length, 0, 'nothing got past the proxy');
  assert.ok(proxy.connects.length > 0, 'the action tried through the proxy');
  const warnings = log.split('\n').filter((line) => line.startsWith('::warning::GitHub'));
  assert.equal(warnings.length, 1, log);
  assert.match(
    warnings[0]!,
    /The run gave up on GitHub: GitHub looks down \(\d+ requests in a row failed over [\d.]+ s; the last: the proxy answered 407 \(its credentials were refused\)\)/,
  );
  for (const secret of [wrong, PROXY_PASSWORD]) {
    assert.ok(!log.includes(secret), "the proxy's password is not in the job log");
    assert.ok(!run.summary.includes(secret), "the proxy's password is not in the job summary");
  }
});

test('the built App server behind a proxy: a /deploy comment creates the deployment, every GitHub request through the proxy', async (t) => {
  const fake = await createFakeGitHub();
  t.after(() => fake.stop());
  const head = fakeSha('proxy-app-pr-head');
  fake.seedRepo({
    owner: OWNER,
    repo: REPO,
    files: {
      '.github/deploy.yml':
        'target:\n  commands:\n    deploy: ./deploy.sh\nenvironments:\n  staging:\n    url: https://staging.example\n',
    },
    collaborators: { alice: 'write' },
    pulls: [{ number: PR, head, user: 'alice' }],
  });
  const api = proxiedApi(fake);
  const proxy = await startConnectProxy(fake.url, { authorization: basic });
  t.after(() => proxy.close());

  const app = await startProcess(t, {
    command: NODE,
    args: ['dist/app/server.js'],
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      APP_ID: String(fake.state.appId),
      PRIVATE_KEY: privateKey(),
      WEBHOOK_SECRET,
      GITHUB_API_URL: api,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      NODE_ENV: 'production',
      HTTPS_PROXY: withCredentials(proxy),
      HTTP_PROXY: withCredentials(proxy),
    },
    name: 'app',
    ready: /deploy-action app listening on http:\/\/127\.0\.0\.1:\d+/,
    readyTimeoutMs: 30_000,
  });
  const url = /deploy-action app listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(app.output())![1]!;

  const body = `/deploy staging`;
  const stored = fake.addComment(PR, { user: 'alice', body });
  const raw = JSON.stringify(
    pullRequestCommentPayload({
      owner: OWNER,
      repo: REPO,
      number: PR,
      body,
      user: 'alice',
      commentId: stored.id as number,
      baseUrl: api,
      installationId: fake.state.installationId,
    }),
  );
  const delivered = await fetch(`${url}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issue_comment',
      'x-github-delivery': crypto.randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(raw).digest('hex')}`,
      'user-agent': 'GitHub-Hookshot/proxy',
    },
    body: raw,
    signal: AbortSignal.timeout(60_000),
  });
  assert.equal(delivered.status, 200, `${await delivered.text()}\n${app.output()}`);
  fake.assertNoViolations();

  const deployments = [...fake.repo().deployments.values()] as Array<{ sha: string; environment: string }>;
  assert.deepEqual(
    deployments.map((d) => [d.environment, d.sha]),
    [['staging', head]],
    app.output(),
  );
  assert.equal(fake.requestsFor('apps/create-installation-access-token').length, 1, 'the installation token');
  assert.ok(proxy.connects.length > 0, 'the App opened tunnels through the proxy');
  assertAllThroughProxy(fake, proxy, api);

  const output = app.output();
  const proxyLines = output.split('\n').filter((line) => /through the prox/.test(line));
  assert.equal(proxyLines.length, 1, output);
  assert.match(
    proxyLines[0]!,
    /Requests go through the proxies HTTPS_PROXY \(https\) and HTTP_PROXY \(http\) name/,
  );
  assert.ok(!output.includes(PROXY_PASSWORD), "the proxy's password is not in the App's log");
});

test('the built CLI behind a proxy: metrics read from GitHub through it', async (t) => {
  const now = Date.now();
  const start = now - 10 * DAY;
  const h = await historyFake(start);
  t.after(() => h.fake.stop());
  await makeHistory(h, [
    {
      environment: 'production',
      committedAt: start,
      createdAt: start + HOUR,
      statuses: [{ state: 'success', at: start + 2 * HOUR }],
    },
  ]);
  h.fake.requests.splice(0, h.fake.requests.length);
  const proxy = await startConnectProxy(h.fake.url, { authorization: basic });
  t.after(() => proxy.close());
  const api = proxiedApi(h.fake);
  const run = startCli(
    ['metrics', '--json', '--since', '30d', '-e', 'production', '--repository', 'acme/web'],
    {
      entry: CLI_BUNDLE,
      env: {
        GITHUB_TOKEN: 'test-token',
        GH_TOKEN: '',
        GITHUB_API_URL: api,
        // This process's own proxy settings, if any, are not the test's (the lower-case ones would win).
        https_proxy: '',
        http_proxy: '',
        no_proxy: '',
        NODE_USE_ENV_PROXY: '',
        HTTPS_PROXY: withCredentials(proxy),
        HTTP_PROXY: withCredentials(proxy),
        NO_PROXY: '',
      },
    },
  );
  const { code, stdout, stderr } = await run.done;
  assert.equal(code, 0, stdout + stderr);
  const out = JSON.parse(stdout.trim()) as {
    ok: boolean;
    source: string;
    environments: Array<{ deployments: { total: number } }>;
  };
  assert.equal(out.ok, true);
  assert.equal(out.source, 'github');
  assert.equal(out.environments[0]!.deployments.total, 1);
  assert.equal(h.fake.requestsFor('graphql').length, 1);
  assertAllThroughProxy(h.fake, proxy, api);
  assert.ok(!(stdout + stderr).includes(PROXY_PASSWORD), "the proxy's password is not in the CLI's output");
});
