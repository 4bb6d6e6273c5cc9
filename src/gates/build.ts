// The build gate (seed 01, "build validation"): the build command succeeds, its output has no warnings
// (the configured pattern, else common tools' warning lines; they warn, or block with on_warnings: block),
// the expected artifacts exist, and they fit their size budgets (raw and gzip).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { buildConfigSchema, DEFAULT_BUILD_WARNINGS } from './schema/build.ts';
import { sourceMapFindings } from './source-maps.ts';
import type { BuildConfig } from './schema/build.ts';
import { commandDisplay, outputTail, runRequiredCommand } from './gate-command.ts';
import { matchFiles } from './match-files.ts';
import { redactSecrets } from './secret-rules.ts';
import type { Finding, Gate, GateVerdict } from './types.ts';

export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

type Budget = NonNullable<BuildConfig['budgets']>[number];

const TAIL_LINES = 30;

async function filesMatching(cwd: string, pattern: string): Promise<string[]> {
  const files: string[] = [];
  for (const path of await matchFiles(pattern, cwd)) {
    if ((await stat(join(cwd, path))).isFile()) files.push(path);
  }
  return files;
}

interface Measured {
  path: string;
  raw: number;
  gzip: number;
}

async function measure(cwd: string, path: string): Promise<Measured> {
  return { path, ...(await streamSizes(createReadStream(join(cwd, path)))) };
}

/**
 * Raw and gzip (level 9) sizes of a byte stream (a file: createReadStream). Compression runs on libuv's
 * threadpool, so a large output does not hold the event loop (gzipSync on 7 MB held it about 320 ms,
 * stalling the other gates), and a streamed file keeps memory flat whatever its size. Same bytes as gzipSync:
 * deflate without flushes does not depend on how its input is chunked.
 */
export async function streamSizes(source: AsyncIterable<Buffer>): Promise<{ raw: number; gzip: number }> {
  let raw = 0;
  let gzip = 0;
  await pipeline(
    source,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        raw += chunk.length;
        yield chunk;
      }
    },
    createGzip({ level: 9 }),
    async (compressed: AsyncIterable<Buffer>) => {
      for await (const chunk of compressed) gzip += chunk.length;
    },
  );
  return { raw, gzip };
}

/** Pure: budget findings from measured files (per file, or their sum). */
export function checkBudget(budgetConfig: Budget, files: Measured[]): Finding[] {
  const findings: Finding[] = [];
  const subjects =
    budgetConfig.per === 'total'
      ? [
          {
            label: `${files.length} file(s) matching ${budgetConfig.path} (total)`,
            path: undefined,
            raw: files.reduce((sum, f) => sum + f.raw, 0),
            gzip: files.reduce((sum, f) => sum + f.gzip, 0),
          },
        ]
      : files.map((f) => ({ label: f.path, path: f.path, raw: f.raw, gzip: f.gzip }));
  for (const subject of subjects) {
    for (const [kind, actual, max] of [
      ['raw', subject.raw, budgetConfig.max],
      ['gzip', subject.gzip, budgetConfig.max_gzip],
    ] as const) {
      if (max === undefined || actual <= max) continue;
      findings.push({
        ...(subject.path ? { path: subject.path } : {}),
        rule: `build.budget-${kind}`,
        severity: 'error',
        message: `${subject.label}: ${formatSize(actual)} ${kind === 'gzip' ? 'gzipped ' : ''}is over the budget of ${formatSize(max)} (${budgetConfig.path}) by ${formatSize(actual - max)}`,
      });
    }
  }
  return findings;
}

