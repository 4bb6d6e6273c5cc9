// What a provider is given to authenticate with (a Prometheus provider's header values and the user and
// password of its URL, a metrics or logs command's `env` values) never comes back in its error messages,
// which go to the job log, check runs and recordings. The server's error text and the command's stderr and
// stdout are quoted there, and either may echo the credential: a proxy's "invalid token <token>", a script's
// `echo "denied for $API_TOKEN" >&2`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCommandProvider } from '../../../src/analysis/providers/command.ts';
import { createLogsProvider } from '../../../src/analysis/providers/logs.ts';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';
import type { ProviderRead, ReadRequest } from '../../../src/analysis/providers/provider.ts';

// Not real credentials: words long enough (8+) to be masked, distinct enough to be found.
const TOKEN = 'tok-hunter2-not-a-real-token';
const PASSWORD = 'pw-hunter2-not-a-real-password';

/** What the server answers: its error text (or warning) echoing what it was sent. */
let answer: (auth: string) => { status: number; body: unknown } = () => ({ status: 200, body: {} });
const server = createServer((req, res) => {
  const { status, body } = answer(req.headers.authorization ?? '');
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => {
  server.closeAllConnections();
  server.close();
});

const request = (metric: string, provider: string): ReadRequest => ({
  side: 'canary',
  vars: { version: '1.2' },
  metrics: [{ name: metric, config: { provider, query: 'up' } }],
  intervalMs: 1000,
  signal: AbortSignal.timeout(20_000),
});

function assertHidden(read: ProviderRead, secrets: string[], what: string) {
  assert.ok(read.errors.length > 0, `${what}: expected an error`);
  const text = JSON.stringify(read);
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `${what}: ${secret} in ${text}`);
    assert.ok(
      !text.includes(Buffer.from(`alice:${secret}`).toString('base64')),
      `${what}: base64 in ${text}`,
    );
  }
  assert.match(text, /\*\*\*/, `${what}: the credential is shown masked`);
}

test("a Prometheus server's error text or warning echoing the header or the URL's password is masked", async () => {
  const echoes: Array<[string, (auth: string) => { status: number; body: unknown }]> = [
    [
      'a 401 query error',
      (auth) => ({
        status: 401,
        body: { status: 'error', errorType: 'unauthorized', error: `bad credentials "${auth}"` },
      }),
    ],
    [
      'a 400 query error',
      (auth) => ({
        status: 400,
        body: {
          status: 'error',
          errorType: 'bad_data',
          error: `token ${auth.replace(/^\w+ /, '')} has no tenant`,
        },
      }),
    ],
    [
      'a 503',
      (auth) => ({
        status: 503,
        body: { status: 'error', errorType: 'unavailable', error: `upstream refused ${auth}` },
      }),
    ],
    [
      'a warning',
      (auth) => ({
        status: 200,
        body: {
          status: 'success',
          warnings: [`partial: ${auth}`],
          data: { resultType: 'scalar', result: [1, '1'] },
        },
      }),
    ],
  ];
  for (const [what, echo] of echoes) {
    answer = echo;
    const bearer = createPrometheusProvider(
      'prom',
      {
        type: 'prometheus',
        url: `http://${base}/`,
        headers: { Authorization: `Bearer ${TOKEN}` },
        retries: 0,
      },
      { sleep: async () => {} },
    );
    assertHidden(await bearer.read(request('p95', 'prom')), [TOKEN], `bearer, ${what}`);
    // The password itself too: a server may echo the decoded user:password.
    answer = (auth) => echo(`${auth} = ${Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString()}`);
    const basic = createPrometheusProvider(
      'prom',
      { type: 'prometheus', url: `http://alice:${PASSWORD}@${base}/`, retries: 0 },
      { sleep: async () => {} },
    );
    assertHidden(await basic.read(request('p95', 'prom')), [PASSWORD], `basic, ${what}`);
    // A token in the URL's query (a proxy reading ?access_token=), which the server may echo too.
    answer = () => echo(TOKEN);
    const query = createPrometheusProvider(
      'prom',
      { type: 'prometheus', url: `http://${base}/?access_token=${TOKEN}&tenant=a`, retries: 0 },
      { sleep: async () => {} },
    );
    assertHidden(await query.read(request('p95', 'prom')), [TOKEN], `query, ${what}`);
  }
});

