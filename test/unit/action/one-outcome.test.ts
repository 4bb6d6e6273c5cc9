// The Action's outcome has two writers at the crash deadline (the run ending on its own, the deadline writing
// what was known): whichever begins first writes, the other writes nothing and waits until it has written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oneOutcome, type OutcomeWriter } from '../../../src/action/one-outcome.ts';

/** A writer that records into `written` and ends only when `finish` is called. */
function slowWriter(name: string, written: string[]) {
  let finish!: (error?: Error) => void;
  const done = new Promise<void>((resolve, reject) => (finish = (e) => (e ? reject(e) : resolve())));
  return {
    write: async () => {
      written.push(`${name}: outputs`);
      await done;
      written.push(`${name}: summary`);
    },
    finish,
  };
}

for (const [first, second] of [
  ['crash_deadline', 'run'],
  ['run', 'crash_deadline'],
] as Array<[OutcomeWriter, OutcomeWriter]>) {
  test(`${first} begins writing, ${second} comes while it writes: only ${first} writes, ${second} waits for it`, async () => {
    const outcome = oneOutcome();
    const written: string[] = [];
    const a = slowWriter(first, written);
    const b = slowWriter(second, written);
    const firstClaim = outcome.claim(first, a.write);
    assert.equal(outcome.writer(), first);
    let secondDone = false;
    const secondClaim = outcome.claim(second, b.write).then((who) => ((secondDone = true), who));
    await new Promise((r) => setImmediate(r));
    // The second neither writes nor returns while the first is half-way: the process must not exit then.
    assert.equal(secondDone, false);
    a.finish();
    assert.equal(await firstClaim, first);
    assert.equal(await secondClaim, first);
    b.finish();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(written, [`${first}: outputs`, `${first}: summary`]);
  });
}

test('the second claim, after the first has written: writes nothing, says who wrote', async () => {
  const outcome = oneOutcome();
  const written: string[] = [];
  assert.equal(await outcome.claim('run', async () => void written.push('run')), 'run');
  assert.equal(await outcome.claim('crash_deadline', async () => void written.push('deadline')), 'run');
  assert.deepEqual(written, ['run']);
});

test('a first write that fails: its caller gets the error, the second still writes nothing and goes on', async () => {
  const outcome = oneOutcome();
  const written: string[] = [];
  const first = outcome.claim('crash_deadline', async () => {
    throw new Error('summary file gone');
  });
  const second = outcome.claim('run', async () => void written.push('run'));
  await assert.rejects(first, /summary file gone/);
  assert.equal(await second, 'crash_deadline');
  assert.deepEqual(written, []);
});

test('no writer before the first claim', () => {
  assert.equal(oneOutcome().writer(), undefined);
});
