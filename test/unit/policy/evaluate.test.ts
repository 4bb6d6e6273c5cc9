import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyFixture } from '../../helpers/policy-fixture.ts';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { Actor } from '../../../src/policy/actors.ts';
import type { ApprovalRecord } from '../../../src/policy/approvals.ts';
import {
  evaluatePolicy,
  isDeploymentApproved,
  mayApprove,
  mayDeploy,
  type PolicyDecision,
  type PolicyInput,
  type PolicyRefusal,
} from '../../../src/policy/evaluate.ts';
import { PolicyError, resolvePolicy } from '../../../src/policy/resolve.ts';
import { explainRefusal } from '../../../src/policy/messages.ts';

// The fixture: production needs staging first, checks test and lint, two approvals from carol, dave or
// acme/sre, Tue-Thu 10:00-12:00 Berlin time, a year-end freeze; hotfixes are approved by acme/security.
const config: RawConfig = policyFixture();

const HEAD = '1'.repeat(40);
const OLD = '0'.repeat(40);
/** Tuesday 2025-03-04, 10:30 in Berlin (UTC+1): inside the window. */
const TUESDAY = new Date('2025-03-04T09:30:00Z');
/** Friday 2025-03-07, 10:30 in Berlin: outside. */
const FRIDAY = new Date('2025-03-07T09:30:00Z');
/** Tuesday 2025-12-23, 10:30 in Berlin: inside the window, but in the year-end freeze. */
const FROZEN_TUESDAY = new Date('2025-12-23T09:30:00Z');

const person = (login: string, teams: string[] = [], permission: Actor['permission'] = 'write'): Actor => ({
  login,
  permission,
  teams,
});
const approval = (by: Actor, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  kind: 'approve',
  by,
  environment: 'production',
  sha: HEAD,
  at: new Date(TUESDAY.getTime() - 3600_000),
  ...overrides,
});

/** Everything in order: the deployment is allowed. Each test changes one fact. */
function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    config,
    environment: 'production',
    actor: person('bob'),
    sha: HEAD,
    pullRequest: { number: 7, author: 'frank', headSha: HEAD, fromFork: false },
    approvals: [approval(person('carol')), approval(person('erin', ['acme/sre']))],
    successfulDeployments: [{ environment: 'staging', sha: HEAD }],
    checks: [
      { name: 'test', status: 'completed', conclusion: 'success' },
      { name: 'lint', status: 'completed', conclusion: 'neutral' },
    ],
    now: TUESDAY,
    type: 'standard',
    ...overrides,
  };
}

function refusal<C extends PolicyRefusal['code']>(
  decision: PolicyDecision,
  code: C,
): Extract<PolicyRefusal, { code: C }> & { also: PolicyRefusal[] } {
  assert.equal(decision.ok, false, `expected a refusal, got ${decision.code}`);
  assert.equal(
    decision.code,
    code,
    `expected ${code}, got ${decision.code} (also: ${!decision.ok && decision.also.map((r) => r.code).join(', ')})`,
  );
  return decision as never;
}

