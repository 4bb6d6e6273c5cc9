// Coverage reports that contradict themselves block, naming the file and the field: real c8 reports with one
// number changed (a hand-edited or corrupted report read as 142.9 % before). And report paths under the
// runner's workspace are repository-relative wherever the gate runs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { testsGate } from '../../../src/gates/tests.ts';
import type { TestsConfig } from '../../../src/gates/schema/tests.ts';
import type { ChangedFile, GateContext, GateVerdict } from '../../../src/gates/types.ts';

const APP = resolve(import.meta.dirname, '../../fixtures/gates/coverage-app');
const C8 = resolve(import.meta.dirname, '../../../node_modules/c8/bin/c8.js');

let dir: string;
let lcov: string;
let cobertura: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coverage-contradictions-'));
  for (const file of ['run-tests.js', 'package.json']) await copyFile(join(APP, file), join(dir, file));
  // The changed version: two functions added at lines 11-19, one of them never called by the tests.
  await copyFile(join(APP, 'lib-change.js'), join(dir, 'lib.js'));
  await execa(
    process.execPath,
    [C8, '--reporter=lcov', '--reporter=cobertura', process.execPath, 'run-tests.js'],
    {
      cwd: dir,
    },
  );
  lcov = await readFile(join(dir, 'coverage/lcov.info'), 'utf8');
  cobertura = await readFile(join(dir, 'coverage/cobertura-coverage.xml'), 'utf8');
  process.on('exit', () => void rm(dir, { recursive: true, force: true }));
});

function context(extra: Partial<GateContext> = {}): GateContext {
  return {
    cwd: dir,
    changedFiles: async () => [],
    signal: new AbortController().signal,
    log: () => {},
    env: {},
    ...extra,
  };
}

async function gateOn(
  name: string,
  text: string,
  config: object = {},
  ctx?: GateContext,
): Promise<GateVerdict> {
  await writeFile(join(dir, name), text);
  const parsed = testsGate.schema.parse({
    coverage: name,
    thresholds: { lines: 10 },
    ...config,
  }) as TestsConfig;
  return testsGate.run(parsed, ctx ?? context());
}

/** Replaces the first match of `pattern` (every one with /g; it must match) with `replacement`. */
function edit(text: string, pattern: RegExp, replacement: string): string {
  assert.match(text, pattern);
  return text.replace(pattern, replacement);
}

test('the unedited reports pass: the edits below are what blocks', async () => {
  assert.equal((await gateOn('ok.info', lcov)).status, 'pass');
  assert.equal((await gateOn('ok.xml', cobertura)).status, 'pass');
});

test('lcov: a hit count above its found count blocks, naming the file, line and both fields', async () => {
  const cases = [
    { field: 'LH', found: 'LF', edited: edit(lcov, /^LH:\d+$/m, 'LH:999') },
    { field: 'BRH', found: 'BRF', edited: edit(lcov, /^BRH:\d+$/m, 'BRH:999') },
    { field: 'FNH', found: 'FNF', edited: edit(lcov, /^FNH:\d+$/m, 'FNH:999') },
  ];
  for (const { field, found, edited } of cases) {
    const verdict = await gateOn('edited.info', edited);
    assert.equal(verdict.status, 'block', field);
    assert.match(
      verdict.summary,
      new RegExp(
        `^edited\\.info:\\d+: ${field} 999 is greater than ${found} \\d+ in the record of .*lib\\.js: the report contradicts itself$`,
      ),
    );
  }
});

test('lcov: a hit count without its found count blocks: it added covered items and nothing to cover', async () => {
  // A second record with LH and no LF made 0 of 10 lines read as 10 of 10 (100 %); one alone, as 5 of 0.
  const zero = 'SF:src/a.js\nDA:1,0\nDA:2,0\nLF:10\nLH:0\nend_of_record\n';
  const onlyHits = 'SF:src/b.js\nLH:10\nend_of_record\n';
  const verdict = await gateOn('edited.info', zero + onlyHits, { thresholds: { lines: 80 } });
  assert.equal(verdict.status, 'block');
  assert.equal(
    verdict.summary,
    'edited.info:8: LH 10 without LF in the record of src/b.js: the report counts covered items it does not count as found (cut short or edited)',
  );
  for (const [field, found] of [
    ['BRH', 'BRF'],
    ['FNH', 'FNF'],
  ] as const) {
    const edited = edit(lcov, new RegExp(`^${found}:\\d+\\n`, 'm'), '');
    const blocked = await gateOn('edited.info', edited, { thresholds: { lines: 10 } });
    assert.equal(blocked.status, 'block', field);
    assert.match(
      blocked.summary,
      new RegExp(`^edited\\.info:\\d+: ${field} \\d+ without ${found} in the record of `),
    );
  }
  // A found count with no hit count is read as nothing hit: it can only lower coverage, as before.
  const noHits = await gateOn('edited.info', 'SF:src/a.js\nDA:1,1\nDA:2,0\nLF:2\nend_of_record\n');
  assert.equal(noHits.summary, 'lines coverage 0.0% < 10% (0/2, edited.info)');
});

