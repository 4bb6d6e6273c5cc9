// A gate command's output becomes a finding (its last lines). A failing test that prints a private key puts
// the key's body in those lines with its BEGIN line above them, where nothing marks it as a key; a command
// that prints a file on one line makes a finding of megabytes. Neither reaches a finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputTail } from '../../../src/gates/gate-command.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext } from '../../../src/gates/types.ts';

function keyBlock(bodyLines: number): { text: string; body: string[] } {
  const body = Array.from({ length: bodyLines }, () => randomBytes(48).toString('base64'));
  return {
    text: ['-----BEGIN RSA PRIVATE KEY-----', ...body, '-----END RSA PRIVATE KEY-----'].join('\n'),
    body,
  };
}

test('outputTail: a key block whose BEGIN line is above the kept lines leaves none of its body', () => {
  for (const [before, after] of [
    [0, 1],
    [3, 0],
    [0, 14],
  ] as const) {
    const key = keyBlock(40);
    const output = [
      ...Array.from({ length: before }, (_, i) => `log ${i}`),
      key.text,
      ...Array.from({ length: after }, (_, i) => `after ${i}`),
    ].join('\n');
    const tail = outputTail(output, 15);
    for (const line of key.body) assert.ok(!tail.includes(line), `${before}/${after}: ${tail}`);
    if (after > 0) assert.ok(tail.includes(`after ${after - 1}`));
  }
  // The whole block in the kept lines: redacted to its header as before.
  const small = keyBlock(3);
  const tail = outputTail(`${small.text}\nfailed`, 15);
  for (const line of small.body) assert.ok(!tail.includes(line));
  assert.match(tail, /failed$/);
});

test('outputTail: a huge line is cut, and a secret is redacted before the cut, not cut into an unknown piece', () => {
  const huge = outputTail(`start\n${'x'.repeat(5_000_000)}\nend`);
  assert.ok(huge.length < 3000, String(huge.length));
  const token = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;
  const near = outputTail(`${'y'.repeat(985)} ${token} and more`);
  assert.ok(!near.includes(token.slice(0, 12)), near.slice(-80));
});

test('through the tests gate: the failing command printed a key; its finding does not carry the body', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-output-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const key = keyBlock(30);
  await writeFile(join(dir, 'key.pem'), key.text);
  const script = `console.log(require('fs').readFileSync('key.pem', 'utf8')); console.log('1 test failed'); process.exit(1)`;
  const ctx: GateContext = {
    cwd: dir,
    changedFiles: async () => [],
    signal: new AbortController().signal,
    log: () => {},
    env: { PATH: process.env.PATH },
  };
  const verdict = await testsGate.run(
    testsGate.schema.parse({ command: [process.execPath, '-e', script], thresholds: {} }),
    ctx,
  );
  assert.equal(verdict.status, 'block');
  const all = JSON.stringify(verdict);
  for (const line of key.body) assert.ok(!all.includes(line), all);
  assert.match(all, /1 test failed/);
});
