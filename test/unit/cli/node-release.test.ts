// The built binary on a Node.js it cannot run on says so in one line; on every maintained release line it
// can serve (22 and 24) it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nodeReleaseProblem } from '../../../src/cli/node-release.ts';
import { CLI_BUNDLE, repoRoot } from '../../helpers/cli.ts';

const exec = promisify(execFile);

async function runBinary(node: string, args: string[], nodeOptions: string[] = []) {
  try {
    const { stdout, stderr } = await exec(node, [...nodeOptions, CLI_BUNDLE, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('nodeReleaseProblem: 22.17 and newer are served, older releases get one line saying what to install', () => {
  for (const version of ['24.0.0', '24.21.0', '22.17.0', '22.23.3', '26.1.0']) {
    assert.equal(nodeReleaseProblem(version), undefined, version);
  }
  for (const version of ['20.20.2', '22.16.0', '18.0.0', '21.7.3']) {
    const problem = nodeReleaseProblem(version);
    assert.ok(problem, version);
    assert.doesNotMatch(problem, /\n/);
    assert.match(problem, new RegExp(`this is Node\\.js ${version.replaceAll('.', '\\.')}`));
    assert.match(problem, /Node\.js 24/);
  }
});

test('the built binary on an old Node prints one line and exits 1, before loading the CLI', async () => {
  // Pretend to be Node 20 in the current binary; the real Node 20 is checked below where the machine has it.
  const pretend = `--import=data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.20.2"})`;
  const result = await runBinary(process.execPath, ['validate'], [pretend]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^deploy-action: needs Node\.js 24 .*this is Node\.js 20\.20\.2/);
});

test('the built binary on the machine Node older than 22.17 (the system Node 20) prints one line', async (t) => {
  const candidates = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].filter(existsSync);
  const old: string[] = [];
  for (const node of candidates) {
    const { stdout } = await exec(node, ['-p', 'process.versions.node']);
    if (nodeReleaseProblem(stdout.trim())) old.push(node);
  }
  t.diagnostic(old.length ? `old Node found: ${old.join(', ')}` : 'no Node older than 22.17 on this machine');
  for (const node of old) {
    const result = await runBinary(node, ['validate']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^deploy-action: needs Node\.js 24/);
  }
});

test('the built binary runs on Node 22 (validate and plan), without experimental warnings', async () => {
  const node22 = join(repoRoot, 'node_modules/node22/bin/node');
  const { stdout: version } = await exec(node22, ['-p', 'process.versions.node']);
  assert.match(version, /^22\./);
  const config = 'examples/demo/deploy.yml';
  const validate = await runBinary(node22, ['validate', '-c', config]);
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stdout, /is valid/);
  const plan = await runBinary(node22, ['plan', '-c', config, '-e', 'production', '--version', 'v2']);
  assert.equal(plan.code, 0, plan.stderr + plan.stdout);
  assert.match(plan.stdout, /v2/);
  assert.doesNotMatch(validate.stderr + plan.stderr, /ExperimentalWarning|Warning:/);
});

test('the tests run on Node 24, the runtime the Action declares (node_modules/.bin/node is node@24)', () => {
  // Both node@24 and node22 (an alias of node@22) ship a "node" binary; scripts/pin-node-bin.js keeps the
  // .bin link on 24 whichever npm linked last.
  assert.equal(process.versions.node.split('.')[0], '24', `running on Node ${process.versions.node}`);
});
