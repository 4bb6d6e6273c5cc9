// One measurement of bench/secrets.ts, run in a process of its own so that its peak RSS is the measurement's:
// `node secrets-child.js TREE --src GATE --config JSON [--threads N]` prints a Measure as JSON. bench/secrets.ts
// bundles it beside the gate, so that no type stripping (~35 MiB) is in the figure unless asked for.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import type * as SecretsGate from '../src/gates/secrets.ts';

const MB = 1024 * 1024;

export interface Measure {
  ms: number;
  /** CPU time of the whole process (all threads) during the measurement. */
  cpuMs: number;
  maxRssMiB: number;
  summary: string;
}

async function child(cwd: string, src: string, config: string, threads?: number): Promise<void> {
  // `src`: the bundled gate module, or a sources directory.
  const module = src.endsWith('.js') ? src : join(src, 'gates/secrets.ts');
  const gate = (await import(pathToFileURL(module).href)) as typeof SecretsGate;
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

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    src: { type: 'string' },
    config: { type: 'string' },
    threads: { type: 'string' },
  },
});
if (positionals[0] && values.src && values.config)
  await child(positionals[0], values.src, values.config, values.threads ? Number(values.threads) : undefined);