test('lcov: LH above the DA lines hit, or LF below the DA lines listed, blocks: the summary claims more than the lines show', async () => {
  // Two lines, neither hit, summarised as all hit: it read as 100 %.
  const claimed = await gateOn('edited.info', 'SF:src/a.js\nDA:1,0\nDA:2,0\nLF:2\nLH:2\nend_of_record\n');
  assert.equal(claimed.status, 'block');
  assert.equal(
    claimed.summary,
    "edited.info:5: LH 2 but 0 of the record's 2 DA lines of src/a.js were hit: the report contradicts itself",
  );
  const fewer = await gateOn(
    'edited.info',
    'SF:src/a.js\nDA:1,1\nDA:2,0\nDA:3,0\nLF:1\nLH:1\nend_of_record\n',
  );
  assert.equal(fewer.status, 'block');
  assert.equal(
    fewer.summary,
    'edited.info:5: LF 1 but the record of src/a.js lists 3 DA lines: the report contradicts itself',
  );
  // The real report, with one of its LH records lowered: a summary below its lines is only less coverage.
  const lower = edit(lcov, /^LH:(\d+)$/m, 'LH:0');
  assert.equal((await gateOn('edited.info', lower, { thresholds: { lines: 0 } })).status, 'pass');
  // Edited up to its LF, every line hit by the summary but not by the lines: refused.
  const raised = lcov.replace(/^LF:(\d+)\nLH:\d+$/m, 'LF:$1\nLH:$1');
  assert.notEqual(raised, lcov);
  assert.match(
    (await gateOn('edited.info', raised)).summary,
    /^edited\.info:\d+: LH \d+ but \d+ of the record's \d+ DA lines of .*lib\.js were hit/,
  );
});

test('lcov: negative or fractional counts block, naming the record', async () => {
  const negativeHits = await gateOn('edited.info', edit(lcov, /^DA:(\d+),\d+$/m, 'DA:$1,-3'));
  assert.equal(negativeHits.status, 'block');
  assert.match(negativeHits.summary, /^edited\.info:\d+: malformed DA record "DA:\d+,-3" in .*lib\.js$/);
  const negativeTotal = await gateOn('edited.info', edit(lcov, /^LF:\d+$/m, 'LF:-30'));
  assert.match(
    negativeTotal.summary,
    /^edited\.info:\d+: LF "-30" is not a count \(a whole number from 0 to 2\^53\)$/,
  );
  const fraction = await gateOn('edited.info', edit(lcov, /^LH:\d+$/m, 'LH:2.5'));
  assert.match(fraction.summary, /^edited\.info:\d+: LH "2\.5" is not a count/);
});

test('istanbul json-summary: a total that is not the sum of its file entries blocks', async () => {
  const counts = (covered: number, total: number) => ({ covered, total, skipped: 0, pct: 0 });
  const entry = (lines: [number, number], statements: [number, number]) => ({
    lines: counts(...lines),
    statements: counts(...statements),
  });
  const summary = (total: object, files: Record<string, object>) => JSON.stringify({ total, ...files });
  const files = { '/repo/src/a.js': entry([0, 40], [0, 44]), '/repo/src/b.js': entry([10, 10], [12, 12]) };
  // The files cover 10 of 50 lines; the total, edited, says 50 of 50.
  const edited = await gateOn('coverage-summary.json', summary(entry([50, 50], [10, 56]), files));
  assert.equal(edited.status, 'block');
  assert.equal(
    edited.summary,
    'coverage-summary.json: total.lines is 50 of 50 but its 2 file entries add up to 10 of 50: the report contradicts itself',
  );
  const broken = await gateOn(
    'coverage-summary.json',
    summary(entry([10, 50], [12, 56]), { ...files, '/repo/src/c.js': { lines: counts(5, 2) } }),
  );
  assert.equal(broken.status, 'block');
  assert.match(
    broken.summary,
    /^coverage-summary\.json: "\/repo\/src\/c\.js"\.lines needs "covered" ≤ "total"/,
  );
  // The sum, as istanbul writes it; and a summary of the total alone is read as before.
  const honest = await gateOn('coverage-summary.json', summary(entry([10, 50], [12, 56]), files));
  assert.deepEqual([honest.status, honest.summary], ['pass', 'lines 20.0%']);
  const totalOnly = await gateOn('coverage-summary.json', summary(entry([10, 50], [12, 56]), {}));
  assert.deepEqual([totalOnly.status, totalOnly.summary], ['pass', 'lines 20.0%']);
});

