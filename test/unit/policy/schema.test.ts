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
    assert.deepEqual(policy.requiredChecks, [{ name: 'test' }, { name: 'lint' }]);
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

describe('approvals section: lists of names refuse blanks, empty entries and repeats', () => {
  // A check " test" never matches GitHub's "test": the gate would wait for ever (or the writer would think
  // it guarded something). Each is refused at its own line, column and index, saying what to write.
  const cases: Array<[string, string, RegExp]> = [
    [
      'a check name with blanks around it',
      'required_checks: [lint, " test"]',
      /^deploy\.yml:8:31: environments\.production\.approvals\.required_checks\[1\]: " test" has blanks around the check name, which GitHub never matches: write "test"$/,
    ],
    [
      'a check name of an app with a blank after it',
      'required_checks: [{ name: "test ", app: github-actions }]',
      /^deploy\.yml:8:33: environments\.production\.approvals\.required_checks\[0\]\.name: "test " has blanks around the check name.*write "test"$/,
    ],
    [
      'an empty check name',
      'required_checks: [test, ""]',
      /^deploy\.yml:8:31: environments\.production\.approvals\.required_checks\[1\]: must not be empty: write the check name$/,
    ],
    [
      // GitHub documents no limit; the App looks a check up by name in a URL, which a 100 KB name broke.
      'a check name longer than any check GitHub runs',
      `required_checks: [test, "${'c'.repeat(100_000)}"]`,
      /^deploy\.yml:8:31: environments\.production\.approvals\.required_checks\[1\]: is 100000 bytes long: a check name here is at most 1024 bytes/,
    ],
    [
      'a check name of an app one byte over the bound (UTF-8 bytes, not characters)',
      `required_checks: [{ name: "${'é'.repeat(512)}x", app: github-actions }]`,
      /required_checks\[0\]\.name: is 1025 bytes long: a check name here is at most 1024 bytes/,
    ],
    [
      'a blank check name',
      'required_checks: ["  "]',
      /required_checks\[0\]: must not be empty: write the check name$/,
    ],
    [
      'a check listed twice',
      'required_checks: [test, lint, test]',
      /^deploy\.yml:8:37: environments\.production\.approvals\.required_checks\[2\]: check "test" is listed twice \(also at \[0\]\): write each once$/,
    ],
    [
      'a check of an app listed twice (apps compare without case)',
      'required_checks: [{ name: test, app: github-actions }, { name: test, app: GitHub-Actions }]',
      /required_checks\[1\]: check "test" from GitHub-Actions is listed twice \(also at \[0\]\)/,
    ],
    [
      'an environment required twice',
      'requires: [staging, staging]',
      /^deploy\.yml:8:27: environments\.production\.approvals\.requires\[1\]: environment "staging" is listed twice \(also at \[0\]\)/,
    ],
    [
      'an approver with blanks around the name',
      'approvers: [carol, " dave"]',
      /^deploy\.yml:8:26: environments\.production\.approvals\.approvers\[1\]: " dave" has blanks around the name, which GitHub never matches: write "dave"$/,
    ],
    [
      'a team with a blank after it',
      'deployers: ["acme/sre "]',
      /deployers\[0\]: "acme\/sre " has blanks around the name.*write "acme\/sre"$/,
    ],
    ['an empty approver', 'approvers: [carol, ""]', /approvers\[1\]: must not be empty: name a GitHub user/],
    [
      'a user listed twice in another case or with "@"',
      'approvers: [carol, dave, "@Carol"]',
      /^deploy\.yml:8:32: environments\.production\.approvals\.approvers\[2\]: "@Carol" is listed twice \(also at \[0\]\): write each once$/,
    ],
    [
      'a team listed twice',
      'deployers: [acme/sre, ACME/SRE]',
      /deployers\[1\]: team "ACME\/SRE" is listed twice \(also at \[0\]\)/,
    ],
    [
      'a hotfix approver listed twice',
      'hotfix: { approvers: [dave, dave] }',
      /hotfix\.approvers\[1\]: "dave" is listed twice/,
    ],
    [
      'a rollback approver with blanks',
      'rollback: { approvers: ["dave "] }',
      /rollback\.approvers\[0\]: "dave " has blanks around the name/,
    ],
    [
      'a group member listed twice',
      'groups: [{ name: Security, approvers: [erin, Erin] }]',
      /groups\[0\]\.approvers\[1\]: "Erin" is listed twice/,
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

  it('a check name of exactly 1024 bytes is taken, in either form', () => {
    const name = `${'é'.repeat(511)}xx`;
    const config = load(production(`required_checks: ["${name}", { name: "${name}", app: github-actions }]`));
    assert.deepEqual(resolvePolicy(config, 'production').requiredChecks, [
      { name },
      { name, app: 'github-actions' },
    ]);
  });

  it('a global locker listed twice is refused at the top level', () => {
    const errors = errorsOf(
      `${head}approvals:\n  global_lockers: [alice, Alice]\nenvironments:\n  production: {}\n`,
    );
    assert.ok(
      errors.some((e) =>
        /^deploy\.yml:5:27: approvals\.global_lockers\[1\]: "Alice" is listed twice/.test(e),
      ),
      errors.join('\n'),
    );
  });

  it('names written once and without blanks still load', () => {
    const config = load(
      production(
        'approvers: [carol, "@dave", acme/sre]\nrequired_checks: [test, { name: test, app: github-actions }, "unit tests"]\nrequires: [staging]',
      ),
    );
    assert.deepEqual(resolvePolicy(config, 'production').requiredChecks, [
      { name: 'test' },
      { name: 'test', app: 'github-actions' },
      { name: 'unit tests' },
    ]);
  });
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
      [
        [
          'environments.production.approvals.freezes.0.to',
          'must be later than from (in Asia/Tokyo, from is 2025-12-20T04:00:00.000Z and to is 2025-12-20T01:00:00.000Z; a local time the clocks skip is the instant they jump, one they show twice its first occurrence)',
        ],
      ],
    );
  });

  it('a freeze whose two ends fall in the hour the clocks skip is one instant, and the refusal says so', () => {
    // Paris jumps 02:00 → 03:00 on 29 March 2026: 02:30 and 02:45 are both the jump (01:00Z).
    const issues = policyIssues(
      raw({
        timezone: 'europe/paris',
        freezes: [{ from: '2026-03-29T02:30', to: '2026-03-29T02:45', reason: 'x' }],
      }),
    );
    assert.equal(issues.length, 1);
    assert.match(
      issues[0]!.message,
      /in Europe\/Paris, from is 2026-03-29T01:00:00\.000Z and to is 2026-03-29T01:00:00\.000Z; a local time the clocks skip is the instant they jump/,
    );
  });
});

