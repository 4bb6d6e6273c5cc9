// Secrets scanner scaling: prints figures, asserts nothing. Run with Node 24: `node bench/secrets.ts`.
// - The whole gate (scope all: git listing, reads, scan) over generated trees of 10 / 50 / 200 MB: time,
//   MB/s (wall, and per CPU second of all threads: fair on a loaded machine) and the process's peak RSS
//   (worker threads included), with the default threads and with one.
// - A 20 MB tree of 2 KB files: the per-file cost (syscalls) apart from the scan.
// - One 100 MB file (max_file_bytes raised): streamed, so memory stays flat.
// - Long lines: 64 KB and 1 MB of hex after a secret-like word, alone in a file.
// - Linearity of the rules over hostile line shapes (1x against 8x) and of one streamed file (4 MB against 16 MB).
// Each measurement runs in a child process, so peak RSS is that measurement's own. The gate and its worker
// thread are bundled first as scripts/build.ts bundles them (what the Action runs): loaded from the .ts
// sources, Node's type stripping alone adds ~35 MiB to every thread (`--sources` measures that way). Trees
// go under os.tmpdir() and are deleted after. `--src DIR` measures another checkout's src/ (before/after
// figures); `--sizes 10,50` picks the tree sizes; `--runs 3` repeats each measurement (median and best).
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile, open } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import type { Measure } from './secrets-child.ts';
import type * as SecretRules from '../src/gates/secret-rules.ts';
import type * as SecretsFile from '../src/gates/secrets-file.ts';
import { generateFile } from './generate-source.ts';

const MB = 1024 * 1024;

/**
 * A tree of `megabytes` MB: files of 4 KB to 256 KB (or of the sizes given) in 50 directories; a git work
 * tree (nothing committed).
 */
async function generateTree(megabytes: number, fileKb = [4, 16, 32, 64, 128, 256]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-secrets-'));
  const sizes = fileKb.map((kb) => kb * 1024);
  let total = 0;
  for (let i = 0; total < megabytes * MB; i++) {
    const bytes = sizes[i % sizes.length]!;
    if (i < 50) await mkdir(join(dir, `src/module-${i}`), { recursive: true });
    await writeFile(join(dir, `src/module-${i % 50}/file-${i}.ts`), generateFile(i + 1, bytes));
    total += bytes;
  }
  await execa('git', ['init', '-q'], { cwd: dir });
  return dir;
}

/** One file: `line` bytes of hex after a secret-like word, between two ordinary lines. */
async function longLineFile(dir: string, name: string, bytes: number): Promise<void> {
  let state = 1;
  const hex = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    hex[i] = '0123456789abcdef'.charCodeAt(state >> 27);
  }
  await writeFile(
    join(dir, name),
    Buffer.concat([Buffer.from('a = 1\nsecret '), hex, Buffer.from('\nb = 2\n')]),
  );
}

/** A file of `megabytes` MB written in pieces (the generator never holds it whole). */
async function bigFile(dir: string, name: string, megabytes: number): Promise<void> {
  const handle = await open(join(dir, name), 'w');
  try {
    for (let i = 0; i < megabytes; i++) await handle.write(generateFile(1000 + i, MB));
  } finally {
    await handle.close();
  }
}

/** What a child measures: the gate module (bundled .js, or a sources directory) and the child's script. */
interface Target {
  child: string;
  src: string;
}

/**
 * The gate bundled from `src` as scripts/build.ts bundles it (the gate in chunks/, its worker in gates/ where
 * secrets-pool.ts looks for it), and the child script beside it, as plain JavaScript.
 */
async function bundleGate(src: string, outdir: string): Promise<Target> {
  const { build } = await import('esbuild');
  const { bundleOptions } = await import('../scripts/build.ts');
  // Another checkout's sources resolve their packages from this one.
  const options = {
    ...bundleOptions,
    splitting: false,
    outdir,
    nodePaths: [resolve(import.meta.dirname, '../node_modules')],
  };
  await build({ ...options, entryPoints: { 'chunks/secrets-gate': join(src, 'gates/secrets.ts') } });
  const worker = join(src, 'gates/secrets-worker.ts');
  if (existsSync(worker)) await build({ ...options, entryPoints: { 'gates/secrets-worker': worker } });
  await build({
    ...options,
    entryPoints: { 'secrets-child': join(import.meta.dirname, 'secrets-child.ts') },
  });
  return { child: join(outdir, 'secrets-child.js'), src: join(outdir, 'chunks/secrets-gate.js') };
}

