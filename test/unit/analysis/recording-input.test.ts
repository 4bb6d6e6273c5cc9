// Recordings as runs leave them: a run stopped while writing leaves its last line cut short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_RECORDED_WINDOW_MS, RecordingWriter, redactConfig } from '../../../src/analysis/recording.ts';
import { runAnalyzeCommand } from '../../../src/analysis/replay.ts';

const FIXTURE = new URL('../../fixtures/analysis/canary-sustained-errors.ndjson', import.meta.url);

test('a last line cut short is refused with where, what and what to do; a bad line inside is not called cut', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(FIXTURE, 'utf8');
  const lines = text.trimEnd().split('\n');
  const cut = join(dir, 'cut.ndjson');
  writeFileSync(cut, text.trimEnd().slice(0, -40));
  const result = runAnalyzeCommand({ recording: cut });
  assert.equal(result.exitCode, 3, result.output);
  assert.equal(
    result.output.split('\n')[0]!.replace(/ \(.*\)\):/, ' (…):'),
    `error: ${cut}:${lines.length}: not JSON (…): the last line is cut short (no newline at its end: a run stopped while writing it?); remove it to judge the rest`,
  );
  // The same broken line with its newline, or before the end, is a broken line, not a cut one.
  const broken = join(dir, 'broken.ndjson');
  writeFileSync(broken, `${text.trimEnd().slice(0, -40)}\n`);
  assert.doesNotMatch(runAnalyzeCommand({ recording: broken }).output, /cut short/);
  const inside = join(dir, 'inside.ndjson');
  writeFileSync(inside, [...lines.slice(0, 3), lines[3]!.slice(0, -10), ...lines.slice(4)].join('\n'));
  const output = runAnalyzeCommand({ recording: inside }).output;
  assert.match(output, new RegExp(`:4: not JSON`));
  assert.doesNotMatch(output, /cut short/);
});

test('a recording keeps no credential: headers, env and the user and password of a URL are redacted', () => {
  const redacted = redactConfig({
    providers: {
      prom: {
        type: 'prometheus',
        url: 'https://reader:s3cr%40t@prom.example:9090/select/0/prometheus',
        headers: { Authorization: 'Bearer hunter2' },
      },
      probe: {
        type: 'http',
        url: 'http://svc:tok@{{slot}}.internal/health',
        stable_url: 'http://{{stable_slot}}.internal/health',
      },
      script: { type: 'command', run: ['./m.sh'], env: { TOKEN: 'hunter2' } },
    },
  });
  const text = JSON.stringify(redacted);
  for (const secret of ['hunter2', 's3cr', 'reader', 'tok@'])
    assert.ok(!text.includes(secret), `${secret}: ${text}`);
  assert.deepEqual(redacted.providers, {
    prom: {
      type: 'prometheus',
      url: 'https://[redacted]@prom.example:9090/select/0/prometheus',
      headers: { Authorization: '[redacted]' },
    },
    probe: {
      type: 'http',
      url: 'http://[redacted]@{{slot}}.internal/health',
      stable_url: 'http://{{stable_slot}}.internal/health',
    },
    script: { type: 'command', run: ['./m.sh'], env: { TOKEN: '[redacted]' } },
  });
});

test('a token in the query of a provider URL is redacted from a recording, the rest of the URL kept', () => {
  const redacted = redactConfig({
    providers: {
      prom: {
        type: 'prometheus',
        url: 'https://prom.example/api/prom?tenant=a&token=hunter2&X-Amz-Signature=abc123',
      },
      probe: {
        type: 'http',
        url: 'http://{{slot}}.internal/health?access_token=hunter3&verbose=1',
        stable_url: 'http://{{stable_slot}}.internal/health?api_key=hunter4;API%5FKEY=hunter5#sig=hunter6',
      },
    },
  });
  const text = JSON.stringify(redacted);
  for (const secret of ['hunter2', 'hunter3', 'hunter4', 'hunter5', 'hunter6', 'abc123'])
    assert.ok(!text.includes(secret), `${secret}: ${text}`);
  assert.deepEqual(redacted.providers, {
    prom: {
      type: 'prometheus',
      url: 'https://prom.example/api/prom?tenant=a&token=[redacted]&X-Amz-Signature=[redacted]',
    },
    probe: {
      type: 'http',
      url: 'http://{{slot}}.internal/health?access_token=[redacted]&verbose=1',
      stable_url:
        'http://{{stable_slot}}.internal/health?api_key=[redacted];API%5FKEY=[redacted]#sig=[redacted]',
    },
  });
});

test('a last line is called cut short wherever the run stopped in it, and only when it was cut', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(FIXTURE, 'utf8').trimEnd();
  const lines = text.split('\n');
  const last = JSON.stringify({
    ...(JSON.parse(lines.at(-1)!) as Record<string, unknown>),
    extra: { flag: true, none: null, off: false, n: -1.5e-3 },
  });
  const file = join(dir, 'rec.ndjson');
  for (let k = 1; k < last.length; k++) {
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n${last.slice(0, k)}`);
    const output = runAnalyzeCommand({ recording: file }).output;
    assert.match(output, /the last line is cut short/, `cut after ${k}: ${output}`);
  }
  // A stray character after the line's JSON: a broken line, not one cut short (removing it loses a sample).
  writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n${last}}`);
  const stray = runAnalyzeCommand({ recording: file });
  assert.equal(stray.exitCode, 3);
  assert.match(stray.output, new RegExp(`:${lines.length}: not JSON`));
  assert.doesNotMatch(stray.output, /cut short/);
});