describe('approvals section: hostile and ambiguous policies (audit)', () => {
  it('an environment named Production in any case is a production environment (one approval by default)', () => {
    for (const name of ['Production', 'PRODUCTION']) {
      const config = load(`${head}environments:\n  ${name}: {}\n`);
      const policy = resolvePolicy(config, name);
      assert.equal(policy.production, true, name);
      assert.equal(policy.required, 1, name);
    }
  });

  it('two environments whose names differ only in case are refused (GitHub takes them for one)', () => {
    const errors = errorsOf(
      `${head}environments:\n  production:\n    approvals: { required: 2 }\n  Production: {}\n`,
    );
    assert.ok(
      errors.some((e) =>
        /^deploy\.yml:7:\d+: environments\.Production: .*same GitHub environment as "production"/.test(e),
      ),
      errors.join('\n'),
    );
  });

  it('an environment name with a Unicode lookalike letter is refused', () => {
    const errors = errorsOf(`${head}environments:\n  production: {}\n  \u0440roduction: {}\n`);
    assert.ok(
      errors.some((e) => /environment names use letters, digits/.test(e)),
      errors.join('\n'),
    );
  });

  it('an empty approver or deployer list is refused: nobody or everybody? (leave the key out for everybody)', () => {
    for (const yaml of [
      'approvers: []',
      'deployers: []',
      'hotfix: { approvers: [] }',
      'rollback: { approvers: [] }',
    ]) {
      const key = yaml.replace(/: .*$/, '');
      const errors = errorsOf(production(yaml));
      assert.ok(
        errors.some((e) =>
          new RegExp(`approvals\\.${key}(\\.approvers)?: .*empty list.*leave the key out`).test(e),
        ),
        `${yaml}:\n${errors.join('\n')}`,
      );
    }
  });

  it('required_checks: a name, or a name bound to the app that posts it; a bad app slug is named', () => {
    const ok = parseConfig(
      production('required_checks: [lint, { name: test, app: github-actions }]'),
      'p.yml',
    );
    assert.ok(ok.ok, ok.ok ? '' : ok.errors.map(formatConfigError).join('\n'));
    for (const [yaml, expected] of [
      [
        'required_checks: [{ name: test, app: "not a slug" }]',
        /required_checks\[0\].*slug of the GitHub App/,
      ],
      ['required_checks: [{ name: test }]', /required_checks\[0\]/],
      ['required_checks: [{ name: test, app: github-actions, by: me }]', /required_checks\[0\]/],
    ] as const) {
      const errors = errorsOf(production(yaml));
      assert.ok(
        errors.some((e) => expected.test(e)),
        `${yaml}: no error matched ${expected}:\n${errors.join('\n')}`,
      );
    }
  });

  it('huge lists are refused with their limit, before anything is evaluated', () => {
    const many = (n: number, item: (i: number) => string) =>
      `[${Array.from({ length: n }, (_, i) => item(i)).join(', ')}]`;
    const cases: Array<[string, RegExp]> = [
      [
        `windows: ${many(1000, () => '{ days: [tue], start: "10:00", end: "12:00" }')}`,
        /approvals\.windows: .*at most 100/,
      ],
      [
        `freezes: ${many(1001, (i) => `{ from: "2025-01-01T00:00Z", to: "2025-01-02T00:00Z", reason: r${i} }`)}`,
        /approvals\.freezes: .*at most 1000/,
      ],
      [`approvers: ${many(1001, (i) => `user${i}`)}`, /approvals\.approvers: .*at most 1000/],
      [`required_checks: ${many(1001, (i) => `check${i}`)}`, /approvals\.required_checks: .*at most 1000/],
      [
        'windows: [{ days: [tue, tue, tue, tue, tue, tue, tue, tue], start: "10:00", end: "12:00" }]',
        /windows\[0\]\.days: .*at most 7/,
      ],
    ];
    for (const [yaml, expected] of cases) {
      const errors = errorsOf(production(yaml));
      assert.ok(
        errors.some((e) => expected.test(e)),
        `no error matched ${expected}:\n${errors.join('\n').slice(0, 500)}`,
      );
    }
  });

  it('an approval rule made impossible by merging is refused at the environment (hotfix inheriting the count)', () => {
    // The top level asks for 2 approvals; production's hotfixes name one security engineer and inherit 2.
    const config: RawConfig = {
      approvals: { required: 2 },
      environments: {
        production: { approvals: { approvers: ['carol', 'dave'], hotfix: { approvers: ['sam'] } } },
      },
    };
    const issues = policyIssues(config);
    assert.deepEqual(
      issues.map((issue) => issue.path.join('.')),
      ['environments.production.approvals.hotfix.approvers'],
    );
    assert.match(issues[0]!.message, /hotfixes need 2 approvals .* only 1 approver is listed/);
    assert.throws(() => resolvePolicy(config, 'production'), PolicyError);
    // Also when the environment only names its approvers and the count comes from the top level.
    const inherited: RawConfig = {
      approvals: { required: 3 },
      environments: { production: { approvals: { approvers: ['carol', 'dave'] } } },
    };
    assert.deepEqual(
      policyIssues(inherited).map((issue) => issue.path.join('.')),
      ['environments.production.approvals.approvers'],
    );
    // Both at the top level: one error there, not one per environment.
    const errors = errorsOf(
      `${head}approvals:\n  required: 2\n  hotfix: { approvers: [sam] }\nenvironments:\n  staging: {}\n  production: {}\n`,
    );
    assert.deepEqual(
      errors.filter((e) => /could never be met/.test(e)),
      [
        'deploy.yml:6:24: approvals.hotfix.approvers: hotfixes need 2 approvals (approvals.required) but only 1 approver is listed (approvals.hotfix.approvers): it could never be met',
      ],
    );
  });
});

