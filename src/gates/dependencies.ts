// The dependencies gate (seed 03: "Dependencies up to date (/dependency-check)"): runs the package manager's
// outdated command when it has one, reads what it printed or the report it wrote, and judges how far behind
// the latest each package is (dependencies-judge.ts). A report it cannot read, or a command that failed,
// blocks: an outdated check that gave no answer is no "up to date".
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandLine } from '../config/command-line-schema.ts';
import { commandDisplay, outputTail, runGateCommand } from './gate-command.ts';
import { DEFAULT_POLICY, judgeDependencies, type DependencyCounts } from './dependencies-judge.ts';
import { readOutdatedReport, type Ecosystem, type OutdatedReport } from './outdated-report.ts';
import { parseJsonSteps } from './json-steps.ts';
import { Turns } from './turns.ts';
import { readReportFile } from './report-file.ts';
import { repositoryRoots } from './repo-path.ts';
import { dependenciesConfigSchema, type DependenciesConfig } from './schema/dependencies.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';

/** npm, pnpm and yarn 1 exit 1 when they list outdated packages (pip and go exit 0). */
const OUTDATED_FOUND = 1;
const EXIT_1_WHEN_OUTDATED: ReadonlySet<Ecosystem> = new Set(['npm', 'pnpm', 'yarn']);
/** Filesystem timestamps are coarse: a report written this long before the command started is still fresh. */
const STALE_SLACK_MS = 2000;

export const dependenciesGate: Gate<DependenciesConfig> = {
  name: 'dependencies',
  schema: dependenciesConfigSchema,
  run: runDependenciesGate,
};

function verdict(findings: Finding[], summary: string): GateVerdict {
  const errors = findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    return { status: 'block', summary: `${errors[0]!.message.split('\n')[0]!}${more}`, findings };
  }
  return { status: findings.length > 0 ? 'warn' : 'pass', summary, findings };
}

const blocked = (rule: string, message: string, path?: string): GateVerdict =>
  verdict(
    [{ ...(path !== undefined && { path }), rule: `dependencies.${rule}`, severity: 'error', message }],
    '',
  );

async function runDependenciesGate(config: DependenciesConfig, ctx: GateContext): Promise<GateVerdict> {
  const format = config.format ?? 'auto';
  let text: string | undefined;
  let exit: { code: number; tail: string; display: string } | undefined;

  if (config.command !== undefined) {
    const ranAt = Date.now();
    ctx.log(`dependencies: running ${commandDisplay(config.command)}`);
    const result = await runGateCommand(config.command, ctx, config.env);
    if (!result.ok)
      return blocked('command-failed', `${result.reason}\n${outputTail(result.output, 30)}`.trimEnd());
    exit = { code: result.exitCode, tail: outputTail(result.output, 30), display: result.display };
    if (config.report === undefined) {
      text = result.stdout;
      // yarn 1 prints nothing when nothing is outdated, and nothing on stdout when it fails: the exit code
      // tells them apart, and only for the format said to be yarn's.
      if (text.trim() === '' && !(format === 'yarn' && exit.code === 0))
        return blocked(
          'command-failed',
          `"${exit.display}" printed no report (exit code ${exit.code})${format === 'yarn' ? '' : '; yarn 1 prints nothing when nothing is outdated: then set format: yarn'}; last output lines:\n${exit.tail}`.trimEnd(),
        );
    } else {
      const written = await stat(resolve(ctx.cwd, config.report)).then(
        (info) => info.mtimeMs,
        () => undefined,
      );
      // A report left from an earlier run is not this run's: a command that failed before writing would pass on it.
      if (written !== undefined && written < ranAt - STALE_SLACK_MS)
        return verdict(
          [
            ...(exit.code !== 0 && exit.code !== OUTDATED_FOUND ? [commandFailed(exit)] : []),
            {
              path: config.report,
              rule: 'dependencies.report-stale',
              severity: 'error',
              message: `${config.report} was written ${new Date(written).toISOString()}, before the command ran: the command did not write it`,
            },
          ],
          '',
        );
    }
  }
  if (text === undefined) {
    const file = config.report!;
    const read = await readReportFile(ctx.cwd, file, repositoryRoots(ctx), 'outdated report');
    if (!read.ok) {
      const hint =
        read.reason === 'empty'
          ? ': yarn 1 writes nothing both when nothing is outdated and when it fails; run it as the command (no report), with format: yarn, so its exit code tells them apart'
          : '';
      return verdict(
        [
          ...(exit && exit.code !== 0 && exit.code !== OUTDATED_FOUND ? [commandFailed(exit)] : []),
          {
            path: file,
            rule: 'dependencies.report-unreadable',
            severity: 'error',
            message: `${read.message}${hint}`,
          },
        ],
        '',
      );
    }
    text = read.text;
  }

  const source = config.report ?? `the output of "${exit!.display}"`;
  let value: { value: unknown } | undefined;
  try {
    // In steps: the cancel signal and the other gates are not kept waiting on a big report.
    value = { value: await new Turns(ctx.signal).run(parseJsonSteps(text)) };
  } catch (error) {
    // Not one JSON value: a stream (Go's, yarn's), or no JSON, which the reader names.
    if (!(error instanceof SyntaxError)) throw error;
  }
  const parsed = readOutdatedReport(text, source, format, value);
  if (!parsed.ok)
    return verdict(
      [
        ...(exit && exit.code !== 0 ? [commandFailed(exit)] : []),
        {
          ...(config.report !== undefined && { path: config.report }),
          rule: 'dependencies.report-unreadable',
          severity: 'error',
          message: parsed.message,
        },
      ],
      '',
    );
  const report = namedByCommand(parsed.report, config.command);
  // Exit 1 is npm's, pnpm's and yarn's "some are outdated" only when the report lists some; any other
  // non-zero exit is the command's own failure, whatever it printed (go list exits 1 after printing what
  // it could).
  const outdatedFound =
    exit?.code === OUTDATED_FOUND && EXIT_1_WHEN_OUTDATED.has(report.ecosystem) && report.packages.length > 0;
  if (exit && exit.code !== 0 && !outdatedFound) return verdict([commandFailed(exit)], '');
  // Without -u, go list prints the same modules with no Update: every one would pass as up to date.
  if (report.ecosystem === 'go' && config.command !== undefined && goListWithoutUpdates(config.command))
    return blocked(
      'report-unreadable',
      `"${exit!.display}" runs go list without -u, which looks up no updates: every module would pass as up to date; run go list -m -u -json all`,
      config.report,
    );

  const judged = judgeDependencies(report, {
    major: config.major ?? DEFAULT_POLICY.major,
    minor: config.minor ?? DEFAULT_POLICY.minor,
    patch: config.patch ?? DEFAULT_POLICY.patch,
    incomparable: config.incomparable ?? DEFAULT_POLICY.incomparable,
    deprecated: config.deprecated ?? DEFAULT_POLICY.deprecated,
    retracted: config.retracted ?? DEFAULT_POLICY.retracted,
    ignore: config.ignore ?? DEFAULT_POLICY.ignore,
  });
  return verdict(judged.findings, summarize(report, judged.counts));
}

