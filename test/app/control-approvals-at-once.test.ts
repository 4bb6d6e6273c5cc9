// `approval: 2` on a handed-off rollout, its two approvers' /promote handled at the same moment (two
// replicas, or one replica's two deliveries at once): each reads the requests before the other's is written,
// so each alone counts one approval of two. Both are recorded and the wait is over; its reconcile run must
// start, once, without anyone having to /promote again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAD } from './helpers.ts';
import { controlConfig, rolloutWorld } from './rollout-world.ts';

test('approval: 2 handed off: two approvers’ /promote at the same moment start its reconcile run once', async () => {
  await rolloutWorld(
    { config: controlConfig({ approvers: ['carol', 'dave'] }), writers: ['alice', 'carol', 'dave'] },
    async (w) => {
      w.r.commits.get(HEAD)!.author = 'bob';
      for (const change of w.r.activities) change.actor = 'bob';
      await w.write({
        wait: { kind: 'approval', approvals: 2, step: 2, since: '2025-03-04T10:20:00.000Z', handedOff: true },
      });
      await Promise.all([
        w.comment('/promote production', 'carol'),
        w.comment('/promote production', 'dave'),
      ]);
      assert.equal(w.requests(), 2, 'both approvals recorded');
      assert.equal(w.r.workflowDispatches.length, 1, 'the wait is over: its reconcile run started, once');
      const replies = [...w.r.comments.values()]
        .map((c) => String(c.body))
        .filter((b) => b.startsWith('**/promote**'));
      assert.equal(replies.length, 2);
      assert.ok(
        replies.some((b) => /\(a new run was started\)/.test(b)),
        `one reply says the run started: ${replies.join('\n')}`,
      );
    },
  );
});
