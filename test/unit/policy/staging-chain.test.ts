// A deployment is held to the rules of every environment it changes. `staging: production` on a non-production
// environment makes `/deploy preview` deploy production first, in the same run: production's rules apply to it,
// each refusal from them naming production. A hotfix and a rollback skip staging, and production's rules with it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { Actor } from '../../../src/policy/actors.ts';
import type { ApprovalRecord } from '../../../src/policy/approvals.ts';
import { changedEnvironments, stagedThrough } from '../../../src/policy/changed-environments.ts';
import {
  evaluatePolicy,
  isDeploymentApproved,
  mayApprove,
  mayDeploy,
  type PolicyDecision,
  type PolicyInput,
  type PolicyRefusal,
} from '../../../src/policy/evaluate.ts';
import { explainApprover, explainDecision, explainRefusal } from '../../../src/policy/messages.ts';

const HEAD = 'a'.repeat(40);
/** Tuesday 2025-03-04 09:30 UTC. */
const NOW = new Date('2025-03-04T09:30:00Z');

const indent = (text: string, by: number) =>
  text
    .split('\n')
    .map((line) => (line ? ' '.repeat(by) + line : line))
    .join('\n');

/**
 * preview (not production) names production as its staging; production's approvals section is `production`,
 * preview's `preview` (YAML under `approvals:`). Other environments in `more`.
 */
function chain(production: string, preview = '', more = ''): RawConfig {
  const text = [
    'target:',
    '  commands:',
    '    deploy: ./deploy.sh',
    'environments:',
    '  preview:',
    '    production: false',
    '    staging: production',
    ...(preview ? ['    approvals:', indent(preview, 6)] : []),
    '  production:',
    '    production: true',
    ...(production ? ['    approvals:', indent(production, 6)] : []),
    more,
  ].join('\n');
  const parsed = parseConfig(text, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.map(formatConfigError).join('\n'));
  return parsed.config;
}

const person = (login: string, teams: string[] = [], permission: Actor['permission'] = 'write'): Actor => ({
  login,
  permission,
  teams,
});
const approval = (by: Actor, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  kind: 'approve',
  by,
  environment: 'preview',
  sha: HEAD,
  at: new Date(NOW.getTime() - 60_000),
  ...overrides,
});

/** /deploy preview by bob of the head, approved by carol (production needs 1 approval by default). */
function input(config: RawConfig, overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    config,
    environment: 'preview',
    actor: person('bob'),
    sha: HEAD,
    pullRequest: { number: 7, author: 'frank', headSha: HEAD, fromFork: false },
    approvals: [approval(person('carol'))],
    successfulDeployments: [],
    checks: [],
    now: NOW,
    type: 'standard',
    ...overrides,
  };
}

const hotfix = { type: 'hotfix', hotfixReason: 'outage' } as const;

function refusedBy<C extends PolicyRefusal['code']>(
  decision: PolicyDecision,
  code: C,
): Extract<PolicyRefusal, { code: C }> {
  assert.equal(decision.ok, false, `expected ${code}, got allowed`);
  if (decision.ok) throw new Error('unreachable');
  const found = [decision, ...decision.also].find((r) => r.code === code);
  assert.ok(found, `expected ${code}, got ${explainDecision(decision)}`);
  return found as Extract<PolicyRefusal, { code: C }>;
}

/** Refused on `code`, from production's rules, and said so. */
function refusedForProduction(decision: PolicyDecision, code: PolicyRefusal['code']): PolicyRefusal {
  const refusal = refusedBy(decision, code);
  assert.equal(refusal.staging, 'production', `${code} should name production: ${JSON.stringify(refusal)}`);
  assert.match(
    explainRefusal(refusal),
    /^staging environment `production`, which this deployment changes first: /,
  );
  return refusal;
}

