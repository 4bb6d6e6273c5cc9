// The secrets gate (seed: "gitleaks detect", "no secrets in code"): the built-in scanner over the changed
// files (or the whole tree), plus gitleaks JSON / SARIF reports when configured. Findings carry a redacted
// value and a fingerprint to allowlist a false positive; the secret itself never leaves this process.
import { isAbsolute, sep } from 'node:path';
import * as z from 'zod';
import picomatch from 'picomatch';
import { DEFAULT_MAX_FILE_BYTES, secretsConfigSchema } from './schema/secrets.ts';
import type { SecretsConfig } from './schema/secrets.ts';
import { runGit } from './git.ts';
import { matchFiles, toList } from './match-files.ts';
import { readReportFile } from './report-file.ts';
import { relativeToRoots, repositoryRoots } from './repo-path.ts';
import { parseJsonSteps } from './json-steps.ts';
import { readSarif, SarifReportError } from './sarif.ts';
import { DEFAULT_SCAN_OPTIONS, fingerprint, redact, redactReported } from './secret-rules.ts';
import type { ScanOptions } from './secret-rules.ts';
import { scanPaths } from './secrets-pool.ts';
import type { PoolOptions } from './secrets-pool.ts';
import { Turns } from './turns.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';
import { jsonSyntaxProblem } from './json-error.ts';

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
  /** The secret redacted (`redact`) and its fingerprint: the secret itself is not kept. */
  redacted: string;
  print: string;
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
    // Reports are parsed in steps: a big one held the event loop, and the cancel signal, for seconds.
    const turns = new Turns(ctx.signal);
    for (const file of files) {
      const read = await readLeakReport(ctx.cwd, file, repositoryRoots(ctx), turns);
      if ('error' in read) return { status: 'block', summary: read.error, findings: [] };
      candidates.push(...read.candidates.filter((candidate) => !allowPath(candidate.path)));
    }
  }

  const findings: Finding[] = [];
  let allowed = 0;
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const print = candidate.print;
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
      message: `${candidate.description} ${candidate.redacted} (fingerprint ${print})`,
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

/**
 * Scans files (repo-relative paths) with the built-in rules: streamed, on worker threads when there are
 * cores and bytes enough (secrets-pool.ts). Exported for the benchmark.
 */
export async function scanFiles(
  cwd: string,
  paths: string[],
  maxFileBytes: number,
  options: ScanOptions,
  signal?: AbortSignal,
  pool?: PoolOptions,
): Promise<{ candidates: Candidate[]; stats: ScanStats } | { error: string }> {
  const scans = await scanPaths(cwd, paths, maxFileBytes, options, signal, pool);
  if (scans === 'stopped' || signal?.aborted) return { error: 'the secret scan was stopped' };
  const stats: ScanStats = { files: 0, bytes: 0, binary: 0, large: 0 };
  const candidates: Candidate[] = [];
  for (const [index, scan] of scans.entries()) {
    const path = paths[index]!;
    switch (scan.kind) {
      case 'unreadable':
        return { error: `cannot read ${path} to scan it for secrets: ${scan.code}` };
      case 'stopped':
        return { error: 'the secret scan was stopped' };
      case 'large':
        stats.large++;
        break;
      case 'binary':
        stats.binary++;
        break;
      case 'not-file':
        break;
      case 'scanned':
        stats.files++;
        stats.bytes += scan.bytes;
        for (const finding of scan.findings) candidates.push({ ...finding, path });
    }
  }
  // Report in path and line order (within a line, the scanner's column order).
  candidates.sort((a, b) => (a.path === b.path ? (a.line ?? 0) - (b.line ?? 0) : a.path < b.path ? -1 : 1));
  return { candidates, stats };
}

/** Tracked and untracked-but-not-ignored files; a directory that is not a git work tree is refused. */
async function listTree(cwd: string, signal: AbortSignal): Promise<string[]> {
  const result = await runGit(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd,
    signal,
  });
  if (result.exitCode !== 0) {
    throw new Error(`cannot list the files to scan in ${cwd}: git ls-files failed: ${result.why}`);
  }
  const listed = new Set(String(result.stdout).split('\0').filter(Boolean));
  // A tracked file deleted in the working tree (not yet committed) has nothing left to scan.
  const deleted = await runGit(['ls-files', '-z', '--deleted'], { cwd, signal });
  if (deleted.exitCode === 0) for (const path of String(deleted.stdout).split('\0')) listed.delete(path);
  return [...listed];
}

