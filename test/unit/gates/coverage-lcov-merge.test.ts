// An lcov tracefile that lists a file in several records (the tracefiles of two test jobs concatenated, as
// `cat */lcov.info > lcov.info` makes them) counts the file once, as lcov itself (genhtml, lcov -a) reads it:
// its lines, branches and functions merged, each covered when any record covers it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLcov } from '../../../src/gates/coverage/lcov.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import { gateContext } from '../../helpers/gate-context.ts';

/** One record of `path`, a DA line per hit count, with its LF / LH and any `extra` records. */
function record(path: string, hits: number[], extra = ''): string {
  const da = hits.map((count, index) => `DA:${index + 1},${count}\n`).join('');
  const hit = hits.filter((count) => count > 0).length;
  return `TN:\nSF:${path}\n${da}LF:${hits.length}\nLH:${hit}\n${extra}end_of_record\n`;
}

test('a file in two records counts its lines once: 10 of 20, not 20 of 30, and the threshold blocks', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lcov-merge-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // src/a.js fully covered by both jobs, src/b.js by neither: half the lines are covered.
  const both = record('src/a.js', Array(10).fill(1));
  await writeFile(join(dir, 'lcov.info'), both + both + record('src/b.js', Array(10).fill(0)));
  const verdict = await testsGate.run(
    testsGate.schema.parse({ coverage: 'lcov.info', thresholds: { lines: 60 } }),
    gateContext(dir),
  );
  assert.equal(
    `${verdict.status}: ${verdict.summary}`,
    'block: lines coverage 50.0% < 60% (10/20, lcov.info)',
  );
});

test('the records of a file are merged line by line, branch by branch and function by function', () => {
  // Each job covers a different half of the file: together, all of it.
  const first = record(
    'src/a.js',
    [1, 0],
    'BRDA:1,0,0,1\nBRDA:1,0,1,-\nBRF:2\nBRH:1\nFN:1,f\nFN:2,g\nFNDA:1,f\nFNDA:0,g\nFNF:2\nFNH:1\n',
  );
  const second = record(
    'src/a.js',
    [0, 1],
    'BRDA:1,0,0,0\nBRDA:1,0,1,3\nBRF:2\nBRH:1\nFN:1,f\nFN:2,g\nFNDA:0,f\nFNDA:2,g\nFNF:2\nFNH:1\n',
  );
  const other = record('src/b.js', [0, 0], 'BRF:0\nBRH:0\nFNF:0\nFNH:0\n');
  assert.deepEqual(parseLcov(first + other + second, 'lcov.info').totals, {
    lines: { covered: 2, total: 4 },
    branches: { covered: 2, total: 2 },
    functions: { covered: 2, total: 2 },
  });
  // lcov 2.2 writes functions as FNL (where) and FNA (hits, name): merged by name as well.
  const fna = (hits: number) =>
    record('src/c.js', [1], `FNL:0,1\nFNA:0,${hits},h\nFNF:1\nFNH:${hits ? 1 : 0}\n`);
  assert.deepEqual(parseLcov(fna(0) + fna(4), 'lcov.info').totals.functions, { covered: 1, total: 1 });
  // Written as ./src/a.js by one tool and src\\a.js by another, it is still one file.
  const spelled = record('./src/a.js', [1, 0]) + record('src\\a.js', [0, 1]) + record('src/a.js', [0, 0]);
  assert.deepEqual(parseLcov(spelled, 'lcov.info').totals.lines, { covered: 2, total: 2 });
  // A file in one record is read from its summary records, as before.
  assert.deepEqual(parseLcov(first, 'lcov.info').totals.lines, { covered: 1, total: 2 });
});

test('records of one file that cannot be merged, or a malformed BRDA or FNDA, are refused naming the line', () => {
  const summaryOnly = 'SF:src/a.js\nLF:5\nLH:5\nend_of_record\n';
  assert.throws(() => parseLcov(summaryOnly + summaryOnly.replace('LH:5', 'LH:0'), 'lcov.info'), {
    message:
      "lcov.info:1: src/a.js is in 2 records, and this one counts its lines without DA lines to merge them by: the records cannot be added up (it would count the file's lines twice)",
  });
  assert.throws(() => parseLcov(record('src/a.js', [1], 'BRDA:1,0,0,x\n'), 'lcov.info'), {
    message: 'lcov.info:6: malformed BRDA record "BRDA:1,0,0,x" in src/a.js',
  });
  assert.throws(() => parseLcov(record('src/a.js', [1], 'FNDA:once,f\n'), 'lcov.info'), {
    message: 'lcov.info:6: malformed FNDA record "FNDA:once,f" in src/a.js',
  });
});
