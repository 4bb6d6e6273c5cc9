// `deploy-action alerts`: the rule file for the live release (the version and slot the state record says,
// or --version / --slot), to stdout or --output, the skipped checks on stderr; every bad input (an unknown
// environment, no analysis section, no Prometheus metric, no version to write the queries for) refused with
// exit 2 and a message that says what and where.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { main } from '../../../src/cli/main.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';
import { repoRoot } from '../../helpers/cli.ts';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

// Blue-green: the queries select by {{slot}}, which only the strategies with slots set (a direct environment's
// analysis with it is refused).
const TARGET = 'target:\n  commands:\n    deploy: ./d.sh\n    switch: ./s.sh {{slot}}\n';
const ANALYSIS = `analysis:
  providers:
    prom: { type: prometheus, url: "http://127.0.0.1:9090" }
  metrics:
    memory: { provider: prom, query: 'max(app_memory{version="{{version}}",slot="{{slot}}"})' }
`;

async function setup(t: { after(fn: () => Promise<void>): void }, yaml: string) {
  const dir = await mkdtemp(join(tmpdir(), 'alerts-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  await writeFile(config, `state_dir: ${JSON.stringify(join(dir, 'state'))}\n${yaml}`);
  return { dir, config };
}

type Rules = {
  groups: Array<{ name: string; interval: string; rules: Array<{ alert: string; expr: string }> }>;
};

test('the live version and slot from the state record; --version and --slot instead', async (t) => {
  const { dir, config } = await setup(
    t,
    `${TARGET}${ANALYSIS}environments:\n  production: { strategy: blue-green }\n`,
  );
  const store = new FileStateStore(join(dir, 'state'));
  await store.write({
    ...emptyRecord('o/r', 'production', new Date()),
    live: { version: 'v7', slot: 'green', since: new Date().toISOString() },
  });
  const live = await cli(['alerts', '-e', 'production', '-c', config]);
  assert.equal(live.code, EXIT_CODES.success, live.err);
  const rules = (parse(live.out) as Rules).groups[0]!.rules;
  assert.deepEqual(
    rules.map((r) => r.alert),
    ['SeedsMemory', 'SeedsMemoryWarning', 'MetricsAbsent'],
  );
  assert.equal(rules[0]!.expr, '(max(app_memory{version="v7",slot="green"})) > 0.95 < +Inf');
  assert.match(live.out, /^# .*Queries written for version "v7" on slot "green"/m);

  const given = await cli(['alerts', '-e', 'production', '-c', config, '--version', 'v8', '--slot', 'blue']);
  assert.equal(given.code, EXIT_CODES.success, given.err);
  assert.equal(
    (parse(given.out) as Rules).groups[0]!.rules[0]!.expr,
    '(max(app_memory{version="v8",slot="blue"})) > 0.95 < +Inf',
  );
});

test('--output writes the file and says so on stderr; stdout stays empty', async (t) => {
  const { dir, config } = await setup(
    t,
    `${TARGET}${ANALYSIS}environments:\n  production: { strategy: blue-green }\n`,
  );
  const output = join(dir, 'rules.yml');
  const result = await cli([
    'alerts',
    '-e',
    'production',
    '-c',
    config,
    '-v',
    'v1',
    '--slot',
    'blue',
    '-o',
    output,
  ]);
  assert.equal(result.code, EXIT_CODES.success, result.err);
  assert.equal(result.out, '');
  assert.match(result.err, /3 rule\(s\) written to .*rules\.yml/);
  assert.equal((parse(await readFile(output, 'utf8')) as Rules).groups[0]!.interval, '30s');
});

test('skipped checks are named on stderr with their reason', async (t) => {
  const { config } = await setup(
    t,
    `${TARGET}${ANALYSIS.replace('metrics:\n', 'metrics:\n    p95: { provider: prom, query: "p95" }\n')}environments:\n  production: { strategy: blue-green }\n`,
  );
  const result = await cli(['alerts', '-e', 'production', '-c', config, '-v', 'v1', '--slot', 'blue']);
  assert.equal(result.code, EXIT_CODES.success, result.err);
  assert.match(result.err, /^warning: no alert for check "seeds\.p95-vs-baseline" \(relative\): /m);
  assert.match(result.err, /^warning: no alert for check "seeds\.p95-vs-stable" \(statistical\): /m);
  assert.match(result.out, /^# {3}"seeds\.p95-critical" \(relative\): /m);
});

test('bad input: exit 2 and what was wrong, where; nothing on stdout', async (t) => {
  const { config } = await setup(
    t,
    `${TARGET}environments:\n  production: {}\n  prober:\n    analysis:\n      providers: { probe: { type: http, url: "http://127.0.0.1:1/" } }\n      metrics: { success_rate: { provider: probe } }\n      checks: [{ check: "success_rate > 0.99" }]\n  live:\n    strategy: blue-green\n${ANALYSIS.replace(/^/gm, '    ')}\n  slots:\n    strategy: blue-green\n${ANALYSIS.replace(/^/gm, '    ')}\n  scalar:\n${ANALYSIS.replace('query: \'max(app_memory{version="{{version}}",slot="{{slot}}"})\'', 'query: \'scalar(app_memory{version="{{version}}"})\'').replace(/^/gm, '    ')}\n`,
  );
  const cases: Array<[string[], RegExp]> = [
    [['-e', 'prodction', '-v', 'v1'], /error: unknown_environment: .*prodction.*production/],
    [
      ['-e', 'production', '-v', 'v1'],
      /error: no_analysis: .*deploy\.yml, environment "production": no analysis section/,
    ],
    [
      ['-e', 'prober', '-v', 'v1'],
      /error: no_prometheus_metric: .*deploy\.yml, environment "prober": no check reads a metric from Prometheus/,
    ],
    [
      ['-e', 'scalar', '-v', 'v1'],
      /error: scalar_query: .*deploy\.yml, environment "scalar": the query of metric memory, "scalar\(app_memory\{version=\\"v1\\"\}\)", is a scalar .*write the query as an instant vector/,
    ],
    // Before: accepted, and a rule for a slot the environment does not have, which never fires.
    [
      ['-e', 'slots', '-v', 'v1', '--slot', 'grren'],
      /error: unknown_slot: .*deploy\.yml, environment "slots": --slot is "grren", not one of the environment's slots \("blue", "green"\): did you mean "green"\?/,
    ],
    [
      ['-e', 'live'],
      /error: version_required: .*deploy\.yml, environment "live": give --version: the state record in .*state says nothing is live there/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = await cli(['alerts', ...args, '-c', config]);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked, `${args.join(' ')}: ${result.err}`);
    assert.equal(result.out, '', args.join(' '));
    assert.match(result.err, message, args.join(' '));
  }
  // The prober's check is named as skipped before the error.
  const prober = await cli(['alerts', '-e', 'prober', '-v', 'v1', '-c', config]);
  assert.match(prober.err, /no alert for check "success_rate > 0\.99" \(not-prometheus\)/);
});

test('--interval sets the group interval and the two-evaluation wait of a rate without counts', async (t) => {
  const { config } = await setup(
    t,
    `${TARGET}${ANALYSIS.replace('metrics:\n', 'metrics:\n    error_rate: { provider: prom, query: "e" }\n')}environments:\n  production: { strategy: blue-green }\n`,
  );
  const result = await cli([
    'alerts',
    '-e',
    'production',
    '-c',
    config,
    '-v',
    'v1',
    '--slot',
    'blue',
    '--interval',
    '5s',
  ]);
  assert.equal(result.code, EXIT_CODES.success, result.err);
  const group = (parse(result.out) as Rules).groups[0]!;
  assert.equal(group.interval, '5s');
  assert.equal(
    (group.rules.find((r) => r.alert === 'SeedsErrorRateCritical') as { for?: string } | undefined)?.for,
    '5s',
  );
  for (const bad of ['0.5s', '500ms', '1 m', '30'])
    assert.match(
      (await cli(['alerts', '-e', 'production', '-c', config, '--interval', bad])).err,
      /--interval <duration>.*not a duration of at least 1s/,
      bad,
    );
});

test("docs/alerts.md's example shows what the command writes for its config", async (t) => {
  const docs = await readFile(join(repoRoot, 'docs/alerts.md'), 'utf8');
  const example = docs.slice(docs.indexOf('## Example'));
  const config = /```yaml\n([^]*?)```/.exec(example)?.[1];
  const shown = /```text\n([^]*?)```/.exec(example)?.[1];
  assert.ok(config && shown, 'the example has its config and its output');
  const { config: file } = await setup(
    t,
    `${TARGET}${config}environments:\n  production: { strategy: blue-green }\n`,
  );
  const result = await cli([
    'alerts',
    '-e',
    'production',
    '-c',
    file,
    '--version',
    'v1.4.2',
    '--slot',
    'blue',
  ]);
  assert.equal(result.code, EXIT_CODES.success, result.err);
  // The checks with no alert, each as the header says it up to where the example cuts it short (…).
  const skipped = (text: string) => text.split('\n').filter((line) => line.startsWith('#   '));
  const header = skipped(result.out);
  assert.equal(skipped(shown).length, header.length, `the header lists:\n${header.join('\n')}`);
  for (const line of skipped(shown)) {
    const start = line.replace(/ \(…\)$/, '');
    assert.ok(
      header.some((written) => written.startsWith(start)),
      `${line}\nis not in the header:\n${header.join('\n')}`,
    );
  }
  // The rules shown, in the file's order, each expression as written where the example does not cut it.
  const rules = (parse(result.out) as Rules).groups[0]!.rules;
  const names = rules.map((rule) => rule.alert);
  const shownNames = [...shown.matchAll(/- alert: "([^"]+)"/g)].map((match) => match[1]!);
  assert.deepEqual(
    names.filter((name) => shownNames.includes(name)),
    shownNames,
  );
  for (const [, name, expr] of shown.matchAll(/- alert: "([^"]+)"\n\s+expr: "((?:[^"\\]|\\.)*)"/g)) {
    const pattern = (JSON.parse(`"${expr!}"`) as string)
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^]*');
    assert.match(rules.find((rule) => rule.alert === name)!.expr, new RegExp(`^${pattern}$`), name);
  }
});
