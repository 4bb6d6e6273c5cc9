// Command provider: runs a program (argv, never a shell) that prints one JSON object {"metric": number|null}.
// Templated arguments are substituted inside each argv element, so a value is always one argument.
// It runs in a process group of its own: a timeout or cancellation stops everything it started, and a
// process it left in the background holding its output does not keep the analysis (or a rollback) waiting
// (util/process-group.ts).
import type { Readable } from 'node:stream';
import { commandEnv } from '../../util/child-env.ts';
import { oneLine } from '../../config/shown.ts';
import { nestedDeeperThan } from '../../util/json-depth.ts';
import { splitCommand } from '../../targets/command-line.ts';
import { envNameFor, renderArgvCommand } from '../../targets/shell-script.ts';
import { render, TemplateError } from '../../targets/template.ts';
import { withRetries, type Sleep } from '../retry.ts';
import { OWN_GROUP, watchGroup } from '../../util/process-group.ts';
import { processStopClause } from '../../util/command-stop.ts';
import { stoppedPhrase } from '../../util/internal-error-stop.ts';
import { abortableSleep } from '../../util/sleep.ts';
import { ownSecretsHider } from './own-secrets.ts';
import type { CommandProviderConfig } from '../schema.ts';
import type { ProviderError, Result } from '../types.ts';
import { pickFields, type MetricProvider, type ProviderRead, type ReadRequest } from './provider.ts';

export interface CommandDeps {
  sleep?: Sleep;
  /** Where a warning goes (the job log); once per provider for keys of its output no metric reads. */
  warn?: (message: string) => void;
}

/** At most `max` characters of the command's own text, for a message. */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The keys of the top-level object of a JSON text that JSON.parse has read, in order, as written (each
 * unescaped), so a key written twice can be found: JSON.parse keeps the last value without a word. Keys of
 * nested objects (inside a value no metric reads) are not the object's own.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1) {
        let k = j + 1;
        while (/\s/.test(text[k] ?? '')) k++;
        if (text[k] === ':') keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      }
      i = j;
    }
  }
  return keys;
}

/**
 * A value nested deeper than this is described, not written out: JSON.stringify recurses, and thousands of
 * levels overflow the stack (util/json-depth.ts). What a message shows of it is 80 characters anyway.
 */
const MAX_SHOWN_DEPTH = 32;

export interface ParsedMetrics {
  ok: true;
  /** The numbers (and nulls) of the output; with `asked`, also of the keys no metric reads. */
  value: Record<string, number | null>;
  /** Keys no metric reads whose values are not numbers (a note, a label): left out, not refused. */
  ignored?: string[];
}

/**
 * Parses the command's stdout. Non-finite numbers and null are "no data". A byte order mark (PowerShell and
 * some editors write one) is not part of the JSON; a key written twice is refused, since which of its values
 * is meant cannot be known (JSON.parse would keep the last one without a word). With `asked` (the keys the
 * metrics read), a value that is not a number under any other key (`"note": "ok"`, a nested object) is
 * left out and named in `ignored`: the output may say more than the metrics read. A key that is asked keeps
 * the strict rule (a number or null; `"0.5"` is refused, never read as no data).
 */
