// Gate benchmarks: prints figures, asserts nothing. Run with Node 24: `node bench/gates.ts`.
// 1. Orchestration: several gates in parallel, wall time vs the sum of their durations, and the runner's
//    overhead over the longest gate.
// 2. Secrets scanner throughput in MB/s over a generated tree of at least 50 MB (temp dir, deleted after).
// 3. The migrations scan (findSqlRisks) over generated SQL files of 1 and 4 MB: many short statements, one
//    long INSERT, one long function body. Time grows with size (about 4x from 1 to 4 MB), not its square.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { runGates } from '../src/gates/runner.ts';
import type { GateEntry } from '../src/gates/runner.ts';
import { secretsGate, scanFiles } from '../src/gates/secrets.ts';
import { DEFAULT_SCAN_OPTIONS } from '../src/gates/secret-rules.ts';
import type { GateContext, GateVerdict } from '../src/gates/types.ts';
import { findSqlRisks } from '../src/gates/sql-risks.ts';
import { generateFile } from './generate-source.ts';

const MB = 1024 * 1024;

function sleepGate(name: string, ms: number): GateEntry {
  return {
    name,
    gate: {
      name,
      schema: z.unknown(),
      run: () =>
        new Promise<GateVerdict>((done) =>
          setTimeout(() => done({ status: 'pass', summary: 'ok', findings: [] }), ms),
        ),
    },
    config: {},
    required: true,
    timeoutMs: 60_000,
  };
}

function context(cwd: string): Omit<GateContext, 'signal'> {
  return { cwd, changedFiles: async () => [], log: () => {}, env: process.env };
}

async function benchOrchestration() {
  const durations = [50, 120, 200, 300, 250, 80];
  const entries = durations.map((ms, i) => sleepGate(`gate-${i}`, ms));
  const report = await runGates(entries, context(process.cwd()), { concurrency: 8 });
  const longest = Math.max(...report.gates.map((gate) => gate.durationMs));
  console.log('orchestration: %d gates sleeping %s ms, concurrency 8', durations.length, durations.join('/'));
  console.log(
    '  wall %s ms, sum of durations %s ms, longest %s ms',
    fixed(report.wallMs),
    fixed(report.sumMs),
    fixed(longest),
  );
  console.log(
    '  saved by running in parallel: %s ms; runner overhead over the longest gate: %s ms',
    fixed(report.sumMs - report.wallMs),
    fixed(report.wallMs - longest),
  );
  return report;
}

async function benchSecrets() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-secrets-'));
  try {
    const fileBytes = 64 * 1024;
    const files = Math.ceil((52 * MB) / fileBytes);
    const paths: string[] = [];
    for (let i = 0; i < files; i++) {
      const path = `src/module-${i % 40}/file-${i}.ts`;
      if (i < 40) await mkdir(join(dir, `src/module-${i}`), { recursive: true });
      await writeFile(join(dir, path), generateFile(i + 1, fileBytes));
      paths.push(path);
    }
    await execa('git', ['init', '-q'], { cwd: dir });

    const started = performance.now();
    const scanned = await scanFiles(dir, paths, 1 * MB, DEFAULT_SCAN_OPTIONS);
    const seconds = (performance.now() - started) / 1000;
    if ('error' in scanned) throw new Error(scanned.error);
    const mb = scanned.stats.bytes / MB;
    console.log(
      'secrets scanner: %d files, %s MB, %d candidate secrets',
      scanned.stats.files,
      fixed(mb),
      scanned.candidates.length,
    );
    console.log('  scanFiles: %s s, %s MB/s (reads included)', fixed(seconds, 2), fixed(mb / seconds));

    // The whole gate, with the tree listing, next to a sleeping gate: the runner's view.
    const report = await runGates(
      [
        {
          name: 'secrets',
          gate: secretsGate,
          config: secretsGate.schema.parse({ scope: 'all' }),
          required: true,
          timeoutMs: 600_000,
        },
        sleepGate('slow-tool', 500),
      ],
      context(dir),
      { concurrency: 4 },
    );
    const secrets = report.gates[0]!;
    console.log(
      '  secrets gate (scope all): %s ms, %s MB/s; %s',
      fixed(secrets.durationMs),
      fixed(mb / (secrets.durationMs / 1000)),
      secrets.summary,
    );
    console.log(
      '  with a 500 ms gate beside it: wall %s ms, sum %s ms',
      fixed(report.wallMs),
      fixed(report.sumMs),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A SQL migration of about `bytes` bytes, of one of three shapes. */
function generateSql(shape: 'statements' | 'insert' | 'function', bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let n = 0; size < bytes; n++) {
    const part =
      shape === 'statements'
        ? `INSERT INTO users (id, name) VALUES (${n}, 'user ${n}');\n` +
          (n % 100 === 0
            ? `-- step ${n}\nALTER TABLE users ADD COLUMN c${n} text;\nCREATE INDEX CONCURRENTLY i${n} ON users (c${n});\n`
            : '')
        : shape === 'insert'
          ? `  (${n}, 'user ${n}'),\n`
          : `  SELECT ${n};\n`;
    parts.push(part);
    size += part.length;
  }
  const body = parts.join('');
  if (shape === 'insert') return `INSERT INTO users (id, name) VALUES\n${body}  (0, 'last');\n`;
  if (shape === 'function') return `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC\n${body}END;\n`;
  return body;
}

export function benchMigrationScan(): void {
  console.log('migrations scan (findSqlRisks):');
  for (const shape of ['statements', 'insert', 'function'] as const) {
    const figures = [1, 4].map((megabytes) => {
      const sql = generateSql(shape, megabytes * MB);
      const started = performance.now();
      findSqlRisks(sql);
      return { megabytes, ms: performance.now() - started };
    });
    console.log(
      '  %s: %s; 4 MB / 1 MB time %sx',
      shape,
      figures.map((f) => `${f.megabytes} MB ${fixed(f.ms)} ms`).join(', '),
      fixed(figures[1]!.ms / figures[0]!.ms),
    );
  }
}

function fixed(value: number, digits = 1): string {
  return value.toFixed(digits);
}

export async function benchGates(): Promise<void> {
  await benchOrchestration();
  await benchSecrets();
  benchMigrationScan();
}

if (import.meta.main) await benchGates();
