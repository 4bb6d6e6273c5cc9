// The recording format as docs/analysis.md ("A recording, key by key") gives it to whoever writes one by other
// means: its example replays exactly as it says, and its table of keys is the reader's, so the docs cannot
// drift from what `analyze -r` accepts. Before the table, the docs showed `"context":{...}` and
// `"decision":{...}`: a recording written from them was refused for keys nobody was told of (`context:
// missing required key "environment"`, `decision: missing required key "kind"`).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ANALYZE_EXIT_CODES } from '../../../src/analysis/exit-codes.ts';
import { runAnalyzeCommand, type ReplayResult } from '../../../src/analysis/replay.ts';
import { repoRoot } from '../../helpers/cli.ts';

const HEADING = '### A recording, key by key';

function section(): string {
  const docs = readFileSync(join(repoRoot, 'docs/analysis.md'), 'utf8');
  const start = docs.indexOf(HEADING);
  assert.ok(start >= 0, `docs/analysis.md has the section "${HEADING}"`);
  const end = docs.indexOf('\n## ', start);
  return docs.slice(start, end < 0 ? undefined : end);
}

/** The example's text, exactly as the docs show it. */
function example(): string {
  const block = /```ndjson\n([\s\S]*?)```/.exec(section());
  assert.ok(block, 'the section has an ```ndjson example');
  return block[1]!;
}

type LineKind = 'header' | 'window' | 'sample';
interface KeyRow {
  line: LineKind;
  path: string[];
  required: boolean;
}

/** The table's rows: `| window | \`context.phase\` | yes | ... |`. */
function keyTable(): KeyRow[] {
  const rows = [...section().matchAll(/^\| (header|window|sample) \| `([^`]+)` \| (yes|no) \|/gm)];
  assert.ok(rows.length > 10, 'the section has its table of keys');
  return rows.map(([, line, key, required]) => ({
    line: line as LineKind,
    path: key!.split('.'),
    required: required === 'yes',
  }));
}

function replay(t: { after(fn: () => void): void }, text: string, json = false) {
  const dir = mkdtempSync(join(tmpdir(), 'recording-docs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  writeFileSync(file, text);
  return runAnalyzeCommand({ recording: file, json });
}

/** The example's lines, the first of `kind` changed by `change` (its parent object and the last key). */
function changed(
  kind: LineKind,
  path: readonly string[],
  change: (parent: Record<string, unknown>, key: string) => void,
): string {
  const lines = example()
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const target = kind === 'header' ? lines[0]! : lines.find((line) => line.type === kind)!;
  let parent = target;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  change(parent, path.at(-1)!);
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

test("the docs' example recording replays as they say: a canary step promoted, nothing refused", (t) => {
  const text = example();
  const result = replay(t, text);
  assert.equal(result.exitCode, ANALYZE_EXIT_CODES.promote, result.output);
  assert.match(result.output, /^window 1: canary-step production v2 vs v1 at 10%$/m);
  assert.match(result.output, /^ {2}=> PROMOTE \(healthy\)/m);
  const json = JSON.parse(replay(t, text, true).output) as ReplayResult;
  assert.equal(json.windows.length, 1);
  const [window] = json.windows;
  assert.equal(window!.decision.kind, 'promote');
  // Every sample judged, each a minute apart as the docs say, none of them past the window.
  assert.deepEqual(
    window!.intervals.map((i) => i.index),
    [0, 1, 2, 3, 4],
  );
  assert.equal(window!.unjudged, undefined);
  assert.deepEqual(window!.changed, []);
});

test("the docs' table of keys is the reader's: each required key is refused when missing, each optional one is not, and each is read", (t) => {
  const wrong: string[] = [];
  for (const { line, path, required } of keyTable()) {
    const name = `${line} ${path.join('.')}`;
    let present = true;
    const without = changed(line, path, (parent, key) => {
      present = Object.hasOwn(parent, key);
      delete parent[key];
    });
    if (required && !present) wrong.push(`${name}: required, and not in the example`);
    const refusedWithout = replay(t, without).exitCode === ANALYZE_EXIT_CODES['bad-input'];
    if (required && !refusedWithout) wrong.push(`${name}: required, but a recording without it is accepted`);
    if (!required && refusedWithout) wrong.push(`${name}: optional, but a recording without it is refused`);
    // A key the reader does not know is ignored whatever it holds; one it reads refuses `true` (no key of
    // the format is a boolean): the table names no key the reader would skip.
    const wrongType = changed(line, path, (parent, key) => void (parent[key] = true));
    if (replay(t, wrongType).exitCode !== ANALYZE_EXIT_CODES['bad-input'])
      wrong.push(`${name}: written as true it is accepted: not a key the reader reads`);
  }
  assert.deepEqual(wrong, []);
});

test("every key of the docs' example is in their table", () => {
  const documented = new Set(keyTable().map(({ line, path }) => `${line} ${path.join('.')}`));
  const lines = example()
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const keys = lines.flatMap((line, i) => {
    const kind = i === 0 ? 'header' : String(line.type);
    // The keys of each line, and those of its context and sample (not metric names, nor the config's).
    return Object.entries(line).flatMap(([key, value]) =>
      (key === 'context' || key === 'sample') && value && typeof value === 'object'
        ? Object.keys(value).map((inner) => `${kind} ${key}.${inner}`)
        : [`${kind} ${key}`],
    );
  });
  assert.deepEqual(
    [...new Set(keys)].filter((key) => !documented.has(key)),
    [],
  );
});
