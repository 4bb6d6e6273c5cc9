// The secrets gate (seed: "gitleaks detect", "no secrets in code"): the built-in scanner over the changed
// files (or the whole tree), plus gitleaks JSON / SARIF reports when configured. Findings carry a redacted
// value and a fingerprint to allowlist a false positive; the secret itself never leaves this process.
import { lstat, readFile } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { execa } from 'execa';
import pLimit from 'p-limit';
import picomatch from 'picomatch';
import { DEFAULT_MAX_FILE_BYTES, secretsConfigSchema } from './schema/secrets.ts';
import type { SecretsConfig } from './schema/secrets.ts';
import { matchFiles, toList } from './match-files.ts';
import { relativeToRoots, repositoryRoots } from './repo-path.ts';
import { parseSarif, SarifReportError } from './sarif.ts';
import { DEFAULT_SCAN_OPTIONS, fingerprint, redact, redactSecrets, scanLines } from './secret-rules.ts';
import type { ScanOptions } from './secret-rules.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';

/** Git's own heuristic: a NUL byte in the first 8000 bytes makes a file binary. */
const BINARY_PROBE_BYTES = 8000;
/** The longest the scan computes without letting timers (the gate's timeout) run. */
const YIELD_EVERY_MS = 20;

export const secretsGate: Gate<SecretsConfig> = {
  name: 'secrets',
  schema: secretsConfigSchema,
  run: runSecretsGate,
};

interface Candidate {
  rule: string;
  description: string;
  path: string;
  line?: number;
  column?: number;
  secret: string;
}

export interface ScanStats {
  files: number;
  bytes: number;
  binary: number;
  large: number;
}

async function runSecretsGate(config: SecretsConfig, ctx: GateContext): Promise<GateVerdict> {
  const options: ScanOptions = { entropyThreshold: config.entropy ?? DEFAULT_SCAN_OPTIONS.entropyThreshold };
  const allowPath = picomatch(config.allow?.paths ?? [], { dot: true });
  const allowedFingerprints = new Set(config.allow?.fingerprints ?? []);

  let paths: string[];
  let what: string;
  if ((config.scope ?? 'changed') === 'changed' && ctx.baseRef) {
    const changed = await ctx.changedFiles();
    paths = changed.filter((file) => file.status !== 'deleted').map((file) => file.path);
    what = `${paths.length} changed file${paths.length === 1 ? '' : 's'}`;
  } else {
    paths = await listTree(ctx.cwd, ctx.signal);
    what = `${paths.length} file${paths.length === 1 ? '' : 's'} of the tree`;
  }
  const scanned = await scanFiles(
    ctx.cwd,
    paths.filter((path) => !allowPath(path)),
    config.max_file_bytes ?? DEFAULT_MAX_FILE_BYTES,
    options,
    ctx.signal,
  );
  if ('error' in scanned) return { status: 'block', summary: scanned.error, findings: [] };
  const candidates = scanned.candidates;

  if (config.reports) {
    const patterns = toList(config.reports);
    const files = await matchFiles(patterns, ctx.cwd);
    if (files.length === 0) {
      return {
        status: 'block',
        summary: `no gitleaks report matched ${patterns.join(', ')} in ${ctx.cwd}`,
        findings: [],
      };
    }
    for (const file of files) {
      const read = await readLeakReport(ctx.cwd, file, repositoryRoots(ctx));
      if ('error' in read) return { status: 'block', summary: read.error, findings: [] };
      candidates.push(...read.candidates.filter((candidate) => !allowPath(candidate.path)));
    }
  }

  const findings: Finding[] = [];
  let allowed = 0;
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const print = fingerprint(candidate.rule, candidate.path, candidate.secret);
    const key = `${print}:${candidate.line ?? 0}`;
    if (seen.has(key)) continue; // the scanner and a gitleaks report may name the same secret
    seen.add(key);
    if (allowedFingerprints.has(print)) {
      allowed++;
      continue;
    }
    findings.push({
      path: candidate.path,
      ...(candidate.line ? { line: candidate.line } : {}),
      ...(candidate.column ? { column: candidate.column } : {}),
      rule: `secrets.${candidate.rule}`,
      severity: 'error',
      message: `${candidate.description} ${redact(candidate.secret)} (fingerprint ${print})`,
    });
  }
  const { stats } = scanned;
  const notes = [
    allowed ? `${allowed} allowed by fingerprint` : '',
    stats.binary ? `${stats.binary} binary skipped` : '',
    stats.large ? `${stats.large} over ${config.max_file_bytes ?? DEFAULT_MAX_FILE_BYTES} bytes skipped` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const tail = notes ? ` (${notes})` : '';
  if (findings.length > 0) {
    return {
      status: 'block',
      summary: `${findings.length} secret${findings.length === 1 ? '' : 's'} in ${what}${tail}`,
      findings,
    };
  }
  return { status: 'pass', summary: `no secrets in ${what}${tail}`, findings: [] };
}