async function artifactFindings(
  config: BuildConfig,
  cwd: string,
): Promise<{ findings: Finding[]; checked: number }> {
  const findings: Finding[] = [];
  let checked = 0;
  for (const pattern of config.expect ?? []) {
    if ((await filesMatching(cwd, pattern)).length === 0) {
      findings.push({
        rule: 'build.missing-artifact',
        severity: 'error',
        message: `expected ${pattern} in ${cwd}: no such file`,
      });
    }
  }
  for (const pattern of config.source_maps ?? []) {
    const paths = await filesMatching(cwd, pattern);
    if (paths.length === 0)
      findings.push({
        rule: 'build.source-map-no-files',
        severity: 'error',
        message: `source_maps ${pattern} matches no file in ${cwd}: the build did not produce what was expected`,
      });
    findings.push(...(await sourceMapFindings(cwd, paths)));
  }
  for (const budgetConfig of config.budgets ?? []) {
    const paths = await filesMatching(cwd, budgetConfig.path);
    if (paths.length === 0) {
      findings.push({
        rule: 'build.budget-no-files',
        severity: 'error',
        message: `size budget ${budgetConfig.path} matches no file in ${cwd}: the build did not produce what was expected`,
      });
      continue;
    }
    const measured = await Promise.all(paths.map((path) => measure(cwd, path)));
    checked += measured.length;
    findings.push(...checkBudget(budgetConfig, measured));
  }
  return { findings, checked };
}

/** Characters kept of one warning line: a bundler can print a minified file on one line. */
const MAX_WARNING_LINE = 1000;

/** Characters of the first warning line in a blocking verdict's one-line summary. */
const MAX_SUMMARY_WARNING = 200;

/** `block` (on_warnings: block): the build must print none, so they are an error naming the first ones. */
function warningFindings(pattern: string, output: string, block: boolean): Finding[] {
  const regex = new RegExp(pattern, 'i');
  const matching = output.split(/\r?\n/).filter((line) => regex.test(line));
  if (matching.length === 0) return [];
  // Redacted before they are cut, as a failed build's output tail is: a warning may print a token or a
  // URL with its password (a deprecated-config warning quoting the config).
  const shown = redactSecrets(matching.slice(0, 10).join('\n'))
    .split('\n')
    .map((line) => (line.length > MAX_WARNING_LINE ? `${line.slice(0, MAX_WARNING_LINE)}…` : line));
  if (!block) {
    return [
      {
        rule: 'build.warnings',
        severity: 'warning',
        message: `${matching.length} warning line(s) in the build output:\n${shown.join('\n')}`,
      },
    ];
  }
  const first = shown[0]!.trim();
  const cut = first.length > MAX_SUMMARY_WARNING ? `${first.slice(0, MAX_SUMMARY_WARNING)}…` : first;
  return [
    {
      rule: 'build.warnings',
      severity: 'error',
      message:
        `the build printed ${matching.length} warning line(s) and on_warnings is block, the first: ${cut}\n` +
        shown.join('\n'),
    },
  ];
}

export const buildGate: Gate<BuildConfig> = {
  name: 'build',
  schema: buildConfigSchema,
  async run(config, ctx): Promise<GateVerdict> {
    const findings: Finding[] = [];
    let output = '';
    if (config.command !== undefined) {
      ctx.log(`build: running ${commandDisplay(config.command)}`);
      const outcome = await runRequiredCommand(config.command, ctx, config.env);
      if (!outcome.ok) {
        const message = `${outcome.reason}\n${outputTail(outcome.output, TAIL_LINES)}`.trimEnd();
        return {
          status: 'block',
          summary: outcome.reason,
          findings: [{ rule: 'build.failed', severity: 'error', message }],
        };
      }
      output = outcome.output;
    }
    const artifacts = await artifactFindings(config, ctx.cwd);
    findings.push(...artifacts.findings);
    if (config.warnings !== false)
      findings.push(
        ...warningFindings(config.warnings ?? DEFAULT_BUILD_WARNINGS, output, config.on_warnings === 'block'),
      );

    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) return { status: 'block', summary: errors[0]!.message.split('\n')[0]!, findings };
    const budgets = config.budgets?.length
      ? `, ${artifacts.checked} file(s) within ${config.budgets.length} budget(s)`
      : '';
    if (findings.length > 0)
      return { status: 'warn', summary: `build succeeded with warnings${budgets}`, findings };
    return { status: 'pass', summary: `build succeeded${budgets}`, findings };
  },
};
