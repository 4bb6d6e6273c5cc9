// The `state-key` input (and `state-key-previous`, during a rotation): read and checked with the other inputs;
// a short one is refused naming the input and never echoed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, readInputs, stateKeysOf } from '../../../src/action/inputs.ts';
import { controlFactory } from '../../../src/action/reconcile.ts';
import type { RunContext } from '../../../src/action/context.ts';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { signControlRequest } from '../../../src/control/signed.ts';
import type { ControlRequest, ControlSource } from '../../../src/control/request.ts';
import type { GitHubClient } from '../../../src/github/client.ts';
import type { Rollout } from '../../../src/state/record.ts';

const read = (values: Record<string, string>) => readInputs((name) => values[name] ?? '');

test('state-key: absent, the printed hex, or a secret of 32+ characters', () => {
  assert.equal(read({}).stateKey, undefined);
  const hex = 'ab'.repeat(32);
  assert.equal(read({ 'state-key': ` ${hex}\n` }).stateKey, hex);
  const own = 'x'.repeat(32);
  assert.equal(read({ 'state-key': own }).stateKey, own);
});

test('a short state-key is a problem naming the input, reported with the others, without its value', () => {
  assert.throws(
    () => read({ 'state-key': 'hunter2-is-short', 'pr-comment': 'maybe' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.problems.length === 2 &&
      e.problems.some((p) => /^input "state-key" must be at least 32 characters/.test(p)) &&
      !e.message.includes('hunter2'),
  );
});

test('state-key-previous: read under both keys, the current first; a short one is a problem naming it, without its value', () => {
  const now = 'ab'.repeat(32);
  const before = 'cd'.repeat(32);
  const inputs = read({ 'state-key': now, 'state-key-previous': before });
  assert.equal(inputs.stateKeyPrevious, before);
  assert.deepEqual(
    stateKeysOf(inputs).map((k) => k.toString('hex')),
    [now, before],
  );
  assert.deepEqual(
    stateKeysOf(read({ 'state-key': now })).map((k) => k.toString('hex')),
    [now],
  );
  assert.throws(
    () => read({ 'state-key': now, 'state-key-previous': 'hunter2-is-short' }),
    (e: unknown) =>
      e instanceof InputError &&
      e.problems.some((p) => /^input "state-key-previous" must be at least 32 characters/.test(p)) &&
      !e.message.includes('hunter2'),
  );
  // Alone it would be ignored (no state-key: the record is kept in state-dir): a problem, its value unshown.
  assert.throws(
    () => read({ 'state-key-previous': before }),
    (e: unknown) =>
      e instanceof InputError &&
      e.problems.some((p) => /^input "state-key-previous" is set but input "state-key" is not/.test(p)) &&
      !e.message.includes(before),
  );
});

test("reconcile during a rotation reads a handed-off rollout's /abort the App signed under the previous state key", async () => {
  const place = { repository: 'acme/web', environment: 'production', deploymentId: '7' };
  const before = Buffer.alloc(32, 1);
  const abort: ControlRequest = {
    id: 'comment:1',
    verb: 'abort',
    by: 'alice',
    at: '2025-03-04T10:20:00.000Z',
    deploymentId: '7',
    sha: 'a'.repeat(40),
    step: 1,
    source: 'comment',
  };
  const text = signControlRequest(abort, before, place);
  const request = async (route: string) => {
    if (route.includes('/check-suites/'))
      return {
        status: 200,
        headers: {},
        data: {
          total_count: 1,
          check_runs: [{ id: 5, name: 'rollout / production', app: { id: 9 }, output: { text } }],
        },
      };
    return {
      status: 200,
      headers: {},
      data: { total_count: 1, check_suites: [{ id: 3, app: { id: 9 }, latest_check_runs_count: 1 }] },
    };
  };
  const inputs = read({
    'state-key': 'ab'.repeat(32),
    'state-key-previous': before.toString('hex'),
    'control-app-id': '9',
  });
  const controlFor = controlFactory(
    inputs,
    { owner: 'acme', repo: 'web' } as RunContext,
    { request } as unknown as GitHubClient,
  )!;
  const source = controlFor(
    { name: 'production' } as ResolvedEnvironment,
    {
      deploymentId: '7',
      sha: 'a'.repeat(40),
    } as Rollout,
  ) as ControlSource;
  const poll = await source.poll('7');
  assert.deepEqual(
    poll.requests.map((r) => r.verb),
    ['abort'],
    JSON.stringify(poll),
  );
});
