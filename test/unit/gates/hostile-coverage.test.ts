// Coverage reports whose numbers lie: counts past 2^53 (where "covered" one above "total" compares equal
// and reads as 100 %), metrics the report does not measure (lcov without branch data), wrong types. Each
// blocks with what was wrong and where; none reads as covered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext, GateVerdict } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const context = (cwd: string): GateContext => gateContext(cwd);

async function gate(
  t: { after(fn: () => Promise<void>): void },
  file: string,
  text: string,
  thresholds: Record<string, number>,
): Promise<GateVerdict> {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-coverage-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, file), text);
  return testsGate.run(testsGate.schema.parse({ coverage: file, thresholds }), context(dir));
}

// 2^53 + 1 is written as a count: JSON.parse and Number() round it down to 2^53, the "total".
const BIG = '9007199254740992';
const BIGGER = '9007199254740993';

test('counts past 2^53 block in every format instead of reading as 100 %', async (t) => {
  const reports: Array<[string, string, RegExp]> = [
    [
      'c.json',
      `{"total":{"lines":{"total":${BIG},"covered":${BIGGER}}}}`,
      /^c\.json: total\.lines needs "covered" ≤ "total", both whole numbers from 0 to 2\^53/,
    ],
    [
      'c.info',
      `SF:a.js\nDA:1,1\nLF:${BIG}\nLH:${BIGGER}\nend_of_record\n`,
      /^c\.info:3: LF "9007199254740992" is not a count \(a whole number from 0 to 2\^53\)$/,
    ],
    [
      'c.xml',
      `<coverage lines-valid="${BIG}" lines-covered="${BIGGER}"/>`,
      /^c\.xml: <coverage lines-valid="…"> is missing or not a count \(0 to 2\^53\)$/,
    ],
    [
      'd.info',
      `SF:a.js\nDA:${BIGGER},0\nend_of_record\n`,
      /^d\.info:2: malformed DA record "DA:9007199254740993,0"/,
    ],
  ];
  for (const [file, text, message] of reports) {
    const verdict = await gate(t, file, text, { lines: 100 });
    assert.equal(verdict.status, 'block', `${file}: ${verdict.summary}`);
    assert.match(verdict.summary, message);
  }
});

test('lcov sums that pass 2^53 across records block', async (t) => {
  const record = (n: number) => `SF:f${n}.js\nLF:${2 ** 52}\nLH:${2 ** 52}\nend_of_record\n`;
  const verdict = await gate(t, 'c.info', record(1) + record(2) + record(3), { lines: 50 });
  assert.equal(verdict.status, 'block');
  assert.match(verdict.summary, /^c\.info:\d+: the L[FH] records add up past 2\^53/);
});

test('lcov: a metric no record counts is not carried, so its threshold blocks instead of passing at 0/0', async (t) => {
  // lcov and genhtml without branch coverage: LF/LH only, no BRF/BRH, no FNF/FNH.
  const lcov = 'TN:\nSF:a.js\nDA:1,1\nDA:2,1\nLF:2\nLH:2\nend_of_record\n';
  for (const metric of ['branches', 'functions']) {
    const verdict = await gate(t, 'c.info', lcov, { [metric]: 80 });
    assert.equal(verdict.status, 'block', metric);
    assert.match(verdict.summary, new RegExp(`^no coverage report carries ${metric} \\(read c\\.info\\)`));
  }
  // Measured and zero (a file without branches) is still 0 of 0: fully covered, as lcov reports it.
  const measured = await gate(t, 'c.info', lcov.replace('end_of_record', 'BRF:0\nBRH:0\nend_of_record'), {
    branches: 80,
  });
  assert.equal(measured.status, 'pass', measured.summary);
});

test('lcov: records without LF/LH count their lines from the DA lines instead of 0 of 0', async (t) => {
  const onlyDa = 'SF:a.js\nDA:1,1\nDA:2,0\nDA:3,0\nDA:4,0\nend_of_record\n';
  const verdict = await gate(t, 'c.info', onlyDa, { lines: 80 });
  assert.equal(verdict.status, 'block');
  assert.match(verdict.summary, /^lines coverage 25\.0% < 80% \(1\/4, c\.info\)/);
  // Mixed: one record with LF/LH, one without.
  const mixed = `SF:b.js\nDA:1,1\nLF:1\nLH:1\nend_of_record\n${onlyDa}`;
  const both = await gate(t, 'c.info', mixed, { lines: 80 });
  assert.match(both.summary, /^lines coverage 40\.0% < 80% \(2\/5, c\.info\)/);
  // No line data at all: lines are not carried.
  const none = await gate(t, 'c.info', 'SF:a.js\nFNF:1\nFNH:1\nend_of_record\n', { lines: 80 });
  assert.match(none.summary, /^no coverage report carries lines/);
});

