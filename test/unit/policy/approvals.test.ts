import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor } from '../../../src/policy/actors.ts';
import { appendMarkers, readMarkerBlock, writeMarker } from '../../../src/github/hidden-marker.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';
import {
  APPROVAL_MARKER,
  parseApprovalMarkers,
  serializeApprovalMarker,
  tallyApprovals,
  type ApprovalRecord,
  type TallyInput,
} from '../../../src/policy/approvals.ts';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const NOW = new Date('2025-03-04T10:00:00Z');
const HOUR = 3600_000;

const person = (login: string, teams: string[] = [], permission: Actor['permission'] = 'write'): Actor => ({
  login,
  permission,
  teams,
});

function record(by: Actor, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    kind: 'approve',
    by,
    environment: 'production',
    sha: HEAD,
    at: new Date(NOW.getTime() - HOUR),
    ...overrides,
  };
}

function tally(records: ApprovalRecord[], overrides: Partial<TallyInput> = {}) {
  return tallyApprovals({
    records,
    environment: 'production',
    sha: HEAD,
    author: 'alice',
    rule: { approvers: ['carol', 'dave', 'acme/sre'], required: 2 },
    allowSelfApproval: false,
    expiresAfterMs: 24 * HOUR,
    now: NOW,
    ...overrides,
  });
}

describe('approval tally', () => {
  it('two approvals from listed approvers (a user and a team member) approve', () => {
    const result = tally([record(person('carol')), record(person('erin', ['acme/sre']))]);
    assert.equal(result.state, 'approved');
    assert.deepEqual(result.approvedBy, ['carol', 'erin']);
    assert.equal(result.missing, 0);
    assert.deepEqual(result.dropped, []);
  });

  it('an approval for an older commit is dropped as stale, and the count says how many are missing', () => {
    const stale = record(person('dave'), { sha: OLD });
    const result = tally([record(person('carol')), stale]);
    assert.equal(result.state, 'pending');
    assert.equal(result.missing, 1);
    assert.deepEqual(result.dropped, [{ record: stale, reason: 'stale_sha' }]);
  });

  it('SHA comparison ignores case', () => {
    assert.equal(
      tally([record(person('carol'), { sha: HEAD.toUpperCase() })], { rule: { approvers: [], required: 1 } })
        .state,
      'approved',
    );
  });

  it('drops approvals for another environment, expired ones and ones dated in the future', () => {
    const other = record(person('carol'), { environment: 'staging' });
    const expired = record(person('dave'), { at: new Date(NOW.getTime() - 25 * HOUR) });
    const future = record(person('erin', ['acme/sre']), { at: new Date(NOW.getTime() + 60_000) });
    const result = tally([other, expired, future]);
    assert.equal(result.state, 'pending');
    assert.deepEqual(
      result.dropped.map((d) => [d.record.by.login, d.reason]),
      [
        ['dave', 'expired'],
        ['carol', 'other_environment'],
        ['erin', 'future'],
      ],
    );
  });

  it('without expires_after an old approval still counts', () => {
    const old = record(person('carol'), { at: new Date(NOW.getTime() - 90 * 24 * HOUR) });
    assert.equal(
      tally([old], { expiresAfterMs: undefined, rule: { approvers: [], required: 1 } }).state,
      'approved',
    );
  });

  it("the author's own approval is dropped unless self-approval is allowed", () => {
    const own = record(person('alice', ['acme/sre']));
    const refused = tally([own, record(person('carol'))]);
    assert.equal(refused.state, 'pending');
    assert.deepEqual(refused.dropped, [{ record: own, reason: 'self_approval' }]);
    assert.equal(tally([own, record(person('carol'))], { allowSelfApproval: true }).state, 'approved');
    // Logins compare without case.
    assert.equal(tally([record(person('ALICE', ['acme/sre'])), record(person('carol'))]).state, 'pending');
  });

  it('someone who is not (or no longer) an approver does not count', () => {
    const outsider = record(person('mallory', ['acme/marketing']));
    const result = tally([outsider, record(person('carol'))]);
    assert.deepEqual(result.dropped, [{ record: outsider, reason: 'not_an_approver' }]);
    // With no approver list, write permission is what counts.
    const reader = record(person('rita', [], 'read'));
    const open = tally([reader, record(person('carol'))], { rule: { approvers: [], required: 2 } });
    assert.deepEqual(open.dropped, [{ record: reader, reason: 'not_an_approver' }]);
  });

  it('one per person: a repeated approval counts once', () => {
    const first = record(person('carol'), { at: new Date(NOW.getTime() - 2 * HOUR) });
    const again = record(person('Carol'));
    const result = tally([again, first]);
    assert.deepEqual(result.approvedBy, ['Carol']);
    assert.equal(result.missing, 1);
    assert.deepEqual(result.dropped, [{ record: first, reason: 'superseded' }]);
  });

  it('a veto wins over any number of approvals', () => {
    const veto = record(person('dave'), { kind: 'reject', reason: 'wait for the migration' });
    const result = tally([record(person('carol')), record(person('erin', ['acme/sre'])), veto]);
    assert.equal(result.state, 'rejected');
    assert.deepEqual(result.rejectedBy, [{ login: 'dave', at: veto.at, reason: 'wait for the migration' }]);
  });

  it('a later approval by the same person lifts their veto; a veto on an older commit does not count', () => {
    const veto = record(person('dave'), { kind: 'reject', at: new Date(NOW.getTime() - 2 * HOUR) });
    const lifted = tally([veto, record(person('dave')), record(person('carol'))]);
    assert.equal(lifted.state, 'approved');
    const staleVeto = record(person('dave'), { kind: 'reject', sha: OLD });
    assert.equal(tally([staleVeto, record(person('dave')), record(person('carol'))]).state, 'approved');
  });

  it("the author's veto counts even though the author may not approve; an outsider's does not", () => {
    assert.equal(tally([record(person('alice', [], 'read'), { kind: 'reject' })]).state, 'rejected');
    const outsider = record(person('mallory', [], 'write'), { kind: 'reject' });
    assert.equal(tally([outsider]).state, 'pending');
  });

  it('zero required approvals is approved with none', () => {
    assert.equal(tally([], { rule: { approvers: [], required: 0 } }).state, 'approved');
  });
});

