// An allowlist entry names an advisory by the id the team's security tracker uses: a CVE id, a GHSA id or
// the scanner's own. Each audit report shape the gate reads carries the advisory's other ids where the report
// names them, and an entry matches any of them, whole and case-insensitively; never a CWE id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { auditGate, decideAudit, parseAuditReport } from '../../../src/gates/audit.ts';
import type { Advisory } from '../../../src/gates/audit.ts';
import type { AllowEntry } from '../../../src/gates/schema/audit.ts';

const REASON = 'template() is never given user input here';
const allow = (id: string, expires = '2030-01-01'): AllowEntry => ({ id, reason: REASON, expires });
const decide = (advisories: Advisory[], entries: AllowEntry[], date = '2029-06-01') =>
  decideAudit(advisories, 'moderate', entries, date);
const rows = (verdict: ReturnType<typeof decideAudit>) => verdict.findings.map((f) => [f.rule, f.message]);

// lodash's command injection in template(): npm advisory 1673, GHSA-35jh-r3h4-6jhm, CVE-2021-23337, CWE-77/78.
const CVE = 'CVE-2021-23337';
const GHSA = 'GHSA-35jh-r3h4-6jhm';

/** npm 6's `advisories` entry (the legacy endpoint's answer, as npm 6, pnpm and yarn 2/3 print it). */
const v1Lodash = {
  findings: [{ version: '4.17.20', paths: ['lodash'] }],
  id: 1673,
  title: 'Command Injection',
  module_name: 'lodash',
  cves: [CVE],
  vulnerable_versions: '<4.17.21',
  patched_versions: '>=4.17.21',
  severity: 'high',
  cwe: 'CWE-77',
  github_advisory_id: GHSA,
  url: 'https://npmjs.com/advisories/1673',
};
const v1Metadata = {
  vulnerabilities: { info: 0, low: 0, moderate: 0, high: 1, critical: 0 },
  dependencies: 1,
  devDependencies: 0,
  optionalDependencies: 0,
  totalDependencies: 1,
};

/** One Snyk Open Source entry, as `snyk test --json` writes them (see fixtures/gates/audit/README.md). */
const snykLodash = (from: string[]) => ({
  id: 'SNYK-JS-LODASH-1040724',
  alternativeIds: [],
  identifiers: { CVE: [CVE], CWE: ['CWE-78'], GHSA: [GHSA] },
  title: 'Command Injection',
  severity: 'high',
  packageName: 'lodash',
  name: 'lodash',
  version: '4.17.20',
  semver: { vulnerable: ['<4.17.21'] },
  from,
  isUpgradable: true,
  isPatchable: false,
});
const snykProject = (vulnerabilities: unknown[], extra: Record<string, unknown> = {}) => ({
  vulnerabilities,
  ok: false,
  dependencyCount: 2,
  packageManager: 'npm',
  projectName: 'app',
  displayTargetFile: 'package-lock.json',
  ...extra,
});

