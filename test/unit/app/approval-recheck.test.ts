// The App's re-check of earlier approvals at a /promote of an `approval: N` wait (approval-recheck.ts): who
// no longer counts under the current rule, and the signed revocations that say so. Plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgePromoters, revocationsFor, revokedNote } from '../../../app/deploy/approval-recheck.ts';
import { countedApprovals } from '../../../src/control/decide.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { ControlRequest } from '../../../src/control/request.ts';
import type { ApproverDecision } from '../../../src/policy/index.ts';
import type { Rollout } from '../../../src/state/record.ts';

const parsed = parseConfig(
  `
target:
  commands:
    deploy: ./deploy.sh
environments:
  production:
    approvals:
      approvers: [acme/release]
      required: 0
`,
  'deploy.yml',
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const config = parsed.config;
const allowed = { ok: true, code: 'allowed', via: 'write_permission' } as unknown as ApproverDecision;
const member = (login: string) => ({
  login,
  ok: true as const,
  actor: { login, permission: 'write' as const, teams: ['acme/release'] },
});

test('judgePromoters: out of the team, permission too low, unreadable facts or the author: no longer counts', () => {
  const revoked = judgePromoters(
    {
      config,
      environment: 'production',
      author: 'bob',
      requester: { login: 'dave', approver: allowed },
      facts: [
        member('carol'),
        { login: 'erin', ok: true, actor: { login: 'erin', permission: 'write', teams: [] } },
        { login: 'frank', ok: true, actor: { login: 'frank', permission: 'none', teams: ['acme/release'] } },
        { login: 'gina', ok: false, error: 'HTTP 502' },
        member('bob'),
      ],
    },
    ['carol', 'erin', 'frank', 'gina', 'hal', 'bob', 'DAVE'],
  );
  assert.deepEqual(
    revoked.map((r) => `${r.login}:${r.reason}`),
    [
      'erin:not_an_approver',
      'frank:not_an_approver',
      'gina:facts_unreadable',
      'hal:facts_unreadable',
      'bob:self_approval_refused',
    ],
  );
  const note = revokedNote(revoked, 'production');
  assert.match(
    note,
    /@erin no longer counts: no longer an approver of `production` \(not among its approvers now\)/,
  );
  assert.match(
    note,
    /@frank no longer counts: no longer an approver of `production` \(their repository permission is too low now\)/,
  );
  assert.match(
    note,
    /@gina no longer counts: their permission and teams could not be read from GitHub just now/,
  );
  assert.match(
    note,
    /@bob no longer counts: @bob opened this pull request and may not approve its deployment/,
  );
});

test('revocationsFor: dated after every approval of that person it withdraws, whatever this clock says', () => {
  const rollout = {
    deploymentId: '42',
    sha: 'a'.repeat(40),
    step: 2,
    startedAt: '2025-03-04T10:10:00.000Z',
    wait: { kind: 'approval', step: 2, approvals: 2, since: '2025-03-04T10:20:00.000Z' },
  } as Rollout & { sha: string };
  const carol: ControlRequest = {
    id: 'comment:1',
    verb: 'promote',
    by: 'carol',
    // Another replica's clock, a minute ahead of this one's.
    at: '2025-03-04T10:31:00.000Z',
    deploymentId: '42',
    step: 2,
    approver: true,
    source: 'comment',
  };
  const now = new Date('2025-03-04T10:30:00Z');
  const [revoke, ...more] = revocationsFor(
    rollout,
    [carol],
    [{ login: 'Carol', reason: 'not_an_approver' }],
    { id: 'comment:2', source: 'comment' },
    now,
  );
  assert.equal(more.length, 0);
  assert.deepEqual(revoke, {
    id: 'revoke:carol:comment:2',
    verb: 'revoke',
    by: 'Carol',
    at: '2025-03-04T10:31:00.001Z',
    deploymentId: '42',
    sha: 'a'.repeat(40),
    step: 2,
    reason: 'not_an_approver',
    source: 'comment',
  });
  assert.deepEqual(countedApprovals([carol, revoke!]), [], 'the revocation is read after the approval');
});
