// When reconcile ends a dead run's rollout, that run's deploy check run ends with it (it would otherwise say
// "in progress, deploying v2" forever); while a rollout is still recorded, it is left as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRunEnding } from '../../../src/reconcile/github-store.ts';
import { emptyRecord, withTransition, type EnvironmentRecord } from '../../../src/state/record.ts';

const NOW = new Date('2026-11-30T12:00:00Z');

function withRollout(version: string): EnvironmentRecord {
  return withTransition(
    emptyRecord('acme/shop', 'production', NOW),
    {
      rollout: {
        deploymentId: '42',
        version,
        strategy: 'canary',
        phase: 'production',
        step: 3,
        steps: 5,
        weight: 50,
        startedAt: NOW.toISOString(),
        owner: { kind: 'workflow', runId: '7' },
        recovery: [],
      },
    },
    undefined,
    NOW,
  );
}

const ended = (before: EnvironmentRecord, event: string, detail?: string) =>
  withTransition(before, { rollout: undefined }, { by: 'reconcile:9', event, code: event, detail }, NOW);

for (const [event, conclusion] of [
  ['orphan_rolled_back', 'failure'],
  ['orphan_rollback_failed', 'failure'],
  ['succeeded', 'success'],
  ['cancelled', 'cancelled'],
] as const) {
  test(`a rollout reconcile ended with ${event} completes the check run as ${conclusion}`, () => {
    const before = withRollout('v2');
    const ending = checkRunEnding(before, ended(before, event, 'weight back to 0'));
    assert.equal(ending?.conclusion, conclusion);
    assert.equal(ending?.title, `production: ${event.replaceAll('_', ' ')} by reconcile`);
    assert.match(ending?.summary ?? '', /rollout of \*\*v2\*\* ended; reconcile took over/);
  });
}

test('nothing to end while a rollout is still recorded, or when there was none', () => {
  const before = withRollout('v2');
  assert.equal(checkRunEnding(before, withTransition(before, {}, undefined, NOW)), undefined);
  const none = emptyRecord('acme/shop', 'production', NOW);
  assert.equal(checkRunEnding(none, withTransition(none, {}, undefined, NOW)), undefined);
});

test('record text in the summary is escaped, never raw markdown', () => {
  const before = withRollout('v2');
  const ending = checkRunEnding(before, ended(before, 'orphan_rolled_back', '<img src=x> [x](http://evil)'));
  assert.doesNotMatch(ending!.summary, /<img|\]\(http/);
});