test('wrong types and impossible values in every field of the totals block, naming the field', async (t) => {
  const json: Array<[unknown, RegExp]> = [
    [{ total: { lines: { total: '10', covered: 5 } } }, /total\.lines needs/],
    [{ total: { lines: { total: 10, covered: null } } }, /total\.lines needs/],
    [{ total: { lines: 50 } }, /total\.lines needs/],
    [{ total: { lines: { total: 10, covered: -1 } } }, /total\.lines needs/],
    [{ total: { lines: { total: 10, covered: 2.5 } } }, /total\.lines needs/],
    [{ total: { lines: { total: 10, covered: 11 } } }, /total\.lines needs/],
    [{ total: [] }, /"total" has none of lines/],
    [{ total: null }, /has no "total" object/],
    [[], /has no "total" object/],
  ];
  for (const [data, message] of json) {
    const verdict = await gate(t, 'c.json', JSON.stringify(data), { lines: 10 });
    assert.equal(verdict.status, 'block', JSON.stringify(data));
    assert.match(verdict.summary, message);
  }
  for (const value of ['NaN', 'Infinity', '-1', '1.5', '', '1e400']) {
    const verdict = await gate(t, 'c.xml', `<coverage lines-valid="${value}" lines-covered="0"/>`, {
      lines: 10,
    });
    assert.equal(verdict.status, 'block', value);
    assert.match(verdict.summary, /<coverage lines-valid="…"> is missing or not a count/);
  }
  for (const rate of ['NaN', '1.5', '-0.1', 'Infinity']) {
    const verdict = await gate(
      t,
      'c.xml',
      `<coverage lines-valid="1" lines-covered="1" line-rate="${rate}"/>`,
      {
        lines: 10,
      },
    );
    assert.match(verdict.summary, new RegExp(`<coverage line-rate="${rate}"> is not a rate from 0 to 1`));
  }
  for (const record of ['LF:NaN', 'LF:Infinity', 'LF:-2', 'LF:1.5', 'LF:', 'DA:1,NaN', 'DA:0,1', 'DA:x,1']) {
    const verdict = await gate(t, 'c.info', `SF:a.js\n${record}\nend_of_record\n`, { lines: 10 });
    assert.equal(verdict.status, 'block', record);
    assert.match(verdict.summary, /^c\.info:2: /, record);
  }
});

test('thresholds: exactly the minimum passes, a hair below blocks', async (t) => {
  const at = await gate(t, 'c.json', JSON.stringify({ total: { lines: { total: 3, covered: 2 } } }), {
    lines: (2 / 3) * 100,
  });
  assert.equal(at.status, 'pass', at.summary);
  const below = await gate(t, 'c.json', JSON.stringify({ total: { lines: { total: 1000, covered: 799 } } }), {
    lines: 80,
  });
  assert.equal(below.status, 'block');
  assert.match(below.summary, /^lines coverage 79\.9% < 80%/);
});

test("no thresholds written: lines must be above 80 %, the seeds' coverage requirement (seed 01)", async (t) => {
  // Seed 01 "Require > 80% coverage" (01:64, 01:80): strictly above, so 80.0 % itself blocks; a written
  // threshold is a minimum met at its value (schema/tests.ts).
  const dir = await mkdtemp(join(tmpdir(), 'hostile-coverage-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const verdict = async (covered: number) => {
    await writeFile(join(dir, 'c.json'), JSON.stringify({ total: { lines: { total: 1000, covered } } }));
    return testsGate.run(testsGate.schema.parse({ coverage: 'c.json' }), context(dir));
  };
  const below = await verdict(799);
  assert.equal(below.status, 'block');
  assert.match(below.summary, /^lines coverage 79\.9% is not above 80%/);
  assert.equal((await verdict(800)).status, 'block');
  assert.equal((await verdict(801)).status, 'pass');
});

test('a report that measured no line or statement at all blocks instead of reading as 100 %', async (t) => {
  const zero = { total: 0, covered: 0, skipped: 0, pct: 100 };
  const summary = JSON.stringify({
    total: { lines: zero, statements: zero, branches: zero, functions: zero },
  });
  for (const metric of ['lines', 'statements']) {
    const verdict = await gate(t, 'c.json', summary, { [metric]: 80 });
    assert.equal(verdict.status, 'block', metric);
    assert.match(verdict.summary, new RegExp(`^c\\.json counts no ${metric} at all \\(0/0\\)`));
  }
  const lcov = await gate(t, 'c.info', 'SF:a.js\nLF:0\nLH:0\nend_of_record\n', { lines: 80 });
  assert.match(lcov.summary, /^c\.info counts no lines at all/);
  const cobertura = await gate(t, 'c.xml', '<coverage lines-valid="0" lines-covered="0"/>', { lines: 80 });
  assert.match(cobertura.summary, /^c\.xml counts no lines at all/);
  // Zero branches in code that has lines is code without branches: fully covered.
  const noBranches = JSON.stringify({
    total: { lines: { total: 10, covered: 9 }, branches: { total: 0, covered: 0 } },
  });
  const verdict = await gate(t, 'c.json', noBranches, { lines: 80, branches: 80 });
  assert.equal(verdict.status, 'pass', verdict.summary);
});

test('cobertura with branches not measured (branches-valid="0" branch-rate="0") blocks a branch threshold instead of reading 100 %', async (t) => {
  // coverage.py without --branch writes exactly this.
  const unmeasured =
    '<coverage line-rate="0.9" branch-rate="0" lines-valid="10" lines-covered="9" branches-valid="0" branches-covered="0"/>';
  const verdict = await gate(t, 'c.xml', unmeasured, { lines: 80, branches: 80 });
  assert.equal(verdict.status, 'block');
  assert.match(verdict.summary, /no coverage report carries branches/);
  // Without a branch threshold the same report passes on its lines.
  assert.equal((await gate(t, 'c.xml', unmeasured, { lines: 80 })).status, 'pass');
  // Measured, and the code has no branches (coverage.py --branch writes branch-rate="1"): fully covered.
  const none =
    '<coverage line-rate="0.9" branch-rate="1" lines-valid="10" lines-covered="9" branches-valid="0" branches-covered="0"/>';
  const measured = await gate(t, 'c.xml', none, { lines: 80, branches: 80 });
  assert.equal(measured.status, 'pass', measured.summary);
});
