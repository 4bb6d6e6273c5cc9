// Command provider: runs a program (argv, never a shell) that prints one JSON object {"metric": number|null}.
// Templated arguments are substituted inside each argv element, so a value is always one argument.
// It runs in a process group of its own: a timeout or cancellation stops everything it started, and a
// process it left in the background holding its output does not keep the analysis (or a rollback) waiting
// (util/process-group.ts).
import { execa } from 'execa';
import { oneLine } from '../../config/shown.ts';
import { splitCommand } from '../../targets/command-line.ts';
import { envNameFor, renderArgvCommand } from '../../targets/shell-script.ts';
import { render, TemplateError } from '../../targets/template.ts';
import { withRetries, type Sleep } from '../retry.ts';
import { OWN_GROUP, watchGroup } from '../../util/process-group.ts';
import { abortableSleep } from '../../util/sleep.ts';
import type { CommandProviderConfig } from '../schema.ts';
import type { ProviderError, Result } from '../types.ts';
import { pickFields, type MetricProvider, type ProviderRead, type ReadRequest } from './provider.ts';

export interface CommandDeps {
  sleep?: Sleep;
}

/** At most `max` characters of the command's own text, for a message. */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Parses the command's stdout. Non-finite numbers and null are "no data". A byte order mark (PowerShell and
 * some editors write one) is not part of the JSON; a key written twice is refused, since which of its values
 * is meant cannot be known (JSON.parse would keep the last one without a word).
 */
export function parseMetricsJson(provider: string, stdout: string): Result<Record<string, number | null>> {
  const text = stdout.replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
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
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== null && typeof value !== 'number')
      return {
        ok: false,
        error: {
          provider,
          code: 'bad-json',
          message: `"${clip(key, 80)}" is ${clip(JSON.stringify(value), 80)}; values must be numbers or null`,
        },
      };
    values[key] = value;
  }
  // Every value is a number or null, so every string in the text is a key.
  const seen = new Set<string>();
  for (const [token] of text.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
    const key = JSON.parse(token) as string;
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
  return { ok: true, value: values };
}

/** Characters a metrics command may print (stdout or stderr): its answer is one small JSON object. */
export const MAX_METRICS_OUTPUT = 16 * 1024 * 1024;

export function createCommandProvider(
  name: string,
  config: CommandProviderConfig,
  deps: CommandDeps = {},
): MetricProvider {
  const timeoutMs = config.timeout ?? 10_000;

  /** The argv, and the DEPLOY_* variables the script of a shell it is reads (shell-script.ts). */
  function argvFor(request: ReadRequest): { argv: string[]; env: Record<string, string> } {
    let argv: string[];
    if (typeof config.run === 'string') {
      const split = splitCommand(config.run);
      if (!split.ok) throw new TemplateError(split.message);
      argv = split.argv;
    } else argv = config.run;
    return renderArgvCommand(argv, request.vars, (arg) => render(arg, request.vars));
  }

  async function runOnce(
    { argv, env }: { argv: string[]; env: Record<string, string> },
    request: ReadRequest,
  ): Promise<Result<Record<string, number | null>>> {
    const [file, ...args] = argv;
    const subprocess = execa(file!, args, {
      ...OWN_GROUP,
      reject: false,
      cwd: config.cwd,
      // Every value as its DEPLOY_* variable, as for target commands: where a template is refused (code an
      // interpreter runs), the message names that variable as the safe way to read the value.
      env: {
        ...config.env,
        ...Object.fromEntries(
          Object.entries(request.vars).flatMap(([name, value]) =>
            value === undefined ? [] : [[envNameFor(name), value]],
          ),
        ),
        DEPLOY_SIDE: request.side,
        DEPLOY_VERSION: request.vars.version ?? '',
        ...env,
      },
      stdin: 'ignore',
      maxBuffer: MAX_METRICS_OUTPUT,
    });
    const group = watchGroup(subprocess, { timeoutMs, signal: request.signal });
    // Past maxBuffer execa stops reading but neither stops the command nor waits less for it: it would run on
    // (with what it started) until its timeout, and its exit code would stand on cut output.
    for (const stream of [subprocess.stdout, subprocess.stderr])
      stream?.once('close', () => {
        if (!stream.readableEnded) group.stop('output');
      });
    const result = await subprocess;
    // A program that could not start never exits.
    group.release();
    const fail = (code: ProviderError['code'], message: string): Result<never> => ({
      ok: false,
      error: { provider: name, code, message },
    });
    if (group.stopped === 'cancelled') return fail('aborted', 'cancelled');
    if (group.stopped === 'timeout') return fail('timeout', `${file} did not finish within ${timeoutMs}ms`);
    if (group.stopped === 'output' || result.isMaxBuffer)
      return fail(
        'command-failed',
        `${file} printed more than ${MAX_METRICS_OUTPUT} characters and was stopped: a metrics command prints one JSON object of numbers`,
      );
    if (result.failed) {
      const stderr = String(result.stderr ?? '')
        .trim()
        .split('\n')
        .slice(-3)
        .map((line) => clip(line))
        .join(' | ');
      const what =
        result.exitCode !== undefined
          ? `exited with ${result.exitCode}`
          : clip(result.shortMessage ?? 'failed to start', 300);
      return fail('command-failed', `${file} ${what}${stderr ? `: ${stderr}` : ''}`);
    }
    return parseMetricsJson(name, String(result.stdout));
  }

  return {
    name,
    async read(request: ReadRequest): Promise<ProviderRead> {
      let argv: ReturnType<typeof argvFor>;
      try {
        argv = argvFor(request);
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
      if (!result.ok) return { values: pickFields(request.metrics, null), errors: [result.error] };
      // No data is written as null. A key the output lacks is most often a misspelt field ("mem_ratio" for
      // "memory_ratio"): no data in every interval, ending in a no-data rollback that named no cause.
      const output = result.value;
      const missing = request.metrics.filter((m) => !Object.hasOwn(output, m.config.field ?? m.name));
      const keys = Object.keys(output).map((k) => JSON.stringify(clip(oneLine(k), 80)));
      return {
        values: pickFields(request.metrics, output),
        errors: missing.map((m) => ({
          provider: name,
          code: 'query-error' as const,
          message: `${m.name}: the command's output has no ${JSON.stringify(clip(oneLine(m.config.field ?? m.name), 80))}${m.config.field ? ' (its field)' : ''} (it has ${keys.length ? `${keys.slice(0, 10).join(', ')}${keys.length > 10 ? `, ${keys.length - 10} more` : ''}` : 'no key'}); write null for no data`,
        })),
      };
    },
  };
}
