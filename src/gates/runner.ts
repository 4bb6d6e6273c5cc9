// Runs the configured gates in parallel and folds their verdicts into one report (DESIGN.md §3).
// Every way a gate can fail to decide (throw, hang, bad verdict, cancellation) becomes a block here, so a
// broken gate can never let a deployment through.
import pLimit from 'p-limit';
import { formatDuration } from '../config/duration.ts';
import { textOf } from '../util/text-of.ts';
import { stoppedByOf, stoppedPhrase } from '../util/internal-error-stop.ts';
import { GateStop } from './gate-stop.ts';
import type { Finding, Gate, GateContext, GateResult, GateStatus, GateVerdict } from './types.ts';

export const GATES_REPORT_SCHEMA = 1;

export interface GateEntry {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- entries mix gates with different configs
  gate: Gate<any>;
  /** The gate's section, already validated by `gate.schema` (the runner passes it through unchanged). */
  config: unknown;
  required: boolean;
  /** 0 (or less) for no time limit. */
  timeoutMs: number;
}

export type OverallStatus = 'PASS' | 'WARN' | 'BLOCK';

export interface GatesReport {
  schema: typeof GATES_REPORT_SCHEMA;
  status: OverallStatus;
  /** One line per gate that did not pass ("name: summary"), blocks first. Empty on PASS. */
  reasons: string[];
  /** In the order of the entries, whatever the completion order. */
  gates: GateResult[];
  wallMs: number;
  sumMs: number;
}

export interface RunGatesOptions {
  concurrency: number;
  signal?: AbortSignal;
  /**
   * How long a gate stopped by a timeout or a cancellation is given to clean up after itself (a test database
   * to drop, a child to reap) before the run goes on without it. Default CLEANUP_GRACE_MS.
   */
  cleanupGraceMs?: number;
  onStart?(name: string): void;
  onResult?(result: GateResult): void;
}

/**
 * Short of the 7.5 s between the runner's SIGINT and its SIGTERM, with room left for the report and record that
 * follow: a gate that honours its signal has long finished its cleanup by then.
 */
export const CLEANUP_GRACE_MS = 2_000;

export async function runGates(
  entries: GateEntry[],
  ctx: Omit<GateContext, 'signal'>,
  opts: RunGatesOptions,
): Promise<GatesReport> {
  const names = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw new Error(`gate "${entry.name}" is listed twice`);
    names.add(entry.name);
  }
  const started = performance.now();
  const limit = pLimit(Math.max(1, Math.floor(opts.concurrency) || 1));
  const gates = await Promise.all(
    entries.map((entry) =>
      limit(async () => {
        const result = await runOne(entry, ctx, opts);
        opts.onResult?.(result);
        return result;
      }),
    ),
  );
  const wallMs = performance.now() - started;
  const sumMs = gates.reduce((sum, gate) => sum + gate.durationMs, 0);
  return { schema: GATES_REPORT_SCHEMA, ...overallStatus(gates), gates, wallMs, sumMs };
}

/** Any block → BLOCK; else any warn → WARN; else PASS. Pure. */
export function overallStatus(gates: GateResult[]): { status: OverallStatus; reasons: string[] } {
  const blocks = gates.filter((gate) => gate.status === 'block');
  const warns = gates.filter((gate) => gate.status === 'warn');
  const reasons = [...blocks, ...warns].map((gate) => `${gate.name}: ${gate.summary}`);
  const status: OverallStatus = blocks.length > 0 ? 'BLOCK' : warns.length > 0 ? 'WARN' : 'PASS';
  return { status, reasons };
}

async function runOne(
  entry: GateEntry,
  ctx: Omit<GateContext, 'signal'>,
  opts: RunGatesOptions,
): Promise<GateResult> {
  const started = performance.now();
  const finish = (verdict: GateVerdict): GateResult =>
    applyRequired(entry, verdict, performance.now() - started);

  if (opts.signal?.aborted) {
    return finish(
      blockVerdict(`${stoppedPhrase(opts.signal)} before it started (${abortReason(opts.signal)})`),
    );
  }
  opts.onStart?.(entry.name);

  const controller = new AbortController();
  let settle: (verdict: GateVerdict) => void = () => {};
  const stopped = new Promise<GateVerdict>((resolve) => (settle = resolve));
  const timedOut = () => {
    const message = `timed out after ${formatDuration(entry.timeoutMs)}`;
    controller.abort(new GateStop('timeout', message));
    return blockVerdict(message);
  };
  const timer = entry.timeoutMs > 0 ? setTimeout(() => settle(timedOut()), entry.timeoutMs) : undefined;
  const onCancel = () => {
    // Which stop it was (the job's cancellation, or an internal error's) is the signal's reason's to say.
    const message = `${stoppedPhrase(opts.signal)} (${abortReason(opts.signal!)})`;
    controller.abort(
      new GateStop(stoppedByOf(opts.signal) === undefined ? 'cancelled' : 'internal_error', message),
    );
    settle(blockVerdict(message));
  };
  opts.signal?.addEventListener('abort', onCancel, { once: true });

  const running = (async () => {
    try {
      return checkVerdict(await entry.gate.run(entry.config, { ...ctx, signal: controller.signal }));
    } catch (error) {
      if (controller.signal.aborted) return blockVerdict(String((controller.signal.reason as Error).message));
      return blockVerdict(`the gate crashed: ${errorMessage(error)}`);
    }
  })();
  try {
    // A gate that ignores its signal still loses the race: the deployment does not wait for it.
    const verdict = await Promise.race([running, stopped]);
    // Stopped, it is told so by its signal: give it a moment to undo what it made (the migrations gate's test
    // database was left on the server when the run went on to exit at once), never more than the grace.
    if (controller.signal.aborted) await settledWithin(running, opts.cleanupGraceMs ?? CLEANUP_GRACE_MS);
    // A gate computing on the main thread keeps the timer from firing; when it decides after its deadline,
    // that verdict is late all the same: the timeout holds for every gate, whatever it did with the thread.
    const late = entry.timeoutMs > 0 && performance.now() - started > entry.timeoutMs;
    return finish(late && !opts.signal?.aborted ? timedOut() : verdict);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCancel);
  }
}

