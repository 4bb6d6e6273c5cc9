// A Prometheus provider's credential kept out of the committed config: `headers_env` names, per header, the
// environment variable holding its value (set by the workflow step from a secret). Before it the only ways
// were a header or a URL password written in .github/deploy.yml, whose `${{ secrets.X }}` (as the schema
// advised) nothing expands: the literal text was sent. The value is a secret of the run (config/env-secrets.ts:
// a *_env key), masked in every output, and never in an error: an unset variable is named, not its value.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../../src/config/load.ts';
import { configSecretValues } from '../../../src/config/env-secrets.ts';
import { requestFieldIssues } from '../../../src/config/analysis-request-fields.ts';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';

// Not a real credential.
const VALUE = 'Bearer tok-hunter2-not-a-real-token';
const seen: Array<{ authorization?: string; tenant?: string | string[] }> = [];
let answer = '{"status":"success","data":{"resultType":"scalar","result":[1,"3"]}}';
const server = createServer((req, res) => {
  seen.push({ authorization: req.headers.authorization, tenant: req.headers['x-scope-orgid'] });
  res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
after(() => {
  server.closeAllConnections();
  server.close();
});

const read = (provider: ReturnType<typeof createPrometheusProvider>) =>
  provider.read({
    side: 'canary',
    vars: { version: '1.2' },
    metrics: [{ name: 'p95', config: { provider: 'prom', query: 'up' } }],
    intervalMs: 1000,
    signal: AbortSignal.timeout(10_000),
  });

test('headers_env: each header is sent with the value of the variable it names', async (t) => {
  process.env.HEADERS_ENV_TEST_AUTH = VALUE;
  process.env.HEADERS_ENV_TEST_TENANT = 'team-a';
  t.after(() => {
    delete process.env.HEADERS_ENV_TEST_AUTH;
    delete process.env.HEADERS_ENV_TEST_TENANT;
  });
  seen.length = 0;
  const provider = createPrometheusProvider('prom', {
    type: 'prometheus',
    url,
    headers_env: { Authorization: 'HEADERS_ENV_TEST_AUTH', 'X-Scope-OrgID': 'HEADERS_ENV_TEST_TENANT' },
    retries: 0,
  });
  assert.deepEqual(await read(provider), { values: { p95: 3 }, errors: [] });
  assert.deepEqual(seen, [{ authorization: VALUE, tenant: 'team-a' }]);
  // The server's error text echoing it is masked (as a configured header's is).
  answer = `{"status":"error","errorType":"unauthorized","error":"${VALUE} expired"}`;
  t.after(() => {
    answer = '{"status":"success","data":{"resultType":"scalar","result":[1,"3"]}}';
  });
  const refused = await read(provider);
  assert.equal(refused.errors[0]?.code, 'query-error');
  assert.ok(!JSON.stringify(refused).includes('tok-hunter2'), JSON.stringify(refused));
});

test('headers_env: a variable that is not set is a provider error naming it, and nothing is sent', async () => {
  delete process.env.HEADERS_ENV_TEST_UNSET;
  seen.length = 0;
  const provider = createPrometheusProvider('prom', {
    type: 'prometheus',
    url,
    headers_env: { Authorization: 'HEADERS_ENV_TEST_UNSET' },
    retries: 0,
  });
  const result = await read(provider);
  assert.deepEqual(result.values, { p95: null });
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.code, 'template');
  assert.match(
    result.errors[0]!.message,
    /headers_env\.Authorization names HEADERS_ENV_TEST_UNSET, which is not set/,
  );
  assert.deepEqual(seen, [], 'a request without its credential is not sent');
});

test("headers_env: the values are the run's secrets; names and header names are checked with the config", () => {
  const config = (headersEnv: string) =>
    parseConfig(
      `target:
  commands:
    deploy: ./d.sh
environments:
  production:
    analysis:
      providers:
        prom: { type: prometheus, url: "http://prom:9090", headers_env: ${headersEnv} }
      metrics:
        p95: { provider: prom, query: up }
      checks:
        - check: p95 < 1
`,
      'deploy.yml',
    );
  const parsed = config('{ Authorization: PROM_AUTH }');
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.deepEqual(configSecretValues(parsed.config, { PROM_AUTH: VALUE }), [VALUE]);
  for (const [bad, said] of [
    ['{ "Bad Header": PROM_AUTH }', /HTTP header name/],
    ['{ Authorization: "A=B" }', /environment variable name/],
  ] as const) {
    const refused = config(bad);
    assert.ok(!refused.ok, bad);
    assert.match(JSON.stringify(refused.errors), said, bad);
  }
  // What the schema once advised, `${{ secrets.X }}` in a header (or a command's env), is sent as written:
  // refused, saying what to write instead, the value not shown.
  const expression = requestFieldIssues({
    headers: { Authorization: 'Bearer ${{ secrets.PROM_TOKEN }}' },
    env: { API_TOKEN: '${{ secrets.API_TOKEN }}' },
  });
  assert.deepEqual(
    expression.map((issue) => issue.path),
    [
      ['headers', 'Authorization'],
      ['env', 'API_TOKEN'],
    ],
  );
  assert.match(expression[0]!.message, /nothing expands in this file.*headers_env/);
  assert.match(expression[1]!.message, /nothing expands in this file.*workflow step's env/);
  // One header from two places: which would be sent is not for the reader to guess.
  assert.deepEqual(
    requestFieldIssues({ headers: { authorization: 'x' }, headers_env: { Authorization: 'PROM_AUTH' } }),
    [
      {
        path: ['headers_env', 'Authorization'],
        key: true,
        message: 'this header is given in headers too: give it in one of them',
      },
    ],
  );
});
