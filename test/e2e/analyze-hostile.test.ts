// `deploy-action analyze` from the built bundle (as the README runs it: dist/cli/index.js) on recordings that
// are broken or hostile: exit 3 with one located line per problem on stderr, never a stack trace, never a raw
// control character on the terminal; a recording with hostile names still gets its verdict.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI_BUNDLE, runCli } from '../helpers/cli.ts';
import { recordingLines, recordingText } from '../helpers/recording-lines.ts';

const MINUTE = 60_000;
const CONFIG = {
  providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
  metrics: { errors: { provider: 'prom', query: 'x' }, requests: { provider: 'prom', query: 'x' } },
};
const ESC = 'v2\u001b]0;owned\u0007\u001b[2J\u009b1m';
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function recording(samples: unknown[], version = 'v2'): string {
  const sides = samples.map((canary) => ({ canary, stable: { errors: 1, requests: 100 } }));
  return recordingText(recordingLines(CONFIG, sides, { version, windowMs: 3 * MINUTE }));
}

test('the built CLI refuses broken recordings with located one-line errors and judges hostile names', async (t) => {
  assert.ok(existsSync(CLI_BUNDLE), `${CLI_BUNDLE} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'analyze-hostile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const ok = { errors: 1, requests: 100 };
  const cases: Array<[name: string, text: string, message: RegExp]> = [
    ['empty.ndjson', '', /: empty recording$/],
    ['list.ndjson', '[]\n', /:1: expected a JSON object \(a mapping\), got a list$/],
    [
      'type.ndjson',
      recording([ok, { errors: '500', requests: 100 }, ok]),
      /:4: window 1 sample 1: sample\.canary\.errors: expected a number or null \(no data\), got the string "500"/,
    ],
    [
      'order.ndjson',
      recording([ok, ok, ok]).replace('"at":180000', '"at":60000'),
      /:5: window 1 sample 2: sample\.at: 60000 is not after/,
    ],
    [
      'key.ndjson',
      recording([{ ...ok, [`errors{le="${ESC}"}`]: 1 }, ok, ok]),
      /:3: window 1 sample 0: sample\.canary\[.*\]: not a bucket key/,
    ],
  ];
  for (const [name, text, message] of cases) {
    const run = await runCli(['analyze', '--recording', file(name, text)], { entry: CLI_BUNDLE });
    assert.equal(run.code, 3, `${name}: ${run.stderr}`);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr.trimEnd(),
      new RegExp(`^error: ${join(dir, name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${message.source}`, 'm'),
      name,
    );
    assert.doesNotMatch(run.stderr, RAW, name);
    assert.doesNotMatch(run.stderr, /\n\s+at /, `${name}: no stack trace`);
  }
  const hostile = await runCli(
    ['analyze', '--recording', file('names.ndjson', recording([ok, ok, ok], ESC))],
    {
      entry: CLI_BUNDLE,
    },
  );
  assert.equal(hostile.code, 0, hostile.stderr);
  assert.match(
    hostile.stdout,
    /window 1: canary-step production v2\\u001b\]0;owned\\u0007\\u001b\[2J\\u009b1m\n/,
  );
  assert.doesNotMatch(hostile.stdout, RAW);
  const json = await runCli(
    ['analyze', '--json', '--recording', file('names.ndjson', recording([ok, ok, ok], ESC))],
    {
      entry: CLI_BUNDLE,
    },
  );
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stdout, RAW);
  assert.equal(
    (JSON.parse(json.stdout) as { windows: Array<{ context: { version: string } }> }).windows[0]!.context
      .version,
    ESC,
  );
});
