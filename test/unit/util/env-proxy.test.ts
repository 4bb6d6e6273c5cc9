// A self-hosted runner behind a proxy names it in HTTPS_PROXY / NO_PROXY: the Action's GitHub client (and
// every fetch) goes through it, loopback never does, and the environment commands inherit is left as it was.
// A loopback proxy that tunnels every CONNECT to a loopback server stands in for the proxy and the far host.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { test } from 'node:test';
import { createGitHubClient } from '../../../src/github/client.ts';
import { noProxyWithLoopback, routeThroughEnvProxy } from '../../../src/util/env-proxy.ts';

test('NO_PROXY keeps what was given and adds loopback once; no_proxy wins; * stays *', () => {
  assert.equal(noProxyWithLoopback({}), 'localhost,127.0.0.1,::1');
  assert.equal(
    noProxyWithLoopback({ NO_PROXY: 'corp.example, 10.0.0.0/8 ,' }),
    'corp.example,10.0.0.0/8,localhost,127.0.0.1,::1',
  );
  assert.equal(noProxyWithLoopback({ NO_PROXY: 'LOCALHOST,127.0.0.1' }), 'LOCALHOST,127.0.0.1,::1');
  assert.equal(
    noProxyWithLoopback({ NO_PROXY: 'a.example', no_proxy: 'b.example' }),
    'b.example,localhost,127.0.0.1,::1',
  );
  assert.equal(noProxyWithLoopback({ NO_PROXY: 'x,*' }), '*');
});

test('what is routed, and what is not', () => {
  const calls: NodeJS.ProcessEnv[] = [];
  const set = () => (proxyEnv: NodeJS.ProcessEnv) => {
    calls.push(proxyEnv);
    return () => {};
  };
  assert.equal(routeThroughEnvProxy({}, set).kind, 'none');
  assert.equal(routeThroughEnvProxy({ HTTPS_PROXY: '  ' }, set).kind, 'none');
  assert.equal(
    routeThroughEnvProxy({ HTTPS_PROXY: 'http://proxy:3128', NODE_USE_ENV_PROXY: '0' }, set).kind,
    'off',
  );
  assert.equal(calls.length, 0);

  const env = { https_proxy: 'http://user:pw@proxy:3128', NO_PROXY: 'corp.example', PATH: '/bin' };
  const routed = routeThroughEnvProxy(env, set);
  assert.equal(routed.kind, 'routed');
  assert.equal(routed.kind === 'routed' && routed.variable, 'https_proxy');
  assert.deepEqual(calls, [
    {
      https_proxy: 'http://user:pw@proxy:3128',
      NO_PROXY: 'corp.example,localhost,127.0.0.1,::1',
      no_proxy: 'corp.example,localhost,127.0.0.1,::1',
    },
  ]);
  // Commands the run starts inherit the environment as the job gave it.
  assert.deepEqual(env, { https_proxy: 'http://user:pw@proxy:3128', NO_PROXY: 'corp.example', PATH: '/bin' });

  const old = routeThroughEnvProxy({ HTTP_PROXY: 'http://user:pw@proxy:3128' }, () => null);
  assert.equal(old.kind, 'unsupported');
  const message = old.kind === 'unsupported' ? old.message : '';
  assert.match(message, /HTTP_PROXY is set/);
  assert.match(message, /NODE_USE_ENV_PROXY=1/);
  assert.doesNotMatch(message, /pw|proxy:3128/, 'the proxy URL (and its password) is never said');
});