describe('evaluatePolicy: every outcome has its code', () => {
  it('allowed: listed deployer, staging deployed, checks green, two approvals, inside the window', () => {
    const decision = evaluatePolicy(input());
    assert.equal(decision.code, 'allowed');
    assert.ok(decision.ok);
    assert.deepEqual(decision.tally.approvedBy, ['carol', 'erin']);
    assert.equal(decision.policy.environment, 'production');
  });

  it('unknown_environment, with the known ones and a suggestion', () => {
    const decision = refusal(evaluatePolicy(input({ environment: 'prod' })), 'unknown_environment');
    assert.deepEqual(decision.known, ['staging', 'production']);
    assert.match(decision.message, /unknown environment "prod"/);
    assert.equal(mayDeploy(input({ environment: 'prod' })).code, 'unknown_environment');
    assert.equal(mayApprove({ ...input({ environment: 'prod' }) }).code, 'unknown_environment');
  });

  it('fork_pull_request: code from a fork is never deployed', () => {
    const pullRequest = { number: 7, author: 'frank', headSha: HEAD, fromFork: true };
    const decision = refusal(evaluatePolicy(input({ pullRequest })), 'fork_pull_request');
    assert.equal(decision.pullRequest, 7);
  });

  it('not_a_deployer: not listed (a collaborator with write), or listed through a team without write', () => {
    const outsider = refusal(evaluatePolicy(input({ actor: person('mallory') })), 'not_a_deployer');
    assert.equal(outsider.why, 'not_listed');
    assert.deepEqual(outsider.deployers, ['alice', 'bob', 'acme/deployers']);
    const reader = refusal(
      evaluatePolicy(input({ actor: person('rita', ['acme/deployers'], 'read') })),
      'not_a_deployer',
    );
    assert.equal(reader.why, 'insufficient_permission');
    assert.equal(mayDeploy(input({ actor: person('tina', ['ACME/Deployers']) })).code, 'allowed');
  });

  it('not_a_deployer where anyone with write may deploy: a non-collaborator or a reader', () => {
    for (const permission of ['none', 'read', 'triage'] as const) {
      const decision = mayDeploy(input({ environment: 'staging', actor: person('visitor', [], permission) }));
      assert.equal(decision.code, 'not_a_deployer', permission);
    }
    const writer = mayDeploy(input({ environment: 'staging', actor: person('walt', [], 'write') }));
    assert.ok(writer.ok);
    assert.equal(writer.via, 'write_permission');
  });

  it('sha_moved: the pull request head is no longer the commit being decided on', () => {
    const pullRequest = { number: 7, author: 'frank', headSha: OLD, fromFork: false };
    const decision = refusal(evaluatePolicy(input({ pullRequest })), 'sha_moved');
    assert.deepEqual([decision.expected, decision.actual], [HEAD, OLD]);
  });

  it('frozen: with the reason, the end and the next time a deployment may start', () => {
    const decision = refusal(evaluatePolicy(input({ now: FROZEN_TUESDAY })), 'frozen');
    assert.equal(decision.reason, 'year-end freeze');
    assert.equal(decision.until.toISOString(), '2026-01-04T23:00:00.000Z');
    // The first window after the freeze: Tuesday 6 January, 10:00 Berlin.
    assert.equal(decision.nextAllowed?.toISOString(), '2026-01-06T09:00:00.000Z');
  });

  it('outside_window: on a Friday, with the next opening (Tuesday 10:00 Berlin)', () => {
    const decision = refusal(evaluatePolicy(input({ now: FRIDAY })), 'outside_window');
    assert.equal(decision.timezone, 'Europe/Berlin');
    assert.equal(decision.nextOpening?.toISOString(), '2025-03-11T09:00:00.000Z');
    // 10:30 UTC on that Tuesday would be 11:30 in Berlin: still inside. 11:30 UTC is 12:30 Berlin: outside.
    assert.equal(evaluatePolicy(input({ now: new Date('2025-03-04T10:30:00Z') })).code, 'allowed');
    assert.equal(evaluatePolicy(input({ now: new Date('2025-03-04T11:30:00Z') })).code, 'outside_window');
  });

  it('prior_environment_missing: staging has this commit only if it was deployed at the same SHA', () => {
    const decision = refusal(
      evaluatePolicy(input({ successfulDeployments: [{ environment: 'staging', sha: OLD }] })),
      'prior_environment_missing',
    );
    assert.deepEqual(decision.missing, ['staging']);
    const elsewhere = [{ environment: 'qa', sha: HEAD }];
    assert.equal(
      evaluatePolicy(input({ successfulDeployments: elsewhere })).code,
      'prior_environment_missing',
    );
  });

  it('checks_not_green: says which failed, which are still running and which never ran', () => {
    const checks = [
      { name: 'test', status: 'completed', conclusion: 'success' },
      { name: 'test', status: 'in_progress', conclusion: null },
    ];
    const pending = refusal(evaluatePolicy(input({ checks })), 'checks_not_green');
    assert.deepEqual([pending.failing, pending.pending, pending.missing], [[], ['test'], ['lint']]);
    const failed = refusal(
      evaluatePolicy(
        input({
          checks: [
            { name: 'test', status: 'completed', conclusion: 'failure' },
            { name: 'lint', status: 'completed', conclusion: 'skipped' },
          ],
        }),
      ),
      'checks_not_green',
    );
    assert.deepEqual(failed.failing, [{ name: 'test', conclusion: 'failure' }]);
  });

  it('checks_not_green: every run of a required name counts, so a green run posted beside the real one hides nothing', () => {
    const forged = { name: 'test', status: 'completed', conclusion: 'success', app: 'someones-app' };
    const lint = { name: 'lint', status: 'completed', conclusion: 'success', app: 'github-actions' };
    // The real run failed: a green one of the same name, listed before or after it, does not make it pass.
    for (const checks of [
      [{ name: 'test', status: 'completed', conclusion: 'failure', app: 'github-actions' }, forged, lint],
      [forged, { name: 'test', status: 'completed', conclusion: 'failure', app: 'github-actions' }, lint],
    ]) {
      const failed = refusal(evaluatePolicy(input({ checks })), 'checks_not_green');
      assert.deepEqual(failed.failing, [{ name: 'test', conclusion: 'failure' }]);
    }
    // The real run is still going: still pending, whatever else is green.
    const running = { name: 'test', status: 'in_progress', conclusion: null, app: 'github-actions' };
    const pending = refusal(evaluatePolicy(input({ checks: [forged, running, lint] })), 'checks_not_green');
    assert.deepEqual(pending.pending, ['test']);
  });

  it("checks_not_green: a required check bound to an app counts only that app's runs", () => {
    const bound = structuredClone(config);
    const production = bound.environments!.production!.approvals!;
    production.required_checks = [{ name: 'test', app: 'GitHub-Actions' }, 'lint'];
    const lint = { name: 'lint', status: 'completed', conclusion: 'success' };
    // Only someone else's green run of the name: the bound check never ran.
    const forged = { name: 'test', status: 'completed', conclusion: 'success', app: 'someones-app' };
    const missing = refusal(
      evaluatePolicy(input({ config: bound, checks: [forged, lint] })),
      'checks_not_green',
    );
    assert.deepEqual(missing.missing, ['test from github-actions']);
    assert.match(explainRefusal(missing), /test from github-actions \(not run\)/);
    // The app's own green run passes (slugs compare without case).
    const real = { name: 'test', status: 'completed', conclusion: 'success', app: 'github-actions' };
    assert.equal(evaluatePolicy(input({ config: bound, checks: [forged, real, lint] })).ok, true);
  });

  it('rejected: one veto from an approver stops it, whatever the approvals', () => {
    const approvals = [
      ...input().approvals,
      approval(person('dave'), { kind: 'reject', reason: 'not today' }),
    ];
    const decision = refusal(evaluatePolicy(input({ approvals })), 'rejected');
    assert.deepEqual(
      decision.vetoes.map((v) => [v.login, v.reason]),
      [['dave', 'not today']],
    );
  });

  it('needs_approvals: how many more, who may give them, and why others did not count', () => {
    const approvals = [
      approval(person('carol')),
      approval(person('dave'), { sha: OLD }),
      approval(person('frank', ['acme/sre'])),
    ];
    const decision = refusal(evaluatePolicy(input({ approvals })), 'needs_approvals');
    assert.equal(decision.missing, 1);
    assert.deepEqual(decision.approvedBy, ['carol']);
    assert.deepEqual(decision.approvers, ['carol', 'dave', 'acme/sre']);
    assert.equal(decision.excluded, 'frank');
    assert.deepEqual(
      decision.tally.dropped.map((d) => [d.record.by.login, d.reason]),
      [
        ['dave', 'stale_sha'],
        ['frank', 'self_approval'],
      ],
    );
  });

  it('an approval given before a new push does not count after it', () => {
    const beforePush = [approval(person('carol'), { sha: OLD }), approval(person('dave'), { sha: OLD })];
    const decision = refusal(evaluatePolicy(input({ approvals: beforePush })), 'needs_approvals');
    assert.equal(decision.missing, 2);
  });

  it('approvals expire after expires_after (24h here)', () => {
    const old = { at: new Date(TUESDAY.getTime() - 25 * 3600_000) };
    const approvals = [approval(person('carol'), old), approval(person('dave'))];
    const decision = refusal(evaluatePolicy(input({ approvals })), 'needs_approvals');
    assert.deepEqual(
      decision.tally.dropped.map((d) => d.reason),
      ['expired'],
    );
  });

  it('several problems: the most fundamental first, the others in `also`', () => {
    const decision = refusal(
      evaluatePolicy(
        input({ actor: person('mallory'), now: FRIDAY, approvals: [], successfulDeployments: [] }),
      ),
      'not_a_deployer',
    );
    assert.deepEqual(
      decision.also.map((r) => r.code),
      ['outside_window', 'prior_environment_missing', 'needs_approvals'],
    );
  });
});

