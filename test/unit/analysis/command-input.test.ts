// What a metrics command prints, as scripts print it: a byte order mark, CRLF, a key twice, text after the
// JSON. Read when it means one thing, refused with what was wrong when it does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCommandProvider, parseMetricsJson } from '../../../src/analysis/providers/command.ts';

const read = (stdout: string) => parseMetricsJson('script', stdout);

test('a byte order mark and CRLF line ends are not part of the answer', () => {
  assert.deepEqual(read('\uFEFF{"error_rate": 0.5}\r\n'), { ok: true, value: { error_rate: 0.5 } });
  assert.deepEqual(read('{\r\n  "p95": 120,\r\n  "memory": null\r\n}\r\n'), {
    ok: true,
    value: { p95: 120, memory: null },
  });
});

test('a metric written twice is refused: which of its values is meant cannot be known', () => {
  for (const stdout of [
    '{"error_rate": 0.5, "error_rate": 0.001}',
    '{"error_rate": 0.5, "p95": 3, "error\\u005frate": 0.001}',
  ]) {
    const result = read(stdout);
    assert.ok(!result.ok, stdout);
    assert.equal(result.error.code, 'bad-json');
    assert.equal(result.error.message, '"error_rate" is written twice: each metric once');
  }
  // A key that only looks like another (escaped quote, backslash) is its own key.
  assert.deepEqual(read('{"a\\"b": 1, "a": 2, "a\\\\": 3}'), {
    ok: true,
    value: { 'a"b': 1, a: 2, 'a\\': 3 },
  });
});

test('text after the JSON, several documents or nothing at all: refused on one line, saying why', () => {
  for (const stdout of ['{"error_rate": 0.5}\nDone.\n', '{"error_rate": 0.5}\n{"error_rate": 0.9}\n']) {
    const result = read(stdout);
    assert.ok(!result.ok, stdout);
    assert.equal(result.error.code, 'bad-json');
    assert.match(
      result.error.message,
      /^stdout is not one JSON object \(.*after JSON.*\): "\{"error_rate": 0\.5\}\\n/,
    );
    assert.ok(!result.error.message.includes('\n'), result.error.message);
  }
  const empty = read('');
  assert.ok(!empty.ok);
  assert.match(empty.error.message, /^stdout is empty: a metrics command prints one JSON object/);
});

test('a field the output lacks is a query error naming it and what the output has, not silent no data', async () => {
  const provider = createCommandProvider('script', {
    type: 'command',
    run: [process.execPath, '-e', 'console.log(JSON.stringify({ memory_ratio: 0.5, p95: null }))'],
    retries: 0,
  });
  const read = await provider.read({
    side: 'canary',
    vars: { version: 'v2' },
    metrics: [
      { name: 'memory', config: { provider: 'script', field: 'mem_ratio' } },
      { name: 'p95', config: { provider: 'script' } },
      { name: 'memory_ratio', config: { provider: 'script' } },
    ],
    intervalMs: 1000,
    signal: AbortSignal.timeout(10_000),
  });
  // null is how a command says "no data": no error for p95.
  assert.deepEqual(read.values, { memory: null, p95: null, memory_ratio: 0.5 });
  assert.deepEqual(read.errors, [
    {
      provider: 'script',
      code: 'query-error',
      message:
        'memory: the command\'s output has no "mem_ratio" (its field) (it has "memory_ratio", "p95"); write null for no data',
    },
  ]);
});

test('a key no metric reads may hold anything: ignored with one warning; the keys read stay strict', async () => {
  const warnings: string[] = [];
  const provider = createCommandProvider(
    'script',
    {
      type: 'command',
      run: [
        process.execPath,
        '-e',
        'console.log(JSON.stringify({ memory: 0.5, note: "ok", meta: { host: "a", note: "b" }, p95: null }))',
      ],
      retries: 0,
    },
    { warn: (message) => warnings.push(message) },
  );
  const request = {
    side: 'canary' as const,
    vars: { version: 'v2' },
    metrics: [
      { name: 'memory', config: { provider: 'script' } },
      { name: 'p95', config: { provider: 'script' } },
    ],
    intervalMs: 1000,
    signal: AbortSignal.timeout(10_000),
  };
  for (let i = 0; i < 2; i++) {
    const read = await provider.read(request);
    assert.deepEqual(read, { values: { memory: 0.5, p95: null }, errors: [] });
  }
  assert.deepEqual(warnings, [
    'script: the command\'s output has keys no metric reads whose values are not numbers ("note", "meta"): ignored (said once)',
  ]);
  // A key a metric reads is as strict as before: "0.5" is not 0.5, and not no data either.
  const asked = parseMetricsJson('script', '{"memory": "0.5", "note": "ok"}', new Set(['memory']));
  assert.ok(!asked.ok);
  assert.equal(asked.error.message, '"memory" is "0.5"; values must be numbers or null');
  // A metric written twice is still refused, even when a string value beside it looks like a key.
  const twice = parseMetricsJson(
    'script',
    '{"note": "memory", "memory": 0.5, "memory": 0.9}',
    new Set(['memory']),
  );
  assert.ok(!twice.ok);
  assert.equal(twice.error.message, '"memory" is written twice: each metric once');
  // A string value equal to a key is not a second key.
  assert.deepEqual(parseMetricsJson('script', '{"note": "memory", "memory": 0.5}', new Set(['memory'])), {
    ok: true,
    value: { memory: 0.5 },
    ignored: ['note'],
  });
});

test("Python's NaN and Infinity (json.dumps of a float that is not finite) are no data, not a broken answer", async () => {
  assert.deepEqual(read('{"error_rate": NaN, "p95": Infinity, "p50": -Infinity, "memory": 0.5}'), {
    ok: true,
    value: { error_rate: null, p95: null, p50: null, memory: 0.5 },
  });
  // Inside a string the words are text; other broken JSON stays refused, with JSON.parse's own reason.
  assert.deepEqual(
    parseMetricsJson('script', '{"note": "NaN, Infinity", "memory": NaN}', new Set(['memory'])),
    { ok: true, value: { memory: null }, ignored: ['note'] },
  );
  for (const stdout of ['{"p95": NaNa}', '{"p95": nan}', '{"p95": NaN', '{"p95": Infinityx}']) {
    const result = read(stdout);
    assert.ok(!result.ok, stdout);
    assert.match(result.error.message, /^stdout is not one JSON object/, stdout);
  }
  // Through the provider: the metric has no data in that interval, and no error is made up.
  const provider = createCommandProvider('script', {
    type: 'command',
    run: [process.execPath, '-e', 'process.stdout.write(\'{"p95": NaN, "memory": 0.25}\\n\')'],
    retries: 0,
  });
  const result = await provider.read({
    side: 'canary',
    vars: { version: 'v2' },
    metrics: [
      { name: 'p95', config: { provider: 'script' } },
      { name: 'memory', config: { provider: 'script' } },
    ],
    intervalMs: 60_000,
    signal: new AbortController().signal,
  });
  assert.deepEqual(result, { values: { p95: null, memory: 0.25 }, errors: [] });
});
