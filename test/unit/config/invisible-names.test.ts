// A name copied from a job summary carries the zero-width space the summary breaks long names with
// (src/report/markdown.ts): wherever a person types a name back (config keys and names: environments,
// metrics, providers, checks, gates, a staging reference; a command line's environment or gate; the Action's
// environment input and the "Run workflow" form's), one holding an invisible character (Unicode category Cf)
// is refused saying so, where it is and what the name reads without it, never "unknown environment
// "production"" for a name that reads exactly like one defined.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { invisibleNameProblem, showInvisible } from '../../../src/config/invisible.ts';
import { unknownEnvironmentMessage } from '../../../src/config/suggest.ts';
import { wrappable } from '../../../src/report/markdown.ts';
import { ANALYZE_EXIT_CODES } from '../../../src/analysis/exit-codes.ts';
import { runAnalyzeCommand } from '../../../src/analysis/replay.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';
import { InputError, planRun } from '../../../src/action/inputs.ts';
import { runMetrics } from '../../../src/action/metrics.ts';
import type { RunContext } from '../../../src/action/context.ts';
import { inputProblems, inputs as actionInputs } from '../../helpers/action-inputs.ts';
import { runCli } from '../../helpers/cli.ts';
import { recordingLines, recordingText } from '../../helpers/recording-lines.ts';

const ZWSP = '\u200b';
/** The message's tail for a name that reads `without` once its invisible character at `position` is gone. */
const problem = (what: string, shown: string, position: number, without: string) =>
  `the ${what} "${shown}" contains an invisible character (U+200B) at position ${position}, probably copied from a job summary, which breaks long names with one: without it, it reads "${without}"`;

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

test('a long name as the job summary shows it holds a zero-width space: the case this is about', () => {
  // Underscores: a hyphen before a letter is a place to wrap already, where wrappable adds none.
  const name = 'payments_api_production_eu_west_1_blue';
  const shown = wrappable(name);
  assert.ok(shown.includes(ZWSP));
  assert.equal(
    invisibleNameProblem(shown, 'environment name'),
    problem('environment name', 'payments_api_production_eu_wes\\u200bt_1_blue', 31, name),
  );
});

test('every invisible (format) character counts, the first is named and the others counted', () => {
  for (const char of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u202e', '\u2066']) {
    const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    assert.match(
      invisibleNameProblem(`prod${char}uction`) ?? '',
      new RegExp(`\\(${code.replace('+', '\\+')}\\) at position 5, .*reads "production"$`),
      code,
    );
  }
  assert.match(invisibleNameProblem(`a${ZWSP}b\u200dc`) ?? '', /at position 2 \(and 1 more\)/);
  // Characters one can see, however far from ASCII, are no concern of this.
  for (const name of ['production', 'prod-eu.1', 'prödüction', 'продакшн', ''])
    assert.equal(invisibleNameProblem(name), undefined, name);
});

test('a character past U+FFFF (a tag character) is shown as \\u{…}, not as a shorter escape and a digit', () => {
  // Before: "\\ue0001", which reads as \\ue000 followed by "1".
  assert.equal(showInvisible('prod\u{e0001}x\u200b'), 'prod\\u{e0001}x\\u200b');
});

test('deploy-action validate: each name of the config holding one is refused at its place', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'invisible-names-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  const yaml = (production: string, rest: string) =>
    `target:
  commands:
    deploy: ./d.sh
analysis:
  providers:
    prom: { type: prometheus, url: "http://127.0.0.1:9090" }
  metrics:
    error_rate: { provider: "pr${ZWSP}om", query: x }
    "lat${ZWSP}ency": { provider: prom, query: x }
  checks:
    - name: "seeds.error${ZWSP}-rate"
      check: "error${ZWSP}_rate < 0.01"
    - compare: values
      metric: "p9${ZWSP}5"
environments:
  production: ${production}
  staging: {}
${rest}`;
  writeFileSync(
    config,
    yaml('{ staging: staging }', `  "stag${ZWSP}ing2": {}\ngates:\n  "tests${ZWSP}": {}\n`),
  );
  const run = await runCli(['validate', '-c', config]);
  assert.equal(run.code, EXIT_CODES.invalidOrBlocked, run.stdout + run.stderr);
  const expected = [
    `:8:29: analysis.metrics.error_rate.provider: ${problem('provider name', 'pr\\u200bom', 3, 'prom')}`,
    `:9:5: analysis.metrics["lat\\u200bency"]: invalid key: ${problem('name', 'lat\\u200bency', 4, 'latency')}`,
    `:11:13: analysis.checks[0].name: ${problem('check name', 'seeds.error\\u200b-rate', 12, 'seeds.error-rate')}`,
    `:12:14: analysis.checks[0].check: ${problem('check', 'error\\u200b_rate < 0.01', 6, 'error_rate < 0.01')}`,
    `:14:15: analysis.checks[1].metric: ${problem('metric name', 'p9\\u200b5', 3, 'p95')}`,
    `:18:3: environments["stag\\u200bing2"]: invalid key: ${problem('name', 'stag\\u200bing2', 5, 'staging2')}`,
    `:20:3: gates["tests\\u200b"]: unknown key: ${problem('name', 'tests\\u200b', 6, 'tests')} (allowed here: `,
  ];
  for (const line of expected) assert.ok(run.stderr.includes(`${config}${line}`), `${line}\n${run.stderr}`);
  assert.ok(!run.stderr.includes(ZWSP), 'every invisible character is shown as its escape');
  // References to an environment (checked once the rest is sound): a staging one, a policy's requires.
  writeFileSync(
    config,
    yaml(`{ staging: "stag${ZWSP}ing", approvals: { requires: "stag${ZWSP}ing" } }`, '').replace(
      /\n {2}(metrics|checks):[^]*?(?=\nenvironments)/g,
      '',
    ),
  );
  const references = await runCli(['validate', '-c', config]);
  assert.equal(references.code, EXIT_CODES.invalidOrBlocked);
  for (const field of ['staging', 'approvals.requires'])
    assert.ok(
      references.stderr.includes(
        `environments.production.${field}: unknown environment: ${problem('environment name', 'stag\\u200bing', 5, 'staging')}`,
      ),
      `${field}: ${references.stderr}`,
    );
});

