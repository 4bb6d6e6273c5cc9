import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApprovalRecord } from '../../../src/policy/approvals.ts';
import { DECISION_CODES, type PolicyRefusal } from '../../../src/policy/evaluate.ts';
import { explainApprover, explainDropped, explainRefusal } from '../../../src/policy/messages.ts';

const SHA = 'abcdef1'.padEnd(40, '0');
const tally = {
  state: 'pending' as const,
  required: 2,
  approvedBy: ['carol'],
  rejectedBy: [],
  missing: 1,
  dropped: [],
};

// One example of every refusal: the switch in explainRefusal must cover them all (the compiler checks it
// too); this checks the wording carries the facts a person needs.
const examples: Array<[PolicyRefusal, RegExp]> = [
  [
    { code: 'unknown_environment', environment: 'x', known: [], message: 'unknown environment "x"' },
    /unknown environment "x"/,
  ],
  [{ code: 'fork_pull_request' }, /forks/],
  [
    { code: 'not_a_deployer', login: 'm', why: 'not_listed', permission: 'write', deployers: ['a', 'org/t'] },
    /@m may not deploy here: deployers are @a, @org\/t/,
  ],
  [
    { code: 'not_a_deployer', login: 'm', why: 'insufficient_permission', permission: 'read', deployers: [] },
    /read permission; deploying needs write/,
  ],
  [{ code: 'hotfix_needs_reason' }, /--reason/],
  [{ code: 'sha_moved', expected: SHA, actual: '1234567'.padEnd(40, '0') }, /moved from abcdef1 to 1234567/],
  [
    {
      code: 'frozen',
      reason: 'year end',
      from: new Date(0),
      until: new Date('2026-01-05T00:00:00Z'),
      timezone: 'UTC',
      nextAllowed: new Date('2026-01-05T00:00:00Z'),
    },
    /^deployments are frozen until 2026-01-05T00:00:00Z: year end$/,
  ],
  [
    // In the policy's zone too; the freeze ends on a Sunday night, the windows open on Monday morning.
    {
      code: 'frozen',
      reason: 'year end',
      from: new Date(0),
      until: new Date('2026-01-04T21:00:00Z'),
      timezone: 'America/New_York',
      nextAllowed: new Date('2026-01-05T14:00:00Z'),
    },
    /^deployments are frozen until 2026-01-04T21:00:00Z \(Sun 2026-01-04 16\u200D?:00 America\/New\\?_York\); next opening 2026-01-05T14:00:00Z \(Mon 2026-01-05 09\u200D?:00 America\/New\\?_York\): year end$/,
  ],
  [
    {
      code: 'outside_window',
      timezone: 'Europe/Berlin',
      windows: [{ days: ['tue', 'wed'], startMinute: 600, endMinute: 720 }],
      nextOpening: new Date('2025-03-11T09:00:00Z'),
    },
    // The next opening in UTC and as the zone's wall clock, which the windows are written in.
    /tue, wed 10:00-12:00, Europe\/Berlin\); next opening 2025-03-11T09:00:00Z \(Tue 2025-03-11 10\u200D?:00 Europe\/Berlin\)/,
  ],
  [
    { code: 'prior_environment_missing', missing: ['staging'], sha: SHA },
    /staging must first have a successful deployment of abcdef1/,
  ],
  [
    {
      code: 'checks_not_green',
      failing: [{ name: 'test', conclusion: 'failure' }],
      pending: ['lint'],
      missing: ['e2e'],
    },
    /test \(failure\), lint \(still running\), e2e \(not run\)/,
  ],
  [
    {
      code: 'release_tag_missing',
      patterns: ['v*'],
      sha: SHA,
      elsewhere: [{ name: 'v1.2.0', sha: '1234567'.padEnd(40, '0') }],
    },
    /^abcdef1 is not a tagged release: no tag matching "v\\\*" points at it \(release_tags\); tag the commit with a matching tag, or deploy the commit a release tag points at; matching tags are on other commits: `v1\.2\.0` \(1234567\)$/,
  ],
  [
    { code: 'release_tag_unreadable', patterns: ['v*'], sha: SHA, reason: 'listing the tags failed' },
    /^whether abcdef1 is a tagged release \("v\\\*"\) cannot be told: listing the tags failed; nothing is deployed until the tags can be read$/,
  ],
  [
    { code: 'rejected', vetoes: [{ login: 'dave', at: new Date(0), reason: 'wait' }], tally },
    /vetoed by @dave \(wait\)/,
  ],
  [
    {
      code: 'needs_approvals',
      required: 2,
      missing: 1,
      approvedBy: ['carol'],
      approvers: [],
      excluded: 'frank',
      tally,
    },
    /needs 1 more approval \(1\/2\) from anyone with write permission other than `frank`/,
  ],
];

describe('policy messages', () => {
  for (const [refusal, expected] of examples) {
    it(`words ${refusal.code}`, () => assert.match(explainRefusal(refusal), expected));
  }

  it('every refusal code has an example here', () => {
    const covered = new Set(examples.map(([r]) => r.code));
    const refusalCodes = DECISION_CODES.filter(
      (c) => !['allowed', 'not_an_approver', 'self_approval_refused'].includes(c),
    );
    assert.deepEqual(
      refusalCodes.filter((c) => !covered.has(c as PolicyRefusal['code'])),
      [],
    );
  });

  it('words approver refusals with their code', () => {
    assert.match(
      explainApprover({ ok: false, code: 'self_approval_refused', login: 'frank', as: 'author', also: [] }),
      /^self_approval_refused: @frank opened/,
    );
    assert.match(
      explainApprover({ ok: false, code: 'self_approval_refused', login: 'erin', as: 'requester', also: [] }),
      /^self_approval_refused: @erin asked for this deployment and may not approve it/,
    );
    assert.match(
      explainApprover({ ok: false, code: 'self_approval_refused', login: 'c', as: 'contributor', also: [] }),
      /^self_approval_refused: @c pushed to or authored commits of this pull request and may not approve/,
    );
    assert.match(
      explainApprover({
        ok: false,
        code: 'not_an_approver',
        login: 'x[bot]',
        why: 'bot',
        approvers: [],
        also: [],
      }),
      /^not_an_approver: .* is a bot or app, and bots never approve/,
    );
    assert.match(
      explainApprover({
        ok: false,
        code: 'not_an_approver',
        login: 'm',
        why: 'not_listed',
        approvers: ['org/sre'],
        also: [],
      }),
      /approvers are @org\/sre/,
    );
  });

  it('says why an approval did not count', () => {
    const record: ApprovalRecord = {
      kind: 'approve',
      by: { login: 'x', permission: 'write', teams: [] },
      environment: 'production',
      sha: SHA,
      at: new Date(0),
    };
    assert.equal(
      explainDropped({ record, reason: 'stale_sha' }),
      'the approval by @x was for an older commit (abcdef1)',
    );
    assert.equal(
      explainDropped({ record: { ...record, kind: 'reject' }, reason: 'other_environment' }),
      'the veto by @x was for production',
    );
  });
});
