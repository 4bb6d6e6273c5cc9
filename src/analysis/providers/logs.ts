// Logs provider (seed 01 phase 4, "Log Analysis"): runs a command that prints one side's log lines for the
// interval (kubectl logs, journalctl, tail of a file), as the command provider runs its command (argv,
// templated, never a shell; timeout, cancellation, output cap, process group: command.ts), and counts:
//   error_lines         the interval's lines `match` finds and no `ignore` pattern does;
//   new_error_patterns  the canary's error patterns (log-patterns.ts signature) seen at least min_count times
//                       in the window so far that the reference never showed: stable's lines in the same
//                       window, and the pre-deploy baseline reading. The reference side itself reports 0.
// The window's bookkeeping lives here, from startWindow to the next; the pure part is log-patterns.ts.
import { withRetries } from '../retry.ts';
import { abortableSleep } from '../../util/sleep.ts';
import {
  addCanary,
  addReference,
  createPatternBook,
  describePatterns,
  heldPatterns,
  holdCanary,
  lineFilter,
  logLines,
  newPatterns,
  signature,
  type LineFilter,
  type PatternBook,
} from '../log-patterns.ts';
import {
  DEFAULT_MATCH,
  DEFAULT_MIN_COUNT,
  LOG_FIELDS,
  MAX_PATTERNS,
  MAX_REFERENCE_CHARS,
  MAX_REFERENCE_PATTERNS,
  type LogField,
} from '../log-config.ts';
import type { LogsProviderConfig } from '../schema.ts';
import type { AnalysisNote, AnalysisNoteCode, MetricValues, ProviderError, Result, Side } from '../types.ts';
import { matchLines } from './log-match.ts';
import { commandArgv, commandRun, runProviderCommand, type CommandDeps } from './command.ts';
import { type MetricProvider, type ProviderRead, type ReadRequest } from './provider.ts';

/** Without a `warn` of the caller's, a warning goes to stderr (the job log). */
const defaultWarn = (message: string) => process.stderr.write(`warning: ${message}\n`);

/**
 * Characters a logs command may print (stdout or stderr) in one read: 10,000 lines of 2 KB with room to
 * spare, and a bound on what one read holds in memory.
 */
export const MAX_LOG_OUTPUT = 32 * 1024 * 1024;

interface Window {
  book: PatternBook;
  /** The warning that the reference is full was given. */
  warnedFull: boolean;
  /** The warning that the canary's book is full was given. */
  warnedCanaryFull: boolean;
  /** The held patterns (log-patterns.ts heldPatterns) already said in a warning. */
  warnedHeld: Set<string>;
  /** The window's note that nothing can be compared with was given (its warning is said once a provider). */
  notedNoReference: boolean;
  /** Reads begun per side in this window: the n-th canary read is paired with the n-th stable read. */
  reads: Record<Side, number>;
  /** Per stable read: settled when its lines are in the book (true) or it failed (false). */
  stable: Map<number, PromiseWithResolvers<boolean>>;
}

