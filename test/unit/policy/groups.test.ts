import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { Actor } from '../../../src/policy/actors.ts';
import type { ApprovalRecord } from '../../../src/policy/approvals.ts';
import {
  evaluatePolicy,
  mayApprove,
  type PolicyDecision,
  type PolicyInput,
  type PolicyRefusal,
} from '../../../src/policy/evaluate.ts';
import { explainRefusal } from '../../../src/policy/messages.ts';
import { policyIssues, resolvePolicy } from '../../../src/policy/resolve.ts';

// Seed 05: a standard deployment needs a manager, a hotfix a manager AND a security engineer.
const head = `target:\n  commands:\n    deploy: ./d.sh\n`;
const SEED = `${head}environments:
  production:
    approvals:
      groups:
        - { name: Manager, approvers: [acme/managers] }
      hotfix:
        required: 2
        groups:
          - { name: Manager, approvers: [acme/managers], required: 1 }
          - { name: Security, approvers: [acme/security], required: 1 }
`;

function load(text: string): RawConfig {
  const result = parseConfig(text, 'deploy.yml');
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
  return result.config;
}

function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

const HEAD = 'a'.repeat(40);
const NOW = new Date('2025-03-04T09:30:00Z');
const person = (login: string, teams: string[] = [], permission: Actor['permission'] = 'write'): Actor => ({
  login,
  permission,
  teams,
});
const MANAGER = person('mia', ['acme/managers']);
const SECURITY = person('sam', ['acme/security']);
const BOTH = person('bea', ['acme/managers', 'acme/security']);
const approve = (by: Actor, kind: ApprovalRecord['kind'] = 'approve'): ApprovalRecord => ({
  kind,
  by,
  environment: 'production',
  sha: HEAD,
  at: new Date(NOW.getTime() - 60_000),
});

function hotfix(approvals: ApprovalRecord[], overrides: Partial<PolicyInput> = {}): PolicyDecision {
  return evaluatePolicy({
    config: load(SEED),
    environment: 'production',
    actor: person('dora'),
    sha: HEAD,
    pullRequest: { number: 5, author: 'frank', headSha: HEAD, fromFork: false },
    approvals,
    successfulDeployments: [],
    checks: [],
    now: NOW,
    type: 'hotfix',
    hotfixReason: 'payments down',
    ...overrides,
  });
}

function needsApprovals(decision: PolicyDecision): Extract<PolicyRefusal, { code: 'needs_approvals' }> {
  assert.equal(decision.ok, false, `expected a refusal, got ${decision.code}`);
  assert.equal(decision.code, 'needs_approvals');
  return decision as never;
}

