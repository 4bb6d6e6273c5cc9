// The test suite's runner (npm test): node --test in four groups at once, so the suite fits a 2-core CI.
//
// Most unit test files only call functions: each in its own process (node --test's default) spent half a second
// or more loading the same ~500 modules again, about a quarter of the suite's CPU. Those files share processes
// (--test-isolation=none), split in two groups (below). The App's files (test/app) share one process of their
// own: each starts its own fake GitHub and Probot on loopback ports and leaves the process as it found it, and
// alone each spent ~0.8 s starting, then warmed up Octokit, the fake's validators and GraphQL schema again
// (the 78 files: ~275 s of CPU one process each, ~105 s in one). Files that change the process itself (the
// Action's run() sets process.exitCode and listens to signals, the CLI's main() too) or run the built programs,
// the end-to-end tests, keep a process each (OWN_PROCESS). A directory added under test/unit shares by
// default; a test file anywhere else gets its own process.
//
// The shared files are split in two groups by what their directories measured (SHARED_COST), not by bytes of
// test code, which left them 641 and 498 s alone (312 and 268 s of CPU), the longer one the suite's longest.
// Not three: alone, a shared group is mostly waiting, but under npm test every group shares the two cores and
// the suite is CPU-bound; a clean-clone CI with three shared groups ended all five groups together at 816-862 s
// (17 min in all, against 13-15 min with two), a third process adding contention rather than throughput.
//
// Usage: node scripts/test.ts [node --test options...]   (passed to every group, e.g. --test-name-pattern)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const OWN_PROCESS = ['test/e2e/', 'test/unit/action/', 'test/unit/cli/'];
/** Files that share one process of their own (--test-isolation=none), beside the other groups. */
const APP = 'test/app/';
const SHARED_GROUPS = 2;
/** Test files of the own-process group run at once (the shared groups run beside them). */
const OWN_PROCESS_CONCURRENCY = 2;
const TIMEOUT_MS = 300_000;

export function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return testFiles(path);
      return entry.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
    })
    .sort();
}

/**
 * What each shared directory's files cost, measured: seconds in one process alone (--test-isolation=none, the
 * sum of its tests' durations) plus their CPU seconds (self and waited children) again, since under npm test
 * the groups share two cores and a group's CPU takes about twice its time alone. The mean of two runs (each
 * shared group alone, 2026-12-07, the 2-core machine with other work on it); a directory not listed is weighed
 * by its bytes at the listed directories' rate.
 */
export const SHARED_COST: Readonly<Record<string, number>> = {
  'test/unit/targets': 308, // 169 s, 139 s CPU
  'test/unit/gates': 261, // 169 s, 91 s CPU
  'test/unit/pipeline': 198, // 136 s, 61 s CPU
  'test/unit/reconcile': 163, // 107 s, 56 s CPU
  'test/unit/analysis': 161, // 101 s, 60 s CPU
  'test/unit/config': 79, // 45 s, 34 s CPU
  'test/unit/demo': 52, // 35 s, 17 s CPU
  'test/unit/schedule': 51, // 34 s, 16 s CPU
  'test/unit/github': 46, // 39 s, 7 s CPU
  'test/unit/report': 31, // 24 s, 7 s CPU
  'test/unit/state': 29, // 21 s, 8 s CPU
  'test/unit/util': 19, // 15 s, 4 s CPU
  'test/unit/app': 12, // 7 s, 5 s CPU
  'test/unit/fake-github': 12, // 7 s, 5 s CPU
  'test/unit/notify': 11, // 9 s, 2 s CPU
  'test/unit/build': 10, // 9 s, 1 s CPU
  'test/unit/metrics': 8, // 5 s, 3 s CPU
  'test/unit/control': 7, // 4 s, 3 s CPU
  'test/unit/policy': 3, // 2 s, 1 s CPU
};

const dirOf = (file: string) => file.slice(0, file.lastIndexOf('/'));

/**
 * Each file's weight for sharedGroups: its directory's measured cost (`cost`) shared among the directory's files
 * by their bytes; a file of a directory not measured weighs its bytes at the measured directories' rate.
 */
export function measuredWeight(
  files: string[],
  bytes: (file: string) => number,
  cost: Readonly<Record<string, number>> = SHARED_COST,
): (file: string) => number {
  const dirBytes = new Map<string, number>();
  for (const file of files) dirBytes.set(dirOf(file), (dirBytes.get(dirOf(file)) ?? 0) + bytes(file));
  let measuredCost = 0;
  let measuredBytes = 0;
  for (const [dir, size] of dirBytes)
    if (cost[dir] !== undefined) {
      measuredCost += cost[dir];
      measuredBytes += size;
    }
  const rate = measuredBytes > 0 ? measuredCost / measuredBytes : 1;
  return (file) => {
    const measured = cost[dirOf(file)];
    const size = bytes(file);
    if (measured === undefined) return size * rate;
    const total = dirBytes.get(dirOf(file)) ?? 0;
    return total > 0 ? (measured * size) / total : 0;
  };
}