/** Each shape that names the advisory's CVE: the advisory read from it, and how the finding shows it. */
const SHAPES_WITH_CVE: Array<[string, string, string]> = [
  ['npm 6 (advisories)', JSON.stringify({ advisories: { '1673': v1Lodash }, metadata: v1Metadata }), '1673'],
  [
    'pnpm (advisories, built from the bulk endpoint)',
    JSON.stringify({
      advisories: { '1673': { ...v1Lodash, url: `https://github.com/advisories/${GHSA}` } },
      metadata: v1Metadata,
    }),
    GHSA,
  ],
  [
    'yarn classic (NDJSON)',
    [
      JSON.stringify({
        type: 'auditAdvisory',
        data: { resolution: { id: 1673, path: 'lodash' }, advisory: v1Lodash },
      }),
      JSON.stringify({ type: 'auditSummary', data: { vulnerabilities: v1Metadata.vulnerabilities } }),
    ].join('\n'),
    '1673',
  ],
  [
    'yarn 2/3 (npm 6 report, then a yarn event)',
    [
      JSON.stringify({ advisories: { '1673': v1Lodash }, metadata: v1Metadata }),
      JSON.stringify({ type: 'warning', name: 0, displayName: 'YN0000', indent: '', data: 'a warning' }),
    ].join('\n'),
    '1673',
  ],
  [
    'snyk test --json',
    JSON.stringify(snykProject([snykLodash(['app@1.0.0', 'lodash@4.17.20'])])),
    'SNYK-JS-LODASH-1040724',
  ],
  [
    'snyk test --all-projects --json',
    JSON.stringify([
      snykProject([]),
      snykProject([snykLodash(['web@1.0.0', 'lodash@4.17.20'])], { projectName: 'web' }),
    ]),
    'SNYK-JS-LODASH-1040724',
  ],
  [
    'snyk container test --json (an application in the image)',
    JSON.stringify(
      snykProject([], {
        packageManager: 'deb',
        projectName: 'docker-image|app',
        applications: [snykProject([snykLodash(['app@1.0.0', 'lodash@4.17.20'])])],
      }),
    ),
    'SNYK-JS-LODASH-1040724',
  ],
];

for (const [shape, report, shown] of SHAPES_WITH_CVE) {
  test(`${shape}: an entry naming the advisory's CVE or GHSA id allows it, saying which id it named`, () => {
    const advisories = parseAuditReport(report, 'audit.json');
    assert.equal(advisories.length, 1);
    assert.equal(advisories[0]!.id, shown);
    // The finding names the id the entry matched, as the report spells it, unless it is the one shown.
    for (const [id, named] of [
      [CVE, CVE],
      ['cve-2021-23337', CVE],
      [` ${GHSA.toLowerCase()} `, GHSA],
    ]) {
      const verdict = decide(advisories, [allow(id!)]);
      assert.equal(verdict.status, 'pass', `${shape}: ${id}`);
      assert.equal(verdict.summary, 'no advisories at or above moderate (1 allowed)');
      assert.deepEqual(
        verdict.findings.map((f) => f.rule),
        ['audit.allowed'],
      );
      const message = verdict.findings[0]!.message;
      assert.match(
        message,
        new RegExp(
          `^lodash(?:@4\\.17\\.20)? <4\\.17\\.21: high: Command Injection \\(${shown}, fix available\\)`,
        ),
      );
      const by = named === shown ? '' : ` by its id ${named}`;
      assert.ok(message.endsWith(`; allowed${by} until 2030-01-01: ${REASON}`), `${shape}: ${message}`);
    }
  });
}

test("npm 7+ and yarn 4 reports name an advisory by its URL's GHSA id and npm number only: a CVE entry is unused, and says what to write", () => {
  const npm7 = JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: {
      lodash: {
        name: 'lodash',
        severity: 'high',
        via: [
          {
            source: 1096305,
            name: 'lodash',
            dependency: 'lodash',
            title: 'Command Injection in lodash',
            url: `https://github.com/advisories/${GHSA}`,
            severity: 'high',
            cwe: ['CWE-77', 'CWE-94'],
            range: '<4.17.21',
          },
        ],
        fixAvailable: true,
      },
    },
    metadata: { vulnerabilities: { high: 1, total: 1 } },
  });
  const yarn4 = JSON.stringify({
    value: 'lodash',
    children: {
      ID: 1096305,
      Issue: 'Command Injection in lodash',
      URL: `https://github.com/advisories/${GHSA}`,
      Severity: 'high',
      'Vulnerable Versions': '<4.17.21',
      'Tree Versions': ['4.17.20'],
      Dependents: ['app@workspace:.'],
    },
  });
  const yarn400 = JSON.stringify({
    lodash: [
      {
        id: 1096305,
        url: `https://github.com/advisories/${GHSA}`,
        title: 'Command Injection in lodash',
        severity: 'high',
        vulnerable_versions: '<4.17.21',
        cwe: ['CWE-77'],
      },
    ],
  });
  for (const [shape, report] of [
    ['npm 7+', npm7],
    ['yarn 4.0.1+', yarn4],
    ['yarn 4.0.0', yarn400],
  ]) {
    const advisories = parseAuditReport(report!, 'audit.json');
    assert.deepEqual(
      advisories.map((a) => [a.id, a.source, a.aliases]),
      [[GHSA, '1096305', undefined]],
      shape,
    );
    assert.equal(decide(advisories, [allow(GHSA.toLowerCase())]).status, 'pass', shape);
    const verdict = decide(advisories, [allow(CVE)]);
    assert.equal(verdict.status, 'block', shape);
    assert.deepEqual(verdict.findings.at(-1), {
      rule: 'audit.allow-unused',
      severity: 'notice',
      message: `allowlist entry ${CVE} matches no reported advisory: remove it (this report names no CVE ids: if it lists that advisory by another id, such as its GHSA id, write that id instead)`,
    });
  }
});

