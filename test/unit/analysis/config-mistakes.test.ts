// Mistakes in an `analysis:` section: each is refused at its path, saying what was meant where it can tell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisConfigSchema } from '../../../src/analysis/schema.ts';
import { explainIssues, formatPath, issueMessage } from '../../../src/config/errors.ts';

const errorsOf = (input: unknown): string[] => {
  const parsed = analysisConfigSchema.safeParse(input, { error: issueMessage });
  return parsed.success
    ? []
    : explainIssues(parsed.error.issues, input, analysisConfigSchema).map(
        ({ path, message }) => `analysis.${formatPath(path)}: ${message}`,
      );
};
const base = {
  providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
  metrics: { error_rate: { provider: 'prom', query: 'x' }, p95: { provider: 'prom', query: 'x' } },
};

test('a check on a misspelt metric says which defined metric was meant', () => {
  assert.deepEqual(errorsOf({ ...base, checks: [{ check: 'error_rte < 1%' }] }), [
    'analysis.checks[0]: check uses metric "error_rte", which is not defined in analysis.metrics: did you mean "error_rate"?',
  ]);
  assert.deepEqual(errorsOf({ ...base, checks: [{ compare: 'values', metric: 'P95' }] }), [
    'analysis.checks[0]: check uses metric "P95", which is not defined in analysis.metrics: did you mean "p95"?',
  ]);
  // Nothing close: no guess.
  assert.deepEqual(errorsOf({ ...base, checks: [{ check: 'memory < 0.9' }] }), [
    'analysis.checks[0]: check uses metric "memory", which is not defined in analysis.metrics',
  ]);
});

test('checks written in ways the parser does not read, alpha and tolerance out of range: refused at their path', () => {
  const one = (check: unknown) => errorsOf({ ...base, checks: [check] });
  for (const text of [
    'error_rate == 0',
    'error_rate < 1 percent',
    'p95 < 2X baseline',
    'p95 < 200% baseline',
  ])
    assert.match(one({ check: text })[0] ?? '', /^analysis\.checks\[0\]\.check: invalid check /, text);
  // The usual slips are named, each with what to write.
  const said = (check: string) =>
    one({ check })[0]?.replace(/^analysis\.checks\[0\]\.check: invalid check "[^"]*": /, '');
  assert.equal(
    said('error_rate == 0'),
    '"==" is not a check operator: a check says which side of a limit the metric must stay on (for example "error_rate <= 0")',
  );
  assert.equal(
    said('error_rate != 0'),
    '"!=" is not a check operator: a check says which side of a limit the metric must stay on (for example "error_rate <= 0")',
  );
  assert.equal(said('error_rate =< 0.01'), 'write "<=", not "=<"');
  assert.equal(
    said('p95 < 500ms'),
    "a limit has no unit: write it in the unit p95's query returns (500 if in milliseconds, 0.5 if in seconds)",
  );
  assert.equal(
    said('p95 < 2s'),
    "a limit has no unit: write it in the unit p95's query returns (2000 if in milliseconds, 2 if in seconds)",
  );
  assert.equal(
    said('p95 < 1.5m'),
    "a limit has no unit: write it in the unit p95's query returns (90000 if in milliseconds, 90 if in seconds)",
  );
  assert.equal(
    said('memory < 512MiB'),
    "a limit has no unit: write the number in the unit memory's query returns",
  );
  assert.equal(said('error_rate < 1e400'), '1e400 is not a finite number');
  assert.equal(said('p95 < 2X baseline'), 'write "2x baseline" (a lower-case x)');
  assert.equal(
    said('p95 < 200% baseline'),
    'a limit relative to the baseline is a factor: write "2x baseline"',
  );
  assert.equal(said('error_rate < 1 percent'), 'write "1%"');
  assert.equal(said('error_rate < lots'), '"lots" is not a number');
  // A sign is read as one, not as something that is no number.
  assert.equal(said('p95 > -1'), 'a limit is a number of 0 or more, without a sign: "-1"');
  assert.equal(said('p95 < +0.5'), 'a limit is a number of 0 or more, without a sign: "+0.5"');
  // Numbers as PromQL and YAML write them are read.
  assert.deepEqual(one({ check: 'error_rate < 1e-3' }), []);
  assert.deepEqual(one({ check: 'error_rate <= .5' }), []);
  assert.deepEqual(one({ check: 'p95 < 2.5E2' }), []);
  // Spaces before % and x are read as written.
  assert.deepEqual(one({ check: 'error_rate < 1 %' }), []);
  assert.deepEqual(one({ check: 'p95 < 2 x baseline' }), []);
  assert.deepEqual(one({ compare: 'values', metric: 'p95', alpha: 0 }), [
    'analysis.checks[0].alpha: must be greater than 0, got 0',
  ]);
  assert.deepEqual(one({ compare: 'values', metric: 'p95', alpha: 1 }), [
    'analysis.checks[0].alpha: must be at most 0.2, got 1',
  ]);
  assert.deepEqual(one({ compare: 'values', metric: 'p95', tolerance: -0.1 }), [
    'analysis.checks[0].tolerance: must be at least 0, got -0.1',
  ]);
  assert.deepEqual(errorsOf({ ...base, metrics: { error_rate: { provider: 'promethus', query: 'x' } } }), [
    'analysis.metrics.error_rate.provider: unknown provider "promethus"; defined: prom',
  ]);
});

