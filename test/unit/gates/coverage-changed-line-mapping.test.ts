// Which report lines a changed file's lines are matched with: the file's own, in every report that lists it.
// Not another file whose path ends like it (the root's index.ts is not src/index.ts), and not only the first
// report's (the unit and the integration job each run part of a file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { testsGate } from '../../../src/gates/tests.ts';
import type { ChangedFile } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

type TestContext = { after(fn: () => Promise<void>): void };

async function checkout(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coverage-mapping-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/** An lcov record of `path` with `hits` per line 1, 2, … */
function record(path: string, ...hits: number[]): string {
  const lines = hits.map((count, index) => `DA:${index + 1},${count}`);
  const hit = hits.filter((count) => count > 0).length;
  return [`SF:${path}`, ...lines, `LF:${hits.length}`, `LH:${hit}`, 'end_of_record', ''].join('\n');
}

async function changedLines(
  cwd: string,
  coverage: string | string[],
  changed: ChangedFile[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const verdict = await testsGate.run(
    testsGate.schema.parse({ coverage, thresholds: { changed_lines: 80 } }),
    gateContext(cwd, { baseRef: 'base', changed, env }),
  );
  return `${verdict.status}: ${verdict.summary}`;
}

const ROOT_INDEX: ChangedFile[] = [{ path: 'index.ts', status: 'modified', addedLines: [1, 2] }];

test("a changed root index.ts is not src/index.ts: another file's hits do not cover it", async (t) => {
  const dir = await checkout(t, {
    'lcov.info': record('src/index.ts', 1, 1) + record('main.ts', 1),
    'index.ts': 'start();\nstop();\n',
  });
  assert.equal(
    await changedLines(dir, 'lcov.info', ROOT_INDEX),
    'block: changed-line coverage 0.0% < 80% (0/2 lines); 1 changed source file(s) in no coverage report, their lines counted as not covered (if one has no code to run, have the coverage tool report every source file: jest collectCoverageFrom, c8 or nyc --all, coverage.py [run] source)',
  );
});

test('a gate in a package directory finds its files under the workspace-relative paths of its report', async (t) => {
  const dir = await checkout(t, {
    'packages/api/lcov.info': record('src/a.ts', 1, 0, 0),
    'packages/api/src/a.ts': 'a();\nb();\nc();\n',
  });
  const changed: ChangedFile[] = [{ path: 'src/a.ts', status: 'modified', addedLines: [1, 2, 3] }];
  assert.equal(
    await changedLines(join(dir, 'packages/api'), 'lcov.info', changed, { GITHUB_WORKSPACE: dir }),
    'block: changed-line coverage 33.3% < 80% (1/3 lines)',
  );
});

test("a report from another checkout with the root's index.ts and src/index.ts: the root's is the changed one", async (t) => {
  const other = '/home/runner/work/app/app';
  const dir = await checkout(t, {
    'lcov.info': record(`${other}/src/index.ts`, 1, 1) + record(`${other}/index.ts`, 0, 0),
    'index.ts': 'start();\nstop();\n',
  });
  assert.equal(
    await changedLines(dir, 'lcov.info', ROOT_INDEX),
    'block: changed-line coverage 0.0% < 80% (0/2 lines)',
  );
});

test("two packages' src/index.ts from another checkout: neither is the root's src/index.ts", async (t) => {
  const other = '/home/runner/work/app/app';
  const dir = await checkout(t, {
    'lcov.info':
      record(`${other}/packages/api/src/index.ts`, 1, 1) + record(`${other}/packages/b/src/index.ts`, 1, 1),
    'src/index.ts': 'start();\nstop();\n',
  });
  const changed: ChangedFile[] = [{ path: 'src/index.ts', status: 'modified', addedLines: [1, 2] }];
  assert.match(
    await changedLines(dir, 'lcov.info', changed),
    /^block: changed-line coverage 0\.0% < 80% \(0\/2 lines\)/,
  );
});

test('two reports of one file (unit and integration jobs): a line either job ran is covered', async (t) => {
  const dir = await checkout(t, {
    'unit.info': record('src/a.ts', 1, 0, 0),
    'integration.info': record('src/a.ts', 0, 1, 0),
  });
  const changed: ChangedFile[] = [{ path: 'src/a.ts', status: 'modified', addedLines: [1, 2, 3] }];
  assert.equal(
    await changedLines(dir, ['unit.info', 'integration.info'], changed),
    'block: changed-line coverage 66.7% < 80% (2/3 lines)',
  );
  assert.equal(
    await changedLines(
      dir,
      ['unit.info', 'integration.info'],
      changed.map((f) => ({ ...f, addedLines: [1, 2] })),
    ),
    'pass: changed lines 2/2 covered',
  );
});

test("a package's report with paths relative to the package (jest's rootDir): its files are found from the root", async (t) => {
  const dir = await checkout(t, {
    'packages/api/coverage/lcov.info': record('src/a.ts', 1, 0, 0),
    'packages/api/src/a.ts': 'a();\nb();\nc();\n',
  });
  const changed: ChangedFile[] = [
    { path: 'packages/api/src/a.ts', status: 'modified', addedLines: [1, 2, 3] },
  ];
  assert.equal(
    await changedLines(dir, 'packages/api/coverage/lcov.info', changed),
    'block: changed-line coverage 33.3% < 80% (1/3 lines)',
  );
});

test("a gate in a package judges a changed file outside its report's folders as the same layout at the root is", async (t) => {
  // The report measures src/ only: scripts/seed.ts is no code it should have listed, in a package as at the
  // root. Its folder is the one under the gate's directory, not the repository's "packages".
  const files = (prefix: string) => ({
    [`${prefix}lcov.info`]: record('src/a.ts', 1, 1),
    [`${prefix}src/a.ts`]: 'a();\nb();\n',
    [`${prefix}scripts/seed.ts`]: 'seed();\nexit();\n',
  });
  const changed: ChangedFile[] = [
    { path: 'src/a.ts', status: 'modified', addedLines: [1, 2] },
    { path: 'scripts/seed.ts', status: 'modified', addedLines: [1, 2] },
  ];
  const atRoot = await checkout(t, files(''));
  const inPackage = await checkout(t, files('packages/api/'));
  const expected = 'pass: changed lines 2/2 covered; 1 changed file(s) not in the coverage report';
  assert.equal(await changedLines(atRoot, 'lcov.info', changed, { GITHUB_WORKSPACE: atRoot }), expected);
  assert.equal(
    await changedLines(join(inPackage, 'packages/api'), 'lcov.info', changed, {
      GITHUB_WORKSPACE: inPackage,
    }),
    expected,
  );
});

test('a gate in a package whose report was made where the package alone was mounted (/app/src/a.ts) finds the file', async (t) => {
  // Tests run in a container with the package at /app: its report's paths are the package's, not the
  // repository's, and end in the changed path as the diff gives it (relative to the gate's directory).
  const dir = await checkout(t, {
    'packages/api/lcov.info': record('/app/src/a.ts', 1, 1, 1),
    'packages/api/src/a.ts': 'a();\nb();\nc();\n',
  });
  const changed: ChangedFile[] = [{ path: 'src/a.ts', status: 'modified', addedLines: [1, 2, 3] }];
  assert.equal(
    await changedLines(join(dir, 'packages/api'), 'lcov.info', changed, { GITHUB_WORKSPACE: dir }),
    'pass: changed lines 3/3 covered',
  );
});

test("a gate in a package, a report from another checkout of the whole repository: the package's index.ts is not its src/index.ts", async (t) => {
  // The report's paths hold the package's directory (/ci/ws/packages/api/...): it was made in a checkout of
  // the repository, where the package's own index.ts would be /ci/ws/packages/api/index.ts. Not listed, it
  // is in no report, not covered by src/index.ts's hits because that path ends in "/index.ts".
  const other = '/ci/ws';
  const dir = await checkout(t, {
    'packages/api/lcov.info': record(`${other}/packages/api/src/index.ts`, 1, 1),
    'packages/api/index.ts': 'start();\nstop();\n',
  });
  const changed: ChangedFile[] = [{ path: 'index.ts', status: 'modified', addedLines: [1, 2] }];
  assert.doesNotMatch(
    await changedLines(join(dir, 'packages/api'), 'lcov.info', changed, { GITHUB_WORKSPACE: dir }),
    /2\/2 covered/,
  );
});
