// The performance gate (seed 01: "Performance within baseline; load test successful (target RPS)"): runs the
// load test when it has a command, then reads the k6 results JSON it wrote: k6's own thresholds, the
// configured targets, and an earlier run's results (the baseline) within a tolerance.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { commandDisplay, outputTail, runGateCommand } from './gate-command.ts';
import { parseJsonSteps } from './json-steps.ts';
import { notJsonHint, readK6Results, type K6Results } from './k6-results.ts';
import { baselineFindings, targetFindings, thresholdFindings } from './performance-judge.ts';
import { readReportFile } from './report-file.ts';
import { repositoryRoots } from './repo-path.ts';
import { performanceConfigSchema, type PerformanceConfig } from './schema/performance.ts';
import { Turns } from './turns.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';
import { jsonSyntaxProblem } from './json-error.ts';

/** k6's exit code when a threshold failed: the report says which. */
const K6_THRESHOLDS_FAILED = 99;
/** Filesystem timestamps are coarse: a report written this long before the command started is still fresh. */
const STALE_SLACK_MS = 2000;

export const performanceGate: Gate<PerformanceConfig> = {
  name: 'performance',
  schema: performanceConfigSchema,
  run: runPerformanceGate,
};

type Loaded = { ok: true; results: K6Results } | { ok: false; notFound: boolean; message: string };

/** Reads and parses one k6 results file; `what` names it in messages. */
async function loadResults(file: string, what: string, ctx: GateContext, turns: Turns): Promise<Loaded> {
  const read = await readReportFile(ctx.cwd, file, repositoryRoots(ctx), what);
  if (!read.ok) return { ok: false, notFound: read.reason === 'not-found', message: read.message };
  let value: unknown;
  try {
    // In steps: a file of many (user-defined, tagged) metrics is parsed without holding the event loop.
    value = await turns.run(parseJsonSteps(read.text));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const hint = notJsonHint(read.text) ?? `it is not JSON (${jsonSyntaxProblem(error, read.text)})`;
    return { ok: false, notFound: false, message: `${what} ${file} cannot be read: ${hint}` };
  }
  const results = readK6Results(value, file);
  return results.ok ? results : { ok: false, notFound: false, message: results.message };
}

function verdict(findings: Finding[], checked: string[]): GateVerdict {
  const errors = findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    return { status: 'block', summary: `${errors[0]!.message.split('\n')[0]!}${more}`, findings };
  }
  const summary = checked.join('; ');
  if (findings.length > 0)
    return { status: 'warn', summary: `${findings[0]!.message}${summary ? `; ${summary}` : ''}`, findings };
  return { status: 'pass', summary, findings };
}

async function runPerformanceGate(config: PerformanceConfig, ctx: GateContext): Promise<GateVerdict> {
  const findings: Finding[] = [];
  const checked: string[] = [];
  let failedExit: { code: number; tail: string; display: string } | undefined;
  let ranAt: number | undefined;

  if (config.command !== undefined) {
    ranAt = Date.now();
    ctx.log(`performance: running ${commandDisplay(config.command)}`);
    const result = await runGateCommand(config.command, ctx, config.env);
    if (!result.ok) {
      const message = `${result.reason}\n${outputTail(result.output, 30)}`.trimEnd();
      return verdict([{ rule: 'performance.command-failed', severity: 'error', message }], []);
    }
    if (result.exitCode !== 0)
      failedExit = { code: result.exitCode, tail: outputTail(result.output, 30), display: result.display };
  }
  const commandFailed = (): Finding[] =>
    failedExit
      ? [
          {
            rule: 'performance.command-failed',
            severity: 'error',
            message: `"${failedExit.display}" exited with code ${failedExit.code}; last output lines:\n${failedExit.tail}`,
          },
        ]
      : [];

  const turns = new Turns(ctx.signal);
  const current = await loadResults(config.report, 'k6 results', ctx, turns);
  if (!current.ok)
    return verdict(
      [
        ...commandFailed(),
        {
          path: config.report,
          rule: 'performance.report-unreadable',
          severity: 'error',
          message: current.message,
        },
      ],
      [],
    );
  if (ranAt !== undefined) {
    // A report left from an earlier run is not this run's: a command that failed before k6 wrote would pass on it.
    const written = (await stat(resolve(ctx.cwd, config.report))).mtimeMs;
    if (written < ranAt - STALE_SLACK_MS)
      return verdict(
        [
          ...commandFailed(),
          {
            path: config.report,
            rule: 'performance.report-stale',
            severity: 'error',
            message: `${config.report} was written ${new Date(written).toISOString()}, before the command ran: the command did not write it (check --summary-export or handleSummary's file name)`,
          },
        ],
        [],
      );
  }

  for (const judged of [
    thresholdFindings(current.results, config.report),
    targetFindings(current.results, config.targets, config.report),
  ]) {
    findings.push(...judged.findings);
    checked.push(...judged.checked);
  }

  if (config.baseline !== undefined) {
    const baseline = await loadResults(config.baseline, 'baseline k6 results', ctx, turns);
    if (baseline.ok) {
      const judged = baselineFindings(
        current.results,
        baseline.results,
        config.baseline,
        config.report,
        config.tolerance,
      );
      findings.push(...judged.findings);
      checked.push(...judged.checked);
    } else if (baseline.notFound) {
      // The first run of a branch has no earlier results: the targets still hold; the missing file is shown.
      findings.push({
        rule: 'performance.baseline-missing',
        severity: 'warning',
        message: `${baseline.message}: not compared with a baseline`,
      });
    } else
      findings.push({
        path: config.baseline,
        rule: 'performance.baseline-unreadable',
        severity: 'error',
        message: baseline.message,
      });
  }

  // k6 exits 99 when a threshold failed, and the findings name it; any other failure is the command's own.
  const thresholdFailed = findings.some((finding) => finding.rule === 'performance.threshold-failed');
  if (failedExit && !(failedExit.code === K6_THRESHOLDS_FAILED && thresholdFailed))
    findings.unshift(...commandFailed());

  const judgedSomething =
    current.results.thresholds.length > 0 ||
    Object.values(config.targets ?? {}).some((value) => value !== undefined) ||
    config.baseline !== undefined;
  if (!judgedSomething)
    findings.push({
      path: config.report,
      rule: 'performance.nothing-checked',
      severity: 'error',
      message: `${config.report} has no k6 thresholds and the gate has no targets or baseline: nothing was checked`,
    });
  return verdict(findings, checked);
}