describe('changedEnvironments: what a deployment changes', () => {
  const config = chain('', '', '  qa:\n    staging: preview\n');
  it('a standard deployment: the environment, then its staging; one level only', () => {
    assert.deepEqual(changedEnvironments(config, 'preview', 'standard'), ['preview', 'production']);
    assert.deepEqual(changedEnvironments(config, 'qa', 'standard'), ['qa', 'preview']);
    assert.deepEqual(changedEnvironments(config, 'production', 'standard'), ['production']);
  });
  it('a hotfix and a rollback skip staging (src/action/inputs.ts skipStaging): the environment alone', () => {
    assert.deepEqual(changedEnvironments(config, 'preview', 'hotfix'), ['preview']);
    assert.deepEqual(changedEnvironments(config, 'preview', 'rollback'), ['preview']);
  });
  it('stagedThrough: the environments whose deployments change one first (they may hold its lock)', () => {
    const more = chain('', '', '  qa:\n    staging: preview\n  eu:\n    staging: production\n');
    assert.deepEqual(stagedThrough(more, 'production'), ['preview', 'eu']);
    assert.deepEqual(stagedThrough(more, 'PREVIEW'), ['qa']);
    assert.deepEqual(stagedThrough(more, 'qa'), []);
  });
});

// Every rule kind, written on production only: /deploy preview is refused naming production; a hotfix of
// preview (which skips staging) is not held to it.
const RULES: Array<{
  kind: string;
  production: string;
  code: PolicyRefusal['code'];
  facts?: Partial<PolicyInput>;
  more?: string;
}> = [
  { kind: 'deployers', production: 'deployers: [alice]', code: 'not_a_deployer' },
  { kind: 'approvals count', production: 'required: 2', code: 'needs_approvals' },
  { kind: 'approvers list', production: 'approvers: [sre-lead]', code: 'needs_approvals' },
  {
    kind: 'groups',
    production: 'groups:\n  - { name: SRE, approvers: [acme/sre] }',
    code: 'needs_approvals',
  },
  {
    kind: 'self-approval',
    production: 'allow_self_approval: false',
    code: 'needs_approvals',
    facts: { approvals: [approval(person('frank'))] },
  },
  {
    kind: 'expires_after',
    production: 'expires_after: 1h',
    code: 'needs_approvals',
    facts: { approvals: [approval(person('carol'), { at: new Date(NOW.getTime() - 2 * 3600_000) })] },
  },
  {
    kind: 'windows',
    production: 'windows:\n  - { days: [mon], start: "10:00", end: "12:00" }',
    code: 'outside_window',
  },
  {
    kind: 'freezes',
    production: 'freezes:\n  - { from: "2025-03-01T00:00Z", to: "2025-03-10T00:00Z", reason: "audit" }',
    code: 'frozen',
  },
  { kind: 'required checks', production: 'required_checks: [e2e]', code: 'checks_not_green' },
  {
    kind: 'release tags',
    production: 'release_tags: ["v*"]',
    code: 'release_tag_missing',
    facts: { releaseTags: { ok: true, tags: [{ name: 'v1.0.0', sha: 'b'.repeat(40) }] } },
  },
  { kind: 'requires', production: 'requires: [qa]', code: 'prior_environment_missing', more: '  qa: {}\n' },
];

describe('every rule kind of the staging environment holds a deployment that changes it', () => {
  for (const rule of RULES) {
    it(`${rule.kind}: only production has it; /deploy preview is refused naming production, a hotfix is not`, () => {
      // preview lets frank approve his own (so the self-approval rule is production's alone).
      const config = chain(rule.production, 'allow_self_approval: true', rule.more ?? '');
      const facts = input(config, rule.facts ?? {});
      refusedForProduction(evaluatePolicy(facts), rule.code);
      if (rule.code === 'not_a_deployer') {
        const deployer = mayDeploy(facts);
        assert.equal(deployer.ok, false);
        assert.equal(!deployer.ok && deployer.code, 'not_a_deployer');
        assert.equal(!deployer.ok && deployer.staging, 'production');
        assert.equal(mayDeploy({ ...facts, actor: person('alice') }).ok, true);
      } else refusedForProduction(isDeploymentApproved(facts), rule.code);
      // The hotfix skips staging: preview's rules alone, and preview has none of these.
      const fix = evaluatePolicy({ ...facts, ...hotfix });
      assert.equal(fix.ok, true, explainDecision(fix));
      assert.equal(evaluatePolicy({ ...facts, type: 'rollback' }).ok, true);
    });
  }

  it('without the staging link, the same facts deploy preview (the refusals above are production’s)', () => {
    const config = chain('deployers: [alice]\nrequired: 2\nrequired_checks: [e2e]');
    delete config.environments.preview!.staging;
    assert.equal(evaluatePolicy(input(config)).ok, true);
  });
});

