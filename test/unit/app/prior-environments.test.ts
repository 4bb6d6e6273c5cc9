// judgePrior: when a `requires` environment's state record shows the commit deployed there, and why not
// otherwise (app/facts/prior-environments.ts), and how the refusal words it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgePrior } from '../../../app/facts/prior-environments.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import type { StateRead } from '../../../src/state/store.ts';
import { evaluatePolicy, explainRefusal } from '../../../src/policy/index.ts';
import type { RawConfig } from '../../../src/config/schema.ts';

const SHA = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);

function record(overrides: Partial<EnvironmentRecord> = {}): StateRead {
  return {
    ok: true,
    source: 'check run 1',
    record: {
      schema: 1,
      repository: 'acme/web',
      environment: 'staging',
      seq: 3,
      updatedAt: '2025-03-04T10:00:00.000Z',
      live: { version: 'v2', sha: SHA, since: '2025-03-04T10:00:00.000Z' },
      retired: [],
      history: [],
      ...overrides,
    },
  };
}

test('the commit live in the verified record: met (any case of the SHA)', () => {
  assert.equal(judgePrior('staging', record(), SHA), undefined);
  assert.equal(judgePrior('staging', record(), SHA.toUpperCase()), undefined);
});

test('not met: another commit live, the commit replaced, its rollout unfinished, nothing live, no SHA', () => {
  const cases: Array<[Partial<EnvironmentRecord>, RegExp]> = [
    [{ live: { version: 'v1', sha: OTHER, since: '2025-03-04T10:00:00.000Z' } }, /bbbbbbb \(v1\) is live/],
    [
      {
        live: { version: 'v1', sha: OTHER, since: '2025-03-04T10:00:00.000Z' },
        previous: { version: 'v2', sha: SHA, since: '2025-03-03T10:00:00.000Z' },
      },
      /was live there and has been replaced/,
    ],
    [
      {
        live: { version: 'v1', sha: OTHER, since: '2025-03-04T10:00:00.000Z' },
        rollout: {
          deploymentId: '9',
          version: 'v2',
          sha: SHA,
          strategy: 'canary',
          phase: 'production',
          step: 1,
          steps: 3,
          startedAt: '2025-03-04T10:00:00.000Z',
          owner: { kind: 'workflow', runId: '5' },
          recovery: [],
        },
      },
      /rollout of aaaaaaa has not succeeded yet/,
    ],
    [{ live: undefined }, /nothing is live there/],
    [{ live: { version: 'v2', since: '2025-03-04T10:00:00.000Z' } }, /no commit \(v2\) is live/],
  ];
  for (const [overrides, message] of cases) {
    const issue = judgePrior('staging', record(overrides), SHA);
    assert.equal(issue?.code, 'not_live');
    assert.match(issue.message, message);
  }
});

test('no record: state_not_kept, a configuration error that says what to configure; a refused record: its code', () => {
  const none = judgePrior('staging', { ok: true, record: undefined, source: 'no record' }, SHA);
  assert.equal(none?.code, 'state_not_kept');
  assert.match(none.message, /state-key/);
  const forged = judgePrior(
    'staging',
    { ok: false, code: 'state_forged', message: 'the signature does not verify', source: 'check run 4' },
    SHA,
  );
  assert.deepEqual(forged, {
    environment: 'staging',
    code: 'state_forged',
    message: 'its state record is refused, so nothing in it counts: the signature does not verify',
  });
});

test('the refusal names each environment with its code, whole, and escapes what the record says', () => {
  const config = {
    environments: { staging: {}, production: { approvals: { requires: 'staging', required: 0 } } },
  } as unknown as RawConfig;
  const hostile = judgePrior(
    'staging',
    record({ live: { version: '**v1**<!--', sha: OTHER, since: '2025-03-04T10:00:00.000Z' } }),
    SHA,
  )!;
  const none = judgePrior('staging', { ok: true, record: undefined, source: 'no record' }, SHA)!;
  for (const issue of [hostile, none]) {
    const decision = evaluatePolicy({
      config,
      environment: 'production',
      actor: { login: 'alice', permission: 'write', type: 'User', teams: [] },
      sha: SHA,
      approvals: [],
      successfulDeployments: [],
      priorEnvironmentIssues: [issue, { environment: 'elsewhere', code: 'not_live', message: 'x' }],
      checks: [],
      now: new Date('2025-03-04T12:00:00Z'),
      type: 'standard',
    });
    assert.equal(decision.ok, false);
    assert.ok(!decision.ok && decision.code === 'prior_environment_missing');
    assert.deepEqual(decision.why, [issue], 'only the missing environments');
    const text = explainRefusal(decision);
    assert.match(text, new RegExp(`staging: \`${issue.code}\``));
    assert.doesNotMatch(text, /…/, 'not cut short');
    assert.doesNotMatch(text, /(?<!\\)\*\*v1|<!--/);
  }
});
