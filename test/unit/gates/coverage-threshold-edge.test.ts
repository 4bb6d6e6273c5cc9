// A coverage threshold is inclusive (`lines: 29` passes 29 %), and the number a refusal shows is below the
// threshold it names. covered / total * 100 is a binary fraction: 29 / 100 * 100 is 28.999999999999996, so
// 29 of 100 lines against `lines: 29` blocked as "lines coverage 29.0% < 29%", and 7,996 of 10,000 lines
// against 80 read "80.0% < 80%".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testsGate } from '../../../src/gates/tests.ts';
import type { TestsConfig } from '../../../src/gates/schema/tests.ts';
import { gateContext } from '../../helpers/gate-context.ts';

/** An lcov tracefile of src/a.js: `total` lines, the first `covered` of them hit. */
function lcov(covered: number, total: number): string {
  const lines = Array.from({ length: total }, (_, i) => `DA:${i + 1},${i < covered ? 1 : 0}`);
  return ['TN:', 'SF:src/a.js', ...lines, `LF:${total}`, `LH:${covered}`, 'end_of_record', ''].join('\n');
}

/** An istanbul json-summary of src/a.js with `covered` of `total` statements (and lines). */
function summary(covered: number, total: number): string {
  const counts = { total, covered, skipped: 0, pct: Number(((covered / total) * 100).toFixed(2)) };
  const entry = { lines: counts, statements: counts };
  return JSON.stringify({ total: entry, [join('/repo', 'src/a.js')]: entry });
}

async function repo(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coverage-edge-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'coverage'));
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/a.js'), 'x();\n'.repeat(10_000));
  return dir;
}

const run = (config: unknown, dir: string, changedLines = 0) =>
  testsGate.run(
    testsGate.schema.parse(config) as TestsConfig,
    gateContext(dir, {
      baseRef: 'base',
      changed: changedLines
        ? [
            {
              path: 'src/a.js',
              status: 'modified',
              addedLines: Array.from({ length: changedLines }, (_, i) => i + 1),
            },
          ]
        : [],
    }),
  );

test('a coverage exactly at its threshold passes, whatever binary fraction covered / total makes', async (t) => {
  const dir = await repo(t);
  // Each of these is exactly the threshold, and each computed as covered / total * 100 falls just below it.
  for (const [covered, total] of [
    [29, 100],
    [57, 100],
    [58, 100],
    [29, 50],
  ] as const) {
    const minimum = (covered * 100) / total;
    await writeFile(join(dir, 'coverage/lcov.info'), lcov(covered, total));
    const lines = await run({ coverage: 'coverage/lcov.info', thresholds: { lines: minimum } }, dir);
    assert.equal(lines.status, 'pass', `${covered}/${total} lines at ${minimum}: ${lines.summary}`);

    await writeFile(join(dir, 'coverage/coverage-summary.json'), summary(covered, total));
    const statements = await run(
      { coverage: 'coverage/coverage-summary.json', thresholds: { statements: minimum } },
      dir,
    );
    assert.equal(
      statements.status,
      'pass',
      `${covered}/${total} statements at ${minimum}: ${statements.summary}`,
    );

    // The same on the changed lines: `total` added lines, the first `covered` of them run.
    const changed = await run(
      { coverage: 'coverage/lcov.info', thresholds: { changed_lines: minimum } },
      dir,
      total,
    );
    assert.equal(
      changed.status,
      'pass',
      `${covered}/${total} changed lines at ${minimum}: ${changed.summary}`,
    );
  }
});

test('a coverage just below its threshold still blocks, and the number it shows is below the threshold', async (t) => {
  const dir = await repo(t);
  await writeFile(join(dir, 'coverage/lcov.info'), lcov(28, 100));
  const below = await run({ coverage: 'coverage/lcov.info', thresholds: { lines: 29 } }, dir);
  assert.equal(below.status, 'block');
  assert.match(below.summary, /^lines coverage 28\.0% < 29% \(28\/100, coverage\/lcov\.info\)/);

  // 79.96 % is below 80 %: rounded to one decimal it read "80.0% < 80%".
  await writeFile(join(dir, 'coverage/lcov.info'), lcov(7996, 10_000));
  const rounded = await run({ coverage: 'coverage/lcov.info', thresholds: { lines: 80 } }, dir);
  assert.equal(rounded.status, 'block');
  assert.match(rounded.summary, /^lines coverage 79\.96% < 80% \(7996\/10000, /);

  const changed = await run(
    { coverage: 'coverage/lcov.info', thresholds: { changed_lines: 80 } },
    dir,
    10_000,
  );
  assert.equal(changed.status, 'block');
  assert.match(changed.summary, /^changed-line coverage 79\.96% < 80% \(7996\/10000 lines\)/);

  // One line short of 80 % of 100,000: the shown number still says it is short.
  await writeFile(join(dir, 'coverage/lcov.info'), lcov(79_999, 100_000));
  const far = await run({ coverage: 'coverage/lcov.info', thresholds: { lines: 80 } }, dir);
  assert.equal(far.status, 'block');
  assert.match(far.summary, /^lines coverage 79\.999% < 80% /);
});

test('with no thresholds written, the default is seed 01\'s "Coverage > 80%": 80.0 % blocks, 80.1 % passes', async (t) => {
  const dir = await repo(t);
  // Seed 01 "Require > 80% coverage", "Coverage > 80%" (01:64, 01:80): 80 % itself is not above it.
  await writeFile(join(dir, 'coverage/lcov.info'), lcov(800, 1000));
  const at = await run({ coverage: 'coverage/lcov.info' }, dir);
  assert.equal(at.status, 'block', at.summary);
  assert.match(
    at.summary,
    /^lines coverage 80\.0% is not above 80% \(800\/1000, coverage\/lcov\.info\): the default is seed 01's "Coverage > 80%"; thresholds\.lines: 80 accepts 80% itself$/,
  );
  await writeFile(join(dir, 'coverage/lcov.info'), lcov(7996, 10_000));
  const below = await run({ coverage: 'coverage/lcov.info' }, dir);
  assert.match(below.summary, /^lines coverage 79\.96% is not above 80% /);

  await writeFile(join(dir, 'coverage/lcov.info'), lcov(801, 1000));
  const above = await run({ coverage: 'coverage/lcov.info' }, dir);
  assert.equal(above.status, 'pass', above.summary);
  // Just above: shown with the decimals that make it read above 80 %, not as the "80.0%" that blocks.
  await writeFile(join(dir, 'coverage/lcov.info'), lcov(8004, 10_000));
  const just = await run({ coverage: 'coverage/lcov.info' }, dir);
  assert.equal(just.status, 'pass', just.summary);
  assert.match(just.summary, /lines 80\.04%/);
  assert.doesNotMatch(just.summary, /80\.0%/);

  // The rule is configurable: a written threshold is a minimum, met at its value.
  await writeFile(join(dir, 'coverage/lcov.info'), lcov(800, 1000));
  const written = await run({ coverage: 'coverage/lcov.info', thresholds: { lines: 80 } }, dir);
  assert.equal(written.status, 'pass', written.summary);
});