describe('approval groups: a hotfix needs a manager AND a security engineer (seed 05)', () => {
  it('one approval from each group: allowed', () => {
    const decision = hotfix([approve(MANAGER), approve(SECURITY)]);
    assert.equal(decision.code, 'allowed');
  });

  it('two managers meet the count but not the Security group: refused, naming the group and what it lacks', () => {
    const decision = needsApprovals(hotfix([approve(MANAGER), approve(person('max', ['acme/managers']))]));
    assert.equal(decision.tally.missing, 0, 'the overall count is met');
    assert.equal(decision.missing, 1);
    assert.deepEqual(decision.groupsMissing, [
      { name: 'Security', missing: 1, required: 1, approvers: ['acme/security'] },
    ]);
    const message = explainRefusal(decision);
    assert.match(message, /1 more approval from group Security \(0\/1/);
    assert.doesNotMatch(message, /Manager/);
  });

  it('nobody yet: both groups are named, with the overall count', () => {
    const decision = needsApprovals(hotfix([]));
    assert.equal(decision.missing, 2);
    assert.deepEqual(
      decision.groupsMissing?.map((g) => [g.name, g.missing]),
      [
        ['Manager', 1],
        ['Security', 1],
      ],
    );
    assert.match(explainRefusal(decision), /needs 2 more approvals \(0\/2\).*per group: .*Manager.*Security/);
  });

  it('a person in both groups counts for each, but still once toward the overall count', () => {
    const alone = needsApprovals(hotfix([approve(BOTH)]));
    assert.equal(alone.groupsMissing, undefined, 'both groups have their approval');
    assert.equal(alone.missing, 1, 'required: 2 in all still needs a second person');
    assert.equal(hotfix([approve(BOTH), approve(MANAGER)]).code, 'allowed');
  });

  it('a veto still wins over groups that are satisfied', () => {
    const decision = hotfix([
      approve(MANAGER),
      approve(SECURITY),
      approve(person('max', ['acme/managers']), 'reject'),
    ]);
    assert.equal(decision.code, 'rejected');
  });

  it("the author's own approval does not count for their group (self-approval)", () => {
    const author = person('frank', ['acme/security']);
    const decision = needsApprovals(
      hotfix([approve(MANAGER), approve(author), approve(person('max', ['acme/managers']))]),
    );
    assert.deepEqual(
      decision.groupsMissing?.map((g) => g.name),
      ['Security'],
    );
    assert.ok(decision.tally.dropped.some((d) => d.reason === 'self_approval'));
  });

  it('membership is judged on the facts read now: someone who left the security team no longer counts for it', () => {
    const left = [MANAGER, person('sam', [])];
    const decision = needsApprovals(hotfix([approve(MANAGER), approve(SECURITY)], { approverFacts: left }));
    assert.deepEqual(
      decision.groupsMissing?.map((g) => g.name),
      ['Security'],
    );
  });

  it('an approval for an older commit does not count for a group', () => {
    const stale = { ...approve(SECURITY), sha: 'b'.repeat(40) };
    const decision = needsApprovals(
      hotfix([approve(MANAGER), approve(person('max', ['acme/managers'])), stale]),
    );
    assert.deepEqual(
      decision.groupsMissing?.map((g) => g.name),
      ['Security'],
    );
  });

  it('a standard deployment needs the Manager group only; the groups admit their members as approvers', () => {
    const standard = (approvals: ApprovalRecord[]) => hotfix(approvals, { type: 'standard' });
    assert.equal(standard([approve(MANAGER)]).code, 'allowed');
    // With groups and no approvers list, only the groups' members approve (not anyone with write).
    const outsider = needsApprovals(standard([approve(person('walt'))]));
    assert.deepEqual(
      outsider.groupsMissing?.map((g) => g.name),
      ['Manager'],
    );
    const policy = resolvePolicy(load(SEED), 'production');
    assert.deepEqual(policy.approvers, ['acme/managers']);
    assert.deepEqual(policy.hotfix.approvers, ['acme/managers', 'acme/security']);
    assert.equal(policy.hotfix.bypassWindows, true, 'a hotfix with its own groups has its own approvers');
    const base = { config: load(SEED), environment: 'production', type: 'hotfix' as const };
    assert.equal(mayApprove({ ...base, actor: SECURITY }).code, 'allowed');
    assert.equal(mayApprove({ ...base, actor: SECURITY, type: 'standard' }).code, 'not_an_approver');
  });
});

describe('approval groups: merging', () => {
  it("an environment's groups replace the top level's; a hotfix with its own approvers does not inherit them", () => {
    const config = load(`${head}approvals:
  groups: [{ name: Manager, approvers: [acme/managers] }]
environments:
  staging:
    approvals:
      groups: []
  production:
    approvals:
      hotfix: { approvers: [acme/security] }
  qa: {}
`);
    assert.equal(resolvePolicy(config, 'staging').groups, undefined);
    assert.deepEqual(resolvePolicy(config, 'qa').groups, [
      { name: 'Manager', approvers: ['acme/managers'], required: 1 },
    ]);
    const production = resolvePolicy(config, 'production');
    assert.equal(production.hotfix.groups, undefined);
    assert.deepEqual(production.hotfix.approvers, ['acme/security']);
    assert.equal(production.rollback.groups, undefined, 'a rollback has no groups unless it says so');
  });

  it("a rule's count is at least its largest group's (a count of 0 would read as no approval needed)", () => {
    const config = load(`${head}environments:
  qa:
    approvals:
      required: 0
      groups: [{ name: Ops, approvers: [acme/ops], required: 2 }]
      rollback:
        groups: [{ name: Ops, approvers: [acme/ops] }]
`);
    const policy = resolvePolicy(config, 'qa');
    assert.equal(policy.required, 2);
    assert.equal(policy.rollback.required, 1);
    assert.equal(policy.hotfix.required, 2);
  });
});

describe('approval groups: config errors name the path', () => {
  const production = (yaml: string) =>
    `${head}environments:\n  production:\n    approvals:\n${yaml
      .trim()
      .split('\n')
      .map((line) => `      ${line}`)
      .join('\n')}\n`;

  it('an unknown key in a group', () => {
    const errors = errorsOf(production('groups: [{ name: Ops, approvers: [acme/ops], requird: 1 }]'));
    assert.ok(
      errors.some((e) => /environments\.production\.approvals\.groups\[0\]/.test(e) && /requird/.test(e)),
      errors.join('\n'),
    );
  });

  it('an empty approver list in a group', () => {
    const errors = errorsOf(production('hotfix:\n  groups: [{ name: Ops, approvers: [] }]'));
    assert.ok(
      errors.some((e) => /approvals\.hotfix\.groups\[0\]\.approvers: is an empty list/.test(e)),
      errors.join('\n'),
    );
  });

  it('two groups of the same name (in any case)', () => {
    const errors = errorsOf(
      production('groups:\n  - { name: Ops, approvers: [alice] }\n  - { name: ops, approvers: [bob] }'),
    );
    assert.ok(
      errors.some((e) => /approvals\.groups\[1\]\.name: "ops" names two groups/.test(e)),
      errors.join('\n'),
    );
  });

  it('a group requiring more approvals than its listed users could give; a team may give any number', () => {
    const errors = errorsOf(
      production('rollback:\n  groups: [{ name: Ops, approvers: [alice, "@Alice"], required: 2 }]'),
    );
    assert.ok(
      errors.some((e) =>
        /approvals\.rollback\.groups\[0\]\.required: requires 2 approvals but only 1 approver is listed/.test(
          e,
        ),
      ),
      errors.join('\n'),
    );
    load(production('groups: [{ name: Ops, approvers: [alice, acme/ops], required: 5 }]'));
  });

  it('a required of 0, a bad name, and more than 20 groups', () => {
    assert.ok(
      errorsOf(production('groups: [{ name: Ops, approvers: [alice], required: 0 }]')).some((e) =>
        /groups\[0\]\.required/.test(e),
      ),
    );
    assert.ok(
      errorsOf(production('groups: [{ name: "<b>x</b>", approvers: [alice] }]')).some((e) =>
        /groups\[0\]\.name: must be a short label/.test(e),
      ),
    );
    const many = Array.from({ length: 21 }, (_, i) => `  - { name: g${i}, approvers: [acme/t${i}] }`).join(
      '\n',
    );
    assert.ok(errorsOf(production(`groups:\n${many}`)).some((e) => /approvals\.groups/.test(e)));
  });

  it("the groups' members count toward the overall capacity: no false 'could never be met'", () => {
    const config = load(
      production('approvers: [carol]\nrequired: 2\ngroups: [{ name: Ops, approvers: [dave] }]'),
    );
    assert.deepEqual(policyIssues(config), []);
    assert.deepEqual(resolvePolicy(config, 'production').approvers, ['carol', 'dave']);
    const merged = load(
      `${head}approvals:\n  approvers: [carol]\nenvironments:\n  production:\n    approvals:\n      required: 2\n      groups: [{ name: Ops, approvers: [dave] }]\n`,
    );
    assert.deepEqual(policyIssues(merged), []);
    const short = errorsOf(
      production('approvers: [carol]\nrequired: 3\ngroups: [{ name: Ops, approvers: [dave] }]'),
    );
    assert.ok(
      short.some((e) => /approvals\.required: requires 3 approvals but only 2 approvers are listed/.test(e)),
      short.join('\n'),
    );
  });
});