export function parseMetricsJson(
  provider: string,
  stdout: string,
  asked?: ReadonlySet<string>,
): ParsedMetrics | { ok: false; error: ProviderError } {
  const text = stdout.replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = parseJsonAllowingNonFinite(text);
  } catch (error) {
    const head = text.trim().slice(0, 80);
    return {
      ok: false,
      error: {
        provider,
        code: 'bad-json',
        message: head
          ? `stdout is not one JSON object (${oneLine((error as Error).message)}): "${oneLine(head)}"`
          : 'stdout is empty: a metrics command prints one JSON object {"metric": number | null}',
      },
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return {
      ok: false,
      error: {
        provider,
        code: 'bad-json',
        message: 'stdout must be a JSON object {"metric": number | null}',
      },
    };
  const values: Record<string, number | null> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== null && typeof value !== 'number') {
      if (asked && !asked.has(key)) {
        ignored.push(key);
        continue;
      }
      return {
        ok: false,
        error: {
          provider,
          code: 'bad-json',
          message: `"${clip(oneLine(key), 80)}" is ${nestedDeeperThan(value, MAX_SHOWN_DEPTH) ? `a ${Array.isArray(value) ? 'list' : 'mapping'} nested more than ${MAX_SHOWN_DEPTH} levels deep` : clip(oneLine(JSON.stringify(value)), 80)}; values must be numbers or null`,
        },
      };
    }
    // Defined, not assigned: JSON.parse gives "__proto__" as a key of its own, and an assignment would set
    // the prototype, losing the value that a metric's `field: __proto__` reads.
    Object.defineProperty(values, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const seen = new Set<string>();
  for (const key of topLevelKeys(text)) {
    if (seen.has(key))
      return {
        ok: false,
        error: {
          provider,
          code: 'bad-json',
          message: `"${clip(oneLine(key), 80)}" is written twice: each metric once`,
        },
      };
    seen.add(key);
  }
  return ignored.length ? { ok: true, value: values, ignored } : { ok: true, value: values };
}

/** A JSON string literal, to leave alone when looking for the words below. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;
/** Python's json.dumps writes a NaN or an infinite float as these bare words (allow_nan, its default). */
const NON_FINITE_WORD = /(?<![\w.$])(?:-?Infinity|NaN)(?![\w.$])/g;

/**
 * JSON.parse, reading NaN, Infinity and -Infinity written as bare words (Python's json.dumps of a float
 * that is not finite) as null, no data, as Prometheus' NaN is: a script's `{"p95": NaN}` is not a broken
 * answer. Words inside strings are left alone.
 */
function parseJsonAllowingNonFinite(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    let replaced = false;
    let out = '';
    let last = 0;
    const bare = (segment: string) =>
      segment.replace(NON_FINITE_WORD, () => {
        replaced = true;
        return 'null';
      });
    for (const match of text.matchAll(JSON_STRING)) {
      out += bare(text.slice(last, match.index)) + match[0];
      last = match.index + match[0].length;
    }
    out += bare(text.slice(last));
    if (!replaced) throw error;
    try {
      return JSON.parse(out);
    } catch {
      throw error;
    }
  }
}

/** Without a `warn` of the caller's, a warning goes to stderr (the job log). */
const defaultWarn = (message: string) => process.stderr.write(`warning: ${message}\n`);

/** Characters a metrics command may print (stdout or stderr): its answer is one small JSON object. */
export const MAX_METRICS_OUTPUT = 16 * 1024 * 1024;

/** The argv of a provider's `run` for one read, and the DEPLOY_* variables a shell it is reads (shell-script.ts). */
export function commandArgv(
  run: CommandProviderConfig['run'],
  vars: ReadRequest['vars'],
): { argv: string[]; env: Record<string, string> } {
  let argv: string[];
  if (typeof run === 'string') {
    const split = splitCommand(run);
    if (!split.ok) throw new TemplateError(split.message);
    argv = split.argv;
  } else argv = run;
  return renderArgvCommand(argv, vars, (arg) => render(arg, vars));
}

/** What a provider running a command (metrics, logs) says of it. */
export interface CommandRun {
  /** The provider's name, for its errors. */
  provider: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs: number;
  /** Characters the command may print (stdout or stderr) before it is stopped. */
  maxOutput: number;
  /** Why so much output is wrong, said after "printed more than N characters and was stopped". */
  tooMuch: string;
  /**
   * The config's `env` values masked in the errors given: a command's stderr or stdout, quoted in them, may
   * echo the credential it was given (`echo "denied for $API_TOKEN" >&2`).
   */
  hideSecrets: ReturnType<typeof ownSecretsHider>;
}

/** How a provider's command runs: where, with what, for how long (its config's), printing how much (its own). */
export function commandRun(
  provider: string,
  config: { cwd?: string; env?: Record<string, string>; timeout?: number },
  maxOutput: number,
  tooMuch: string,
): CommandRun {
  return {
    provider,
    cwd: config.cwd,
    env: config.env,
    timeoutMs: config.timeout ?? 10_000,
    maxOutput,
    tooMuch,
    hideSecrets: ownSecretsHider(Object.values(config.env ?? {})),
  };
}

/** A command's output stream read as text, at most `max` characters of it kept. */
interface Collected {
  /** More than `max` characters came: the rest was not read. */
  readonly over: boolean;
  text(): string;
}

/**
 * Reads `stream` (UTF-8, a character split across chunks kept whole) into chunks, up to `max` characters.
 * Past it the stream is destroyed (nothing more is read or kept) and `onOver` is called once.
 */
