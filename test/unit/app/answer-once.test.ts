// app/facts/answer-once.ts: the claim that makes one answer of two deliveries handled at once. The loser is
// the one GitHub answers 422 "Reference already exists"; any other refusal is no answer to give up on; the
// claim goes whatever the answer did, and a removal GitHub refuses does not turn an answer into a failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerOnce, answeringRefName } from '../../../app/facts/answer-once.ts';

const where = { owner: 'acme', repo: 'web' };
const sha = 'a'.repeat(40);

function refs(options: { createFails?: { status: number; message: string }; deleteFails?: boolean } = {}) {
  const held = new Set<string>();
  const deleted: string[] = [];
  return {
    held,
    deleted,
    git: {
      async createRef(p: { ref: string; sha: string }) {
        if (options.createFails)
          throw Object.assign(new Error(options.createFails.message), { status: options.createFails.status });
        if (held.has(p.ref)) throw Object.assign(new Error('Reference already exists'), { status: 422 });
        held.add(p.ref);
        return {};
      },
      async deleteRef(p: { ref: string }) {
        deleted.push(p.ref);
        if (options.deleteFails) throw Object.assign(new Error('Server Error'), { status: 502 });
        held.delete(`refs/${p.ref}`);
        return {};
      },
    },
  };
}

test('the name says what is answered and hides the identity (a GUID, a login) behind a hash', () => {
  const name = answeringRefName('press', 'approve:0b7c-…');
  assert.match(name, /^deploy-answering\/press-[0-9a-f]{40}$/);
  assert.notEqual(name, answeringRefName('press', 'control:0b7c-…'));
});

test('one of two callers at once answers; the other is told it is not its to answer; the claim then goes', async () => {
  const api = refs();
  const claim = { ref: answeringRefName('review', 'review:1'), sha };
  let release!: () => void;
  const first = answerOnce(api, where, claim, () => new Promise<string>((r) => (release = () => r('first'))));
  // The second arrives while the first still answers.
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await answerOnce(api, where, claim, async () => 'second'), { claimed: false });
  release();
  assert.deepEqual(await first, { claimed: true, value: 'first' });
  assert.equal(api.held.size, 0, 'removed');
  // Once it is gone, the next caller claims it again (and looks for the answer itself).
  assert.deepEqual(await answerOnce(api, where, claim, async () => 'later'), {
    claimed: true,
    value: 'later',
  });
});

test('an answer that fails gives the claim back and fails; a refused claim other than "already exists" fails', async () => {
  const api = refs();
  const claim = { ref: answeringRefName('press', 'x'), sha };
  await assert.rejects(
    answerOnce(api, where, claim, async () => {
      throw new Error('reply refused');
    }),
    /reply refused/,
  );
  assert.equal(api.held.size, 0);
  await assert.rejects(
    answerOnce(
      refs({ createFails: { status: 403, message: 'Resource not accessible by integration' } }),
      where,
      claim,
      async () => 'x',
    ),
    /Resource not accessible/,
  );
  await assert.rejects(
    answerOnce(
      refs({ createFails: { status: 422, message: 'Object does not exist' } }),
      where,
      claim,
      async () => 'x',
    ),
    /Object does not exist/,
  );
});

test('a removal GitHub refuses leaves the answer given', async () => {
  const api = refs({ deleteFails: true });
  const claim = { ref: answeringRefName('press', 'y'), sha };
  assert.deepEqual(await answerOnce(api, where, claim, async () => 42), { claimed: true, value: 42 });
  assert.deepEqual(api.deleted, [claim.ref]);
});
