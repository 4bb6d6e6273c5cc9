// One version rule and one parameter-value rule, at every door a value comes in by: the deployment payload,
// the Action's inputs and workflow_dispatch inputs, the App's /deploy comment, and the CLI. A value starting
// with "-" would be read as an option by the command it is given to; an empty version would be deployed and
// recorded as live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand } from '../../../app/commands/parse.ts';
import type { InputError } from '../../../src/action/inputs.ts';
import { planRun, readInputs } from '../../../src/action/inputs.ts';
import { main } from '../../../src/cli/main.ts';
import { parseDeploymentPayload, VERSION_RULE } from '../../../src/github/deployment-payload.ts';

const OPTION_LIKE = ['-x', '--help', '--import=data:text/javascript,1', '-'];

test('the payload refuses an empty version, and versions and parameter values that start with "-"', () => {
  for (const version of ['', ...OPTION_LIKE])
    assert.throws(
      () => parseDeploymentPayload({ version }),
      /payload\.version: a version is 1-128 .* does not start with "-"/,
      version,
    );
  for (const value of OPTION_LIKE)
    assert.throws(
      () => parseDeploymentPayload({ params: { region: value } }),
      /payload\.params\.region: parameter values may not start with "-"/,
      value,
    );
  // "-" inside a value is fine; so is every other printable character (they never reach a shell as code).
  assert.deepEqual(
    parseDeploymentPayload({ version: 'v1.2-rc.1+b_7', params: { region: `eu-west-1 $(x) '"` } }),
    {
      version: 'v1.2-rc.1+b_7',
      params: { region: `eu-west-1 $(x) '"` },
    },
  );
  assert.equal(VERSION_RULE.test('1'), true);
  assert.equal(VERSION_RULE.test('x'.repeat(128)), true);
  assert.equal(VERSION_RULE.test('x'.repeat(129)), false);
});

test('the Action refuses option-like versions from its inputs and from workflow_dispatch', () => {
  for (const version of OPTION_LIKE) {
    assert.throws(
      () => readInputs((name) => (name === 'version' ? version : '')),
      (error: InputError) => error.problems.some((p) => p.startsWith(`input "version" is "${version}"`)),
    );
    const inputs = readInputs(() => '');
    assert.throws(
      () =>
        planRun(inputs, {
          owner: 'acme',
          repo: 'web',
          eventName: 'workflow_dispatch',
          sha: 'a'.repeat(40),
          apiUrl: 'https://api.github.com',
          actor: 'octocat',
          dispatch: { environment: 'production', version },
        }),
      (error: InputError) =>
        error.problems.some((p) => p.startsWith(`workflow input "version" is "${version}"`)),
    );
  }
});

test('the App refuses /deploy versions and parameter values that start with "-", naming the value', () => {
  for (const [body, shown] of [
    ['/deploy production | version=--help', /version \S*--help\S*: .*does not start with "-"/],
    ['/deploy production | version=', /version `""` \(empty\): a version is 1-128/],
    [
      '/deploy production | region=-x',
      /the value of `region` \S*-x\S*: parameter values may not start with "-"/,
    ],
    ['/deploy production | region=--import=data:x', /the value of `region` \S*--import=data:x/],
  ] as const) {
    const result = parseCommand(body);
    assert.equal(result.kind, 'invalid', body);
    if (result.kind !== 'invalid') continue;
    assert.equal(result.code, 'invalid_param', body);
    assert.match(result.message, shown, body);
  }
  const ok = parseCommand('/deploy production | region=eu-west-1 version=v1-rc');
  assert.equal(ok.kind, 'deploy');
  if (ok.kind === 'deploy') assert.deepEqual(ok.params, { region: 'eu-west-1', version: 'v1-rc' });
});

test('the CLI refuses an empty, option-like or malformed --version before reading the config or running anything', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-version-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `state_dir: ${dir}/state\ntarget:\n  commands:\n    deploy: touch ${dir}/deployed-{{version}}\nenvironments:\n  production: {}\n`,
  );
  for (const command of ['run', 'plan'])
    for (const version of ['', '--help', '-x', 'v 1', 'x'.repeat(129)]) {
      let err = '';
      let out = '';
      const code = await main([command, '-e', 'production', `--version=${version}`, '-c', config], {
        out: (text) => void (out += text),
        err: (text) => void (err += text),
      });
      assert.equal(code, 2, `${command} --version=${version}: ${out}${err}`);
      // The CLI's rule for every option value refuses an empty one or one starting with "-" first; the
      // version rule the rest.
      assert.match(
        err,
        version === ''
          ? /option '-v, --version <version>' argument '' is invalid\. it is empty/
          : version.startsWith('-')
            ? /option '-v, --version <version>' argument '-.*' is invalid\. ".*" starts with "-"/
            : /option '-v, --version <version>' argument .* is invalid\. a version is 1-128/,
      );
      assert.equal(out, '');
    }
  assert.deepEqual(readdirSync(dir), ['deploy.yml']);
});