test('a logs provider: an ignore regex that finds every line (a stray |) is refused at its path; a match may find every line', () => {
  const logs = (provider: Record<string, unknown>) =>
    errorsOf({
      providers: { logs: { type: 'logs', run: ['journalctl', '-p', 'err'], ...provider } },
      metrics: { error_lines: { provider: 'logs' } },
    });
  const every =
    'regular expression finds every line (as "timeout|" with its stray |, "x*" or "." do), so no line would be counted and the checks on this provider could never fail; write what the lines to leave out contain';
  assert.deepEqual(logs({ ignore: ['deprecated key', 'timeout|', '.*', '(?:retry)?', '^', 'x*', '.'] }), [
    `analysis.providers.logs.ignore[1]: ${every}`,
    `analysis.providers.logs.ignore[2]: ${every}`,
    `analysis.providers.logs.ignore[3]: ${every}`,
    `analysis.providers.logs.ignore[4]: ${every}`,
    `analysis.providers.logs.ignore[5]: ${every}`,
    `analysis.providers.logs.ignore[6]: ${every}`,
  ]);
  // Empty-width but not every line: lines that are only a word, lines with an "x".
  assert.deepEqual(logs({ ignore: ['^\\w+$', '\\bx*\\b', 'x+|^$'] }), []);
  // A command that prints only error lines may count them all.
  assert.deepEqual(logs({ match: '.*' }), []);
  // Not compiling is said once, as before.
  assert.deepEqual(logs({ ignore: ['(|'] }), [
    'analysis.providers.logs.ignore[0]: regular expression does not compile (RE2 syntax): missing closing ): `(|`',
  ]);
});

test('a logs provider: ignore regexes too large in all are refused at the list: every line is matched against each', () => {
  const logs = (ignore: string[]) =>
    errorsOf({
      providers: { logs: { type: 'logs', run: ['kubectl', 'logs', '-l', 'app=web'], ignore } },
      metrics: { error_lines: { provider: 'logs' } },
    });
  // Each under the bound of one regex (2000); eleven of them, 21,825 instructions to run on every line.
  const large = Array.from({ length: 11 }, (_, i) => `.{1,499}.{1,490}code ${i}`);
  assert.deepEqual(logs(large), [
    'analysis.providers.logs.ignore: regular expressions compile to 21825 instructions in all, at most 20000: every line is matched against each; leave out those no longer logged, or use smaller counts',
  ]);
  assert.deepEqual(logs(large.slice(0, 10)), []);
  // A long list of ordinary ones is far from it.
  assert.deepEqual(
    logs(Array.from({ length: 300 }, (_, i) => `deprecated config key k${i} \\(use [a-z_]+ instead\\)`)),
    [],
  );
  // One that does not compile is said at its own path, not counted in all.
  assert.deepEqual(logs([...large.slice(0, 10), '(']), [
    'analysis.providers.logs.ignore[10]: regular expression does not compile (RE2 syntax): missing closing ): `(`',
  ]);
});

test('a logs provider: regexes that do not compile or that the linear-time matcher cannot run (lookaround), and fields it does not count, refused at their path', () => {
  const logs = (
    provider: Record<string, unknown>,
    metrics: Record<string, unknown> = { new_error_patterns: { provider: 'logs' } },
  ) =>
    errorsOf({
      providers: { logs: { type: 'logs', run: ['kubectl', 'logs', '-l', 'app=web'], ...provider } },
      metrics,
    });
  assert.deepEqual(logs({}), []);
  assert.deepEqual(logs({ match: '(error', ignore: ['ok', '(a+)+$', 'retry(?! succeeded)'], min_count: 0 }), [
    'analysis.providers.logs.match: regular expression does not compile (RE2 syntax): missing closing ): `(error`',
    'analysis.providers.logs.ignore[2]: regular expression uses a lookahead or lookbehind ((?!), which the log matcher cannot run: it matches in time linear in the line (RE2 syntax); match the text itself, and list the lines to leave out in ignore',
    'analysis.providers.logs.min_count: must be at least 1, got 0',
  ]);
  assert.deepEqual(logs({}, { errors: { provider: 'logs' }, lines: { provider: 'logs', field: 'lines' } }), [
    'analysis.metrics.errors: the logs provider "logs" counts error_lines and new_error_patterns; name the metric one of them or give field: one of them',
    'analysis.metrics.lines.field: the logs provider "logs" counts error_lines and new_error_patterns; not "lines"',
  ]);
});

// Checks shaped to make the check's regexes quadratic, a config's whole megabyte each: read linearly, each is
// refused or read in milliseconds; quadratic work on them (a run of spaces tried against another run: 5 s at
// 40 000 characters before) would take most of an hour, so the test's own timeout is the backstop and no
// clock is read here.
test(
  'checks of a megabyte with long runs of spaces are read or refused to the end, saying what they say',
  { timeout: 120_000 },
  () => {
    const spaces = ' '.repeat(1024 * 1024);
    const said = (check: string) => errorsOf({ ...base, checks: [{ check }] })[0] ?? '';
    // A limit, spaces, then a stray word: the general form (parsed by neither reading).
    assert.match(said(`p95 < 1${spaces}q`), /: write "<metric> <op> <number>"/);
    // An operator, spaces and a word: that word is not a number.
    assert.match(said(`p95 <${spaces}lots`), /: "lots" is not a number$/);
    // Spaces around a check that is right are read as written.
    assert.deepEqual(
      errorsOf({ ...base, checks: [{ check: `${spaces}p95 <${spaces}2 x baseline${spaces}` }] }),
      [],
    );
  },
);
