// parseJsonSteps gives what JSON.parse gives, value and error alike, for texts of any size, while a big
// report is read in steps: a 128 MB SARIF log, one JSON.parse of 2 to 7 s on a loaded runner, becomes steps of tens of milliseconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonSteps } from '../../../src/gates/json-steps.ts';
import { runAtOnce } from '../../../src/gates/turns.ts';

/** A seeded generator (mulberry32): the same texts on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '',
  'a',
  '__proto__',
  'constructor',
  '1',
  '0',
  'k"q',
  'back\\slash',
  '\u2028',
  'é😀',
  '[{',
  '}]',
  ',:',
];

function value(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 5 ? 4 : 7));
  if (kind === 0) return STRINGS[Math.floor(next() * STRINGS.length)];
  if (kind === 1) return [0, -1, 1.5e300, -0.25, 123456789012, 1e-7][Math.floor(next() * 6)];
  if (kind === 2) return [true, false, null][Math.floor(next() * 3)];
  if (kind === 3) return `s${Math.floor(next() * 1000)}`;
  const size = Math.floor(next() * 6);
  if (kind === 4) return Array.from({ length: size }, () => value(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    const key = STRINGS[Math.floor(next() * STRINGS.length)]!;
    Object.defineProperty(object, key, {
      value: value(next, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

/** `JSON.stringify` with random whitespace between tokens (outside strings). */
function spaced(text: string, next: () => number): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    out += c;
    if (inString) {
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    if (!inString && '{}[],:'.includes(c) && next() < 0.3)
      out += [' ', '\n', '\r\n', '\t  '][Math.floor(next() * 4)];
  }
  return out;
}

function outcome(run: () => unknown): string {
  try {
    const parsed = run();
    // Own "__proto__" properties and key order are part of what is compared.
    return `value ${JSON.stringify(parsed)} ${Object.getPrototypeOf(parsed ?? {}) === Object.prototype || Array.isArray(parsed) || parsed === null || typeof parsed !== 'object'}`;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

test('the value is JSON.parse’s, whatever is split into steps (chunks down to 16 characters)', () => {
  const next = random(7);
  for (let i = 0; i < 3000; i++) {
    const text = spaced(JSON.stringify(value(next, 0)), next);
    for (const chunk of [16, 64]) {
      assert.equal(
        outcome(() => runAtOnce(parseJsonSteps(text, chunk))),
        outcome(() => JSON.parse(text)),
        `${chunk}: ${text}`,
      );
    }
  }
});

test('a text that is not JSON gets JSON.parse’s own error, whatever was cut or changed', () => {
  const next = random(11);
  let invalid = 0;
  for (let i = 0; i < 3000; i++) {
    const text = JSON.stringify(value(next, 0)) ?? 'null';
    const at = Math.floor(next() * text.length);
    const broken = [
      text.slice(0, at),
      `${text.slice(0, at)},${text.slice(at)}`,
      `${text.slice(0, at)}]${text.slice(at)}`,
      `${text.slice(0, at)}"${text.slice(at)}`,
      `${text.slice(0, at)}x${text.slice(at)}`,
      `${text}${text}`,
      `\uFEFF${text}`,
    ][i % 7]!;
    const expected = outcome(() => JSON.parse(broken));
    if (expected.startsWith('SyntaxError')) invalid++;
    assert.equal(
      outcome(() => runAtOnce(parseJsonSteps(broken, 16))),
      expected,
      broken,
    );
  }
  assert.ok(invalid > 1000, `only ${invalid} invalid texts`);
  // A trailing comma or a missing value in a container split into steps.
  for (const text of [
    '[1,2,]',
    '{"a":1,}',
    '{"a":}',
    '{"a" 1}',
    '[1 2]',
    '{1:2}',
    '[,1]',
    '{"a":1,,"b":2}',
  ]) {
    const padded = text.replace(/([[{])/, `$1${' '.repeat(40)}`);
    assert.equal(
      outcome(() => runAtOnce(parseJsonSteps(padded, 16))),
      outcome(() => JSON.parse(padded)),
      text,
    );
  }
});

test('a 16 MB SARIF log is read in steps (one per megabyte scanned, one per megabyte parsed), to the same value', () => {
  const result = JSON.stringify({
    ruleId: 'js/xss',
    level: 'error',
    message: { text: 'Cross-site scripting vulnerability due to user-provided value.' },
    locations: [
      { physicalLocation: { artifactLocation: { uri: 'src/view.js' }, region: { startLine: 40 } } },
    ],
  });
  const count = Math.floor((16 * 1024 * 1024) / (result.length + 1));
  const text = `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"results":[${Array(count).fill(result).join(',')}]}]}`;
  const steps = parseJsonSteps(text);
  let stepCount = 0;
  let parsed: unknown;
  for (;;) {
    const step = steps.next();
    if (step.done) {
      parsed = step.value;
      break;
    }
    stepCount++;
  }
  const log = parsed as { runs: Array<{ results: unknown[] }> };
  assert.equal(log.runs[0]!.results.length, count);
  assert.deepEqual(log.runs[0]!.results[count - 1], JSON.parse(result));
  assert.ok(stepCount >= 30, `${stepCount} steps`);
});

test('the sarif and infrastructure gates read a 16 MB log or plan without one JSON.parse of all of it', async (t) => {
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { sarifGate } = await import('../../../src/gates/sarif.ts');
  const { infrastructureGate } = await import('../../../src/gates/infrastructure.ts');
  const cwd = await mkdtemp(join(tmpdir(), 'json-steps-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const megabytes = 16 * 1024 * 1024;
  const result = JSON.stringify({ ruleId: 'r', level: 'note', message: { text: 'm'.repeat(200) } });
  const results = Array(Math.floor(megabytes / (result.length + 1))).fill(result);
  await writeFile(
    join(cwd, 'big.sarif'),
    `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[${results.join(',')}]}]}`,
  );
  const change = JSON.stringify({
    address: 'null_resource.a',
    change: { actions: ['no-op'], before: { x: 'y'.repeat(200) } },
  });
  const changes = Array(Math.floor(megabytes / (change.length + 1))).fill(change);
  await writeFile(
    join(cwd, 'big.plan.json'),
    `{"format_version":"1.2","resource_changes":[${changes.join(',')}]}`,
  );
  const ctx = {
    cwd,
    changedFiles: async () => [],
    signal: new AbortController().signal,
    log: () => {},
    env: {},
  };

  const parse = JSON.parse;
  let longest = 0;
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    longest = Math.max(longest, String(text).length);
    return parse(text, reviver);
  }) as typeof JSON.parse;
  try {
    const sarif = await sarifGate.run(sarifGate.schema.parse({ files: 'big.sarif' }), ctx);
    assert.equal(sarif.status, 'pass', sarif.summary);
    const plan = await infrastructureGate.run(
      infrastructureGate.schema.parse({ terraform: { plan: 'big.plan.json' } }),
      ctx,
    );
    assert.equal(plan.status, 'pass', plan.summary);
  } finally {
    JSON.parse = parse;
  }
  assert.ok(longest <= 1024 * 1024, `JSON.parse was given ${longest} characters at once`);
});