/** Scans files (repo-relative paths) with the built-in rules. Exported for the benchmark. */
export async function scanFiles(
  cwd: string,
  paths: string[],
  maxFileBytes: number,
  options: ScanOptions,
  signal?: AbortSignal,
): Promise<{ candidates: Candidate[]; stats: ScanStats } | { error: string }> {
  const stats: ScanStats = { files: 0, bytes: 0, binary: 0, large: 0 };
  const candidates: Candidate[] = [];
  const limit = pLimit(16);
  const errors: string[] = [];
  let lastYield = performance.now();
  await Promise.all(
    paths.map((path) =>
      limit(async () => {
        if (signal?.aborted || errors.length > 0) return;
        const absolute = resolve(cwd, path);
        let info;
        try {
          info = await lstat(absolute);
        } catch (error) {
          errors.push(
            `cannot read ${path} to scan it for secrets: ${(error as NodeJS.ErrnoException).code ?? error}`,
          );
          return;
        }
        if (!info.isFile()) return; // symlinks point elsewhere, submodules are directories
        if (info.size > maxFileBytes) {
          stats.large++;
          return;
        }
        const buffer = await readFile(absolute);
        if (buffer.subarray(0, BINARY_PROBE_BYTES).includes(0)) {
          stats.binary++;
          return;
        }
        stats.files++;
        stats.bytes += buffer.length;
        for (const found of scanLines(buffer.toString('utf8'), options)) {
          for (const hit of found) candidates.push({ ...hit, path });
          // Give the event loop its turn now and then, so the gate's timeout can fire and stop the scan.
          if (performance.now() - lastYield > YIELD_EVERY_MS) {
            await setImmediate();
            lastYield = performance.now();
            if (signal?.aborted) return;
          }
        }
      }),
    ),
  );
  if (signal?.aborted) return { error: 'the secret scan was stopped' };
  if (errors.length > 0) return { error: errors[0]! };
  // Parallel reads finish in any order: report in path and line order.
  candidates.sort((a, b) => (a.path === b.path ? (a.line ?? 0) - (b.line ?? 0) : a.path < b.path ? -1 : 1));
  return { candidates, stats };
}

/** Tracked and untracked-but-not-ignored files; a directory that is not a git work tree is refused. */
async function listTree(cwd: string, signal: AbortSignal): Promise<string[]> {
  const result = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd,
    reject: false,
    cancelSignal: signal,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `cannot list the files to scan in ${cwd}: git ls-files failed: ${String(result.stderr).trim().split('\n')[0]}`,
    );
  }
  const listed = new Set(String(result.stdout).split('\0').filter(Boolean));
  // A tracked file deleted in the working tree (not yet committed) has nothing left to scan.
  const deleted = await execa('git', ['ls-files', '-z', '--deleted'], {
    cwd,
    reject: false,
    cancelSignal: signal,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (deleted.exitCode === 0) for (const path of String(deleted.stdout).split('\0')) listed.delete(path);
  return [...listed];
}

interface GitleaksFinding {
  RuleID?: string;
  Description?: string;
  File?: string;
  StartLine?: number;
  StartColumn?: number;
  Secret?: string;
}

async function readLeakReport(
  cwd: string,
  file: string,
  roots: string[],
): Promise<{ candidates: Candidate[] } | { error: string }> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    return {
      error: `cannot read gitleaks report ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    };
  }
  if (file.toLowerCase().endsWith('.sarif')) {
    try {
      const results = parseSarif(text, file, roots);
      return {
        candidates: results
          .filter((result) => !result.suppressed)
          .map((result) => ({
            rule: `gitleaks.${result.ruleId}`,
            description: redactSecrets(result.message || result.ruleId),
            path: result.path ?? file,
            ...(result.line ? { line: result.line } : {}),
            ...(result.column ? { column: result.column } : {}),
            secret: result.snippet ?? `${result.ruleId}:${result.line ?? 0}`,
          })),
      };
    } catch (error) {
      if (error instanceof SarifReportError) return { error: error.message };
      throw error;
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { error: `gitleaks report ${file} is not valid JSON (truncated?): ${(error as Error).message}` };
  }
  if (!Array.isArray(data)) return { error: `gitleaks report ${file} is not a JSON array of findings` };
  const candidates: Candidate[] = [];
  for (const [index, entry] of (data as GitleaksFinding[]).entries()) {
    if (!entry || typeof entry.RuleID !== 'string' || typeof entry.File !== 'string') {
      return { error: `gitleaks report ${file}: entry ${index} has no RuleID or File` };
    }
    candidates.push({
      rule: `gitleaks.${entry.RuleID}`,
      description: redactSecrets(entry.Description ?? entry.RuleID),
      path: repoRelative(roots, entry.File),
      ...(entry.StartLine ? { line: entry.StartLine } : {}),
      ...(entry.StartColumn ? { column: entry.StartColumn } : {}),
      secret: entry.Secret ?? '',
    });
  }
  return { candidates };
}

function repoRelative(roots: string[], path: string): string {
  if (!isAbsolute(path)) return path.split(sep).join('/');
  return relativeToRoots(path, roots) ?? path;
}