/** Splits the shared files by directory into `count` groups of about the same weight (`size`: measuredWeight). */
export function sharedGroups(files: string[], count: number, size: (file: string) => number): string[][] {
  const byDir = new Map<string, string[]>();
  for (const file of files) {
    const dir = file.slice(0, file.lastIndexOf('/'));
    byDir.set(dir, [...(byDir.get(dir) ?? []), file]);
  }
  const dirs = [...byDir].map(([dir, list]) => ({
    dir,
    list,
    weight: list.reduce((sum, f) => sum + size(f), 0),
  }));
  dirs.sort((a, b) => b.weight - a.weight || a.dir.localeCompare(b.dir));
  const groups = Array.from({ length: count }, () => ({ weight: 0, files: [] as string[] }));
  for (const { list, weight } of dirs) {
    const lightest = groups.reduce((min, g) => (g.weight < min.weight ? g : min));
    lightest.weight += weight;
    lightest.files.push(...list);
  }
  return groups.map((g) => g.files.sort()).filter((g) => g.length > 0);
}

export interface Group {
  name: string;
  args: string[];
  files: string[];
}

/** The groups of `all`; `size` is a file's bytes, weighed by measuredWeight to split the shared files. */
export function testGroups(all: string[], size: (file: string) => number): Group[] {
  const app = all.filter((f) => f.startsWith(APP));
  const own = all.filter(
    (f) =>
      !app.includes(f) && (OWN_PROCESS.some((prefix) => f.startsWith(prefix)) || !f.startsWith('test/unit/')),
  );
  const shared = all.filter((f) => !own.includes(f) && !app.includes(f));
  return [
    // The end-to-end files first: the longest, so none starts last and holds the suite's end.
    {
      name: 'own-process',
      args: [`--test-concurrency=${OWN_PROCESS_CONCURRENCY}`],
      files: [
        ...own.filter((f) => f.startsWith('test/e2e/')),
        ...own.filter((f) => !f.startsWith('test/e2e/')),
      ],
    },
    ...sharedGroups(shared, SHARED_GROUPS, measuredWeight(shared, size)).map((files, i) => ({
      name: `shared-${i + 1}`,
      args: ['--test-isolation=none'],
      files,
    })),
    ...(app.length ? [{ name: 'app', args: ['--test-isolation=none'], files: app }] : []),
  ];
}

interface Finished {
  group: Group;
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

function runGroup(group: Group, extra: string[]): Promise<Finished> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--test', `--test-timeout=${TIMEOUT_MS}`, ...group.args, ...extra, ...group.files],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_COMPILE_CACHE: join(ROOT, 'node_modules/.cache/node-compile') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Kept whole and printed when the group ends: three reporters writing at once interleave their lines.
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => {
    child.on('close', (code, signal) =>
      resolve({
        group,
        code,
        signal,
        output: Buffer.concat(chunks).toString(),
        ms: performance.now() - started,
      }),
    );
  });
}

/** The reporter's closing figure `ℹ <name> <n>` of a group's output (0 when it printed none). */
function figure(output: string, name: string): number {
  const match = new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(output);
  return match ? Number(match[1]) : 0;
}

async function main(extra: string[]): Promise<number> {
  const plan = testGroups(testFiles(join(ROOT, 'test')), (file) => statSync(join(ROOT, file)).size);
  for (const g of plan) console.log(`test group ${g.name}: ${g.files.length} files (${g.args.join(' ')})`);
  const finished = await Promise.all(
    plan.map((g) =>
      runGroup(g, extra).then((done) => {
        console.log(`\n── test group ${g.name} ──`);
        process.stdout.write(done.output);
        return done;
      }),
    ),
  );
  console.log('\n── all test groups ──');
  let failed = false;
  for (const { group, code, signal, output, ms } of finished) {
    const figures = ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo'].map(
      (n) => `${n} ${figure(output, n)}`,
    );
    const end = signal ? `killed by ${signal}` : `exit ${code}`;
    console.log(`${group.name}: ${figures.join(', ')}; ${(ms / 1000).toFixed(0)} s; ${end}`);
    if (code !== 0) failed = true;
  }
  for (const name of ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo'])
    console.log(`ℹ ${name} ${finished.reduce((sum, f) => sum + figure(f.output, name), 0)}`);
  return failed ? 1 : 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
