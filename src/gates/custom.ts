// The custom gate: your own checks, each a command whose exit code decides. They run at once; a check that
// fails blocks (or warns with `on_failure: warn`), and one that cannot give an answer (not found, timed out,
// killed, too much output) blocks whatever `on_failure` says: a check that did not run is no pass.
import { outputTail, runGateCommand, type GateCommandResult } from './gate-command.ts';
import { customConfigSchema, type CustomCheck, type CustomConfig } from './schema/custom.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';

/** What one check came to; `tail` is its output's last lines, secrets redacted. */
export type CheckOutcome =
  | { name: string; kind: 'passed' }
  | { name: string; kind: 'failed'; exitCode: number; onFailure: 'block' | 'warn'; tail: string }
  | { name: string; kind: 'no-answer'; reason: string; tail: string };

const TAIL_LINES = 10;

/**
 * The bytes of output a check may print: only its last lines are kept, and the checks run at once (up to 50),
 * so the gates' 256 MiB a command (MAX_GATE_OUTPUT, for reports that are parsed) would let one gate hold tens
 * of gigabytes. Past it, the check is stopped and gives no answer.
 */
export const CUSTOM_CHECK_MAX_OUTPUT = 4 * 1024 * 1024;

/** Pure: the gate's verdict from its checks' outcomes, in the config's order. */
export function customVerdict(outcomes: CheckOutcome[]): GateVerdict {
  const findings: Finding[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind === 'passed') continue;
    const said = outcome.tail ? `:\n${outcome.tail}` : ' (no output)';
    findings.push(
      outcome.kind === 'failed'
        ? {
            rule: `custom.${outcome.name}`,
            severity: outcome.onFailure === 'block' ? 'error' : 'warning',
            message: `check "${outcome.name}" failed (exit code ${outcome.exitCode})${said}`,
          }
        : {
            rule: `custom.${outcome.name}`,
            severity: 'error',
            message: `check "${outcome.name}" gave no answer: ${outcome.reason}${outcome.tail ? `\n${outcome.tail}` : ''}`,
          },
    );
  }
  const blocking = findings.filter((f) => f.severity === 'error');
  const passed = outcomes.filter((o) => o.kind === 'passed').length;
  const named = (list: Finding[]) => list.map((f) => f.rule.slice('custom.'.length)).join(', ');
  if (blocking.length > 0)
    return {
      status: 'block',
      summary: `${blocking.length} of ${outcomes.length} check(s) failed or gave no answer: ${named(blocking)}`,
      findings,
    };
  if (findings.length > 0)
    return {
      status: 'warn',
      summary: `${findings.length} of ${outcomes.length} check(s) failed (warn): ${named(findings)}`,
      findings,
    };
  return { status: 'pass', summary: `${passed} check(s) passed`, findings };
}

/** One check's command under its own time limit (within the gate's), as an outcome. */
export async function runCheck(check: CustomCheck, ctx: GateContext): Promise<CheckOutcome> {
  const own = check.timeout ? AbortSignal.timeout(check.timeout) : undefined;
  const signal = own ? AbortSignal.any([ctx.signal, own]) : ctx.signal;
  const result: GateCommandResult = await runGateCommand(
    check.run,
    { ...ctx, signal },
    check.env ?? {},
    CUSTOM_CHECK_MAX_OUTPUT,
  );
  const tail = outputTail(result.output, TAIL_LINES);
  if (!result.ok) {
    const reason =
      own?.aborted && !ctx.signal.aborted
        ? `"${result.display}" did not exit within its timeout and was stopped`
        : result.reason;
    return { name: check.name, kind: 'no-answer', reason, tail };
  }
  if (result.exitCode === 0) return { name: check.name, kind: 'passed' };
  return {
    name: check.name,
    kind: 'failed',
    exitCode: result.exitCode,
    onFailure: check.on_failure ?? 'block',
    tail,
  };
}

export const customGate: Gate<CustomConfig> = {
  name: 'custom',
  schema: customConfigSchema,
  async run(config, ctx) {
    const outcomes = await Promise.all(
      config.checks.map(async (check) => {
        ctx.log(`custom: ${check.name}`);
        return runCheck(check, ctx);
      }),
    );
    return customVerdict(outcomes);
  },
};