describe('hotfixes', () => {
  const security = person('sam', ['acme/security']);
  const hotfix = (overrides: Partial<PolicyInput> = {}) =>
    input({
      type: 'hotfix',
      hotfixReason: 'payments are down',
      approvals: [approval(security)],
      ...overrides,
    });

  it('a hotfix with its reason and its own approver may start outside the window', () => {
    const recent = [approval(security, { at: new Date(FRIDAY.getTime() - 3600_000) })];
    assert.equal(evaluatePolicy(hotfix({ now: FRIDAY, approvals: recent })).code, 'allowed');
  });

  it('hotfix_needs_reason: no reason, or only blanks', () => {
    refusal(evaluatePolicy(hotfix({ hotfixReason: undefined })), 'hotfix_needs_reason');
    refusal(evaluatePolicy(hotfix({ hotfixReason: '  \n' })), 'hotfix_needs_reason');
  });

  it('only the hotfix approvers count for a hotfix', () => {
    const decision = refusal(
      evaluatePolicy(hotfix({ approvals: [approval(person('carol')), approval(person('dave'))] })),
      'needs_approvals',
    );
    assert.deepEqual(decision.approvers, ['acme/security']);
    assert.deepEqual(
      decision.tally.dropped.map((d) => d.reason),
      ['not_an_approver', 'not_an_approver'],
    );
    assert.equal(
      mayApprove({ ...hotfix(), actor: person('carol'), author: 'frank' }).code,
      'not_an_approver',
    );
    assert.equal(mayApprove({ ...hotfix(), actor: security, author: 'frank' }).code, 'allowed');
  });

  it('a hotfix does not bypass a freeze unless hotfix.bypass_freezes is set', () => {
    refusal(evaluatePolicy(hotfix({ now: FROZEN_TUESDAY })), 'frozen');
    const bypassing = parseConfig(
      `target:\n  commands:\n    deploy: ./d.sh\napprovals:\n  freezes: [{ from: "2025-12-20T00:00Z", to: "2026-01-05T00:00Z", reason: x }]\n  hotfix: { bypass_freezes: true }\nenvironments:\n  production: {}\n`,
      'deploy.yml',
    );
    assert.ok(bypassing.ok);
    const approvals = [approval(person('carol'))];
    assert.equal(
      evaluatePolicy(hotfix({ config: bypassing.config, approvals, now: FROZEN_TUESDAY })).code,
      'allowed',
    );
    assert.equal(
      evaluatePolicy(input({ config: bypassing.config, approvals, now: FROZEN_TUESDAY })).code,
      'frozen',
    );
  });
});