function collect(stream: Readable | null, max: number, onOver: () => void): Collected {
  const chunks: string[] = [];
  let length = 0;
  let over = false;
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    if (over) return;
    length += chunk.length;
    if (length > max) {
      over = true;
      chunks.length = 0;
      stream.destroy();
      onOver();
      return;
    }
    chunks.push(chunk);
  });
  // A stream destroyed (over, or by process-group.ts once the command exited) is not an error of the read.
  stream?.on('error', () => {});
  return {
    get over() {
      return over;
    },
    text: () => chunks.join(''),
  };
}

/**
 * Why a command could not be started, by its spawn error's code. Not execa's message: it quotes the whole
 * command line, whose arguments may hold a credential written in the config, over two lines.
 */
function notStarted(code: unknown): string {
  if (code === 'ENOENT')
    return 'could not be started (ENOENT: not found; give its path, or check cwd and PATH)';
  if (code === 'EACCES') return 'could not be started (EACCES: not an executable file, or not permitted)';
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)
    ? `could not be started (${code})`
    : 'could not be started';
}

/**
 * Runs a provider's command once, without a shell, in a process group of its own (util/process-group.ts):
 * a timeout, a cancellation or output past `maxOutput` stops everything it started. Its stdout, or the
 * typed error of a command that did not finish well.
 */
export async function runProviderCommand(
  run: CommandRun,
  { argv, env }: { argv: string[]; env: Record<string, string> },
  request: ReadRequest,
): Promise<Result<string>> {
  const { provider: name, timeoutMs } = run;
  const [file, ...args] = argv;
  // Loaded on first use: execa's ~130 modules cost ~0.15 s of CPU at the start of every command that runs none.
  const { execa } = await import('execa');
  const subprocess = execa(file!, args, {
    ...OWN_GROUP,
    reject: false,
    cwd: run.cwd,
    // Every value as its DEPLOY_* variable, as for target commands: where a template is refused (code an
    // interpreter runs), the message names that variable as the safe way to read the value.
    // Not what the runner gives the action alone (its inputs, the runtime's token): util/child-env.ts.
    extendEnv: false,
    env: commandEnv({
      ...run.env,
      ...Object.fromEntries(
        Object.entries(request.vars).flatMap(([name, value]) =>
          value === undefined ? [] : [[envNameFor(name), value]],
        ),
      ),
      DEPLOY_SIDE: request.side,
      DEPLOY_VERSION: request.vars.version ?? '',
      // The instant the interval's reads describe (its end), in whole unix seconds: a command asking a
      // metrics API with a time of its own asks for the one the Prometheus queries beside it are read at.
      ...(request.at === undefined ? {} : { DEPLOY_READ_AT: String(Math.floor(request.at / 1000)) }),
      ...env,
    }),
    stdin: 'ignore',
    // Read here (collect), not by execa: a command that failed or was stopped gets an error whose message
    // execa writes with all of its output, escaped line by line, several copies of up to maxOutput
    // characters per stream (about 450 MB at its peak for a logs command flooding past 32 MiB, three reads
    // of that at once past 1 GB): the heap's end, a crash, where a provider error was due.
    buffer: false,
  });
  // A read starts no service: what it left holding its output would pile up, two each interval.
  const group = watchGroup(subprocess, { timeoutMs, signal: request.signal, endLeftovers: true });
  // Past maxOutput the command is stopped with all it started, not left to run on until its timeout.
  const stdout = collect(subprocess.stdout, run.maxOutput, () => group.stop('output'));
  const stderr = collect(subprocess.stderr, run.maxOutput, () => group.stop('output'));
  const result = await subprocess;
  // A program that could not start never exits.
  group.release();
  const fail = (code: ProviderError['code'], message: string): Result<never> => ({
    ok: false,
    error: run.hideSecrets([{ provider: name, code, message }])[0]!,
  });
  // Stopped: said by which stop it was (as every command says it), not by the "killed with SIGTERM" it got.
  const processStop = processStopClause(group.stopped);
  if (processStop !== undefined) return fail('aborted', `${file} was stopped unfinished: ${processStop}`);
  if (group.stopped === 'cancelled') return fail('aborted', stoppedPhrase(request.signal));
  if (group.stopped === 'timeout') return fail('timeout', `${file} did not finish within ${timeoutMs}ms`);
  if (group.stopped === 'output' || stdout.over || stderr.over)
    return fail(
      'command-failed',
      `${file} printed more than ${run.maxOutput} characters and was stopped: ${run.tooMuch}`,
    );
  if (result.failed) {
    const lastLines = stderr
      .text()
      .trim()
      .split('\n')
      .slice(-3)
      .map((line) => clip(line))
      .join(' | ');
    const what =
      result.exitCode !== undefined
        ? `exited with ${result.exitCode}`
        : result.signal
          ? `was killed by ${result.signal}`
          : notStarted((result as { code?: unknown }).code);
    return fail('command-failed', `${file} ${what}${lastLines ? `: ${lastLines}` : ''}`);
  }
  return { ok: true, value: stdout.text() };
}

