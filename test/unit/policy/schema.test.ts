import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { ApprovalsConfig } from '../../../src/policy/schema.ts';
import { policyIssues, PolicyError, resolvePolicy } from '../../../src/policy/resolve.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'config', 'policy.yml');
const head = `target:\n  commands:\n    deploy: ./d.sh\n`;

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

/** A config with one production environment whose approvals section is `yaml` (indented under it). */
function production(yaml: string): string {
  const body = yaml
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return `${head}environments:\n  staging: {}\n  production:\n    approvals:\n${body}\n`;
}

describe('approvals section: resolution', () => {
  it('merges the top level and the environment, normalises names and applies the defaults', async () => {
    const config = load(await readFile(FIXTURE, 'utf8'));
    const policy = resolvePolicy(config, 'production');
    assert.deepEqual(policy.deployers, ['alice', 'bob', 'acme/deployers']);
    assert.deepEqual(policy.approvers, ['carol', 'dave', 'acme/sre']);
    assert.equal(policy.required, 2);
    assert.equal(policy.production, true);
    assert.equal(policy.allowSelfApproval, false);
    assert.equal(policy.expiresAfterMs, 24 * 3600_000);
    assert.deepEqual(policy.requires, ['staging']);
    assert.deepEqual(policy.requiredChecks, ['test', 'lint']);
    assert.equal(policy.timezone, 'Europe/Berlin');
    assert.deepEqual(policy.windows, [{ days: ['tue', 'wed', 'thu'], startMinute: 600, endMinute: 720 }]);
    // Written without an offset, the freeze is read in Berlin time (UTC+1 in winter).
    assert.equal(policy.freezes[0]?.from.toISOString(), '2025-12-19T23:00:00.000Z');
    assert.equal(policy.freezes[0]?.reason, 'year-end freeze');
    assert.deepEqual(policy.hotfix, {
      approvers: ['acme/security'],
      required: 1,
      bypassWindows: true,
      bypassFreezes: false,
      requiresReason: true,
    });
    assert.deepEqual(policy.rollback, {
      approvers: ['carol', 'dave', 'acme/sre'],
      required: 0,
      bypassWindows: true,
      bypassFreezes: true,
    });
  });

  it('defaults: one approval in production, none elsewhere, anyone with write permission, any time', async () => {
    const config = load(await readFile(FIXTURE, 'utf8'));
    const staging = resolvePolicy(config, 'staging');
    assert.equal(staging.required, 0);
    assert.deepEqual(staging.deployers, []);
    assert.deepEqual(staging.windows, []);
    assert.equal(staging.freezes.length, 1, 'top-level freezes apply to every environment');
    const minimal = load(`${head}environments:\n  production: {}\n  live: { production: true }\n  qa: {}\n`);
    assert.equal(resolvePolicy(minimal, 'production').required, 1);
    assert.equal(resolvePolicy(minimal, 'live').required, 1);
    assert.equal(resolvePolicy(minimal, 'qa').required, 0);
    assert.equal(resolvePolicy(minimal, 'qa').timezone, 'UTC');
    assert.equal(resolvePolicy(minimal, 'qa').expiresAfterMs, undefined);
  });

  it('an environment key overrides the top level one; freezes add up', () => {
    const config = load(
      `${head}approvals:\n  required: 3\n  approvers: [acme/sre]\n  freezes: [{ from: "2025-01-01T00:00Z", to: "2025-01-02T00:00Z", reason: a }]\n` +
        `environments:\n  production:\n    approvals:\n      required: 1\n      freezes: [{ from: "2025-02-01T00:00Z", to: "2025-02-02T00:00Z", reason: b }]\n`,
    );
    const policy = resolvePolicy(config, 'production');
    assert.equal(policy.required, 1);
    assert.deepEqual(policy.approvers, ['acme/sre']);
    assert.deepEqual(
      policy.freezes.map((f) => f.reason),
      ['a', 'b'],
    );
  });

  it('an unknown environment is a clear error with a suggestion', async () => {
    const config = load(await readFile(FIXTURE, 'utf8'));
    assert.throws(
      () => resolvePolicy(config, 'prodution'),
      (error: unknown) =>
        error instanceof PolicyError &&
        /unknown environment "prodution": the config defines "staging" and "production": did you mean "production"\?/.test(
          error.message,
        ),
    );
    assert.throws(() => resolvePolicy(config, 'toString'), PolicyError);
  });
});