describe('rollbacks', () => {
  it('a rollback to an earlier commit is immediate: no approvals, windows, freezes or staging needed', () => {
    const decision = evaluatePolicy(
      input({
        type: 'rollback',
        sha: OLD,
        approvals: [],
        successfulDeployments: [],
        checks: [],
        now: FROZEN_TUESDAY,
      }),
    );
    assert.equal(decision.code, 'allowed');
  });

  it('but only a deployer may roll back', () => {
    refusal(
      evaluatePolicy(input({ type: 'rollback', sha: OLD, actor: person('mallory') })),
      'not_a_deployer',
    );
  });
});

describe('the parts on their own', () => {
  it('mayDeploy looks only at who asks; isDeploymentApproved only at the deployment', () => {
    assert.equal(mayDeploy(input({ approvals: [], now: FRIDAY })).code, 'allowed');
    assert.equal(isDeploymentApproved(input({ actor: person('mallory') })).code, 'allowed');
    assert.equal(isDeploymentApproved(input({ now: FRIDAY })).code, 'outside_window');
  });

  it('a deployment protection rule without a pull request: no author, no head to compare', () => {
    assert.equal(evaluatePolicy(input({ pullRequest: undefined })).code, 'allowed');
  });

  it('mayApprove: listed users and team members; self_approval_refused for the author', () => {
    const base = { config, environment: 'production', type: 'standard' as const, author: 'frank' };
    assert.equal(mayApprove({ ...base, actor: person('carol', [], 'read') }).code, 'allowed');
    assert.equal(mayApprove({ ...base, actor: person('Erin', ['Acme/SRE']) }).code, 'allowed');
    const outsider = mayApprove({ ...base, actor: person('mallory', [], 'admin') });
    assert.equal(outsider.code, 'not_an_approver');
    const visitor = mayApprove({ ...base, actor: person('carol', [], 'none') });
    assert.ok(!visitor.ok && visitor.code === 'not_an_approver' && visitor.why === 'insufficient_permission');
    assert.equal(mayApprove({ ...base, actor: person('frank', ['acme/sre']) }).code, 'self_approval_refused');
    assert.equal(mayApprove({ ...base, kind: 'reject', actor: person('frank', [], 'read') }).code, 'allowed');
  });

  it('self-approval counts when allow_self_approval is set', () => {
    const allowing = parseConfig(
      `target:\n  commands:\n    deploy: ./d.sh\nenvironments:\n  production:\n    approvals: { allow_self_approval: true }\n`,
      'deploy.yml',
    );
    assert.ok(allowing.ok);
    const author = person('frank');
    const pullRequest = { author: 'frank', headSha: HEAD, fromFork: false };
    assert.equal(
      mayApprove({
        config: allowing.config,
        environment: 'production',
        type: 'standard',
        actor: author,
        author: 'frank',
      }).code,
      'allowed',
    );
    assert.equal(
      evaluatePolicy(input({ config: allowing.config, pullRequest, approvals: [approval(author)] })).code,
      'allowed',
    );
    assert.equal(
      evaluatePolicy(input({ pullRequest, approvals: [approval(author), approval(person('carol'))] })).code,
      'needs_approvals',
    );
  });
});

