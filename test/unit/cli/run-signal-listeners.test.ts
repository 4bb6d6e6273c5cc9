// `deploy-action run` listens for SIGINT/SIGTERM while it deploys (cli/cancellation.ts) and takes its listeners
// off when it ends uncancelled, also when the run throws: left behind, an embedding process (or the next
// main() in it) had a SIGINT swallowed by a run that was over, and the listeners piled up run after run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const listening = () => SIGNALS.map((s) => process.listenerCount(s));

async function directDeployment(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'run-signal-listeners-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  const ok = JSON.stringify([process.execPath, '-e', '']);
  await writeFile(
    config,
    `preset: fast\nstate_dir: ${join(dir, 'state')}\ntarget:\n  commands:\n    deploy: ${ok}\n    health: ${ok}\n` +
      'environments:\n  production:\n    strategy: direct\n',
  );
  return config;
}

test('run: the signal listeners are gone after a run that throws (its result line cannot be written)', async (t) => {
  const config = await directDeployment(t);
  const before = listening();
  let printed = '';
  // --json holds the result line back to the end: a standard output that fails then throws out of the run.
  const out = (text: string) => {
    if (text.includes('"type":"result"')) throw new Error('standard output closed');
    printed += text;
  };
  let errors = '';
  const code = await main(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    out,
    err: (text) => (errors += text),
  });
  // An error the CLI does not know is said as an internal error (through the masking writer), exit 1.
  assert.equal(code, 1);
  assert.match(errors, /internal error: .*standard output closed/);
  assert.match(printed, /"phase":"finalize"/, 'the deployment ran to its end');
  assert.deepEqual(listening(), before);
});

test('run: the signal listeners are gone after a run that ends', async (t) => {
  const config = await directDeployment(t);
  const before = listening();
  const code = await main(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    out: () => {},
    err: () => {},
  });
  assert.equal(code, 0);
  assert.deepEqual(listening(), before);
});

/** The listeners main() added to the process since `before`, taken off again so the next test starts clean. */
function takeOffNew(before: Map<string, NodeJS.SignalsListener[]>): number[] {
  return SIGNALS.map((s) => {
    const added = (process.listeners(s) as NodeJS.SignalsListener[]).filter(
      (l) => !before.get(s)!.includes(l),
    );
    for (const l of added) process.off(s, l);
    return added.length;
  });
}

test('reconcile: its listeners are gone when it ends, and stay to the exit once cancelled (a later SIGTERM is a notice)', async (t) => {
  const config = await directDeployment(t);
  const before = new Map(SIGNALS.map((s) => [s as string, process.listeners(s) as NodeJS.SignalsListener[]]));
  const quiet = await main(['reconcile', '-c', config], { out: () => {}, err: () => {} });
  assert.equal(quiet, 0);
  assert.deepEqual(takeOffNew(before), [0, 0]);

  // SIGINT as its summary is written: the command is over, its exit still to come.
  let signalled = false;
  let errors = ''; // everything it printed
  const cancelled = await main(['reconcile', '-c', config], {
    out: (text) => {
      errors += text;
      if (signalled) return;
      signalled = true;
      process.emit('SIGINT', 'SIGINT');
    },
    err: (text) => (errors += text),
  });
  assert.ok(signalled, errors);
  assert.match(errors, /SIGINT received: cancelling/);
  // The runner's SIGTERM between here and the exit finds a listener: it only says the cancellation goes on.
  process.emit('SIGTERM', 'SIGTERM');
  assert.match(errors, /SIGTERM received again/);
  const kept = SIGNALS.map((s) => process.listenerCount(s) - before.get(s)!.length);
  assert.ok(
    kept.every((n) => n >= 1),
    `listeners left for the exit, per signal: ${kept.join(', ')}`,
  );
  assert.equal(typeof cancelled, 'number');

  // The process (one that embeds the CLI) runs another command: the cancelled one's listeners go, and a
  // signal to it is its own, not "received again" of the command that ended.
  let later = '';
  const again = await main(['reconcile', '-c', config], {
    out: (text) => (later += text),
    err: (text) => (later += text),
  });
  assert.equal(again, 0);
  assert.deepEqual(takeOffNew(before), [0, 0]);
  errors = '';
  process.emit('SIGTERM', 'SIGTERM');
  assert.equal(errors, '', 'the ended command said nothing of a later signal');
});