describe('approval tally: audit cases', () => {
  it('a veto does not lapse: expires_after and a clock running ahead on another replica only drop approvals', () => {
    const oldVeto = record(person('dave'), { kind: 'reject', at: new Date(NOW.getTime() - 48 * HOUR) });
    const aheadVeto = record(person('dave'), { kind: 'reject', at: new Date(NOW.getTime() + 30_000) });
    const approvals = [record(person('carol')), record(person('erin', ['acme/sre']))];
    assert.equal(tally([oldVeto, ...approvals]).state, 'rejected');
    assert.equal(tally([aheadVeto, ...approvals]).state, 'rejected');
    // An approval dated in the future or expired still does not count.
    const ahead = record(person('dave'), { at: new Date(NOW.getTime() + 30_000) });
    assert.deepEqual(
      tally([ahead, record(person('carol'))]).dropped.map((d) => d.reason),
      ['future'],
    );
  });

  it('the requester and whoever pushed to the pull request may not approve it (self-approval), but may veto', () => {
    const pusher = record(person('carol'));
    const requester = record(person('erin', ['acme/sre']));
    const others = { selfApprovers: ['Carol', '@erin'] };
    const result = tally([pusher, requester, record(person('dave'))], others);
    assert.equal(result.state, 'pending');
    assert.deepEqual(
      result.dropped.map((d) => [d.record.by.login, d.reason]),
      [
        ['carol', 'self_approval'],
        ['erin', 'self_approval'],
      ],
    );
    assert.equal(tally([pusher, requester], { ...others, allowSelfApproval: true }).state, 'approved');
    assert.equal(tally([record(person('carol'), { kind: 'reject' })], others).state, 'rejected');
  });

  it('an approver counts once whatever the case of the login or a leading @', () => {
    const result = tally([
      record(person('carol'), { at: new Date(NOW.getTime() - 3 * HOUR) }),
      record(person('CAROL'), { at: new Date(NOW.getTime() - 2 * HOUR) }),
      record(person('@Carol')),
    ]);
    assert.equal(result.approvedBy.length, 1);
    assert.equal(result.missing, 1);
  });

  it("an approval followed by the same person's veto is a veto; another person's later approval does not lift it", () => {
    const early = new Date(NOW.getTime() - 3 * HOUR);
    const carolApproves = record(person('carol'), { at: early });
    const carolVetoes = record(person('carol'), { kind: 'reject', reason: 'wrong build' });
    const result = tally([carolVetoes, carolApproves, record(person('dave'))]);
    assert.equal(result.state, 'rejected');
    assert.deepEqual(result.approvedBy, ['dave']);
    assert.deepEqual(result.dropped, [{ record: carolApproves, reason: 'superseded' }]);
    const daveLater = record(person('dave'), { at: new Date(NOW.getTime() - 60_000) });
    const vetoFirst = record(person('carol'), { kind: 'reject', at: early });
    assert.equal(tally([vetoFirst, daveLater, record(person('erin', ['acme/sre']))]).state, 'rejected');
  });

  it('a veto lifted by its author stays lifted when the approval that lifted it expires', () => {
    const veto = record(person('dave'), { kind: 'reject', at: new Date(NOW.getTime() - 48 * HOUR) });
    const lift = record(person('dave'), { at: new Date(NOW.getTime() - 30 * HOUR) });
    const result = tally([veto, lift, record(person('carol')), record(person('erin', ['acme/sre']))]);
    assert.equal(result.state, 'approved');
    assert.deepEqual(
      result.dropped.map((d) => [d.record.kind, d.reason]),
      [
        ['reject', 'superseded'],
        ['approve', 'expired'],
      ],
    );
  });

  it('a self-approver lifts their own veto by approving, and that approval still does not count', () => {
    // alice opened the pull request, frank pushed to it: both may veto, neither may approve.
    for (const [self, extra] of [
      ['alice', {}],
      ['frank', { selfApprovers: ['frank'] }],
    ] as const) {
      const veto = record(person(self), { kind: 'reject', at: new Date(NOW.getTime() - 2 * HOUR) });
      const lift = record(person(self));
      const result = tally([veto, lift, record(person('carol'))], extra);
      assert.equal(result.state, 'pending', self);
      assert.deepEqual(result.approvedBy, ['carol'], self);
      assert.deepEqual(result.rejectedBy, [], self);
      assert.deepEqual(
        result.dropped.map((d) => [d.record.by.login, d.record.kind, d.reason]),
        [
          [self, 'reject', 'superseded'],
          [self, 'approve', 'self_approval'],
        ],
        self,
      );
      // Their own approval lifts only their own veto, and a later veto stands again.
      const again = record(person(self), { kind: 'reject', at: new Date(NOW.getTime() - 30 * 60_000) });
      assert.equal(tally([veto, lift, again, record(person('carol'))], extra).state, 'rejected', self);
      const daveVeto = record(person('dave'), { kind: 'reject', at: veto.at });
      assert.equal(tally([daveVeto, lift], extra).state, 'rejected', self);
    }
  });

  it('an approval and a veto by one person at the same instant: the veto stands, in any order', () => {
    const approve = record(person('carol'));
    const veto = record(person('carol'), { kind: 'reject' });
    assert.equal(tally([approve, veto]).state, 'rejected');
    assert.equal(tally([veto, approve]).state, 'rejected');
  });

  it('bots and apps never count, listed or not, approval or veto', () => {
    const open = { rule: { approvers: [], required: 1 } };
    for (const bot of [
      person('renovate[bot]', [], 'admin'),
      { ...person('ci-app', [], 'admin'), type: 'Bot' as const },
    ]) {
      const approvalByBot = record(bot);
      const result = tally([approvalByBot], open);
      assert.equal(result.state, 'pending', bot.login);
      assert.deepEqual(result.dropped, [{ record: approvalByBot, reason: 'not_an_approver' }]);
      assert.equal(tally([record(bot, { kind: 'reject' }), record(person('carol'))], open).state, 'approved');
    }
  });

  it("an approver's team and permission are the ones read at decision time, not when they approved", () => {
    // erin approved as a member of acme/sre and has left the team since; dave has lost write permission.
    const erin = record(person('erin', ['acme/sre']));
    const dave = record(person('dave'));
    const current = [person('erin', ['acme/marketing']), person('Dave', [], 'none'), person('carol')];
    const result = tally([erin, dave, record(person('carol'))], { approverFacts: current });
    assert.equal(result.state, 'pending');
    assert.deepEqual(
      result.dropped.map((d) => [d.record.by.login, d.reason]),
      [
        ['erin', 'not_an_approver'],
        ['dave', 'not_an_approver'],
      ],
    );
    // Someone whose current facts were not read does not count (fails closed)...
    assert.equal(
      tally([erin, record(person('carol'))], { approverFacts: [person('carol')] }).state,
      'pending',
    );
    // A veto whose author's facts were not read stands on what was recorded: missing facts never lift a veto.
    const veto = record(person('dave'), { kind: 'reject' });
    assert.equal(tally([veto], { approverFacts: [person('carol')] }).state, 'rejected');
    assert.equal(tally([veto], { approverFacts: [person('dave', [], 'none')] }).state, 'pending');
    // ...and joining the team after approving counts, as of now.
    const mallory = record(person('mallory'));
    assert.equal(
      tally([mallory, record(person('carol'))], {
        approverFacts: [person('mallory', ['acme/sre']), person('carol')],
      }).state,
      'approved',
    );
  });
});