test("pnpm 11's report: github_advisory_id and cves are the advisory's ids; its CWE (a string there) is not", () => {
  const advisories = parseAuditReport(
    JSON.stringify({
      advisories: {
        '1096305': {
          findings: [
            { version: '4.17.20', paths: ['.>lodash'], dev: false, optional: false, bundled: false },
          ],
          id: 1096305,
          title: 'Command Injection in lodash',
          module_name: 'lodash',
          vulnerable_versions: '<4.17.21',
          patched_versions: '>=4.17.21',
          severity: 'high',
          cwe: 'CWE-77',
          cves: [CVE],
          github_advisory_id: GHSA,
          // The registry gave no url: the advisory is named by its npm number, and its GHSA id still matches.
          url: '',
        },
      },
      metadata: v1Metadata,
    }),
    'pnpm.json',
  );
  assert.deepEqual(
    advisories.map((a) => [a.id, a.aliases]),
    [['1096305', [GHSA, CVE]]],
  );
  const verdict = decide(advisories, [allow(GHSA)]);
  assert.equal(verdict.status, 'pass');
  assert.match(verdict.findings[0]!.message, new RegExp(`; allowed by its id ${GHSA} until 2030-01-01: `));
  // What no entry may name: the CWE is not among the ids decideAudit matches (the config refuses it too).
  assert.equal(decide(advisories, [allow('CWE-77')]).status, 'block');
});

test("Snyk's identifiers: every kind but CWE, and its alternative ids, are the advisory's ids", () => {
  const advisories = parseAuditReport(
    JSON.stringify(
      snykProject([
        {
          ...snykLodash(['app@1.0.0', 'lodash@4.17.20']),
          alternativeIds: ['SNYK-JS-LODASH-1018905'],
          identifiers: {
            CVE: [CVE],
            CWE: ['CWE-78'],
            GHSA: [GHSA],
            NSP: [1673],
            ALTERNATIVE: [''],
            OTHER: 'x',
          },
        },
      ]),
    ),
    'snyk.json',
  );
  assert.deepEqual(advisories[0]!.aliases, [CVE, GHSA, '1673', 'SNYK-JS-LODASH-1018905']);
  for (const id of ['1673', 'snyk-js-lodash-1018905'])
    assert.equal(decide(advisories, [allow(id)]).status, 'pass', id);
  assert.equal(decide(advisories, [allow('CWE-78')]).status, 'block');
});

