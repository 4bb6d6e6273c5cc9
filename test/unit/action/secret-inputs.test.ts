// The secret inputs (github-token, state-key) as a hostile or careless workflow passes them: pasted into
// another input as well, multi-line, URL-encoded into an address. Their value never reaches a problem, the
// log (masked, in each form, before any input is checked), the job summary or GitHub. Also: a path input on
// two lines, and a dry run asked of reconcile (which has none).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  PLAIN_INPUTS,
  reconcileDryRunProblem,
  SECRET_INPUTS,
  secretInputForms,
} from '../../../src/action/inputs.ts';
import { secretValueRedactor } from '../../../src/report/redact.ts';
import { inputProblems as problems, inputs } from '../../helpers/action-inputs.ts';
import { runBuiltAction } from '../../helpers/action.ts';
import { repoRoot } from '../../helpers/cli.ts';

// A classic token is 40 hex digits, a shape no credential pattern knows (it is also a commit's).
const TOKEN = '0123456789abcdef0123456789abcdef01234567';
// A state key may be any secret of 32 characters or more; this one has characters URL-encoding changes.
const KEY = 'correct+horse/battery=staple?and&more';
const MULTI_LINE_KEY = 'first-line-of-the-key-0001\nsecond-line-of-the-key-0002';

/** True when `text` shows any 10 characters in a row of `secret`. */
const shows = (text: string, secret: string) =>
  Array.from({ length: secret.length - 9 }, (_, i) => secret.slice(i, i + 10)).some((s) => text.includes(s));

test('the two lists name every input of action.yml, each once', async () => {
  const action = parse(await readFile(join(repoRoot, 'action.yml'), 'utf8')) as { inputs: object };
  assert.deepEqual([...SECRET_INPUTS, ...PLAIN_INPUTS].sort(), Object.keys(action.inputs).sort());
});

test('a secret input pasted into another input is refused, its value shown nowhere', () => {
  // Before: `mode` quoted the token whole, `tag` its first 37 characters (which no mask of the whole matches).
  const found = problems({ 'github-token': TOKEN, mode: TOKEN, tag: `deploy-${TOKEN}` });
  assert.ok(!shows(found.join('\n'), TOKEN), found.join('\n'));
  for (const name of ['mode', 'tag'])
    assert.ok(
      found.includes(
        `input "${name}" holds the value of input "github-token", a secret: it would be shown in the log, the ` +
          'job summary and on GitHub; give the secret in "github-token" only (the value is not shown)',
      ),
      found.join('\n'),
    );
});

test('a state key URL-encoded into the environment URL is refused (it would be a link on the Deployments tab)', () => {
  // Before: accepted, and the link in the job summary, the output and the deployment carried the key.
  const url = `https://app.example.com/?key=${encodeURIComponent(KEY)}`;
  const found = problems({ 'state-key': KEY, 'environment-url': url });
  assert.deepEqual(found, [
    'input "environment-url" holds the value of input "state-key", a secret: it would be shown in the log, the job summary and on GitHub; give the secret in "state-key" only (the value is not shown)',
  ]);
  // Without the key in it, the same address is fine.
  assert.equal(inputs({ 'state-key': KEY, 'environment-url': 'https://app.example.com/' }).stateKey, KEY);
});

test('a line of a multi-line secret in another input is refused, not shown', () => {
  const line = MULTI_LINE_KEY.split('\n')[1]!;
  const found = problems({ 'state-key': MULTI_LINE_KEY, version: `v1 ${line}` });
  assert.equal(found.length, 2, found.join('\n'));
  assert.match(found[0]!, /^input "version" holds the value of input "state-key"/);
  assert.ok(!shows(found.join('\n'), line), found.join('\n'));
});

test('each form of a secret is masked: the whole value, each of its lines, URL-encoded', () => {
  const forms = secretInputForms(
    (name) => ({ 'github-token': TOKEN, 'state-key': MULTI_LINE_KEY })[name] ?? '',
  );
  for (const form of [
    TOKEN,
    MULTI_LINE_KEY,
    ...MULTI_LINE_KEY.split('\n'),
    encodeURIComponent(MULTI_LINE_KEY),
  ])
    assert.ok(forms.includes(form), form);
  const redact = secretValueRedactor([KEY, MULTI_LINE_KEY]);
  assert.equal(redact(`GET /?k=${encodeURIComponent(KEY)} 200`), 'GET /?k=*** 200');
  assert.equal(redact(`got:\n${MULTI_LINE_KEY.split('\n')[1]}\nend`), 'got:\n***\nend');
  // Short values (an empty input, a placeholder) are no secret to mask: they would mask words.
  assert.deepEqual(
    secretInputForms(() => 'short'),
    [],
  );
});

test('a path input on two lines is refused, naming the input', () => {
  // Before: accepted, and "a.yml\nb.yml" was looked for as one file name.
  for (const name of ['config', 'record-dir', 'state-dir'])
    assert.deepEqual(problems({ [name]: 'deploy.yml\nother.yml' }), [
      `input "${name}" is "deploy.yml\\nother.yml"; a path is one line, without control characters`,
    ]);
});

test('a dry run asked of reconcile is refused, from the input or the workflow_dispatch input', () => {
  const context = (dispatch: Record<string, string> = {}) => ({
    owner: 'acme',
    repo: 'shop',
    eventName: 'workflow_dispatch',
    sha: 'a'.repeat(40),
    apiUrl: 'https://api.github.com',
    dispatch,
  });
  const problem = (values: Record<string, string>, dispatch?: Record<string, string>) =>
    reconcileDryRunProblem(inputs({ mode: 'reconcile', ...values }), context(dispatch));
  assert.match(
    problem({ 'dry-run': 'True' })!,
    /^input "dry-run" is true, but mode "reconcile" has no dry run/,
  );
  assert.match(problem({}, { dry_run: 'yes' })!, /^workflow input "dry_run" is true, but mode "reconcile"/);
  assert.equal(problem({ 'dry-run': 'false' }), undefined);
  assert.equal(problem({}), undefined);
  // The input decides over the dispatch form, as for a deployment.
  assert.equal(problem({ 'dry-run': 'false' }, { 'dry-run': 'true' }), undefined);
});

test('the action masks the secret inputs before it reports a problem with any input, and reconciles nothing on a dry run', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'secret-inputs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'deploy.yml'),
    'target:\n  commands:\n    deploy: "true"\nenvironments:\n  production: {}\n',
  );
  const run = await runBuiltAction({
    dir,
    entry: join(repoRoot, 'src/action/index.ts'),
    env: { GITHUB_SHA: 'f'.repeat(40), GITHUB_REPOSITORY: 'acme/shop', GITHUB_WORKSPACE: dir },
    inputs: { config: 'deploy.yml', 'state-key': MULTI_LINE_KEY, mode: 'reconcile', 'dry-run': 'true' },
  });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const lines = run.stdout.split('\n');
  const firstError = lines.findIndex((line) => line.startsWith('::error::'));
  // Before: the key was registered only once every input had been read and found good.
  const masks = lines.slice(0, firstError).filter((line) => line.startsWith('::add-mask::'));
  for (const line of MULTI_LINE_KEY.split('\n')) assert.ok(masks.includes(`::add-mask::${line}`), run.stdout);
  // Before: reconcile ran for real, dry-run ignored.
  assert.match(lines[firstError]!, /^::error::input "dry-run" is true, but mode "reconcile" has no dry run/);
  assert.equal(run.outputs.reconcile, undefined);
});