describe('who may approve what: audit cases', () => {
  const base = { config, environment: 'production', type: 'standard' as const, author: 'frank' };
  // erin deploys (acme/deployers) and approves (acme/sre).
  const erin = person('erin', ['acme/deployers', 'acme/sre']);

  it("the requester's own approval does not count for their deployment (four eyes)", () => {
    const decision = refusal(
      evaluatePolicy(input({ actor: erin, approvals: [approval(erin), approval(person('carol'))] })),
      'needs_approvals',
    );
    assert.deepEqual(
      decision.tally.dropped.map((d) => [d.record.by.login, d.reason]),
      [['erin', 'self_approval']],
    );
    assert.deepEqual(
      decision.selfExcluded,
      ['frank', 'erin'],
      'the reply says whose approval will not count',
    );
    assert.match(explainRefusal(decision), /from @carol, @dave, @acme\/sre other than `frank`, `erin`/);
    assert.equal(mayApprove({ ...base, actor: erin, requester: 'Erin' }).code, 'self_approval_refused');
    assert.equal(mayApprove({ ...base, kind: 'reject', actor: erin, requester: 'erin' }).code, 'allowed');
  });

  it("isDeploymentApproved (the protection rule) excludes the requester it is told of, such as the run's actor", () => {
    const decision = refusal(isDeploymentApproved({ ...input(), requester: 'carol' }), 'needs_approvals');
    assert.deepEqual(
      decision.tally.dropped.map((d) => [d.record.by.login, d.reason]),
      [['carol', 'self_approval']],
    );
  });

  it('several requesters (a run and whoever re-ran it): none of their approvals counts, each may still veto', () => {
    const decision = refusal(
      isDeploymentApproved({
        ...input({ approvals: [approval(erin), approval(person('carol'))] }),
        requester: ['carol', 'Erin'],
      }),
      'needs_approvals',
    );
    assert.deepEqual(
      decision.tally.dropped.map((d) => [d.record.by.login, d.reason]),
      [
        ['erin', 'self_approval'],
        ['carol', 'self_approval'],
      ],
    );
    assert.deepEqual(decision.selfExcluded, ['frank', 'carol', 'Erin']);
    const both = { ...base, requester: ['carol', 'erin'] };
    assert.equal(mayApprove({ ...both, actor: erin }).code, 'self_approval_refused');
    assert.equal(mayApprove({ ...both, actor: person('carol', ['acme/sre']) }).code, 'self_approval_refused');
    assert.equal(mayApprove({ ...both, kind: 'reject', actor: erin }).code, 'allowed');
    assert.equal(mayApprove({ ...both, actor: person('dave', ['acme/sre']) }).code, 'allowed');
  });

  it('whoever pushed to the pull request or authored its commits may not approve it', () => {
    const pullRequest = {
      number: 7,
      author: 'frank',
      headSha: HEAD,
      fromFork: false,
      contributors: ['carol'],
    };
    const decision = refusal(evaluatePolicy(input({ pullRequest })), 'needs_approvals');
    assert.deepEqual(
      decision.tally.dropped.map((d) => [d.record.by.login, d.reason]),
      [['carol', 'self_approval']],
    );
    assert.equal(
      isDeploymentApproved(input({ pullRequest })).code,
      'needs_approvals',
      'the protection rule too',
    );
    const approver = mayApprove({ ...base, actor: person('carol'), contributors: ['CAROL'] });
    assert.ok(!approver.ok && approver.code === 'self_approval_refused' && approver.as === 'contributor');
  });

  it('a bot or app may never approve, even with admin permission where anyone with write may', () => {
    for (const bot of [
      person('deploy-bot[bot]', [], 'admin'),
      { ...person('ci', [], 'admin'), type: 'Bot' as const },
    ]) {
      const decision = mayApprove({ ...base, environment: 'staging', actor: bot });
      assert.ok(!decision.ok && decision.code === 'not_an_approver' && decision.why === 'bot', bot.login);
    }
  });

  it("approvals are judged on the approvers' team and permission read at decision time", () => {
    // erin approved as a member of acme/sre and has left the team since.
    const approverFacts = [person('carol'), person('erin', [])];
    const decision = refusal(evaluatePolicy(input({ approverFacts })), 'needs_approvals');
    assert.deepEqual(
      decision.tally.dropped.map((d) => [d.record.by.login, d.reason]),
      [['erin', 'not_an_approver']],
    );
    const stillThere = [person('carol'), person('erin', ['acme/sre'])];
    assert.equal(evaluatePolicy(input({ approverFacts: stillThere })).code, 'allowed');
  });
});

