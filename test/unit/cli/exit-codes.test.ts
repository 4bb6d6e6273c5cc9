// One set of exit codes for every command (src/util/exit-codes.ts): the README documents exactly that set,
// and each documented code is what the commands return.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { deploymentExitCode, EXIT_CODES, gatesExitCode } from '../../../src/util/exit-codes.ts';
import { cancelledExitCode, runExitCode } from '../../../src/util/signals.ts';
import { repoRoot } from '../../helpers/cli.ts';

async function configFile(t: { after(fn: () => Promise<void>): void }, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'exit-codes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'deploy.yml');
  await writeFile(path, text);
  return path;
}

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const TARGET = 'target:\n  commands:\n    deploy: ./deploy.sh {{version}}\nenvironments:\n  production: {}\n';
const buildGate = (exit: number) =>
  `gates:\n  build:\n    command: ${JSON.stringify([process.execPath, '-e', `process.exit(${exit})`])}\n`;

test('the README documents exactly the codes of src/util/exit-codes.ts, with their meaning', async () => {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const sentence = /Exit codes, the same for[^]*?stable version\)/.exec(readme)?.[0].replace(/\s+/g, ' ');
  assert.ok(sentence, 'README has the exit codes sentence');
  assert.match(sentence, /`validate`, `plan`, `run` and `gates`/);
  assert.match(sentence, new RegExp(`${EXIT_CODES.success} deployed \\(or gates passed, config valid\\)`));
  assert.match(sentence, new RegExp(`${EXIT_CODES.failed} failed or rolled back`));
  assert.match(sentence, new RegExp(`${EXIT_CODES.invalidOrBlocked} invalid input or blocked by gates`));
  assert.match(sentence, new RegExp(`${EXIT_CODES.rollbackFailed} the rollback did not complete`));
  assert.match(
    sentence,
    new RegExp(`${EXIT_CODES.interrupted} / ${EXIT_CODES.terminated} cancelled by SIGINT / SIGTERM`),
  );
  const documented = [...sentence.matchAll(/\b\d+\b/g)].map((m) => Number(m[0])).sort((a, b) => a - b);
  assert.deepEqual(
    documented,
    Object.values(EXIT_CODES).sort((a, b) => a - b),
  );
});

test('gates: blocked exits 2 like a blocked run, passed exits 0', async (t) => {
  const blocked = await configFile(t, TARGET + buildGate(3));
  const result = await cli(['gates', '-c', blocked, '--json']);
  assert.equal(JSON.parse(result.out).status, 'BLOCK');
  assert.equal(result.code, 2);
  assert.equal(result.code, deploymentExitCode('blocked'), 'the same code as a run the gates blocked');

  const passed = await configFile(t, TARGET + buildGate(0));
  const ok = await cli(['gates', '-c', passed, '--json']);
  assert.equal(JSON.parse(ok.out).status, 'PASS');
  assert.equal(ok.code, 0);
});

test('invalid input exits 2: a config with errors, an unknown option', async (t) => {
  const invalid = await configFile(t, 'environments:\n  production: { tpye: x }\n');
  for (const command of [['validate'], ['gates'], ['plan', '-e', 'production', '-v', 'v1']]) {
    const result = await cli([...command, '-c', invalid]);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked, command.join(' '));
  }
  assert.equal((await cli(['validate', '--no-such-option'])).code, 2);
  const valid = await configFile(t, TARGET);
  assert.equal((await cli(['validate', '-c', valid])).code, 0);
});

test('gates: a section that configures no gate, or --only naming none, is invalid input, not a PASS of 0 gates', async (t) => {
  for (const gates of ['gates: {}\n', 'gates:\n  timeout: 5m\n  concurrency: 2\n']) {
    const path = await configFile(t, TARGET + gates);
    const result = await cli(['gates', '-c', path, '--json']);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked, gates);
    // No report of 0 gates: the refusal alone, as --json says one (json-refusal.test.ts).
    assert.equal(JSON.parse(result.out).code, 'invalid_input', gates);
    assert.match(JSON.parse(result.out).message, /configures no gates/, gates);
  }
  const configured = await configFile(t, TARGET + buildGate(0));
  for (const only of [',', ' , ']) {
    const result = await cli(['gates', '-c', configured, '--only', only, '--json']);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked, only);
    assert.equal(JSON.parse(result.out).code, 'invalid_input', only);
    assert.match(JSON.parse(result.out).message, /--only names no gate/, only);
  }
});

test('every deployment outcome maps to a documented code', () => {
  assert.equal(deploymentExitCode('succeeded'), 0);
  assert.equal(deploymentExitCode('failed'), 1);
  assert.equal(deploymentExitCode('rolled_back'), 1);
  assert.equal(deploymentExitCode('paused'), 1);
  assert.equal(deploymentExitCode('blocked'), 2);
  assert.equal(deploymentExitCode('cancelled'), 130);
  assert.equal(cancelledExitCode('SIGINT'), 130);
  assert.equal(cancelledExitCode('SIGTERM'), 143);
  assert.equal(runExitCode({ status: 'cancelled', exitCode: 130 }, 'SIGTERM'), 143);
  // A rollback that did not complete is never reported as a plain failure or a clean cancellation.
  assert.equal(deploymentExitCode('failed', true), 3);
  assert.equal(deploymentExitCode('cancelled', true), 3);
  assert.equal(runExitCode({ status: 'cancelled', exitCode: 3 }, 'SIGINT'), 3);
  assert.equal(runExitCode({ status: 'cancelled', exitCode: 3 }, 'SIGTERM'), 3);
  assert.equal(gatesExitCode('BLOCK'), 2);
  assert.equal(gatesExitCode('WARN'), 0);
  assert.equal(gatesExitCode('PASS'), 0);
});