describe('one refusal per reason', () => {
  it('what is about the commit is said once, for the named environment', () => {
    const config = chain('');
    const decision = evaluatePolicy(
      input(config, { pullRequest: { number: 7, author: 'frank', headSha: 'c'.repeat(40), fromFork: true } }),
    );
    assert.ok(!decision.ok);
    const codes = [decision, ...decision.also].map((r) => `${r.code}${r.staging ? `@${r.staging}` : ''}`);
    assert.deepEqual(codes, ['fork_pull_request', 'sha_moved']);
  });

  it('a rule both share (a top-level freeze) is said once; a staging refusal sorts by its kind', () => {
    const text = `target:\n  commands:\n    deploy: ./deploy.sh\napprovals:\n  freezes:\n    - { from: "2025-03-01T00:00Z", to: "2025-03-10T00:00Z", reason: "audit" }\nenvironments:\n  preview:\n    production: false\n    staging: production\n  production:\n    approvals:\n      deployers: [alice]\n`;
    const parsed = parseConfig(text, 'deploy.yml');
    assert.ok(parsed.ok);
    const decision = evaluatePolicy(input(parsed.config));
    assert.ok(!decision.ok);
    assert.deepEqual(
      [decision, ...decision.also].map((r) => `${r.code}${r.staging ? `@${r.staging}` : ''}`),
      ['not_a_deployer@production', 'frozen'],
    );
  });

  it('a staging environment the config does not define refuses, naming it', () => {
    const config = chain('');
    config.environments.preview!.staging = 'nowhere';
    const decision = evaluatePolicy(input(config));
    refusedBy(decision, 'unknown_environment');
    assert.equal(!decision.ok && decision.staging, 'nowhere');
    assert.equal(mayDeploy(input(config)).ok, false);
  });
});