describe('hotfix reason: audit cases', () => {
  it('a reason made only of invisible characters is no reason', () => {
    const hotfix = (hotfixReason: string) =>
      evaluatePolicy(
        input({ type: 'hotfix', hotfixReason, approvals: [approval(person('sam', ['acme/security']))] }),
      );
    for (const blank of ['\u200b', '\u200b\u200d \u2060', '\u00a0\u3000', '\u202e\u0007'])
      refusal(hotfix(blank), 'hotfix_needs_reason');
    assert.equal(hotfix('db failover').code, 'allowed');
  });
});

describe('bad facts fail closed with a clear error', () => {
  it('a time zone the platform does not know is a PolicyError naming where, not a RangeError from Intl', () => {
    const bad: typeof config = {
      ...config,
      environments: {
        ...config.environments,
        production: {
          ...config.environments.production,
          approvals: { ...config.environments.production!.approvals, timezone: 'Mars/Olympus' },
        },
      },
    };
    assert.throws(
      () => evaluatePolicy(input({ config: bad })),
      (error: unknown) =>
        error instanceof PolicyError &&
        /environments\.production\.approvals\.timezone: unknown time zone "Mars\/Olympus"/.test(
          error.message,
        ),
    );
  });

  it('an invalid evaluation time is refused, never read as "no freeze, no expiry"', () => {
    const invalid = new Date(Number.NaN);
    // Staging has no windows; with NaN the year-end freeze and expires_after compared false and allowed it.
    assert.throws(() => evaluatePolicy(input({ environment: 'staging', now: invalid })), PolicyError);
    assert.throws(
      () => isDeploymentApproved(input({ now: invalid })),
      /the evaluation time is not a valid date/,
    );
  });
});

