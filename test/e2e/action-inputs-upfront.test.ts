// The action's inputs checked before anything runs (the sources, as the runner starts them): a record-dir
// that is a file is refused, and an input the mode does not read is a warning naming both.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBuiltAction } from '../helpers/action.ts';
import { repoRoot } from '../helpers/cli.ts';
import { recorder } from '../helpers/recorded-target.ts';

const ENTRY = join(repoRoot, 'src/action/index.ts');

function workspace(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'action-upfront-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const deploy = JSON.stringify([...recorder, join(dir, 'calls.log'), 'deploy', '{{version}}']);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast\ntarget:\n  commands:\n    deploy: ${deploy}\nenvironments:\n  production: {}\n`,
  );
  writeFileSync(join(dir, 'records'), 'a file\n');
  mkdirSync(join(dir, 'ok'));
  writeFileSync(join(dir, 'ok', 'file'), 'a file\n');
  return dir;
}

for (const [recordDir, message] of [
  ['records', /::error::input "record-dir" is "records", a file, not a directory/],
  [
    'ok/file/deeper',
    /::error::input "record-dir" is "ok\/file\/deeper", under ".*ok\/file", which is a file/,
  ],
] as const)
  test(`record-dir ${recordDir}: refused before anything is deployed, with the ignored input warned of`, async (t) => {
    const dir = workspace(t);
    const run = await runBuiltAction({
      entry: ENTRY,
      dir,
      env: { GITHUB_SHA: 'f'.repeat(40), GITHUB_REPOSITORY: 'acme/shop' },
      inputs: {
        environment: 'production',
        mode: 'deploy',
        version: 'v1',
        since: '30d',
        'record-dir': recordDir,
        config: 'deploy.yml',
      },
      timeoutMs: 60_000,
    });
    // Before: deployed, then "could not write the deployment record" as a warning at the end.
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, message);
    assert.ok(!existsSync(join(dir, 'calls.log')), 'nothing deployed');
    assert.match(
      run.stdout,
      /::warning::input "since" is "30d", but only mode "metrics" reads it \(this run is mode "deploy"\): the input is not used/,
    );
  });

test('an input action.yml does not have (dry_run for dry-run) is refused before anything is deployed', async (t) => {
  const dir = workspace(t);
  const run = await runBuiltAction({
    entry: ENTRY,
    dir,
    env: { GITHUB_SHA: 'f'.repeat(40), GITHUB_REPOSITORY: 'acme/shop' },
    // The runner passes a `with:` key action.yml lacks on as INPUT_DRY_RUN, after a warning only.
    inputs: { environment: 'production', version: 'v1', config: 'deploy.yml', dry_run: 'true' },
    timeoutMs: 60_000,
  });
  // Before: deployed for real, the dry run asked for never seen.
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /::error::input "dry_run" is not an input of this action, and would be ignored: did you mean "dry-run"\?/,
  );
  assert.ok(!existsSync(join(dir, 'calls.log')), 'nothing deployed');
});

for (const [what, given, message] of [
  [
    'an event named without its file',
    { env: { GITHUB_EVENT_NAME: 'pull_request' } },
    /::error::GITHUB_EVENT_NAME is "pull_request" but GITHUB_EVENT_PATH is not set/,
  ],
  [
    'a workflow_run event named without its file',
    { env: { GITHUB_EVENT_NAME: 'workflow_run' } },
    /::error::GITHUB_EVENT_NAME is "workflow_run" but GITHUB_EVENT_PATH is not set/,
  ],
  // What these deploy comes from the event too: a dispatch's inputs (its `dry-run: true` ran a real
  // deployment), a release's tag as the version and whether it was deleted or is a draft, a tag's `create`.
  ...(['workflow_dispatch', 'release', 'create'] as const).map(
    (name) =>
      [
        `a ${name} event named without its file`,
        { env: { GITHUB_EVENT_NAME: name } },
        new RegExp(`::error::GITHUB_EVENT_NAME is "${name}" but GITHUB_EVENT_PATH is not set`),
      ] as const,
  ),
  [
    'an event file that holds a list',
    { event: { name: 'pull_request', payload: [] } },
    /::error::the event at GITHUB_EVENT_PATH \(.*event\.json\) is a list, not a JSON object/,
  ],
] as const)
  test(`${what} is refused before anything is deployed`, async (t) => {
    const dir = workspace(t);
    const run = await runBuiltAction({
      entry: ENTRY,
      dir,
      ...('event' in given ? { event: given.event } : {}),
      env: {
        GITHUB_SHA: 'f'.repeat(40),
        GITHUB_REPOSITORY: 'acme/shop',
        ...('env' in given ? given.env : {}),
      },
      inputs: { environment: 'production', version: 'v1', config: 'deploy.yml' },
      timeoutMs: 60_000,
    });
    // Before: deployed GITHUB_SHA as if the event said nothing (a pull request's merge commit, not its head).
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, message);
    assert.ok(!existsSync(join(dir, 'calls.log')), 'nothing deployed');
  });

test('a push named without its event file, and an input near no input of the action, are warned of and the run deploys', async (t) => {
  // A runner always writes the event; a harness may not, and the toolkit's own context then reads an empty
  // event. A push deploys GITHUB_SHA either way. A variable a job's env: named INPUT_... is warned of as the
  // runner warns of it, not refused.
  const dir = workspace(t);
  const run = await runBuiltAction({
    entry: ENTRY,
    dir,
    env: { GITHUB_SHA: 'f'.repeat(40), GITHUB_REPOSITORY: 'acme/shop', GITHUB_EVENT_NAME: 'push' },
    inputs: { environment: 'production', version: 'v1', config: 'deploy.yml', flavour: 'vanilla' },
    timeoutMs: 60_000,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /::warning::GITHUB_EVENT_NAME is "push" but GITHUB_EVENT_PATH is not set: run as if the event said nothing/,
  );
  assert.match(run.stdout, /::warning::input "flavour" is not an input of this action and is ignored/);
  assert.doesNotMatch(run.stdout, /vanilla/);
  assert.ok(existsSync(join(dir, 'calls.log')), 'deployed');
});
