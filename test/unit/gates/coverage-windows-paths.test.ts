// Coverage reports written on Windows, read on a Linux runner: `SF:D:\a\app\app\src\math.js`,
// `SF:funtions\async-function.js`, a Cobertura `<source>` on a drive with `filename="src\math.js"`. Their
// lines are matched with the changed files (forward slashes, repository-relative), so changed-line coverage
// is decided on them instead of "not in the report".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineHitsByRepoPath, readCoverageReport } from '../../../src/gates/coverage/read.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { ChangedFile, GateContext } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/gates/', import.meta.url));

async function checkout(t: { after(fn: () => Promise<void>): void }, ...files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coverage-windows-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const file of files) await copyFile(join(FIXTURES, file), join(dir, file.split('/').at(-1)!));
  return dir;
}

const context = (cwd: string, changed: ChangedFile[]): GateContext =>
  gateContext(cwd, { baseRef: 'base', changed });

async function changedLines(dir: string, report: string, changed: ChangedFile[]) {
  const verdict = await testsGate.run(
    testsGate.schema.parse({ coverage: report, thresholds: { changed_lines: 80 } }),
    context(dir, changed),
  );
  return {
    verdict: `${verdict.status}: ${verdict.summary}`,
    findings: verdict.findings.map((f) => [f.path, f.line, f.endLine]),
  };
}

const MATH: ChangedFile[] = [
  { path: 'src/math.js', status: 'modified', addedLines: [2, 6, 7] },
  { path: 'src/util/format.js', status: 'modified', addedLines: [2, 3] },
];

test('nyc lcov with absolute drive paths (SF:D:\\a\\app\\app\\src\\math.js): the changed lines are found', async (t) => {
  const dir = await checkout(t, 'coverage-windows/nyc-windows.lcov.info');
  assert.deepEqual(await changedLines(dir, 'nyc-windows.lcov.info', MATH), {
    verdict: 'block: changed-line coverage 40.0% < 80% (2/5 lines)',
    findings: [
      ['src/math.js', 6, 7],
      ['src/util/format.js', 3, undefined],
    ],
  });
});

test('istanbul Cobertura with a <source> on a drive and backslashed filenames: the same lines', async (t) => {
  const dir = await checkout(t, 'coverage-windows/istanbul-windows.cobertura.xml');
  assert.deepEqual(await changedLines(dir, 'istanbul-windows.cobertura.xml', MATH), {
    verdict: 'block: changed-line coverage 40.0% < 80% (2/5 lines)',
    findings: [
      ['src/math.js', 6, 7],
      ['src/util/format.js', 3, undefined],
    ],
  });
});

test('real jest lcov from Windows (relative SF:funtions\\service-function.js): read as funtions/service-function.js', async (t) => {
  const dir = await checkout(t, 'real-world/jest-windows.lcov.info');
  const report = await readCoverageReport(dir, 'jest-windows.lcov.info');
  assert.deepEqual(
    [...lineHitsByRepoPath(report, dir).keys()],
    ['funtions/async-function.js', 'funtions/basic-function.js', 'funtions/service-function.js'],
  );
  assert.deepEqual(
    await changedLines(dir, 'jest-windows.lcov.info', [
      { path: 'funtions/service-function.js', status: 'modified', addedLines: [7, 8, 10, 17] },
    ]),
    {
      verdict: 'block: changed-line coverage 50.0% < 80% (2/4 lines)',
      findings: [
        ['funtions/service-function.js', 8, undefined],
        ['funtions/service-function.js', 10, undefined],
      ],
    },
  );
});

test('real coverage.py 4.5 Cobertura from Windows (<source>C:\\Users\\…\\pyvid\\pyvid): pyvid/classes.py is found', async (t) => {
  const dir = await checkout(t, 'real-world/coveragepy-4.5.cobertura.xml');
  assert.deepEqual(
    await changedLines(dir, 'coveragepy-4.5.cobertura.xml', [
      { path: 'pyvid/classes.py', status: 'modified', addedLines: [27, 28] },
    ]),
    {
      verdict: 'block: changed-line coverage 50.0% < 80% (1/2 lines)',
      findings: [['pyvid/classes.py', 28, undefined]],
    },
  );
});

test('the same file written with backslashes and with slashes (two reports merged): its hits add up', async (t) => {
  const dir = await checkout(t);
  const map = lineHitsByRepoPath(
    {
      format: 'lcov',
      file: 'merged.info',
      totals: {},
      lineHits: new Map([
        [
          'src\\a.js',
          new Map([
            [1, 0],
            [2, 1],
          ]),
        ],
        ['src/a.js', new Map([[1, 2]])],
      ]),
    },
    dir,
  );
  assert.deepEqual(
    [...map],
    [
      [
        'src/a.js',
        new Map([
          [1, 2],
          [2, 1],
        ]),
      ],
    ],
  );
});
