// A Prometheus the runner cannot talk TLS with (a self-signed or private CA's certificate, plain HTTP to a TLS
// port) is a network error of the interval that says why, as a health check's does: it said "fetch failed
// (DEPTH_ZERO_SELF_SIGNED_CERT)", fetch's own words, which say nothing, and dropped the reason TLS gave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';
import { selfSignedCertificate } from '../../helpers/tls-certificate.ts';

test('a TLS failure says what is wrong with the certificate, and a plain request to a TLS port what happened', async (t) => {
  const server = createServer(selfSignedCertificate(t), (_, res) => void res.writeHead(200).end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const read = (url: string) =>
    createPrometheusProvider('prom', { type: 'prometheus', url, retries: 0 }).read({
      side: 'canary',
      vars: {},
      metrics: [{ name: 'p95', config: { provider: 'prom', query: 'up' } }],
      intervalMs: 1000,
      signal: AbortSignal.timeout(10_000),
    });
  const tls = await read(`https://alice:hunter2-password@127.0.0.1:${port}/`);
  assert.equal(tls.errors.length, 1);
  assert.equal(tls.errors[0]!.code, 'network');
  assert.match(tls.errors[0]!.message, /^p95: DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate/);
  assert.ok(!JSON.stringify(tls).includes('hunter2'));
  const plain = await read(`http://127.0.0.1:${port}/`);
  assert.equal(plain.errors[0]!.code, 'network');
  assert.match(plain.errors[0]!.message, /^p95: UND_ERR_SOCKET: other side closed/);
});

test('a Prometheus url on a port fetch never connects to says so (nothing is sent)', async () => {
  const read = await createPrometheusProvider('prom', {
    type: 'prometheus',
    url: 'http://127.0.0.1:6000/',
    retries: 0,
  }).read({
    side: 'canary',
    vars: {},
    metrics: [{ name: 'p95', config: { provider: 'prom', query: 'up' } }],
    intervalMs: 1000,
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(read.errors[0]?.code, 'network');
  assert.match(read.errors[0]!.message, /^p95: fetch never connects to this port \(.*"bad port"\)/);
});

test('a certificate refused is not asked again: the same certificate comes back, so the read fails at once', async (t) => {
  const server = createServer(selfSignedCertificate(t), (_, res) => void res.writeHead(200).end('{}'));
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const waits: number[] = [];
  const provider = createPrometheusProvider(
    'prom',
    { type: 'prometheus', url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, retries: 3 },
    { sleep: async (ms) => void waits.push(ms) },
  );
  const read = await provider.read({
    side: 'canary',
    vars: {},
    metrics: [{ name: 'p95', config: { provider: 'prom', query: 'up' } }],
    intervalMs: 1000,
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(read.errors[0]?.code, 'network');
  assert.match(read.errors[0]!.message, /DEPTH_ZERO_SELF_SIGNED_CERT/);
  assert.deepEqual(waits, [], 'no backoff before a retry');
  assert.equal(connections, 1, 'one connection, no retry');
});