describe('approvals section: validation errors are located', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'unknown key',
      'requried: 2',
      /^deploy\.yml:8:7: environments\.production\.approvals\.requried: .*did you mean "required"/,
    ],
    [
      'bad time zone',
      'timezone: Europe/Berlinn',
      /8:17: environments\.production\.approvals\.timezone: unknown time zone "Europe\/Berlinn".*did you mean "Europe\/Berlin"/,
    ],
    [
      'bad weekday',
      'windows: [{ days: [tue, fry], start: "10:00", end: "12:00" }]',
      /environments\.production\.approvals\.windows\[0\]\.days\[1\]: expected one of .*did you mean "fri"/,
    ],
    [
      'bad clock time',
      'windows: [{ days: [tue], start: "10am", end: "12:00" }]',
      /windows\[0\]\.start: must be a 24-hour time "HH:MM"/,
    ],
    [
      'end before start',
      'windows: [{ days: [tue], start: "12:00", end: "10:00" }]',
      /windows\[0\]\.end: must be later than start: a window crossing midnight/,
    ],
    ['bad duration', 'expires_after: a day', /approvals\.expires_after: invalid duration "a day"/],
    ['negative count', 'required: -1', /approvals\.required: must be at least 0/],
    [
      'bad principal',
      'approvers: ["alice smith"]',
      /approvers\[0\]: must be a GitHub user such as "alice" or a team written "org\/team-slug"/,
    ],
    [
      'bad freeze time',
      'freezes: [{ from: "Dec 20", to: "2026-01-05T00:00Z", reason: x }]',
      /freezes\[0\]\.from: must be an ISO date-time/,
    ],
    [
      'freeze ends first',
      'freezes: [{ from: "2026-01-05T00:00Z", to: "2025-12-20T00:00Z", reason: x }]',
      /freezes\[0\]\.to: must be later than from/,
    ],
    [
      'freeze without reason',
      'freezes: [{ from: "2025-12-20T00:00Z", to: "2026-01-05T00:00Z" }]',
      /freezes\[0\]: missing required key "reason"/,
    ],
    [
      'hotfix unknown key',
      'hotfix: { bypass_window: false }',
      /hotfix\.bypass_window: .*did you mean "bypass_windows"/,
    ],
  ];
  for (const [name, yaml, expected] of cases) {
    it(name, () => {
      const errors = errorsOf(production(yaml));
      assert.ok(
        errors.some((error) => expected.test(error)),
        `no error matched ${expected}:\n${errors.join('\n')}`,
      );
    });
  }
});

/** Built directly, not loaded: the loader may (and should) already refuse these configs. */
function raw(approvals: ApprovalsConfig): RawConfig {
  return { environments: { staging: {}, production: { approvals } } };
}

describe('approvals section: cross-references (policyIssues)', () => {
  it('a required prior environment must exist and not be the environment itself', () => {
    const issues = policyIssues(raw({ requires: ['stagng', 'production'] }));
    assert.deepEqual(
      issues.map((issue) => [issue.path.join('.'), issue.message.split(':')[0]]),
      [
        ['environments.production.approvals.requires.0', 'unknown environment "stagng"'],
        [
          'environments.production.approvals.requires.1',
          'an environment cannot require a prior deployment to itself',
        ],
      ],
    );
    assert.match(issues[0]!.message, /did you mean "staging"/);
    assert.throws(
      () => resolvePolicy(raw({ requires: 'stagng' }), 'production'),
      /requires: unknown environment "stagng"/,
    );
  });

  it('more approvals than listed users could give is refused; a team may have any number of members', () => {
    const issues = policyIssues(
      raw({ approvers: ['carol', 'dave'], required: 3, hotfix: { approvers: ['eve'], required: 2 } }),
    );
    assert.deepEqual(
      issues.map((issue) => issue.path.join('.')),
      ['environments.production.approvals.required', 'environments.production.approvals.hotfix.required'],
    );
    assert.match(issues[0]!.message, /requires 3 approvals but only 2 approvers are listed/);
    assert.deepEqual(policyIssues(raw({ approvers: ['carol', 'acme/sre'], required: 3 })), []);
  });

  it('a freeze written in local time is checked in its time zone', () => {
    // "to" is 10:00 in Tokyo = 01:00 UTC, before "from" at 04:00 UTC (compared as UTC wall times it looked fine).
    const issues = policyIssues(
      raw({
        timezone: 'Asia/Tokyo',
        freezes: [{ from: '2025-12-20T04:00Z', to: '2025-12-20T10:00', reason: 'x' }],
      }),
    );
    assert.deepEqual(
      issues.map((issue) => [issue.path.join('.'), issue.message]),
      [['environments.production.approvals.freezes.0.to', 'must be later than from (in Asia/Tokyo)']],
    );
  });
});