describe('hotfix override: its own approvers (audit)', () => {
  const load = (approvals: string) => {
    const parsed = parseConfig(
      `target:\n  commands:\n    deploy: ./d.sh\nenvironments:\n  production:\n    approvals:\n      windows: [{ days: [tue], start: "10:00", end: "12:00" }]\n${approvals}`,
      'deploy.yml',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.map(formatConfigError).join('\n'));
    return parsed.config;
  };
  const hotfix = (cfg: RawConfig, approver: Actor) =>
    evaluatePolicy(
      input({
        config: cfg,
        environment: 'production',
        pullRequest: { number: 7, author: 'frank', headSha: HEAD, fromFork: false },
        actor: person('bob'),
        type: 'hotfix',
        hotfixReason: 'payments down',
        successfulDeployments: [],
        checks: [],
        approvals: [approval(approver, { at: new Date(FRIDAY.getTime() - 60_000) })],
        now: FRIDAY,
      }),
    );

  it('without hotfix.approvers a hotfix does not bypass the windows: --hotfix is no way around them', () => {
    refusal(hotfix(load(''), person('carol')), 'outside_window');
  });

  it('a hotfix is for deployers only, and its reason is required even with its own approvers', () => {
    const own = load('      deployers: [bob]\n      hotfix: { approvers: [sam] }\n');
    const decision = evaluatePolicy({
      ...input({ config: own, type: 'hotfix', hotfixReason: 'down', now: FRIDAY }),
      actor: person('mallory', [], 'admin'),
      approvals: [approval(person('sam'), { at: new Date(FRIDAY.getTime() - 60_000) })],
      successfulDeployments: [],
      checks: [],
    });
    refusal(decision, 'not_a_deployer');
    const noReason = evaluatePolicy({
      ...input({ config: own, type: 'hotfix', now: FRIDAY }),
      approvals: [approval(person('sam'), { at: new Date(FRIDAY.getTime() - 60_000) })],
      successfulDeployments: [],
      checks: [],
    });
    refusal(noReason, 'hotfix_needs_reason');
  });

  it('with its own approvers (or bypass_windows set explicitly) it does', () => {
    const own = load('      hotfix: { approvers: [sam] }\n');
    assert.equal(resolvePolicy(own, 'production').hotfix.bypassWindows, true);
    assert.equal(hotfix(own, person('sam')).code, 'allowed');
    assert.equal(hotfix(load('      hotfix: { bypass_windows: true }\n'), person('carol')).code, 'allowed');
  });
});