export function createLogsProvider(
  name: string,
  config: LogsProviderConfig,
  deps: CommandDeps = {},
): MetricProvider {
  const run = commandRun(
    name,
    config,
    MAX_LOG_OUTPUT,
    'read fewer lines per interval (kubectl logs --tail=10000, journalctl -n 10000, tail -n 10000)',
  );
  const regexes = { match: config.match ?? DEFAULT_MATCH, ignore: config.ignore ?? [] };
  // Compiled once, at the first read, for the provider's life (its match and ignore never change), not again
  // for every read of every side and interval. Shared by reads running at the same time, which is safe: an
  // RE2JS object's `test` keeps nothing from one call to the next that changes an answer (no lastIndex; the
  // machines it borrows go back to its pool before it returns; its DFA's states are a cache, bounded at
  // 8 MiB a regex and cleared when full), and matchLines yields between lines, never inside a `test`.
  let filter: { ok: true; value: LineFilter } | { ok: false; message: string } | undefined;
  const compiled = () => {
    if (!filter)
      try {
        filter = { ok: true, value: lineFilter(regexes.match, regexes.ignore) };
      } catch (error) {
        filter = { ok: false, message: (error as Error).message };
      }
    return filter;
  };
  const minCount = config.min_count ?? DEFAULT_MIN_COUNT;
  /** The signatures of the last baseline reading: the reference of every window after it. */
  let baseline: string[] = [];
  /** A baseline reading succeeded: it is a reference even when it showed no error line. */
  let baselineRead = false;
  let warned = false;
  const fresh = (): Window => ({
    book: createPatternBook(minCount, baseline),
    warnedFull: false,
    warnedCanaryFull: false,
    warnedHeld: new Set(),
    notedNoReference: false,
    reads: { canary: 0, stable: 0 },
    stable: new Map(),
  });
  let window = fresh();

  const stableRead = (w: Window, index: number) => {
    let read = w.stable.get(index);
    if (!read) {
      read = Promise.withResolvers<boolean>();
      w.stable.set(index, read);
    }
    return read;
  };

  /** The requested metrics' values from the counts (null: not known), and an error per unknown field. */
  function valuesOf(
    request: ReadRequest,
    counts: Partial<Record<LogField, number | null>>,
  ): { values: MetricValues; errors: ProviderError[] } {
    const values: MetricValues = {};
    const errors: ProviderError[] = [];
    for (const { name: metric, config: m } of request.metrics) {
      const field = m.field ?? metric;
      values[metric] = (LOG_FIELDS as readonly string[]).includes(field)
        ? (counts[field as LogField] ?? null)
        : null;
      if (!(LOG_FIELDS as readonly string[]).includes(field))
        errors.push({
          provider: name,
          code: 'query-error',
          message: `${metric}: the logs provider counts ${LOG_FIELDS.join(', ')}; not ${JSON.stringify(field)}${m.field ? ' (its field)' : ' (give field: one of them)'}`,
        });
    }
    return { values, errors };
  }

  async function errorSignatures(request: ReadRequest): Promise<Result<string[]>> {
    let argv: ReturnType<typeof commandArgv>;
    try {
      argv = commandArgv(config.run, request.vars);
    } catch (error) {
      return { ok: false, error: { provider: name, code: 'template', message: (error as Error).message } };
    }
    const stdout = await withRetries(
      () => runProviderCommand(run, argv, request),
      {
        retries: config.retries ?? 2,
        backoffMs: config.backoff ?? 500,
        sleep: deps.sleep ?? abortableSleep,
      },
      request.signal,
    );
    if (!stdout.ok) return stdout;
    const lines = logLines(stdout.value);
    const compiledFilter = lines.length ? compiled() : undefined;
    // The config check compiles them first: only a provider made in code can get here.
    if (compiledFilter && !compiledFilter.ok)
      return {
        ok: false,
        error: {
          provider: name,
          code: 'query-error',
          message: `a regex of match or ignore: ${compiledFilter.message}`,
        },
      };
    // Not retried: the same lines would take as long again.
    const matched = await matchLines(lines, compiledFilter?.value ?? regexes, {
      timeoutMs: run.timeoutMs,
      signal: request.signal,
    });
    if (!matched.ok)
      return {
        ok: false,
        error: {
          provider: name,
          code: matched.code === 'crash' ? 'query-error' : matched.code,
          message: matched.message,
        },
      };
    return { ok: true, value: matched.lines.map(signature) };
  }

  const failed = (request: ReadRequest, error: ProviderError): ProviderRead => {
    const { values, errors } = valuesOf(request, {});
    return { values, errors: [error, ...errors] };
  };

  return {
    name,
    startWindow() {
      window = fresh();
    },
    async read(request: ReadRequest): Promise<ProviderRead> {
      if (request.baseline) {
        const read = await errorSignatures(request);
        if (!read.ok) return failed(request, read.error);
        baseline = [...new Set(read.value)];
        baselineRead = true;
        addReference(window.book, read.value);
        return valuesOf(request, { error_lines: read.value.length, new_error_patterns: 0 });
      }
      // The window this read belongs to, even if another begins while it runs.
      const w = window;
      const index = w.reads[request.side]++;
      if (request.side === 'stable') {
        const settled = stableRead(w, index);
        let read: Result<string[]> | undefined;
        try {
          read = await errorSignatures(request);
          if (read.ok) addReference(w.book, read.value);
        } finally {
          settled.resolve(read?.ok === true);
        }
        if (!read.ok) return failed(request, read.error);
        return valuesOf(request, { error_lines: read.value.length, new_error_patterns: 0 });
      }
      const read = await errorSignatures(request);
      if (!read.ok) return failed(request, read.error);
      const withStable = request.sides?.includes('stable') === true;
      const judged = request.metrics.some((m) => (m.config.field ?? m.name) === 'new_error_patterns');
      const notes: AnalysisNote[] = [];
      /** Said in the job log as before, and kept with the interval as a note (provider.ts ProviderRead.notes). */
      const say = (code: AnalysisNoteCode, message: string, log = true) => {
        notes.push({ provider: name, code, message });
        if (log) (deps.warn ?? defaultWarn)(`${name}: ${message}`);
      };
      const noted = (out: ProviderRead): ProviderRead => (notes.length ? { ...out, notes } : out);
      // Nothing to compare with (a first deploy: no stable side, no baseline read): no pattern is new, said
      // once. Not no data: that would roll back a first deploy once max_no_data passed.
      if (!withStable && !baselineRead) {
        addCanary(w.book, read.value);
        // Said in the log once a provider (it is the same every window), noted in every window it applies to.
        if (judged && !w.notedNoReference) {
          w.notedNoReference = true;
          say(
            'logs-no-reference',
            'no stable version serves beside the canary and no pre-deploy baseline was read, so no error pattern can be new (new_error_patterns is 0; error_lines is still counted)',
            !warned,
          );
          warned = true;
        }
        return noted(valuesOf(request, { error_lines: read.value.length, new_error_patterns: 0 }));
      }
      // Stable's lines of the same interval are part of the reference before the canary's are judged new.
      let referenced = true;
      if (withStable) {
        const { signal } = request;
        let stop: (() => void) | undefined;
        const aborted = new Promise<boolean>((resolve) => {
          stop = () => resolve(false);
          if (signal.aborted) stop();
          else signal.addEventListener('abort', stop, { once: true });
        });
        referenced = await Promise.race([stableRead(w, index).promise, aborted]);
        signal.removeEventListener('abort', stop!);
        w.stable.delete(index);
      }
      // Counted once stable's lines of the interval are in the reference: those it shows too take no place
      // in the book (log-patterns.ts addCanary).
      addCanary(w.book, read.value);
      // Without stable's lines of this interval, nothing can be said new: no data, not a guess. And what the
      // canary logged in it stays unjudged for the window: stable may have logged it then (log-patterns.ts
      // holdCanary).
      if (!referenced) holdCanary(w.book, read.value);
      const patterns = referenced ? newPatterns(w.book) : undefined;
      if (w.book.referenceFull && !w.warnedFull && judged) {
        w.warnedFull = true;
        say(
          'logs-reference-full',
          `the reference (stable's error lines in this window and the pre-deploy baseline) showed more than ${MAX_REFERENCE_PATTERNS} distinct error patterns or ${MAX_REFERENCE_CHARS / (1024 * 1024)} MiB of them, so not all are kept and no canary pattern is judged new for the rest of the window (new_error_patterns is 0; error_lines is still counted). Leave the noisy errors out with ignore`,
        );
      }
      // Held patterns reaching min_count: not counted (no false rollback for an outage both sides logged),
      // but said, each once a window, so a real new error the hold keeps from the count is still seen.
      const held =
        referenced && judged ? heldPatterns(w.book).filter((p) => !w.warnedHeld.has(p.signature)) : [];
      if (held.length) {
        for (const p of held) w.warnedHeld.add(p.signature);
        const them = held.length === 1 ? 'it' : 'them';
        say(
          'logs-held-pattern',
          `${describePatterns(held, 'error pattern')} not judged new in this window: the canary logged ${them} in an interval whose stable lines could not be read, and stable may have logged ${them} then (new_error_patterns does not count ${them}; the next window judges ${them} anew)`,
        );
      }
      if (w.book.canaryFull && !w.warnedCanaryFull && judged) {
        w.warnedCanaryFull = true;
        say(
          'logs-canary-book-full',
          `the canary logged more than ${MAX_PATTERNS} distinct error patterns in this window; one it first logs after that is not counted, so new_error_patterns may miss it for the rest of the window (error_lines is still counted). Leave the noisy errors out with ignore`,
        );
      }
      const out = noted(
        valuesOf(request, {
          error_lines: read.value.length,
          new_error_patterns: patterns ? patterns.length : null,
        }),
      );
      if (!patterns?.length) return out;
      const text = describePatterns(patterns);
      const evidence: Record<string, string> = {};
      for (const { name: metric, config: m } of request.metrics)
        if ((m.field ?? metric) === 'new_error_patterns') evidence[metric] = text;
      return { ...out, evidence };
    },
  };
}