// An entry of gitleaks' JSON report: the fields read, with their types (a string line would reach an
// annotation). Checked one entry at a time, a turn of the event loop between (readLeakReport).
// 0 for none: a path-only rule (a committed .p12 key store) has no line, column or secret, and gitleaks
// writes Go's zero values for them.
const position = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional();
const gitleaksEntrySchema = z.looseObject({
  RuleID: z.string().min(1),
  Description: z.string().optional(),
  File: z.string().min(1),
  StartLine: position,
  StartColumn: position,
  Secret: z.string().optional(),
  Match: z.string().optional(),
});

async function readLeakReport(
  cwd: string,
  file: string,
  roots: string[],
  turns: Turns,
): Promise<{ candidates: Candidate[] } | { error: string }> {
  const read = await readReportFile(cwd, file, roots, 'gitleaks report');
  if (!read.ok) return { error: read.message };
  const text = read.text;
  // gitleaks' JSON report is an array; its SARIF log an object, whatever the file is called (a
  // `--report-format sarif` saved as gitleaks.json, or as results.sarif.json): refused before as "not a JSON
  // array of findings".
  if (file.toLowerCase().endsWith('.sarif') || /^\s*\{/.test(text)) {
    try {
      const results = await readSarif(text, file, roots, turns);
      return {
        candidates: results
          .filter((result) => !result.suppressed)
          .map((result) => ({
            rule: `gitleaks.${redactReported(result.ruleId, [result.snippet])}`,
            description: redactReported(result.message || result.ruleId, [result.snippet]),
            path: redactReported(result.path ?? file, [result.snippet]),
            ...(result.line ? { line: result.line } : {}),
            ...(result.column ? { column: result.column } : {}),
            ...reported(
              `gitleaks.${result.ruleId}`,
              result.path ?? file,
              result.snippet ?? `${result.ruleId}:${result.line ?? 0}`,
            ),
          })),
      };
    } catch (error) {
      if (error instanceof SarifReportError) return { error: error.message };
      throw error;
    }
  }
  let data: unknown;
  try {
    data = await turns.run(parseJsonSteps(text));
  } catch (error) {
    // Cancelled or timed out while it read: not a report that is no JSON.
    if (!(error instanceof SyntaxError)) throw error;
    return { error: `gitleaks report ${file} is not valid JSON (${jsonSyntaxProblem(error, text)})` };
  }
  if (!Array.isArray(data)) return { error: `gitleaks report ${file} is not a JSON array of findings` };
  // Entry by entry, taking turns: checking a report of a million findings in one step held the cancel signal
  // for seconds after its parse had let it through. Every entry is checked before any is read.
  const entries: Array<z.output<typeof gitleaksEntrySchema>> = [];
  for (const [index, raw] of data.entries()) {
    const turn = turns.take();
    if (turn) await turn;
    const parsed = gitleaksEntrySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return {
        error: `gitleaks report ${file}: entry ${index}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`,
      };
    }
    entries.push(parsed.data);
  }
  const candidates: Candidate[] = [];
  for (const entry of entries) {
    const turn = turns.take();
    if (turn) await turn;
    // Every text of the entry that is shown is redacted, not only the description: a custom rule's id or a
    // file name can hold the secret as well (the fingerprint still hashes them as reported).
    const shown = (text: string) => redactReported(text, [entry.Secret, entry.Match]);
    candidates.push({
      rule: `gitleaks.${shown(entry.RuleID)}`,
      description: shown(entry.Description ?? entry.RuleID),
      path: shown(repoRelative(roots, entry.File)),
      ...(entry.StartLine ? { line: entry.StartLine } : {}),
      ...(entry.StartColumn ? { column: entry.StartColumn } : {}),
      ...reported(`gitleaks.${entry.RuleID}`, repoRelative(roots, entry.File), entry.Secret ?? ''),
      // A path-only rule found the file itself, not a value in it.
      ...(entry.Secret ? {} : { redacted: '(the file itself, by its path)' }),
    });
  }
  return { candidates };
}

/** A reported secret as the scanner's findings carry it: redacted and fingerprinted. */
function reported(rule: string, path: string, secret: string): Pick<Candidate, 'redacted' | 'print'> {
  return { redacted: redact(secret), print: fingerprint(rule, path, secret) };
}

function repoRelative(roots: string[], path: string): string {
  if (!isAbsolute(path)) return path.split(sep).join('/');
  return relativeToRoots(path, roots) ?? path;
}
