// With --json, a refusal found once the command line is read (an unknown environment, a strategy the target
// cannot run, a gates section with no gate) is one JSON line on standard output, as the commands' own
// refusals are (`{"type": "control", "ok": false, …}`, a config error's `{"ok": false, …}`): the `error:` line
// went to standard error, and a --json reader found standard output empty (exit 2 its only clue).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';

const dir = mkdtempSync(join(tmpdir(), 'json-refusal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'deploy.yml');
writeFileSync(
  config,
  'target:\n  commands:\n    deploy: echo {{version}}\n    health: "true"\nenvironments:\n  production: {}\n',
);
const stateDir = join(dir, 'state');

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const refusals: Array<[string, string[], RegExp]> = [
  ['run', ['run', '-e', 'nope', '-v', 'v1', '--state-dir', stateDir], /unknown environment "nope"/],
  ['run', ['run', '-e', 'production', '-v', 'v1', '-s', 'canary', '--state-dir', stateDir], /set_weight/],
  // `run --at` records a run: its own lines, its refusals among them, are the schedule's.
  [
    'schedule',
    ['run', '-e', 'nope', '-v', 'v1', '--at', '2030-01-01T10:00:00Z', '--state-dir', stateDir],
    /unknown environment "nope"/,
  ],
  ['plan', ['plan', '-e', 'nope', '-v', 'v1', '--state-dir', stateDir], /unknown environment "nope"/],
  ['status', ['status', '-e', 'nope', '--state-dir', stateDir], /unknown environment "nope"/],
  // A control verb's refusals say the type of all its lines, as its own refusals do (`no_rollout`).
  ['control', ['abort', '-e', 'nope', '--state-dir', stateDir], /unknown environment "nope"/],
  ['control', ['promote', '-e', 'nope', '--state-dir', stateDir], /unknown environment "nope"/],
  ['control', ['pause', '-e', 'nope', '--state-dir', stateDir], /unknown environment "nope"/],
  ['control', ['resume', '-e', 'nope', '--state-dir', stateDir], /unknown environment "nope"/],
  ['reconcile', ['reconcile', '-e', 'nope', '--state-dir', stateDir], /unknown environment "nope"/],
  ['gates', ['gates'], /configures no gates/],
];

for (const [command, argv, message] of refusals) {
  test(`${argv.join(' ')} --json: one JSON line on stdout says the refusal, the error line on stderr as without it`, async () => {
    const result = await cli([...argv, '-c', config, '--json']);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked, result.err);
    const lines = result.out.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, result.out);
    const doc = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), ['type', 'ok', 'code', 'message']);
    assert.equal(doc.type, command);
    assert.equal(doc.ok, false);
    assert.equal(doc.code, 'invalid_input');
    assert.match(String(doc.message), message);
    assert.match(result.err, /^error: /);
    assert.match(result.err, message);
  });

  test(`${argv.join(' ')} without --json: the error on stderr, nothing on stdout`, async () => {
    const result = await cli([...argv, '-c', config]);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked, result.err);
    assert.equal(result.out, '');
    assert.match(result.err, message);
  });
}

test('an option refused while the command line is read stays on stderr alone, --json or not', async () => {
  // commander refuses it before the command's options (--json among them) are known.
  const result = await cli(['status', '-e', '', '-c', config, '--json']);
  assert.equal(result.code, EXIT_CODES.invalidOrBlocked);
  assert.equal(result.out, '');
  assert.match(result.err, /is empty/);
});

test("a control verb's own refusal and the one it throws say the same type", async () => {
  const own = await cli(['promote', '-e', 'production', '--state-dir', stateDir, '-c', config, '--json']);
  const thrown = await cli(['promote', '-e', 'nope', '--state-dir', stateDir, '-c', config, '--json']);
  const [ownDoc, thrownDoc] = [own, thrown].map((r) => JSON.parse(r.out.trim()) as Record<string, unknown>);
  assert.equal(ownDoc!.code, 'no_rollout', own.out);
  assert.deepEqual([ownDoc!.type, thrownDoc!.type], ['control', 'control']);
});