describe('approval marker in the app comments', () => {
  const approval = record(person('carol', ['acme/sre']), { source: 'check_run' });
  const keys = markerKeys({ secret: 'k'.repeat(32) });
  const scope = { repository: 'acme/web', pullRequest: 7 };
  const serialize = (r: ApprovalRecord) => serializeApprovalMarker(r, keys, scope);
  /** What the app reads from one of its comments: the verified trailing block, then the approvals in it. */
  const read = (body: unknown) =>
    parseApprovalMarkers(readMarkerBlock(body, [APPROVAL_MARKER], { keys, scope }));

  it('round-trips a record through a comment body', () => {
    const body = appendMarkers(`Approved by @carol for production at ${HEAD.slice(0, 7)}.`, [
      serialize(approval),
    ]);
    assert.deepEqual(read(`${body}\n`), [approval]);
  });

  it('a veto reason cannot close the HTML comment or inject another marker', () => {
    const hostile = record(person('dave'), {
      kind: 'reject',
      reason: `--> <!-- deploy-action:approval {"v":1} --> <img src=x onerror=alert(1)> & "quotes" ✓`,
    });
    const marker = serialize(hostile);
    assert.equal(marker.indexOf('-->'), marker.length - 3, 'the only "-->" ends the marker');
    assert.doesNotMatch(marker.slice(4, -3), /[<>]/);
    assert.deepEqual(read(marker), [hostile]);
  });

  it('finds several markers in the trailing block, none above it', () => {
    const veto = record(person('dave'), { kind: 'reject' });
    const body = appendMarkers('text', [serialize(approval), serialize(veto)]);
    assert.deepEqual(
      read(body).map((r) => [r.kind, r.by.login]),
      [
        ['approve', 'carol'],
        ['reject', 'dave'],
      ],
    );
    assert.deepEqual(
      read(`${serialize(approval)}\ntext`),
      [],
      'a marker followed by text is not in the block',
    );
  });

  it('rejects malformed markers without throwing', () => {
    const line = serialize(approval);
    const good = JSON.parse(
      line.slice('<!-- deploy-action:approval '.length, line.indexOf(' mac=')),
    ) as Record<string, unknown>;
    // Well-formed JSON the schema refuses, with a valid MAC: the MAC says the app wrote it, the schema still reads it.
    const signed = (data: unknown) => writeMarker(APPROVAL_MARKER, data, keys, scope);
    const variants: unknown[] = [
      undefined,
      null,
      42,
      '',
      'no marker here',
      '<!-- deploy-action:approval not json -->',
      '<!-- deploy-action:approval {"v":1 -->',
      signed([]),
      signed({ ...good, v: 2 }),
      signed({ ...good, sha: 'main' }),
      signed({ ...good, kind: 'approve-all' }),
      signed({ ...good, by: 'acme/sre' }),
      signed({ ...good, perm: 'owner' }),
      signed({ ...good, at: 'yesterday' }),
      signed({ ...good, extra: true }),
      signed({ ...good, env: '../prod' }),
      `${'x'.repeat(70_000)}\n\n${line}`,
    ];
    for (const body of variants) assert.deepEqual(read(body), [], String(body).slice(0, 80));
  });
});