/** Waits for `work` to settle, at most `ms`. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms)))),
  ]);
  clearTimeout(timer);
}

function applyRequired(entry: GateEntry, verdict: GateVerdict, durationMs: number): GateResult {
  const downgraded = !entry.required && verdict.status === 'block';
  return {
    name: entry.name,
    required: entry.required,
    durationMs,
    status: downgraded ? 'warn' : verdict.status,
    summary: downgraded ? `${verdict.summary} (advisory: not blocking)` : verdict.summary,
    findings: verdict.findings,
  };
}

const STATUSES: ReadonlySet<GateStatus> = new Set(['pass', 'warn', 'block']);

/** A gate's own bug (no verdict, unknown status) must block, not pass. */
function checkVerdict(verdict: unknown): GateVerdict {
  const candidate = verdict as Partial<GateVerdict> | undefined;
  if (!candidate || !STATUSES.has(candidate.status as GateStatus)) {
    return blockVerdict(`the gate returned no valid verdict (status ${JSON.stringify(candidate?.status)})`);
  }
  return {
    status: candidate.status!,
    summary: oneLine(typeof candidate.summary === 'string' ? candidate.summary : ''),
    findings: Array.isArray(candidate.findings) ? candidate.findings.map(cleanFinding) : [],
  };
}

/** A summary quotes reports (a suite name, a field's value): one line wherever it goes, of a readable length. */
const MAX_SUMMARY = 2000;
function oneLine(text: string): string {
  const line = text.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ');
  if (line.length <= MAX_SUMMARY) return line;
  // Never half a surrogate pair (an emoji): a lone surrogate is invalid text to GitHub's check runs.
  const end = /[\uD800-\uDBFF]/.test(line.charAt(MAX_SUMMARY - 2)) ? MAX_SUMMARY - 2 : MAX_SUMMARY - 1;
  return `${line.slice(0, end)}…`;
}

const SEVERITIES: ReadonlySet<Finding['severity']> = new Set(['error', 'warning', 'notice']);
// Control characters (a NUL, a line break) in a file name come from a report, not from a repository.
const CONTROL = /\p{Cc}/u;
// A URI with a scheme and an authority (https://host/..., s3://bucket/...): a place elsewhere, such as a SARIF
// result at a web address. A file name may hold a colon (src/a:b.js, c:x), never "scheme://".
const ELSEWHERE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * A finding as a check run annotation can take it, whatever report it came from: a repository-relative path
 * (an absolute one, `../`, a control character name no file of the checkout) and positive whole line and
 * column numbers. A path that is not one is moved into the message, so nothing is lost. Pure.
 */
export function cleanFinding(finding: Finding): Finding {
  const raw = (finding ?? {}) as Partial<Record<keyof Finding, unknown>>;
  const severity = SEVERITIES.has(raw.severity as Finding['severity'])
    ? (raw.severity as Finding['severity'])
    : 'error';
  const clean: Finding = {
    rule: printable(textOf(raw.rule ?? 'unknown'), false),
    message: printable(textOf(raw.message ?? ''), true),
    severity,
  };
  const line = position(raw.line);
  const path = typeof raw.path === 'string' ? repositoryPath(raw.path) : undefined;
  if (path !== undefined) {
    clean.path = path;
    if (line !== undefined) {
      clean.line = line;
      const endLine = position(raw.endLine);
      if (endLine !== undefined && endLine >= line) clean.endLine = endLine;
      const column = position(raw.column);
      if (column !== undefined) clean.column = column;
    }
  } else if (raw.path !== undefined && raw.path !== '') {
    const where = `${printable(JSON.stringify(textOf(raw.path)).slice(0, 300), false)}${line !== undefined ? `:${line}` : ''}`;
    clean.message = `${clean.message} (at ${where}, not a file of the repository)`;
  }
  return clean;
}

/**
 * A finding's text with its control characters as escapes (`\u001b`): a report's bytes (an escape sequence
 * in a test's name, a C1 byte in a mangled file) otherwise reach the gates report raw, and a terminal that
 * shows it (`jq -r`) runs them. A message keeps its line breaks (a command's output is several lines; a CR
 * ends one as CRLF does) and tabs; a rule id keeps neither.
 */
function printable(text: string, lines: boolean): string {
  const kept = lines ? text.replace(/\r\n?/g, '\n') : text;
  return kept.replace(
    lines ? /[^\P{Cc}\n\t]/gu : /\p{Cc}/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function repositoryPath(path: string): string | undefined {
  const relative = path.replace(/^(?:\.\/)+/, '');
  if (relative === '' || CONTROL.test(relative) || ELSEWHERE.test(relative) || relative.length > 4096)
    return undefined;
  if (relative.startsWith('/') || relative.startsWith('\\') || /^[A-Za-z]:[/\\]/.test(relative))
    return undefined;
  if (relative.split(/[/\\]/).includes('..')) return undefined;
  return relative;
}

function position(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

function blockVerdict(summary: string): GateVerdict {
  return { status: 'block', summary, findings: [] };
}

function abortReason(signal: AbortSignal): string {
  const reason = signal.reason as unknown;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