describe('approvals section: duplicates (audit)', () => {
  it('an environment written twice is a located duplicate-key error, not the last one silently winning', () => {
    const errors = errorsOf(
      `${head}environments:\n  production:\n    approvals: { required: 2 }\n  production: {}\n`,
    );
    assert.ok(
      errors.some((e) => /^deploy\.yml:7:3: .*duplicate key "production"/.test(e)),
      errors.join('\n'),
    );
  });

  it('a user listed twice, or in two cases, is one approver (and counts once toward required)', () => {
    const issues = policyIssues(raw({ approvers: ['carol', '@Carol', 'CAROL'], required: 2 }));
    assert.match(issues[0]?.message ?? '', /requires 2 approvals but only 1 approver is listed/);
  });
});

describe('time zones (audit)', () => {
  it('a zone written in another case is read as its canonical IANA name', () => {
    const config = load(production('timezone: europe/BERLIN'));
    assert.equal(resolvePolicy(config, 'production').timezone, 'Europe/Berlin');
  });

  it('a fixed UTC offset, a blank or padded name, and names Intl does not know are refused, saying what is allowed', () => {
    const cases: Array<[string, RegExp]> = [
      [
        '"+01:00"',
        /timezone: "\+01:00" is a fixed UTC offset, not a time zone: use an IANA time zone name such as "Europe\/Berlin"/,
      ],
      ['"+0100"', /timezone: "\+0100" is a fixed UTC offset/],
      ['"-05"', /timezone: "-05" is a fixed UTC offset/],
      ['"UTC+1"', /timezone: "UTC\+1" is a fixed UTC offset/],
      ['"GMT-3"', /timezone: "GMT-3" is a fixed UTC offset/],
      ['local', /timezone: unknown time zone "local": use an IANA time zone name/],
      ['Asia/Kolkatta', /timezone: unknown time zone "Asia\/Kolkatta": .*"Asia\/Kolkata"/],
      ['""', /timezone: must not be empty: use an IANA time zone name/],
      ['"  "', /timezone: must not be empty/],
      ['" Europe/Berlin"', /timezone: " Europe\/Berlin" has blanks around the name: write "Europe\/Berlin"/],
    ];
    for (const [value, expected] of cases) {
      const errors = errorsOf(production(`timezone: ${value}`));
      assert.equal(errors.length, 1, `${value}: ${errors.join('\n')}`);
      assert.match(errors[0]!, /^deploy\.yml:8:17: environments\.production\.approvals\.timezone: /, value);
      assert.match(errors[0]!, expected, value);
    }
  });

  it('an abbreviation Intl reads as some place is refused, naming that place: BST is not London', () => {
    const cases: Array<[string, string]> = [
      ['BST', 'Asia/Dhaka'], // British Summer Time to a person, Bangladesh to ICU
      ['IST', 'Asia/Kolkata'], // Irish or Israel Standard Time
      ['AST', 'America/Anchorage'], // Atlantic Standard Time
      ['NST', 'Pacific/Auckland'], // Newfoundland Standard Time
      ['ECT', 'Europe/Paris'], // Ecuador Time
      ['cst', 'America/Chicago'], // China Standard Time too
      ['PST', 'America/Los_Angeles'],
      // The tz database's own, fixed all year: New York's and Denver's clocks change for daylight saving.
      ['EST', 'America/Panama'],
      ['MST', 'America/Phoenix'],
      ['HST', 'Pacific/Honolulu'],
    ];
    for (const [value, read] of cases) {
      const errors = errorsOf(production(`timezone: ${value}`));
      assert.equal(errors.length, 1, `${value}: ${errors.join('\n')}`);
      assert.match(errors[0]!, /^deploy\.yml:8:17: environments\.production\.approvals\.timezone: /, value);
      assert.ok(
        errors[0]!.includes(
          `"${value}" is an abbreviation, not a time zone name: Intl would read it as ${read}, which may not be the place meant; use an IANA time zone name`,
        ),
        errors[0],
      );
    }
  });

  it('IANA names and their links stay accepted, fixed-offset zones of the Etc area too', () => {
    for (const [value, canonical] of [
      ['GMT', 'UTC'],
      // Links the tz database keeps for a country or a rule set whose clock follows its daylight saving.
      ['GB', 'Europe/London'],
      ['CET', 'Europe/Brussels'],
      ['EST5EDT', 'America/New_York'],
      ['utc', 'UTC'],
      ['Etc/GMT-1', 'Etc/GMT-1'],
      ['US/Pacific', 'America/Los_Angeles'],
      // Node's ICU answers the old spelling of a renamed zone (Asia/Calcutta): read as today's name.
      ['Asia/Kolkata', 'Asia/Kolkata'],
      ['Asia/Calcutta', 'Asia/Kolkata'],
      ['europe/kyiv', 'Europe/Kyiv'],
    ] as const)
      assert.equal(
        resolvePolicy(load(production(`timezone: ${value}`)), 'production').timezone,
        canonical,
        value,
      );
  });
});
