// Several series where a metric reads one: refused, naming the labels that tell them apart (what to
// aggregate away or select on), in every way a metric is read (instant, range, past, buckets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';
import { queuedAnswers } from '../../helpers/prometheus-answers.ts';
import { differingLabels, manySeriesMessage } from '../../../src/analysis/providers/series-labels.ts';

const S = 1_700_000_000;

async function prometheus(t: { after(fn: () => Promise<void>): void }) {
  const { url, answers } = await queuedAnswers(t);
  const provider = createPrometheusProvider(
    'prom',
    { type: 'prometheus', url, retries: 0 },
    { now: () => S * 1000 },
  );
  const request = (config: Record<string, unknown>) => ({
    side: 'canary' as const,
    vars: { version: 'v2' },
    metrics: [{ name: 'm', config: { provider: 'prom', query: 'q', ...config } }],
    intervalMs: 60_000,
    signal: new AbortController().signal,
  });
  return {
    read: (answer: unknown, config: Record<string, unknown> = {}) => {
      answers.push(JSON.stringify(answer));
      return provider.read(request(config));
    },
    past: (answer: unknown, config: Record<string, unknown> = {}) => {
      answers.push(JSON.stringify(answer));
      return provider.readPast!({ ...request(config), times: [S * 1000] });
    },
  };
}

const vector = (result: unknown[]) => ({ status: 'success', data: { resultType: 'vector', result } });
const matrix = (result: unknown[]) => ({ status: 'success', data: { resultType: 'matrix', result } });

test('an instant query with several series names the labels that differ, and not the ones they share', async (t) => {
  const prom = await prometheus(t);
  const read = await prom.read(
    vector([
      { metric: { job: 'api', version: 'v2', instance: 'a:9090' }, value: [S, '1'] },
      { metric: { job: 'api', version: 'v2', instance: 'b:9090' }, value: [S, '2'] },
    ]),
  );
  assert.deepEqual(read.values, { m: null });
  assert.equal(read.errors[0]?.code, 'multiple-series');
  const message = read.errors[0]!.message;
  assert.match(
    message,
    /^m: 2 series returned where one is read, differing in instance \("a:9090", "b:9090"\)/,
  );
  assert.doesNotMatch(message, /job|version \(/);
  assert.match(message, /sum without/);
});

test('a range metric and a metric read back in time name the differing labels too', async (t) => {
  const prom = await prometheus(t);
  const two = matrix([
    { metric: { code: '200' }, values: [[S, '1']] },
    { metric: { code: '500', pod: 'p1' }, values: [[S, '2']] },
  ]);
  for (const read of [
    await prom.read(two, { range: { window: 60_000, step: 15_000 } }),
    (await prom.past(two))[0]!,
  ]) {
    assert.equal(read.errors[0]?.code, 'multiple-series');
    assert.match(read.errors[0]!.message, /differing in code \("200", "500"\) and pod \("p1", \(absent\)\)/);
  }
});

test('classic buckets with a label kept beside le: the repeated bound names that label', async (t) => {
  const prom = await prometheus(t);
  const read = await prom.read(
    vector([
      { metric: { le: '0.1', instance: 'a' }, value: [S, '1'] },
      { metric: { le: '+Inf', instance: 'a' }, value: [S, '2'] },
      { metric: { le: '0.1', instance: 'b' }, value: [S, '3'] },
      { metric: { le: '+Inf', instance: 'b' }, value: [S, '4'] },
    ]),
    { histogram: true },
  );
  assert.equal(read.errors[0]?.code, 'bad-json');
  assert.match(
    read.errors[0]!.message,
    /le="0\.1" is repeated, in series differing in instance \("a", "b"\)/,
  );
  assert.match(read.errors[0]!.message, /sum by \(le\)/);
});

test('label values from the server are quoted with control characters escaped, and long lists are cut', () => {
  const shown = differingLabels([
    { a: 'x\n<b>**y**</b>', b: '1', c: '1', d: '1', e: '1', f: '1', g: '1' },
    { a: 'z\u2028', b: '2', c: '2', d: '2', e: '2', f: '2', g: '2' },
    { a: 'w', b: '3', c: '3', d: '3', e: '3', f: '3', g: '3' },
    { a: 'v', b: '4', c: '4', d: '4', e: '4', f: '4', g: '4' },
  ]);
  assert.doesNotMatch(shown, /[\n\u2028]/);
  assert.match(shown, /^a \("v", "w", "x\\n<b>\*\*y\*\*<\/b>", 1 more\)/);
  assert.match(shown, /and 2 more labels$/);
  assert.equal(differingLabels([{ a: '1' }, { a: '1' }]), 'no label');
  assert.match(
    manySeriesMessage([{ a: '1' }, { a: '1' }], 'q'),
    /^2 series returned where one is read, all with the same labels: /,
  );
});