/** Runs the gate in a child process; `threads` 1 forces the single-thread path (ignored by older sources). */
async function measureOnce(
  target: Target,
  cwd: string,
  config: Record<string, unknown>,
  threads?: number,
  timeoutMs = 600_000,
): Promise<Measure | string> {
  const child = await execa(
    process.execPath,
    [target.child, cwd, '--src', target.src, '--config', JSON.stringify(config)].concat(
      threads ? ['--threads', String(threads)] : [],
    ),
    { reject: false, timeout: timeoutMs },
  );
  if (child.timedOut) return `did not finish in ${timeoutMs / 1000} s`;
  if (child.exitCode !== 0) return `failed: ${String(child.stderr).split('\n').slice(0, 3).join(' ')}`;
  return JSON.parse(String(child.stdout)) as Measure;
}

let RUNS = 1;

/** `RUNS` measurements: the first failure, or all of them. */
async function measure(...args: Parameters<typeof measureOnce>): Promise<Measure[] | string> {
  const runs: Measure[] = [];
  for (let i = 0; i < RUNS; i++) {
    const m = await measureOnce(...args);
    if (typeof m === 'string') return m;
    runs.push(m);
  }
  return runs;
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
/** One value, or with several runs "median (best)": the machine is shared, the best is the least disturbed. */
const spread = (values: number[], best: (v: number[]) => number, show: (v: number) => string) =>
  values.length === 1 ? show(values[0]!) : `${show(median(values))} (${show(best(values))})`;
const cell = (m: Measure[] | string, mb: number) =>
  typeof m === 'string'
    ? [m, '', '', '']
    : [
        spread(
          m.map((r) => r.ms),
          (v) => Math.min(...v),
          (v) => `${fixed(v)} ms`,
        ),
        spread(
          m.map((r) => mb / (r.ms / 1000)),
          (v) => Math.max(...v),
          (v) => `${fixed(v)} MB/s`,
        ),
        spread(
          m.map((r) => mb / (r.cpuMs / 1000)),
          (v) => Math.max(...v),
          (v) => `${fixed(v)} MB/s`,
        ),
        spread(
          m.map((r) => r.maxRssMiB),
          (v) => Math.min(...v),
          (v) => `${fixed(v)} MiB`,
        ),
      ];
const summaryOf = (m: Measure[] | string) => (typeof m === 'string' ? '' : m[0]!.summary);

export async function benchSecrets(
  sources = resolve(import.meta.dirname, '../src'),
  sizes = [10, 50, 200],
  fromSources = false,
) {
  const bundled = fromSources ? undefined : await mkdtemp(join(tmpdir(), 'bench-secrets-bundle-'));
  try {
    const target = bundled
      ? await bundleGate(sources, bundled)
      : { child: join(import.meta.dirname, 'secrets-child.ts'), src: sources };
    const how = bundled
      ? `bundled from ${sources} as scripts/build.ts bundles it`
      : `loaded from the sources in ${sources} (type stripping: ~35 MiB more per thread)`;
    console.log(`## Secrets gate (scope all), ${availableParallelism()} cores available, ${how}\n`);
    if (RUNS > 1)
      console.log(
        `${RUNS} runs each: median (best: least time, most MB/s, least RSS); a shared machine only ever slows a run down.\n`,
      );
    await benchWith(target, sizes);
  } finally {
    if (bundled) await rm(bundled, { recursive: true, force: true });
  }
}

async function benchWith(target: Target, sizes: number[]) {
  console.log('| tree | threads | time | throughput | per CPU second | peak RSS | summary |');
  console.log('|---|---|---|---|---|---|---|');
  for (const size of sizes) {
    const dir = await generateTree(size);
    try {
      for (const threads of [undefined, 1]) {
        const m = await measure(target, dir, { scope: 'all' }, threads);
        console.log(
          `| ${size} MB | ${threads ?? 'default'} | ${cell(m, size).join(' | ')} | ${summaryOf(m)} |`,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  // Many small files: the per-file cost (lstat, open, two reads, close: syscalls) weighs more than the scan.
  const small = await generateTree(20, [2]);
  try {
    for (const threads of [undefined, 1]) {
      const m = await measure(target, small, { scope: 'all' }, threads);
      console.log(
        `| 20 MB in 10 240 files of 2 KB | ${threads ?? 'default'} | ${cell(m, 20).join(' | ')} | ${summaryOf(m)} |`,
      );
    }
  } finally {
    await rm(small, { recursive: true, force: true });
  }

  console.log('\n## One large file and long lines\n');
  console.log('| input | time | throughput | per CPU second | peak RSS | summary |');
  console.log('|---|---|---|---|---|---|');
  const dir = await mkdtemp(join(tmpdir(), 'bench-secrets-'));
  try {
    await execa('git', ['init', '-q'], { cwd: dir });
    const cases: Array<[string, number, () => Promise<void>]> = [
      ['one 100 MB file', 100, () => bigFile(dir, 'big.ts', 100)],
      ['one 64 KB hex line after "secret"', 64 / 1024, () => longLineFile(dir, 'line.txt', 64 * 1024)],
      ['one 1 MB hex line after "secret"', 1, () => longLineFile(dir, 'line.txt', MB)],
    ];
    for (const [name, mb, make] of cases) {
      await rm(join(dir, 'big.ts'), { force: true });
      await make();
      const m = await measure(target, dir, { scope: 'all', max_file_bytes: 200 * MB }, undefined, 120_000);
      console.log(`| ${name} | ${cell(m, mb).join(' | ')} | ${summaryOf(m)} |`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Linearity of the rules over line shapes made to make a backtracking or re-scanning scanner quadratic (moved
 * here from test/unit/gates/secrets-scan.test.ts, which keeps only what is deterministic): the CPU time for
 * 1x and 8x each shape, and their ratio (linear: about 8; quadratic: about 64). Then one file streamed at 4 MB
 * and 16 MB (linear: about 4). Least CPU time of three runs, in this process.
 */
export async function linearity(src = resolve(import.meta.dirname, '../src')): Promise<void> {
  const rules = (await import(join(src, 'gates/secret-rules.ts'))) as typeof SecretRules;
  const files = (await import(join(src, 'gates/secrets-file.ts'))) as typeof SecretsFile;
  const cpuMs = (run: () => void): number => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const before = process.cpuUsage();
      run();
      const used = process.cpuUsage(before);
      best = Math.min(best, (used.user + used.system) / 1000);
    }
    return best;
  };
  const hex = (n: number) => {
    let state = 7;
    let out = '';
    while (out.length < n) out += ((state = (state * 1103515245 + 12345) & 0x7fffffff) >> 8).toString(16);
    return out.slice(0, n);
  };
  const github = ['ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('');
  const password = ['Zq8#vL2!', 'pW9xR4tY7u'].join('');
  const shapes: Record<string, [(n: number) => string, number]> = {
    'hex after a secret-like word': [(n) => `secret ${hex(n)}`, 1],
    'hex after an assignment': [(n) => `token=${hex(n)}`, 1],
    'a long word then a name': [(n) => `${'x'.repeat(n)} password`, 1],
    'names with no value': [(n) => 'token'.repeat(n / 5), 1 / 4],
    'a JWT start inside one run': [(n) => 'eyJ-'.repeat(n / 4), 1 / 4],
    'key headers': [(n) => '-----BEGIN PRIVATE KEY-----'.repeat(n / 27), 1 / 16],
    'overlapping keywords': [(n) => 'ACCAccountKey='.repeat(n / 14), 1 / 4],
    'secrets back to back': [(n) => `${github} `.repeat(n / 41), 1 / 8],
    'many short lines': [(n) => `password = "${password}"\n`.repeat(n / 31), 1 / 4],
  };
  console.log('\n## Linearity of the rules (CPU ms; 8x the input should take about 8x)\n');
  console.log('| shape | 1x | 8x | ratio |\n|---|---|---|---|');
  const small = 512 * 1024;
  for (const [name, [make, share]] of Object.entries(shapes)) {
    const [a, b] = [Buffer.from(make(small * share)), Buffer.from(make(8 * small * share))];
    const scan = (bytes: Buffer) => () =>
      rules.scanBytes(bytes, 0, bytes.length, bytes.length, 1, rules.DEFAULT_SCAN_OPTIONS, () => {});
    const [x1, x8] = [cpuMs(scan(a)), cpuMs(scan(b))];
    console.log(`| ${name} | ${x1.toFixed(1)} | ${x8.toFixed(1)} | ${(x8 / Math.max(x1, 2)).toFixed(1)} |`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'bench-secrets-stream-'));
  try {
    const block = [
      ...Array.from(
        { length: 40 },
        (_, i) => `  const value${i} = compute(options.item${i}, ${i}); // plain`,
      ),
      '  const token = await getToken(id); // auth header',
      `  password: '${password}',`,
    ].join('\n');
    const sized = async (name: string, mb: number) =>
      writeFile(join(dir, name), `${block}\n`.repeat(Math.ceil((mb * MB) / (block.length + 1))));
    await sized('small.txt', 4);
    await sized('large.txt', 16);
    const scanner = new files.FileScanner(rules.DEFAULT_SCAN_OPTIONS);
    const [x1, x4] = ['small.txt', 'large.txt'].map((name) =>
      cpuMs(() => void scanner.scanSync(join(dir, name), name)),
    ) as [number, number];
    console.log(
      `\nOne file streamed: 4 MB ${x1.toFixed(0)} ms, 16 MB ${x4.toFixed(0)} ms CPU (ratio ${(x4 / x1).toFixed(1)}, linear: about 4)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      src: { type: 'string' },
      sizes: { type: 'string' },
      sources: { type: 'boolean' },
      runs: { type: 'string' },
    },
  });
  if (values.runs) RUNS = Math.max(1, Number(values.runs));
  await benchSecrets(
    values.src ? resolve(values.src) : undefined,
    values.sizes ? values.sizes.split(',').map(Number) : undefined,
    values.sources,
  );
  await linearity(values.src ? resolve(values.src) : undefined);
}