test('every command line option that names an environment or a gate refuses one holding it', async () => {
  const help = (await cli(['--help'])).out;
  const commands = [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z-]+) \[options\]/gm)].map(
    (m) => m[1]!,
  );
  let checked = 0;
  for (const command of commands) {
    const options = [
      ...(await cli([command, '--help'])).out.matchAll(/^ {2}(?:-\w, )?(--environment|--only) </gm),
    ];
    for (const [, option = ''] of options) {
      const what = option === '--only' ? 'gate name' : 'environment name';
      const [value, shown, without] =
        option === '--only'
          ? [`tests,aud${ZWSP}it`, 'aud\\u200bit', 'audit']
          : [`produc${ZWSP}tion`, 'produc\\u200btion', 'production'];
      const r = await cli([
        command,
        option,
        value,
        ...(command === 'state-key' ? ['--repository', 'o/r'] : []),
      ]);
      const label = `${command} ${option}`;
      const code = command === 'analyze' ? ANALYZE_EXIT_CODES['bad-input'] : EXIT_CODES.invalidOrBlocked;
      assert.equal(r.code, code, `${label}: ${r.err}`);
      assert.equal(r.out, '', label);
      assert.ok(r.err.includes(problem(what, shown, shown.indexOf('\\') + 1, without)), `${label}: ${r.err}`);
      checked++;
    }
  }
  assert.ok(checked >= 12, `${checked} options checked`);
});

test("a name looked up elsewhere (the App's /promote <env>, a policy reference) is told the same", () => {
  assert.equal(
    unknownEnvironmentMessage(`produc${ZWSP}tion`, ['production', 'staging']),
    `unknown environment: ${problem('environment name', 'produc\\u200btion', 7, 'production')}`,
  );
  assert.match(unknownEnvironmentMessage('prod', ['production']), /^unknown environment "prod"/);
});

test('a recording whose config names a check with one (accepted before) is still judged', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'invisible-names-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'old.ndjson');
  const config = {
    providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
    metrics: { error_rate: { provider: 'prom', query: 'x' } },
    checks: [{ name: `errors${ZWSP}low`, check: 'error_rate < 0.05' }],
  };
  const sides = Array.from({ length: 3 }, () => ({ canary: { error_rate: 0.01 } }));
  writeFileSync(file, recordingText(recordingLines(config, sides)));
  const result = runAnalyzeCommand({ recording: file });
  assert.equal(result.exitCode, ANALYZE_EXIT_CODES.promote, result.output);
});

test('the Action: its environment input, and one typed into the "Run workflow" form, are told the same', async () => {
  const named = problem('environment name', 'produc\\u200btion', 7, 'production');
  for (const mode of ['full', 'reconcile', 'metrics'])
    assert.deepEqual(
      inputProblems({ mode, environment: `staging,produc${ZWSP}tion`.slice(mode === 'full' ? 8 : 0) }),
      [`input "environment": ${named}`],
    );
  const context: RunContext = {
    owner: 'acme',
    repo: 'web',
    eventName: 'workflow_dispatch',
    sha: 'a'.repeat(40),
    apiUrl: 'https://api.github.com',
    actor: 'octocat',
    dispatch: { environment: `produc${ZWSP}tion` },
  };
  assert.throws(
    () => planRun(actionInputs(), context),
    (error: unknown) =>
      error instanceof InputError && error.problems.includes(`workflow input "environment": ${named}`),
  );
  // Metrics are filtered by name on GitHub: the name as given would count no deployment, without a word.
  await assert.rejects(
    runMetrics(actionInputs({ mode: 'metrics', 'github-token': 'test-token' }), context, {}),
    (error: unknown) =>
      error instanceof InputError && error.problems.includes(`workflow input "environment": ${named}`),
  );
});
