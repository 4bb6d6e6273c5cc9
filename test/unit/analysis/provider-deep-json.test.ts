// An answer nested thousands of levels deep (a broken or hostile Prometheus, or a proxy in front of it; a
// metrics command's output) parses, but every recursive walk of it (JSON.stringify for a message, textOf of an
// error text) overflowed the stack: the read threw a RangeError out of the analysis, an internal error,
// instead of one interval's provider error.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCommandProvider } from '../../../src/analysis/providers/command.ts';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';
import type { ReadRequest } from '../../../src/analysis/providers/provider.ts';

/** JSON nested `levels` deep: [[[...]]]. */
const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const DEEP = deep(200_000);

const bodies: Record<string, string> = {
  'a sample value': `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,${DEEP}]}]}}`,
  'a scalar': `{"status":"success","data":{"resultType":"scalar","result":${DEEP}}}`,
  'the result type': `{"status":"success","data":{"resultType":${DEEP},"result":[]}}`,
  'a vector element': `{"status":"success","data":{"resultType":"vector","result":[${DEEP}]}}`,
  'the error text': `{"status":"error","errorType":"bad_data","error":${DEEP}}`,
  'a warning': `{"status":"success","warnings":[${DEEP}],"data":{"resultType":"scalar","result":[1,"1"]}}`,
};
const server = createServer((req, res) => {
  const which = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.split('/')[1] ?? '');
  res.writeHead(200, { 'content-type': 'application/json' }).end(bodies[which] ?? '{}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
after(() => {
  server.closeAllConnections();
  server.close();
});

const request = (provider: string, extra: Partial<ReadRequest['metrics'][number]['config']> = {}) => ({
  side: 'canary' as const,
  vars: { version: '1.2' },
  metrics: [{ name: 'm', config: { provider, query: 'up', ...extra } }],
  intervalMs: 1000,
  signal: AbortSignal.timeout(20_000),
});

test('a Prometheus answer nested too deep is a bad-json error of the read, never a throw', async () => {
  for (const which of Object.keys(bodies)) {
    const provider = createPrometheusProvider('prom', {
      type: 'prometheus',
      url: `http://127.0.0.1:${port}/${encodeURIComponent(which)}/`,
      retries: 0,
    });
    for (const extra of [{}, { histogram: true }]) {
      const read = await provider.read(request('prom', extra)).catch((error: Error) => error);
      assert.ok(!(read instanceof Error), `${which}: threw ${String(read)}`);
      assert.equal(read.values.m, null, which);
      assert.equal(read.errors.length, 1, `${which}: ${JSON.stringify(read.errors)}`);
      assert.equal(read.errors[0]!.code, 'bad-json', `${which}: ${JSON.stringify(read.errors)}`);
      assert.ok(read.errors[0]!.message.length < 300, which);
    }
  }
});

test("a metrics command's value nested too deep is a bad-json error of the read, never a throw", async () => {
  const provider = createCommandProvider('script', {
    type: 'command',
    run: [
      process.execPath,
      '-e',
      `process.stdout.write('{"m": ' + '['.repeat(200000) + ']'.repeat(200000) + '}')`,
    ],
    retries: 0,
  });
  const read = await provider.read(request('script')).catch((error: Error) => error);
  assert.ok(!(read instanceof Error), `threw ${String(read)}`);
  assert.equal(read.values.m, null);
  assert.equal(read.errors[0]?.code, 'bad-json', JSON.stringify(read.errors));
  assert.ok(read.errors[0]!.message.length < 300);
});