test("snyk container test --json: an OS package's advisory is allowed by its CVE, the id a container scan is tracked by", () => {
  const advisories = parseAuditReport(
    JSON.stringify(
      snykProject(
        [
          {
            id: 'SNYK-DEBIAN12-OPENSSL-5776808',
            identifiers: { CVE: ['CVE-2023-3817'], CWE: ['CWE-404'] },
            title: 'Excessive Time Spent Checking DH Keys',
            severity: 'medium',
            packageName: 'openssl',
            name: 'openssl/libssl3',
            version: '3.0.9-1',
            from: ['docker-image|app@latest', 'openssl/libssl3@3.0.9-1'],
          },
        ],
        { packageManager: 'deb', projectName: 'docker-image|app' },
      ),
    ),
    'snyk-container.json',
  );
  const verdict = decide(advisories, [allow('CVE-2023-3817')]);
  assert.equal(verdict.status, 'pass');
  assert.match(verdict.findings[0]!.message, /; allowed by its id CVE-2023-3817 until 2030-01-01: /);
});

test('an entry matches an id whole: a prefix, an extension or a part of one matches nothing', () => {
  const advisories = parseAuditReport(
    JSON.stringify({ advisories: { '1673': v1Lodash }, metadata: v1Metadata }),
    'audit.json',
  );
  for (const id of [
    'CVE-2021-2333',
    'CVE-2021-233370',
    'CVE-2021-23337x',
    '2021-23337',
    'GHSA-35jh-r3h4',
    '167',
    '16730',
    'npmjs.com/advisories/1673',
    'lodash',
  ]) {
    const verdict = decide(advisories, [allow(id)]);
    assert.equal(verdict.status, 'block', id);
    assert.deepEqual(
      verdict.findings.map((f) => f.rule),
      ['audit.vulnerability', 'audit.allow-unused'],
      id,
    );
  }
});

test('an expired entry matched through an alias blocks again, naming the id; a renewed entry beside it allows', () => {
  const advisories = parseAuditReport(
    JSON.stringify(snykProject([snykLodash(['app@1.0.0', 'lodash@4.17.20'])])),
    'snyk.json',
  );
  const old = allow(CVE, '2029-01-01');
  const expired = decide(advisories, [old]);
  assert.equal(expired.status, 'block');
  assert.equal(expired.summary, '1 advisory at or above moderate, 1 with an expired allowlist entry');
  assert.deepEqual(rows(expired), [
    [
      'audit.allow-expired',
      `lodash@4.17.20 <4.17.21: high: Command Injection (SNYK-JS-LODASH-1040724, fix available); through app@1.0.0 › lodash@4.17.20; its allowlist entry (naming it by its id ${CVE}) expired on 2029-01-01 (reason was: ${REASON})`,
    ],
  ]);
  // The old CVE entry and a renewed GHSA one both name it: both are used, the one in force decides.
  const renewed = decide(advisories, [old, allow(GHSA, '2030-01-01')]);
  assert.equal(renewed.status, 'pass');
  assert.deepEqual(
    renewed.findings.map((f) => [f.rule, f.message.slice(f.message.indexOf('; allowed'))]),
    [['audit.allowed', `; allowed by its id ${GHSA} until 2030-01-01: ${REASON}`]],
  );
});

test('a CWE id in an allowlist entry is a config error saying why and what to write instead', () => {
  const result = parseConfig(
    [
      'target:',
      '  commands:',
      '    deploy: ./deploy.sh {{version}}',
      'gates:',
      '  audit:',
      '    allow:',
      `      - { id: ${CVE}, reason: r, expires: 2030-01-01 }`,
      '      - { id: " cwe-400", reason: r, expires: 2030-01-01 }',
      'environments:',
      '  production: {}',
      '',
    ].join('\n'),
    'deploy.yml',
  );
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : result.errors.map(formatConfigError), [
    `deploy.yml:8:15: gates.audit.allow[1].id: "cwe-400" is a CWE id, which names a class of weakness, not an advisory: an entry for it would let through every advisory of that class; write the advisory's own id (GHSA-…, CVE-…, the npm advisory number or the scanner's id such as SNYK-JS-…)`,
  ]);
  // An id that only contains "CWE-" further on is no CWE id.
  assert.equal(
    auditGate.schema.safeParse({ allow: [{ id: 'SNYK-CWE-1', reason: 'r', expires: '2030-01-01' }] }).success,
    true,
  );
});
