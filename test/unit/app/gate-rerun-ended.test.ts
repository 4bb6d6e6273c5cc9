// Re-run on a gate the App closed because its workflow run ended (conclusion `cancelled`): that gate gave its run
// no answer, so its details must not say it did; they say the run no longer waits, and how to ask again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleGateRerun } from '../../../app/handlers/gate-rerun.ts';
import type { Octokit } from '../../../app/facts/github.ts';
import type { MarkerTrust } from '../../../app/facts/own-comments.ts';
import type { RecordReader } from '../../../app/state.ts';

const APP_ID = 7;

function octokitWith(conclusion: string): { octokit: Octokit; updates: Array<Record<string, unknown>> } {
  const updates: Array<Record<string, unknown>> = [];
  const octokit = {
    auth: async () => ({ appId: APP_ID }),
    rest: {
      checks: {
        get: async () => ({
          data: {
            status: 'completed',
            conclusion,
            output: { title: 'Workflow run 41 no longer waits: production', summary: 'nothing was deployed' },
          },
        }),
        update: async (params: Record<string, unknown>) => {
          updates.push(params);
          return { data: {} };
        },
      },
    },
  } as unknown as Octokit;
  return { octokit, updates };
}

const payload = {
  check_run: {
    id: 900,
    name: 'approval / production',
    head_sha: 'a'.repeat(40),
    external_id: JSON.stringify({ v: 1, run: 41, pr: 3, env: 'production', type: 'standard' }),
    app: { id: APP_ID },
  },
  repository: { name: 'web', owner: { login: 'acme' }, default_branch: 'main' },
};

test('Re-run on a gate closed because its run ended says the run no longer waits, not that it was answered', async () => {
  const { octokit, updates } = octokitWith('cancelled');
  const outcome = await handleGateRerun(
    octokit,
    payload,
    {} as MarkerTrust,
    {} as RecordReader,
    new Date('2026-12-01T10:00:00Z'),
  );
  assert.deepEqual(outcome, { status: 'already_answered', conclusion: 'cancelled' });
  assert.equal(updates.length, 1);
  const text = String((updates[0]!.output as { text: string }).text);
  assert.doesNotMatch(text, /gave workflow run 41 its answer/);
  assert.match(text, /workflow run 41 no longer waits for this protection rule.*Re-run the workflow run/);
  assert.equal(updates[0]!.conclusion, undefined, 'the gate itself is not changed');
});
