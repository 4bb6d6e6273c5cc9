// A real Prometheus (2.42, --enable-feature=native-histograms) scraping native histograms in the protobuf
// exposition, read by a histogram metric through the provider: its buckets arrive as the exact cumulative
// counts the histogram test compares, on bounds both versions share although their schemas differ.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrometheusProvider } from '../../src/analysis/providers/prometheus.ts';
import { readBuckets, updateHistogramTest, initialHistogramTest } from '../../src/analysis/histogram.ts';
import { startPrometheus, waitForSeries, type RunningPrometheus } from '../helpers/prometheus.ts';

// Protobuf, as far as a MetricFamily of native histograms needs it (io.prometheus.client metrics.proto).
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
};
const zigzag = (n: number) => (n >= 0 ? 2 * n : -2 * n - 1);
const key = (field: number, wire: number) => varint((field << 3) | wire);
const bytes = (field: number, data: number[]) => [...key(field, 2), ...varint(data.length), ...data];
const text = (field: number, s: string) => bytes(field, [...Buffer.from(s)]);
const double = (field: number, x: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...key(field, 1), ...b];
};
const uint = (field: number, n: number) => [...key(field, 0), ...varint(n)];

/** A native histogram of schema `schema` with `counts[i]` in bucket index `first + i` (consecutive). */
function histogram(version: string, schema: number, first: number, counts: number[]): number[] {
  const total = counts.reduce((a, c) => a + c, 0);
  const deltas = counts.map((c, i) => zigzag(c - (i === 0 ? 0 : counts[i - 1]!)));
  const h = [
    ...uint(1, total),
    ...double(2, total * 0.2),
    ...uint(5, zigzag(schema)),
    ...double(6, 2 ** -128),
    ...uint(7, 0),
    ...bytes(12, [...uint(1, zigzag(first)), ...uint(2, counts.length)]),
    ...bytes(13, deltas.flatMap(varint)),
  ];
  const label = bytes(1, [...text(1, 'version'), ...text(2, version)]);
  return bytes(4, [...label, ...bytes(7, h)]);
}

// v1 on schema 0: (1/16, 1/8] 4, (1/8, 1/4] 6. v2 on schema 3: buckets -26, -25 (3, 5), then -20 (2) after
// four empty ones (a span of 7 with zeros: deltas carry them).
const family = [
  ...text(1, 'app_latency_seconds'),
  ...uint(3, 4),
  ...histogram('v1', 0, -3, [4, 6]),
  ...histogram('v2', 3, -26, [3, 5, 0, 0, 0, 0, 2]),
];
const body = Buffer.from([...varint(family.length), ...family]);

let server: Server;
let prometheus: RunningPrometheus;

before(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res
      .writeHead(200, {
        'content-type':
          'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
      })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  prometheus = await startPrometheus([`127.0.0.1:${port}`], { features: ['native-histograms'] });
  await waitForSeries(prometheus.url, 'app_latency_seconds');
});

after(async () => {
  await prometheus?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

test('native histograms from a real Prometheus are read as exact buckets both versions share', async () => {
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url: prometheus.url, retries: 0 });
  const read = (version: string) =>
    provider.read({
      side: version === 'v2' ? 'canary' : 'stable',
      vars: { version },
      metrics: [
        {
          name: 'latency',
          config: {
            provider: 'prom',
            histogram: true,
            query: 'sum(app_latency_seconds{version="{{version}}"})',
          },
        },
      ],
      intervalMs: 60_000,
      signal: AbortSignal.timeout(10_000),
    });
  const canary = await read('v2');
  const stable = await read('v1');
  assert.deepEqual([canary.errors, stable.errors], [[], []]);
  const c = readBuckets(canary.values, 'latency')!;
  const s = readBuckets(stable.values, 'latency')!;
  assert.deepEqual(
    [2 ** -3.5, 2 ** -3.25, 2 ** -3, 2 ** -2.75, 2 ** -2.5, Infinity].map((le) => c.get(le)),
    [0, 3, 8, 8, 10, 10],
  );
  assert.deepEqual(
    [2 ** -4, 2 ** -3, 2 ** -2, Infinity].map((le) => s.get(le)),
    [0, 4, 10, 10],
  );
  const state = updateHistogramTest(initialHistogramTest(), 1.05, Math.log(100) / 2, c, s);
  assert.equal(state.intervals, 1);
});