test("a metrics command's env value echoed in its stderr or its stdout is masked in the error", async () => {
  const cases: Array<[string, string]> = [
    ['stderr, then a failure', 'echo "denied for $API_TOKEN" >&2; exit 3'],
    ['stdout that is not JSON', 'echo "Authorization: Bearer $API_TOKEN"'],
  ];
  for (const [what, script] of cases) {
    const provider = createCommandProvider(
      'script',
      { type: 'command', run: ['sh', '-c', script], env: { API_TOKEN: TOKEN }, retries: 0 },
      { sleep: async () => {} },
    );
    assertHidden(await provider.read(request('p95', 'script')), [TOKEN], what);
  }
});

test("a logs command's env value echoed in its stderr is masked in the error", async () => {
  const provider = createLogsProvider(
    'logs',
    {
      type: 'logs',
      run: ['sh', '-c', 'echo "kubectl: token $KUBE_TOKEN rejected" >&2; exit 1'],
      env: { KUBE_TOKEN: TOKEN },
      retries: 0,
    },
    { sleep: async () => {}, warn: () => {} },
  );
  assertHidden(await provider.read(request('error_lines', 'logs')), [TOKEN], 'logs stderr');
});

test('a metrics command that cannot start or is killed is named by its program alone, on one line', async () => {
  // Its arguments may hold a credential written in the config (curl -H "Authorization: Bearer ..."), which
  // execa's own message quoted whole, over two lines.
  const cases: Array<[string[], RegExp]> = [
    [
      ['no-such-program-of-this-test', '-H', `Authorization: Bearer ${TOKEN}`],
      /^no-such-program-of-this-test could not be started \(ENOENT: not found\b[^\n]*\)$/,
    ],
    [['/dev/null', `--token=${TOKEN}`], /^\/dev\/null could not be started \(EACCES: [^\n]*\)$/],
    [['/bin/sh', '-c', 'kill -9 $$', 'sh', TOKEN], /^\/bin\/sh was killed by SIGKILL$/],
  ];
  for (const [run, said] of cases) {
    const provider = createCommandProvider('script', { type: 'command', run, retries: 0 });
    const read = await provider.read(request('p95', 'script'));
    assert.equal(read.errors.length, 1, JSON.stringify(read));
    assert.equal(read.errors[0]!.code, 'command-failed');
    assert.match(read.errors[0]!.message, said);
    assert.ok(!JSON.stringify(read).includes(TOKEN), JSON.stringify(read));
  }
});

// The metric's name that starts an error is how the judge tells whose read failed (a warning check's metric
// decides nothing): a value given to the provider that is also a metric's name (a command told which metric
// to print) is the config's own word there, not masked, or the judge counted the error against the window.
test("an error still starts with its metric's name when a value the provider was given is that name", async () => {
  const command = createCommandProvider('cmd', {
    type: 'command',
    run: ['/bin/sh', '-c', `echo '{"other": 1}'`],
    env: { METRIC_NAME: 'latency_p95' },
    retries: 0,
  });
  const read = await command.read({
    ...request('latency_p95', 'cmd'),
    metrics: [{ name: 'latency_p95', config: { provider: 'cmd' } }],
  });
  assert.equal(read.errors.length, 1);
  assert.match(read.errors[0]!.message, /^latency_p95: the command's output has no "latency_p95"/);

  answer = () => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error' } });
  const prom = createPrometheusProvider('prom', {
    type: 'prometheus',
    url: `http://${base}/`,
    headers: { 'X-Scope-OrgID': 'latency_p95' },
    retries: 0,
  });
  const failed = await prom.read(request('latency_p95', 'prom'));
  assert.equal(failed.errors.length, 1);
  assert.match(failed.errors[0]!.message, /^latency_p95: bad_data: parse error/);
});
