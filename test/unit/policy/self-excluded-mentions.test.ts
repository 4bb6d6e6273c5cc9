// needs_approvals names the people whose approval does not count (the author, the requester, whoever pushed)
// without an @-mention, as the App's waiting reply does: the sentence is posted on the pull request (a
// protection rule's notice) and must not call on them, even when they are listed approvers or group members.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { PolicyRefusal } from '../../../src/policy/evaluate.ts';
import { explainRefusal } from '../../../src/policy/messages.ts';

it('names the self-excluded in code, never as a mention, in the approvers and groups too', () => {
  const refusal: PolicyRefusal = {
    code: 'needs_approvals',
    required: 2,
    missing: 2,
    approvedBy: [],
    approvers: ['carol', 'dave', 'acme/sre'],
    excluded: 'alice',
    selfExcluded: ['alice', 'Carol'],
    groupsMissing: [{ name: 'Ops', missing: 1, required: 1, approvers: ['carol', 'erin'] }],
    tally: { state: 'pending', required: 2, approvedBy: [], rejectedBy: [], missing: 2, dropped: [] },
  };
  const text = explainRefusal(refusal);
  assert.doesNotMatch(text, /@alice|@carol/i, text);
  assert.match(text, /from `carol`, @dave, @acme\/sre other than `alice`, `Carol`/, text);
  assert.match(text, /from group Ops \(0\/1, `carol`, @erin\)/, text);
});