/**
 * npm's and pnpm's reports of nothing outdated are both `{}`: the command that printed or wrote it names the
 * tool when it runs the outdated command of one of them only (`pnpm outdated --format json`, `pnpm -r
 * outdated`, `sh -c "npm outdated --json > …"`). `npm run outdated:json` names no tool: npm only runs a
 * script there, which may run pnpm.
 */
function namedByCommand(report: OutdatedReport, command: CommandLine | undefined): OutdatedReport {
  if (!report.ambiguous || command === undefined) return report;
  const text = Array.isArray(command) ? command.join(' ') : command;
  // The tool, then its options (each with a value or not) up to its outdated command.
  const tools = new Set(
    Array.from(
      text.matchAll(
        /(?:^|[\s/\\"'=;&|])(p?npm)(?:\.cmd|\.exe|\.c?js)?(?:@\S*)?\s+(?:-[^\s;&|]*\s+(?:[^-\s;&|][^\s;&|]*\s+)?)*outdated(?=[\s"';&|]|$)/g,
      ),
      (m) => m[1],
    ),
  );
  if (tools.size !== 1) return report;
  return { ecosystem: [...tools][0] as 'npm' | 'pnpm', packages: report.packages };
}

/**
 * Whether `command` runs `go list` (alone or in a shell's lines; `go1.22.5 list`, a release's own command, too)
 * without its -u flag, any of its runs: which one wrote the report is not known. -u as go's flags take it: `-u`, `--u`, quoted, or `=` a true value.
 */
function goListWithoutUpdates(command: CommandLine): boolean {
  const text = Array.isArray(command) ? command.join(' ') : command;
  return Array.from(
    text.matchAll(/(?:^|[\s/\\"'])go(?:\d+(?:\.\d+)*(?:rc\d+)?|tip)?(?:\.exe)?\s+list\s([^;&|\n]*)/g),
  ).some((run) => !/(?:^|[\s"'])--?u(?:=(?:1|t|T|true|TRUE|True))?(?=[\s"']|$)/.test(run[1]!));
}

function commandFailed(exit: { code: number; tail: string; display: string }): Finding {
  return {
    rule: 'dependencies.command-failed',
    severity: 'error',
    message: `"${exit.display}" exited with code ${exit.code}; last output lines:\n${exit.tail}`,
  };
}

/**
 * "npm: 3 behind (1 major, 2 patch), 1 cannot be compared, 2 ignored" or "npm: nothing outdated"; "npm or
 * pnpm" when neither the report, the format nor the command said which.
 */
export function summarize(report: OutdatedReport, counts: DependencyCounts): string {
  const behind = counts.major + counts.minor + counts.patch;
  const parts: string[] = [];
  if (behind > 0) {
    const levels = (['major', 'minor', 'patch'] as const)
      .filter((level) => counts[level] > 0)
      .map((level) => `${counts[level]} ${level}`);
    parts.push(`${behind} behind the latest (${levels.join(', ')})`);
  }
  if (counts.incomparable > 0) parts.push(`${counts.incomparable} cannot be compared`);
  if (counts.retracted > 0) parts.push(`${counts.retracted} retracted`);
  if (counts.deprecated > 0) parts.push(`${counts.deprecated} deprecated`);
  if (counts.ignored > 0) parts.push(`${counts.ignored} ignored`);
  if (behind === 0 && counts.incomparable === 0) parts.unshift('nothing outdated');
  return `${report.ambiguous ? 'npm or pnpm' : report.ecosystem}: ${parts.join(', ')}`;
}