/** The fixture's recording written as these UTF-16 little-endian bytes and byte-swapped: each reads as it. */
function readsAsFixtureInBothByteOrders(
  dir: string,
  le: Buffer,
  expected: ReturnType<typeof runAnalyzeCommand>,
): void {
  for (const [name, bytes] of [
    ['le', le],
    ['be', Buffer.from(le).swap16()],
  ] as const) {
    const file = join(dir, `${name}.ndjson`);
    writeFileSync(file, bytes);
    const got = runAnalyzeCommand({ recording: file, json: true });
    assert.equal(got.exitCode, expected.exitCode, `${name}: ${got.output.slice(0, 300)}`);
    assert.equal(got.output, expected.output, name);
  }
}

test('lines ended by a lone CR (an old Mac editor) are read as the same recording, not one line cut short', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(FIXTURE, 'utf8');
  const expected = runAnalyzeCommand({ recording: FIXTURE.pathname, json: true });
  for (const [name, eol] of [
    ['cr', '\r'],
    ['mixed', '\r\n'],
  ] as const) {
    const file = join(dir, `${name}.ndjson`);
    writeFileSync(file, text.replace(/\n/g, eol));
    const got = runAnalyzeCommand({ recording: file, json: true });
    assert.equal(got.exitCode, expected.exitCode, got.output);
    assert.equal(got.output, expected.output);
  }
  // Line numbers count a lone CR as a line end too.
  const bad = join(dir, 'bad.ndjson');
  const lines = text.trimEnd().split('\n');
  writeFileSync(bad, [...lines.slice(0, 2), '{"type":"sample"', ...lines.slice(2)].join('\r') + '\r');
  assert.match(runAnalyzeCommand({ recording: bad }).output, new RegExp(`^error: ${bad}:3: not JSON`));
});

test('a key written twice, at any level of any line, is refused where it is: JSON would keep the last without a word', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
  const sampleAt = lines.findIndex((l) => l.includes('"type":"sample"'));
  const sample = lines[sampleAt]!;
  const metric = Object.keys((JSON.parse(sample) as { sample: { canary: object } }).sample.canary)[0]!;
  const cases: Array<[number, string, RegExp]> = [
    // A value for a metric written twice: 0.9 and then the recorded one, judged on the last.
    [
      sampleAt,
      sample.replace(`"canary":{`, `"canary":{${JSON.stringify(metric)}:0.9,`),
      new RegExp(`:${sampleAt + 1}: sample\\.canary: the key "${metric}" is written twice`),
    ],
    // The same key escaped differently is the same key.
    [
      sampleAt,
      sample.replace(`"sample":{`, `"sample":{"\\u0061t":1,`),
      new RegExp(`:${sampleAt + 1}: sample: the key "at" is written twice`),
    ],
    [
      sampleAt,
      sample.replace(/^\{/, '{"index":0,'),
      new RegExp(`:${sampleAt + 1}: the key "index" is written twice`),
    ],
    [0, lines[0]!.replace(/^\{/, '{"version":1,'), /:1: the key "version" is written twice/],
  ];
  for (const [at, line, expected] of cases) {
    const file = join(dir, 'rec.ndjson');
    writeFileSync(file, `${lines.map((l, i) => (i === at ? line : l)).join('\n')}\n`);
    for (const json of [false, true]) {
      const result = runAnalyzeCommand({ recording: file, json });
      assert.equal(result.exitCode, 3, result.output);
      assert.match(json ? (JSON.parse(result.output) as { error: string }).error : result.output, expected);
    }
  }
  // Keys alike in different objects, or inside strings, are not written twice.
  const file = join(dir, 'rec.ndjson');
  const unusual = sample.replace(/^\{/, '{"extra":{"index":"\\"index\\":1","type":[{"a":1},{"a":2}]},');
  writeFileSync(file, `${lines.map((l, i) => (i === sampleAt ? unusual : l)).join('\n')}\n`);
  assert.equal(
    runAnalyzeCommand({ recording: file }).exitCode,
    runAnalyzeCommand({ recording: FIXTURE.pathname }).exitCode,
  );
});

test('a recording saved as UTF-16 (Windows PowerShell writes it) is read as the same recording; a mark inside is no part of a line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(FIXTURE, 'utf8');
  const expected = runAnalyzeCommand({ recording: FIXTURE.pathname, json: true });
  readsAsFixtureInBothByteOrders(dir, Buffer.from(`\uFEFF${text}`, 'utf16le'), expected);
  // Two recordings concatenated, the second with its byte order mark: said as such, not "not JSON".
  const twice = join(dir, 'twice.ndjson');
  writeFileSync(twice, `${text}\uFEFF${text}`);
  const lines = text.trimEnd().split('\n').length;
  assert.match(
    runAnalyzeCommand({ recording: twice }).output,
    new RegExp(`:${lines + 1}: a second recording header \\(line 1 is the first\\)`),
  );
});

test('a recording in UTF-16 without a byte order mark is read as the same recording; one that cannot be told is said to look like it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(FIXTURE, 'utf8');
  const expected = runAnalyzeCommand({ recording: FIXTURE.pathname, json: true });
  readsAsFixtureInBothByteOrders(dir, Buffer.from(text, 'utf16le'), expected);
  // A character past U+00FF among the first ones hides the pattern: the refusal says what it looks like.
  const wide = join(dir, 'wide.ndjson');
  writeFileSync(wide, Buffer.from(`{"ā":1}\n${text}`, 'utf16le'));
  assert.match(
    runAnalyzeCommand({ recording: wide }).output,
    /wide\.ndjson:1: not JSON \(.*\): it looks like UTF-16 without a byte order mark; save it as UTF-8/,
  );
  // A file of zeros (a crash) or a UTF-8 line with a stray NUL is not called UTF-16.
  for (const [name, bytes] of [
    ['zeros', Buffer.alloc(64)],
    ['stray', Buffer.from(`{"type":\0"header"}\n`)],
  ] as const) {
    const file = join(dir, `${name}.ndjson`);
    writeFileSync(file, bytes);
    const out = runAnalyzeCommand({ recording: file }).output;
    assert.match(out, /not JSON/, name);
    assert.doesNotMatch(out, /UTF-16/, name);
  }
});

