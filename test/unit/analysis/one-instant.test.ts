// Every query of one interval (both sides, every Prometheus metric: instant, histogram buckets, range) is
// evaluated at one instant, the interval's end, sent as `time` (and as a range's `end`). Without it each
// query was evaluated when Prometheus received it: rates of the canary's errors and of its requests, and of
// canary and stable, over windows apart (an error counted in one, its request in none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer } from '../../../src/analysis/analyzer.ts';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { readRecording } from '../../../src/analysis/recording.ts';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';
import type { AnalysisConfigInput } from '../../../src/analysis/schema.ts';

interface Asked {
  path: string;
  query: string;
  /** `time` of an instant query, `end` of a range query (unix seconds as sent). */
  instant: string | null;
  start: string | null;
}

/**
 * A fake Prometheus answering every query with one sample (a `le` bucket set for bucket queries, a matrix
 * for ranges), recording what it was asked. `onQuery` runs as each request arrives (a clock moving on).
 */
async function fakePrometheus(onQuery: () => void = () => {}) {
  const asked: Asked[] = [];
  const server = createServer((req, res) => {
    onQuery();
    const url = new URL(req.url!, 'http://x');
    const query = url.searchParams.get('query') ?? '';
    const range = url.pathname.endsWith('/query_range');
    asked.push({
      path: url.pathname,
      query,
      instant: range ? url.searchParams.get('end') : url.searchParams.get('time'),
      start: url.searchParams.get('start'),
    });
    const t = Number(url.searchParams.get(range ? 'end' : 'time') ?? 0);
    const data = range
      ? { resultType: 'matrix', result: [{ metric: {}, values: [[t, '3']] }] }
      : query.includes('_bucket')
        ? {
            resultType: 'vector',
            result: ['0.1', '+Inf'].map((le) => ({ metric: { le }, value: [t, le === '+Inf' ? '10' : '9'] })),
          }
        : { resultType: 'vector', result: [{ metric: {}, value: [t, query.includes('5..') ? '1' : '100'] }] };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'success', data }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, asked, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const config = (url: string): AnalysisConfigInput => ({
  preset: 'none',
  providers: { prom: { type: 'prometheus', url, retries: 0 } },
  metrics: {
    errors: { provider: 'prom', query: 'sum(increase(req{version="{{version}}",code=~"5.."}[1m]))' },
    requests: { provider: 'prom', query: 'sum(increase(req{version="{{version}}"}[1m]))' },
    latency: {
      provider: 'prom',
      histogram: true,
      query: 'sum by (le) (increase(dur_bucket{version="{{version}}"}[1m]))',
    },
    queue: {
      provider: 'prom',
      query: 'queue{version="{{version}}"}',
      range: { window: '1m', reduce: 'max' },
    },
  },
  checks: [
    { compare: 'errors', errors: 'errors', requests: 'requests' },
    { compare: 'histogram', metric: 'latency' },
    { check: 'queue < 100' },
  ],
});

test('every query of an interval, both sides and every kind, is evaluated at the interval end', async () => {
  const START = Date.parse('2026-03-02T10:00:00Z');
  let now = START;
  // Real time passes while the queries go out: 250 ms per request.
  const prom = await fakePrometheus(() => void (now += 250));
  try {
    const dir = mkdtempSync(join(tmpdir(), 'one-instant-'));
    const record = join(dir, 'recording.ndjson');
    const analyzer = createAnalyzer(config(prom.url), {
      now: () => now,
      sleep: async (ms) => void (now += ms),
      record,
    });
    const outcome = await analyzer.evaluate({
      phase: 'canary-step',
      environment: 'production',
      version: 'v2',
      stableVersion: 'v1',
      windowMs: 3 * 30_000,
      intervalMs: 30_000,
      signal: new AbortController().signal,
    });
    assert.ok(outcome.intervals.length >= 3, JSON.stringify(outcome.decision));
    // 4 metrics x 2 sides per interval, the interval's own end for all 8 (and the range's end too).
    const perInterval = 8;
    assert.equal(prom.asked.length, outcome.intervals.length * perInterval);
    outcome.intervals.forEach((_, i) => {
      const asked = prom.asked.slice(i * perInterval, (i + 1) * perInterval);
      const end = String((START + (i + 1) * 30_000) / 1000);
      assert.deepEqual(
        asked.map((a) => a.instant),
        asked.map(() => end),
        `interval ${i}: ${JSON.stringify(asked)}`,
      );
      assert.ok(asked.some((a) => a.query.includes('"v1"')) && asked.some((a) => a.query.includes('"v2"')));
      for (const range of asked.filter((a) => a.path.endsWith('/query_range')))
        assert.equal(range.start, String((START + (i + 1) * 30_000 - 60_000) / 1000), 'the range ends there');
    });
    // The recording keeps that instant beside the time the reading completed, and reads it back.
    const samples = readRecording(record).windows[0]!.samples;
    assert.deepEqual(
      samples.map((s) => s.sample.readAt),
      samples.map((_, i) => START + (i + 1) * 30_000),
    );
    assert.ok(
      samples.every((s) => s.sample.at > s.sample.readAt!),
      'read after its instant',
    );
    rmSync(dir, { recursive: true, force: true });
  } finally {
    await prom.close();
  }
});

test("the pre-deploy baseline reads every metric at one instant, the reading's start", async () => {
  const START = Date.parse('2026-03-02T10:00:00Z');
  let now = START;
  const prom = await fakePrometheus(() => void (now += 250));
  try {
    const analyzer = createAnalyzer(config(prom.url), { now: () => now });
    const baseline = await analyzer.captureBaseline({
      environment: 'production',
      version: 'v1',
      signal: new AbortController().signal,
    });
    assert.equal(baseline.requests, 100);
    assert.equal(prom.asked.length, 4);
    assert.deepEqual(
      prom.asked.map((a) => a.instant),
      prom.asked.map(() => String(START / 1000)),
    );
  } finally {
    await prom.close();
  }
});

test('a provider read without an instant still asks all its metrics at one (its clock once)', async () => {
  let now = Date.parse('2026-03-02T10:00:00.5Z');
  const prom = await fakePrometheus(() => void (now += 250));
  try {
    const provider = createPrometheusProvider(
      'prom',
      { type: 'prometheus', url: prom.url, retries: 0 },
      { now: () => now },
    );
    const { metrics } = resolveAnalysisConfig(config(prom.url));
    const read = await provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: Object.entries(metrics).map(([name, c]) => ({ name, config: c })),
      intervalMs: 30_000,
      signal: new AbortController().signal,
    });
    assert.deepEqual(read.errors, []);
    assert.deepEqual(
      prom.asked.map((a) => a.instant),
      prom.asked.map(() => '1772445600.5'),
      'fractional seconds as the API takes them',
    );
  } finally {
    await prom.close();
  }
});
