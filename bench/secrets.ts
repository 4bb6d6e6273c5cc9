// Secrets scanner scaling: prints figures, asserts nothing. Run with Node 24: `node bench/secrets.ts`.
// - The whole gate (scope all: git listing, reads, scan) over generated trees of 10 / 50 / 200 MB: time,
//   MB/s (wall, and per CPU second of all threads: fair on a loaded machine) and the process's peak RSS
//   (worker threads included), with the default threads and with one.
// - One 100 MB file (max_file_bytes raised): streamed, so memory stays flat.
// - Long lines: 64 KB and 1 MB of hex after a secret-like word, alone in a file.
// Each measurement runs in a child process, so peak RSS is that measurement's own. Trees go under
// os.tmpdir() and are deleted after. `--src DIR` measures another checkout's src/ (before/after figures);
// `--sizes 10,50` picks the tree sizes.
import { mkdtemp, mkdir, rm, writeFile, open } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import type * as SecretsGate from '../src/gates/secrets.ts';
import { generateFile } from './generate-source.ts';

const MB = 1024 * 1024;

interface Measure {
  ms: number;
  /** CPU time of the whole process (all threads) during the measurement. */
  cpuMs: number;
  maxRssMiB: number;
  summary: string;
}

/** A tree of `megabytes` MB: files of 4 KB to 256 KB in 50 directories; a git work tree (nothing committed). */
async function generateTree(megabytes: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-secrets-'));
  const sizes = [4, 16, 32, 64, 128, 256].map((kb) => kb * 1024);
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

/** Runs the gate in a child process; `threads` 1 forces the single-thread path (ignored by older sources). */
async function measure(
  src: string,
  cwd: string,
  config: Record<string, unknown>,
  threads?: number,
  timeoutMs = 600_000,
): Promise<Measure | string> {
  const child = await execa(
    process.execPath,
    [import.meta.filename, '--child', cwd, '--src', src, '--config', JSON.stringify(config)].concat(
      threads ? ['--threads', String(threads)] : [],
    ),
    { reject: false, timeout: timeoutMs },
  );
  if (child.timedOut) return `did not finish in ${timeoutMs / 1000} s`;
  if (child.exitCode !== 0) return `failed: ${String(child.stderr).split('\n').slice(0, 3).join(' ')}`;
  return JSON.parse(String(child.stdout)) as Measure;
}

async function child(cwd: string, src: string, config: string, threads?: number): Promise<void> {
  const gate = (await import(pathToFileURL(join(src, 'gates/secrets.ts')).href)) as typeof SecretsGate;
  const parsed = gate.secretsGate.schema.parse(JSON.parse(config));
  const started = performance.now();
  cpuAtStart = process.cpuUsage();
  let summary: string;
  if (threads) {
    // scanFiles itself, with the pool size given (the gate picks it from the cores): the tree listing is
    // not timed here.
    const listed = await execa('git', ['ls-files', '-z', '--others', '--cached', '--exclude-standard'], {
      cwd,
    });
    const paths = String(listed.stdout).split('\0').filter(Boolean);
    const listedAt = performance.now();
    cpuAtStart = process.cpuUsage();
    const scanned = await gate.scanFiles(
      cwd,
      paths,
      parsed.max_file_bytes ?? MB,
      { entropyThreshold: 3.5 },
      undefined,
      {
        threads,
      },
    );
    if ('error' in scanned) throw new Error(scanned.error);
    summary = `${scanned.candidates.length} candidates in ${scanned.stats.files} files (scan only)`;
    return emit(performance.now() - listedAt, summary);
  }
  const verdict = await gate.secretsGate.run(parsed, {
    cwd,
    changedFiles: async () => [],
    log: () => {},
    env: {},
    signal: new AbortController().signal,
  });
  summary = verdict.summary;
  emit(performance.now() - started, summary);
}

let cpuAtStart = process.cpuUsage();

function emit(ms: number, summary: string): void {
  const cpu = process.cpuUsage(cpuAtStart);
  const result: Measure = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    summary,
  };
  process.stdout.write(JSON.stringify(result));
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);
const cell = (m: Measure | string, mb: number) =>
  typeof m === 'string'
    ? [m, '', '', '']
    : [
        `${fixed(m.ms)} ms`,
        `${fixed(mb / (m.ms / 1000))} MB/s`,
        `${fixed(mb / (m.cpuMs / 1000))} MB/s`,
        `${fixed(m.maxRssMiB)} MiB`,
      ];

export async function benchSecrets(src = resolve(import.meta.dirname, '../src'), sizes = [10, 50, 200]) {
  console.log(`## Secrets gate (scope all), ${availableParallelism()} cores available, sources ${src}\n`);
  console.log('| tree | threads | time | throughput | per CPU second | peak RSS | summary |');
  console.log('|---|---|---|---|---|---|---|');
  for (const size of sizes) {
    const dir = await generateTree(size);
    try {
      for (const threads of [undefined, 1]) {
        const m = await measure(src, dir, { scope: 'all' }, threads);
        const summary = typeof m === 'string' ? '' : m.summary;
        console.log(`| ${size} MB | ${threads ?? 'default'} | ${cell(m, size).join(' | ')} | ${summary} |`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
      const m = await measure(src, dir, { scope: 'all', max_file_bytes: 200 * MB }, undefined, 120_000);
      const summary = typeof m === 'string' ? '' : m.summary;
      console.log(`| ${name} | ${cell(m, mb).join(' | ')} | ${summary} |`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      src: { type: 'string' },
      config: { type: 'string' },
      threads: { type: 'string' },
      sizes: { type: 'string' },
    },
  });
  if (values.child) {
    await child(
      values.child,
      values.src!,
      values.config!,
      values.threads ? Number(values.threads) : undefined,
    );
  } else {
    await benchSecrets(
      values.src ? resolve(values.src) : undefined,
      values.sizes ? values.sizes.split(',').map(Number) : undefined,
    );
  }
}