test('a window or interval longer than any run records is refused where it is, not reported as 1 of 1.67e+295 intervals', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
  const at = lines.findIndex((l) => l.includes('"type":"window"'));
  for (const [field, value] of [
    ['windowMs', 1e300],
    ['windowMs', MAX_RECORDED_WINDOW_MS + 1],
    ['intervalMs', 1e300],
  ] as const) {
    const window = JSON.parse(lines[at]!) as { context: Record<string, number> };
    window.context[field] = value;
    const file = join(dir, `${field}.ndjson`);
    writeFileSync(file, `${lines.map((l, i) => (i === at ? JSON.stringify(window) : l)).join('\n')}\n`);
    const got = runAnalyzeCommand({ recording: file });
    assert.notEqual(got.exitCode, 0, `${field} ${value}`);
    assert.match(
      got.output,
      new RegExp(
        `${field}\\.ndjson:${at + 1}: window 1: context\\.${field}: .* ms is longer than any window a run records: at most ${MAX_RECORDED_WINDOW_MS} \\(365 days; a config's longest window is 7 days\\)`,
      ),
    );
    assert.doesNotMatch(got.output, /e\+\d{3} intervals/);
  }
  // A year is still read (a bake left waiting for people is looked at since it began).
  const window = JSON.parse(lines[at]!) as { context: Record<string, number> };
  window.context.windowMs = MAX_RECORDED_WINDOW_MS;
  const year = join(dir, 'year.ndjson');
  writeFileSync(year, `${lines.map((l, i) => (i === at ? JSON.stringify(window) : l)).join('\n')}\n`);
  assert.doesNotMatch(runAnalyzeCommand({ recording: year }).output, /longer than any window/);
});

test('null in an optional key is refused without the YAML hint "write {}": a decision of {} is refused too', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
  const at = lines.findIndex((l) => l.includes('"type":"sample"'));
  const write = (name: string, decision: unknown) => {
    const sample = { ...(JSON.parse(lines[at]!) as Record<string, unknown>), decision };
    const file = join(dir, `${name}.ndjson`);
    writeFileSync(file, `${lines.map((l, i) => (i === at ? JSON.stringify(sample) : l)).join('\n')}\n`);
    return runAnalyzeCommand({ recording: file });
  };
  // The hint sent a writer from one refusal to the next: {} has no `kind`.
  const nothing = write('null', null);
  assert.equal(nothing.exitCode, 3, nothing.output);
  assert.match(nothing.output, /: decision: expected a mapping, got an empty value$/m);
  assert.doesNotMatch(nothing.output, /write \{\}/);
  assert.match(write('empty', {}).output, /: decision: missing required key "kind"/);
});

test('a recording that cannot be written is said once and the analysis goes on: never a throw into the decision', () => {
  const warnings: string[] = [];
  const writer = new RecordingWriter(
    join(tmpdir(), 'no-such-dir-for-recordings', 'r.ndjson'),
    {},
    (message) => warnings.push(message),
  );
  const context = { environment: 'production', phase: 'monitor' } as Parameters<RecordingWriter['window']>[0];
  // Before: ENOENT thrown out of the analysis, an internal error that rolled the release back.
  writer.window(context, {}, 0);
  writer.window(context, {}, 1);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(
    warnings[0]!,
    /^the recording .*r\.ndjson cannot be written \(ENOENT\); the analysis goes on without it$/,
  );
});