describe('approvals: one approval of the deployment, judged under each rule', () => {
  // preview: 1 approval from carol; production: 1 from sre-lead.
  const config = chain('approvers: [sre-lead]', 'approvers: [carol]\nrequired: 1');
  const sre = person('sre-lead', [], 'read');

  it('an approver of production only may approve /deploy preview, and counts for production only', () => {
    const decision = mayApprove({
      config,
      environment: 'preview',
      actor: sre,
      type: 'standard',
      author: 'frank',
    });
    assert.equal(decision.ok, true);
    assert.equal(decision.ok && decision.staging, 'production');
    // Counted for production, not for preview's rule: preview still waits for carol, and says so.
    const onlySre = evaluatePolicy(input(config, { approvals: [approval(sre)] }));
    const waiting = refusedBy(onlySre, 'needs_approvals');
    assert.equal(waiting.staging, undefined);
    assert.deepEqual(waiting.approvers, ['carol']);
    assert.ok(!onlySre.ok && onlySre.also.length === 0, explainDecision(onlySre));
    // carol alone: production still needs sre-lead, named.
    const onlyCarol = refusedForProduction(evaluatePolicy(input(config)), 'needs_approvals');
    assert.deepEqual((onlyCarol as Extract<PolicyRefusal, { code: 'needs_approvals' }>).approvers, [
      'sre-lead',
    ]);
    assert.match(explainRefusal(onlyCarol), /@sre-lead/);
    // Both: allowed, and both named as approvers of the deployment.
    const both = evaluatePolicy(input(config, { approvals: [approval(person('carol')), approval(sre)] }));
    assert.ok(both.ok, explainDecision(both));
    assert.deepEqual(both.tally.approvedBy, ['carol', 'sre-lead']);
  });

  it('someone who may approve under neither rule is refused, told who may under each', () => {
    const decision = mayApprove({
      config,
      environment: 'preview',
      actor: person('mallory'),
      type: 'standard',
    });
    assert.equal(decision.code, 'not_an_approver');
    assert.match(
      explainApprover(decision),
      /approvers are @carol; staging environment `production`, which this deployment changes first: approvers are @sre-lead/,
    );
  });

  it('a hotfix skips staging: production’s approvers approve nothing of it', () => {
    const decision = mayApprove({ config, environment: 'preview', actor: sre, type: 'hotfix' });
    assert.equal(decision.code, 'not_an_approver');
  });

  it('steering a rollout (scope rollout: /promote, /pause, /abort, a step gate) takes the environment’s own rules only', () => {
    // A step's approval gate is in preview's rollout, which changes preview alone: production's approvers do
    // not pass it, and a deployer of preview steers it without being one of production.
    const gate = mayApprove({
      config,
      environment: 'preview',
      actor: sre,
      type: 'standard',
      scope: 'rollout',
    });
    assert.equal(gate.code, 'not_an_approver');
    assert.equal(
      gate.ok === false && 'stagingApprovers' in gate ? gate.stagingApprovers : undefined,
      undefined,
    );
    const guarded = chain('deployers: [sre-lead]');
    const bob = { config: guarded, environment: 'preview', actor: person('bob'), type: 'standard' } as const;
    assert.equal(mayDeploy({ ...bob, scope: 'rollout' }).ok, true);
    assert.equal(mayDeploy(bob).ok, false);
  });

  it('a veto by an approver of production only stops /deploy preview', () => {
    const vetoed = evaluatePolicy(
      input(config, {
        approvals: [approval(person('carol')), approval(sre), approval(sre, { kind: 'reject', at: NOW })],
      }),
    );
    refusedForProduction(vetoed, 'rejected');
    assert.equal(
      mayApprove({ config, environment: 'preview', actor: sre, type: 'standard', kind: 'reject' }).ok,
      true,
    );
  });

  it('self-approval: refused only when no changed environment allows it, counted only where allowed', () => {
    const ask = (preview: string, production: string) =>
      mayApprove({
        config: chain(production, preview),
        environment: 'preview',
        actor: person('frank'),
        type: 'standard',
        author: 'frank',
      });
    assert.equal(ask('', '').code, 'self_approval_refused');
    const viaProduction = ask('', 'allow_self_approval: true');
    assert.equal(viaProduction.ok && viaProduction.staging, 'production');
    assert.equal(ask('allow_self_approval: true', '').ok, true);
    // preview allows it, production does not: frank's approval counts for preview (0 needed) but not production.
    const decision = evaluatePolicy(
      input(chain('', 'allow_self_approval: true\nrequired: 1'), { approvals: [approval(person('frank'))] }),
    );
    refusedForProduction(decision, 'needs_approvals');
    assert.ok(!decision.ok && decision.also.length === 0, explainDecision(decision));
  });

  it("a self-approver listed under production's rule only is refused as a self-approval there, not as unlisted", () => {
    // preview: carol approves, self-approval allowed; production: sre-lead, who opened the pull request.
    const decision = mayApprove({
      config: chain('approvers: [sre-lead]', 'approvers: [carol]\nallow_self_approval: true'),
      environment: 'preview',
      actor: sre,
      type: 'standard',
      author: 'sre-lead',
    });
    assert.equal(decision.code, 'self_approval_refused');
    assert.match(
      explainApprover(decision),
      /^self_approval_refused: staging environment `production`, which this deployment changes first: @sre-lead opened this pull request/,
    );
  });
});