test('a Node too old to turn the proxy on, started with NODE_USE_ENV_PROXY=1 as told: no "requests go direct"', () => {
  const none = () => null;
  for (const [env, execArgv] of [
    [{ HTTPS_PROXY: 'http://user:pw@proxy:3128', NODE_USE_ENV_PROXY: '1' }, []],
    [{ HTTPS_PROXY: 'http://user:pw@proxy:3128' }, ['--use-env-proxy']],
    [
      { HTTPS_PROXY: 'http://user:pw@proxy:3128', NODE_OPTIONS: '--max-old-space-size=512 --use-env-proxy' },
      [],
    ],
  ] as const) {
    const started = routeThroughEnvProxy(env, none, execArgv, 'v24.11.1');
    assert.equal(started.kind, 'started', JSON.stringify({ env, execArgv }));
    const message = started.kind === 'started' ? started.message : '';
    assert.match(message, /HTTPS_PROXY/);
    assert.doesNotMatch(message, /go direct/);
    assert.match(message, /loopback/, 'says loopback is not kept from the proxy on this path');
    assert.doesNotMatch(message, /pw|proxy:3128/, 'the proxy URL (and its password) is never said');
  }
  // Without it, the warning stands.
  assert.equal(
    routeThroughEnvProxy({ HTTPS_PROXY: 'http://proxy:3128' }, none, [], 'v24.11.1').kind,
    'unsupported',
  );
  // A Node that does not read the variable at all (before 22.21): it is not said to route, nor told to set it.
  const ignored = routeThroughEnvProxy(
    { HTTPS_PROXY: 'http://proxy:3128', NODE_USE_ENV_PROXY: '1' },
    none,
    [],
    'v22.20.0',
  );
  assert.equal(ignored.kind, 'unsupported');
  assert.match(ignored.kind === 'unsupported' ? ignored.message : '', /ignores NODE_USE_ENV_PROXY.*22\.21/);
});

test("the GitHub client reaches a far host through the environment's proxy, and loopback directly", async (t) => {
  const served: string[] = [];
  const github = createServer((req, res) => {
    served.push(`${req.headers.host} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ login: 'octocat' }));
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  const githubPort = (github.address() as AddressInfo).port;
  const tunnels: string[] = [];
  const proxy = createServer((_req, res) => {
    res.statusCode = 405;
    res.end();
  });
  proxy.on('connect', (req, socket, head) => {
    tunnels.push(req.url ?? '');
    const upstream = connect(githubPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;
  t.after(() => {
    github.closeAllConnections();
    proxy.closeAllConnections();
    github.close();
    proxy.close();
  });

  const routed = routeThroughEnvProxy({ HTTP_PROXY: `http://127.0.0.1:${proxyPort}` });
  assert.equal(routed.kind, 'routed', 'this Node (24) turns the proxy on at run time');
  t.after(() => routed.kind === 'routed' && routed.restore());

  // A host only the proxy can reach: the client never resolves it, the proxy's tunnel leads to the server.
  const far = createGitHubClient({
    token: 'test-token',
    baseUrl: `http://github.proxied.test:${githubPort}`,
    retries: 0,
  });
  const answer = await far.octokit.request('GET /user');
  assert.equal(answer.data.login, 'octocat');
  assert.deepEqual(tunnels, [`github.proxied.test:${githubPort}`]);

  // Loopback goes direct, though NO_PROXY did not name it.
  const near = createGitHubClient({
    token: 'test-token',
    baseUrl: `http://127.0.0.1:${githubPort}`,
    retries: 0,
  });
  await near.octokit.request('GET /user');
  assert.equal(tunnels.length, 1, 'no tunnel for 127.0.0.1');
  assert.deepEqual(served, [`github.proxied.test:${githubPort} /user`, `127.0.0.1:${githubPort} /user`]);
});

test('the log line says which requests go through which proxy', () => {
  const set = () => () => () => {};
  const said = (env: NodeJS.ProcessEnv) => {
    const routed = routeThroughEnvProxy(env, set);
    return routed.kind === 'routed' ? routed.said : routed.kind;
  };
  assert.match(
    said({ HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1' }),
    /^Requests go through the proxies HTTPS_PROXY \(https\) and HTTP_PROXY \(http\) name/,
  );
  assert.match(
    said({ https_proxy: 'http://p:1' }),
    /^https requests go through the proxy https_proxy names, http ones go direct/,
  );
  assert.match(
    said({ HTTP_PROXY: 'http://u:pw@p:1' }),
    /^http requests go through the proxy HTTP_PROXY names; https ones \(GitHub's among them\) go direct: set HTTPS_PROXY too/,
  );
  assert.doesNotMatch(said({ HTTP_PROXY: 'http://u:pw@p:1' }), /pw/);
});