export function createCommandProvider(
  name: string,
  config: CommandProviderConfig,
  deps: CommandDeps = {},
): MetricProvider {
  const run = commandRun(
    name,
    config,
    MAX_METRICS_OUTPUT,
    'a metrics command prints one JSON object of numbers',
  );

  async function runOnce(
    argv: ReturnType<typeof commandArgv>,
    request: ReadRequest,
  ): Promise<Result<ParsedMetrics>> {
    const stdout = await runProviderCommand(run, argv, request);
    if (!stdout.ok) return stdout;
    const parsed = parseMetricsJson(
      name,
      stdout.value,
      new Set(request.metrics.map((m) => m.config.field ?? m.name)),
    );
    return parsed.ok ? { ok: true, value: parsed } : parsed;
  }

  let warned = false;

  return {
    name,
    async read(request: ReadRequest): Promise<ProviderRead> {
      let argv: ReturnType<typeof commandArgv>;
      try {
        argv = commandArgv(config.run, request.vars);
      } catch (error) {
        return {
          values: pickFields(request.metrics, null),
          errors: [{ provider: name, code: 'template', message: (error as Error).message }],
        };
      }
      const result = await withRetries(
        () => runOnce(argv, request),
        {
          retries: config.retries ?? 2,
          backoffMs: config.backoff ?? 500,
          sleep: deps.sleep ?? abortableSleep,
        },
        request.signal,
      );
      // A parse error quotes the start of stdout, which may echo a credential as stderr may.
      if (!result.ok)
        return { values: pickFields(request.metrics, null), errors: run.hideSecrets([result.error]) };
      // No data is written as null. A key the output lacks is most often a misspelt field ("mem_ratio" for
      // "memory_ratio"): no data in every interval, ending in a no-data rollback that named no cause.
      const output = result.value.value;
      const ignored = result.value.ignored;
      if (ignored && !warned) {
        warned = true;
        const shownKeys = ignored.slice(0, 10).map((k) => JSON.stringify(clip(oneLine(k), 80)));
        (deps.warn ?? defaultWarn)(
          `${name}: the command's output has ${ignored.length === 1 ? 'a key' : 'keys'} no metric reads whose ${ignored.length === 1 ? 'value is' : 'values are'} not numbers (${shownKeys.join(', ')}${ignored.length > 10 ? `, ${ignored.length - 10} more` : ''}): ignored (said once)`,
        );
      }
      const missing = request.metrics.filter((m) => !Object.hasOwn(output, m.config.field ?? m.name));
      const keys = Object.keys(output).map((k) => JSON.stringify(clip(oneLine(k), 80)));
      // Only the output's keys are masked: the metric's name and field are the config's own words, and the
      // name that starts the message is how the judge tells whose read failed (a `METRIC: latency_p95` env
      // value masked it, and a warning check's metric counted as a provider error of the window).
      const [has] = run.hideSecrets([
        {
          message: keys.length
            ? `${keys.slice(0, 10).join(', ')}${keys.length > 10 ? `, ${keys.length - 10} more` : ''}`
            : 'no key',
        },
      ]);
      return {
        values: pickFields(request.metrics, output),
        errors: missing.map((m) => ({
          provider: name,
          code: 'query-error' as const,
          message: `${m.name}: the command's output has no ${JSON.stringify(clip(oneLine(m.config.field ?? m.name), 80))}${m.config.field ? ' (its field)' : ''} (it has ${has!.message}); write null for no data`,
        })),
      };
    },
  };
}