test('cobertura: a rate that disagrees with its own counts blocks; rounding as the writers round is read', async () => {
  const lines = /lines-covered="(\d+)" lines-valid="(\d+)"|lines-valid="(\d+)" lines-covered="(\d+)"/.exec(
    cobertura,
  )!;
  const covered = Number(lines[1] ?? lines[4]);
  const valid = Number(lines[2] ?? lines[3]);
  // All lines covered, by the counts; half, by the rate: it read as 100 %.
  const allCovered = edit(
    edit(cobertura, /lines-covered="\d+"/, `lines-covered="${valid}"`),
    /line-rate="[\d.]+"/,
    'line-rate="0.5"',
  );
  const verdict = await gateOn('edited.xml', allCovered, { thresholds: { lines: 90 } });
  assert.equal(verdict.status, 'block');
  assert.equal(
    verdict.summary,
    `edited.xml: <coverage line-rate="0.5"> disagrees with lines-covered="${valid}" of lines-valid="${valid}" (1.0000): the report contradicts itself`,
  );
  const branches = edit(cobertura, /branch-rate="[\d.]+"/, 'branch-rate="0.99"');
  const branchVerdict = await gateOn('edited.xml', branches);
  assert.equal(branchVerdict.status, 'block');
  assert.match(
    branchVerdict.summary,
    /^edited\.xml: <coverage branch-rate="0\.99"> disagrees with branches-covered=/,
  );
  // simplecov-cobertura rounds the rate to 2 decimals: still the counts' rate.
  const rounded = edit(cobertura, /line-rate="[\d.]+"/, `line-rate="${(covered / valid).toFixed(2)}"`);
  assert.equal((await gateOn('edited.xml', rounded)).status, 'pass');
});

test('cobertura: covered above valid, rates outside 0..1 and negative hits block, naming the attribute', async () => {
  const cases: Array<[string, RegExp, string, RegExp]> = [
    [
      'lines-covered',
      /lines-covered="\d+"/,
      'lines-covered="999"',
      /^edited\.xml: <coverage lines-covered="999"> is greater than lines-valid="\d+": the report contradicts itself$/,
    ],
    [
      'branches-covered',
      /branches-covered="\d+"/,
      'branches-covered="999"',
      /^edited\.xml: <coverage branches-covered="999"> is greater than branches-valid="\d+"/,
    ],
    [
      'line-rate',
      /line-rate="[\d.]+"/,
      'line-rate="1.4286"',
      /^edited\.xml: <coverage line-rate="1\.4286"> is not a rate from 0 to 1$/,
    ],
    [
      'branch-rate',
      /branch-rate="[\d.]+"/,
      'branch-rate="-0.5"',
      /^edited\.xml: <coverage branch-rate="-0\.5"> is not a rate from 0 to 1$/,
    ],
    [
      'lines-valid',
      /lines-valid="\d+"/,
      'lines-valid="-30"',
      /^edited\.xml: <coverage lines-valid="…"> is missing or not a count \(0 to 2\^53\)$/,
    ],
    [
      'hits',
      /<line number="3" hits="\d+"/g,
      '<line number="3" hits="-1"',
      /^edited\.xml: malformed <line> in lib\.js: /,
    ],
  ];
  for (const [field, pattern, replacement, expected] of cases) {
    const verdict = await gateOn('edited.xml', edit(cobertura, pattern, replacement));
    assert.equal(verdict.status, 'block', field);
    assert.match(verdict.summary, expected, field);
  }
});

test('changed-line coverage: absolute report paths under GITHUB_WORKSPACE are repository-relative wherever the gate runs', async () => {
  // The report as a runner's checkout wrote it, with a second lib.js elsewhere in the repository: only the
  // workspace-relative path tells them apart (a suffix match cannot).
  const workspace = '/home/runner/work/app/app';
  const moved = edit(lcov, /^SF:lib\.js$/m, `SF:${workspace}/lib.js`);
  const record = /SF:[^\n]*lib\.js\n[^]*?end_of_record\n/.exec(moved)![0];
  const twoFiles = moved + record.replace(`${workspace}/lib.js`, `${workspace}/vendor/lib.js`);
  const changed: ChangedFile[] = [
    { path: 'lib.js', addedLines: [11, 12, 13, 14, 15, 16, 17, 18, 19], status: 'modified' },
  ];
  const ctx = context({
    baseRef: 'base',
    changedFiles: async () => changed,
    env: { GITHUB_WORKSPACE: workspace },
  });
  const verdict = await gateOn('workspace.info', twoFiles, { thresholds: { changed_lines: 100 } }, ctx);
  assert.equal(verdict.status, 'block');
  assert.match(verdict.summary, /^changed-line coverage [\d.]+% < 100% \(\d+\/\d+ lines\)$/);
  assert.ok(verdict.findings.length > 0 && verdict.findings.every((f) => f.path === 'lib.js'));
});
