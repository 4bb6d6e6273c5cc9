import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { auditGate, decideAudit, parseAuditReport } from '../../../src/gates/audit.ts';
import type { AuditConfig } from '../../../src/gates/schema/audit.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/gates/audit');

async function tempDir(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'audit-gate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
const context = (cwd: string, env: NodeJS.ProcessEnv = process.env): GateContext => gateContext(cwd, { env });
const run = (config: unknown, ctx: GateContext) =>
  auditGate.run(auditGate.schema.parse(config) as AuditConfig, ctx);

test('npm report v2: advisories at or above moderate block; transitive "via" strings are not double counted', async (t) => {
  const dir = await tempDir(t);
  await cp(join(FIXTURES, 'npm-v2.json'), join(dir, 'audit.json'));
  await writeFile(join(dir, 'package-lock.json'), '{}');
  const verdict = await run({ report: 'audit.json' }, context(dir));
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '2 advisories at or above moderate (1 below moderate)');
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.severity, f.path, f.message]),
    [
      [
        'audit.vulnerability',
        'error',
        'package-lock.json',
        'minimist <0.2.4: critical: Prototype Pollution in minimist (GHSA-xvch-5gv4-984h, fix available)',
      ],
      [
        'audit.vulnerability',
        'error',
        'package-lock.json',
        'semver <5.7.2: moderate: semver vulnerable to Regular Expression Denial of Service (GHSA-c2qf-rxjj-qqgw, no fix available)',
      ],
      [
        'audit.vulnerability',
        'notice',
        'package-lock.json',
        'ms <2.0.0: low: Vercel ms Inefficient Regular Expression Complexity vulnerability (GHSA-w9mr-4mfr-499f, fix available)',
      ],
    ],
  );
  const high = await run({ report: 'audit.json', severity: 'high' }, context(dir));
  assert.equal(high.summary, '1 advisory at or above high (2 below high)');
});

test('allowlist: by GHSA id, advisory URL or npm number, until the expiry date; an expired entry blocks again', () => {
  const advisories = parseAuditReport(
    JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities: {
        minimist: {
          name: 'minimist',
          severity: 'critical',
          via: [
            {
              source: 1096471,
              name: 'minimist',
              title: 'Prototype Pollution',
              url: 'https://github.com/advisories/GHSA-xvch-5gv4-984h',
              severity: 'critical',
              range: '<0.2.4',
            },
          ],
          fixAvailable: true,
        },
      },
      metadata: { vulnerabilities: { critical: 1, total: 1 } },
    }),
    'report',
  );
  const reason = 'only used by a build script, never at runtime';
  // Which id the entry named is said when it is not the one the finding shows.
  for (const [id, by] of [
    ['GHSA-xvch-5gv4-984h', ''],
    ['ghsa-xvch-5gv4-984h', ''],
    ['https://github.com/advisories/GHSA-xvch-5gv4-984h', ' by its URL'],
    ['1096471', ' by its id 1096471'],
  ] as const) {
    const allowed = decideAudit(
      advisories,
      'moderate',
      [{ id, reason, expires: '2030-01-01' }],
      '2029-12-31',
    );
    assert.equal(allowed.status, 'pass', id);
    assert.equal(allowed.summary, 'no advisories at or above moderate (1 allowed)');
    assert.ok(
      allowed.findings[0]!.message.endsWith(
        `(GHSA-xvch-5gv4-984h, fix available); allowed${by} until 2030-01-01: ${reason}`,
      ),
      allowed.findings[0]!.message,
    );
  }
  const expired = decideAudit(
    advisories,
    'moderate',
    [{ id: 'GHSA-xvch-5gv4-984h', reason, expires: '2030-01-01' }],
    '2030-01-01',
  );
  assert.equal(expired.status, 'block');
  assert.equal(expired.summary, '1 advisory at or above moderate, 1 with an expired allowlist entry');
  assert.equal(expired.findings[0]!.rule, 'audit.allow-expired');
  assert.match(
    expired.findings[0]!.message,
    /its allowlist entry expired on 2030-01-01 \(reason was: only used/,
  );

  const unused = decideAudit(
    advisories,
    'moderate',
    [
      { id: '1096471', reason, expires: '2030-01-01' },
      { id: 'GHSA-aaaa-bbbb-cccc', reason: 'old', expires: '2030-01-01' },
    ],
    '2029-01-01',
  );
  assert.equal(unused.status, 'pass');
  assert.match(
    unused.findings.at(-1)!.message,
    /allowlist entry GHSA-aaaa-bbbb-cccc matches no reported advisory/,
  );
});

test('an allowlist entry without a reason or an expiry date, or with a bad date, is a config error', () => {
  const parse = (allow: unknown) => auditGate.schema.safeParse({ allow: [allow] });
  assert.equal(parse({ id: 'GHSA-xvch-5gv4-984h', expires: '2030-01-01' }).success, false);
  assert.equal(parse({ id: 'GHSA-xvch-5gv4-984h', reason: '  ', expires: '2030-01-01' }).success, false);
  assert.equal(parse({ id: 'GHSA-xvch-5gv4-984h', reason: 'r' }).success, false);
  assert.equal(parse({ id: 'GHSA-xvch-5gv4-984h', reason: 'r', expires: '2030-02-30' }).success, false);
  assert.equal(parse({ id: 'GHSA-xvch-5gv4-984h', reason: 'r', expires: '01/02/2030' }).success, false);
  assert.equal(
    parse({ id: 'GHSA-xvch-5gv4-984h', reason: 'r', expires: '2030-02-28', note: 'x' }).success,
    false,
  );
  assert.equal(parse({ id: 'GHSA-xvch-5gv4-984h', reason: 'r', expires: '2030-02-28' }).success, true);
});

test('pnpm and yarn classic reports', async (t) => {
  const dir = await tempDir(t);
  await cp(FIXTURES, dir, { recursive: true });
  const pnpm = await run({ report: 'pnpm.json', severity: 'critical' }, context(dir));
  assert.equal(pnpm.status, 'block');
  assert.match(
    pnpm.findings[0]!.message,
    /^minimist <0\.2\.4: critical: Prototype Pollution in minimist \(GHSA-xvch-5gv4-984h, fix available\)$/,
  );
  const yarn = await run({ report: 'yarn-classic.ndjson' }, context(dir));
  assert.equal(yarn.status, 'block');
  assert.match(yarn.findings[0]!.message, /^semver <5\.7\.2: moderate: .*GHSA-c2qf-rxjj-qqgw/);
  const clean = await run({ report: 'npm-v2-clean.json' }, context(dir));
  assert.deepEqual(clean, { status: 'pass', summary: 'no known vulnerabilities', findings: [] });
});

test('pnpm audit --json with its warnings on standard output before the JSON is read, not taken for a failed audit', async (t) => {
  const dir = await tempDir(t);
  // pnpm writes its log lines to standard output (pnpm/pnpm#10200): an .npmrc whose variable is not set in
  // this step, a slow registry. Before: "did not give a JSON audit report: the advisory service could not
  // be reached".
  const report = await readFile(join(FIXTURES, 'pnpm.json'), 'utf8');
  const warnings =
    ' WARN  Issue while reading "/home/runner/work/app/app/.npmrc". Failed to replace env in config: ${NPM_AUTH}\n' +
    ' WARN  Request took 11414ms: https://registry.example/minimist\n';
  await writeFile(join(dir, 'pnpm-audit.json'), warnings + report);
  const verdict = await run({ report: 'pnpm-audit.json', severity: 'critical' }, context(dir));
  assert.equal(verdict.status, 'block');
  assert.match(verdict.findings[0]!.message, /^minimist <0\.2\.4: critical: Prototype Pollution in minimist/);
  // Warnings with no JSON after them are all there is: still no report.
  await writeFile(join(dir, 'pnpm-audit.json'), warnings);
  const none = await run({ report: 'pnpm-audit.json' }, context(dir));
  assert.match(none.summary, /^pnpm-audit\.json did not give a JSON audit report/);
});

test('real npm audit refused by the registry (HTTP 405, as behind proxies) blocks: service not reached', async (t) => {
  const dir = await tempDir(t);
  const requests: string[] = [];
  const registry = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(req.method === 'POST' ? 405 : 404, { allow: 'GET,HEAD' }).end();
  });
  await new Promise<void>((done) => registry.listen(0, '127.0.0.1', done));
  t.after(() => new Promise<void>((done) => registry.close(() => done())));
  const port = (registry.address() as AddressInfo).port;
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } }),
  );
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify({
      name: 'x',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'x', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } },
        'node_modules/left-pad': {
          version: '1.3.0',
          resolved: `http://127.0.0.1:${port}/left-pad/-/left-pad-1.3.0.tgz`,
        },
      },
    }),
  );
  const env = {
    ...process.env,
    npm_config_registry: `http://127.0.0.1:${port}/`,
    npm_config_fetch_retries: '0',
    npm_config_audit_level: 'moderate',
    npm_config_update_notifier: 'false',
  };
  const verdict = await run({}, context(dir, env));
  assert.ok(
    requests.some((r) => r.startsWith('POST /-/npm/v1/security/')),
    `requests: ${requests.join(', ')}`,
  );
  assert.equal(verdict.status, 'block');
  assert.match(
    verdict.summary,
    /^"npm audit --json": the advisory service could not be reached or refused the audit \(.*405/,
  );
});

test('fails closed: command not found, non-JSON output, error exit without vulnerabilities, truncated report', async (t) => {
  const dir = await tempDir(t);
  const notFound = await run({ command: 'no-such-package-manager audit --json' }, context(dir));
  assert.equal(notFound.status, 'block');
  assert.match(notFound.summary, /command "no-such-package-manager" was not found/);

  const node = process.execPath;
  const garbage = await run(
    { command: [node, '-e', 'console.log("npm ERR! network timeout")'] },
    context(dir),
  );
  assert.equal(garbage.status, 'block');
  assert.match(
    garbage.summary,
    /did not give a JSON audit report: the advisory service could not be reached/,
  );

  const clean = await readFile(join(FIXTURES, 'npm-v2-clean.json'), 'utf8');
  await writeFile(join(dir, 'clean.json'), clean);
  const failed = await run(
    {
      command: [
        node,
        '-e',
        'process.stdout.write(require("fs").readFileSync("clean.json")); process.exitCode = 1',
      ],
    },
    context(dir),
  );
  assert.equal(failed.status, 'block');
  assert.match(
    failed.summary,
    /exited with code 1 without reporting vulnerabilities: the advisory service could not be reached/,
  );

  const silent = await run({ command: [node, '-e', 'process.exit(1)'] }, context(dir));
  assert.match(
    silent.summary,
    /printed no report \(exit code 1\): the advisory service could not be reached/,
  );
  // The error line it quotes from stderr is redacted: a registry URL with its password stays out.
  const password = ['Zq8#vL2!', 'pW9xR4tY7u'].join('');
  const failing = await run(
    {
      command: [
        node,
        '-e',
        `console.error('npm error 503 GET https://ci:${password}@registry.internal/-/npm/v1/security/advisories/bulk'); process.exit(1)`,
      ],
    },
    context(dir),
  );
  assert.equal(failing.status, 'block');
  assert.ok(!failing.summary.includes(password), failing.summary);
  assert.match(failing.summary, /\(npm error 503 GET https:\/\/ci:Zq…@registry\.internal/);

  const full = await readFile(join(FIXTURES, 'npm-v2.json'), 'utf8');
  await writeFile(join(dir, 'cut.json'), full.slice(0, 900));
  const truncated = await run({ report: 'cut.json' }, context(dir));
  assert.equal(truncated.status, 'block');
  assert.match(truncated.summary, /cut\.json did not give a JSON audit report/);

  await writeFile(
    join(dir, 'empty-map.json'),
    JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities: {},
      metadata: { vulnerabilities: { high: 2, total: 2 } },
    }),
  );
  const inconsistent = await run({ report: 'empty-map.json' }, context(dir));
  assert.match(inconsistent.summary, /metadata counts 2 vulnerabilities but the report names no advisory/);

  const missing = await run({ report: 'nope.json' }, context(dir));
  assert.equal(missing.summary, `audit report nope.json not found (looked in ${dir})`);
});

test('snyk test --json: one finding per vulnerability and package@version, not one per dependency path; --all-projects too', async (t) => {
  const dir = await tempDir(t);
  await cp(FIXTURES, dir, { recursive: true });
  // Seven entries: bl, hoek on 4 paths, ms (low), tunnel-agent; Snyk's "medium" is the gate's moderate.
  const verdict = await run({ report: 'snyk-test.json' }, context(dir));
  assert.equal(
    `${verdict.status}: ${verdict.summary}`,
    'block: 3 advisories at or above moderate (1 below moderate)',
  );
  const hoek = 'npm-two-vuln-deps@1.0.0 › twilio@2.11.1 › request@2.74.0 › hawk@3.1.3';
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.severity, f.message]),
    [
      [
        'audit.vulnerability',
        'error',
        'bl@1.1.2 <1.2.3 || >=2.0.0 <2.2.1 || >=3.0.0 <3.0.1 || >=4.0.0 <4.0.3: high: Remote Memory Exposure (SNYK-JS-BL-608877, no fix available); through npm-two-vuln-deps@1.0.0 › twilio@2.11.1 › request@2.74.0 › bl@1.1.2',
      ],
      [
        'audit.vulnerability',
        'error',
        `hoek@2.16.3 <4.2.1 || >=5.0.0 <5.0.3: moderate: Prototype Pollution (npm:hoek:20180212, no fix available); 4 dependency paths: ${hoek} › hoek@2.16.3; ${hoek} › boom@2.10.1 › hoek@2.16.3; ${hoek} › sntp@1.0.9 › hoek@2.16.3; 1 more`,
      ],
      [
        'audit.vulnerability',
        'error',
        'tunnel-agent@0.4.3 <0.6.0: moderate: Uninitialized Memory Exposure (npm:tunnel-agent:20170305, no fix available); through npm-two-vuln-deps@1.0.0 › twilio@2.11.1 › request@2.74.0 › tunnel-agent@0.4.3',
      ],
      [
        'audit.vulnerability',
        'notice',
        'ms@0.7.3 <2.0.0: low: Regular Expression Denial of Service (ReDoS) (npm:ms:20170412, no fix available); through npm-two-vuln-deps@1.0.0 › twilio@2.11.1 › jsonwebtoken@5.4.1 › ms@0.7.3',
      ],
    ],
  );
  // An allowlist entry names the Snyk id.
  const allowed = await run(
    {
      report: 'snyk-test.json',
      severity: 'high',
      allow: [{ id: 'SNYK-JS-BL-608877', reason: 'not reachable', expires: '2999-01-01' }],
    },
    context(dir),
  );
  assert.equal(
    `${allowed.status}: ${allowed.summary}`,
    'pass: no advisories at or above high (1 allowed, 3 below high)',
  );
  // --all-projects: an array of projects (one clean); the same vulnerability in two projects is one finding.
  const project = JSON.parse(await readFile(join(dir, 'snyk-test.json'), 'utf8')) as Record<string, unknown>;
  const clean = {
    ...project,
    vulnerabilities: [],
    ok: true,
    summary: 'No known vulnerabilities',
    uniqueCount: 0,
  };
  await writeFile(
    join(dir, 'snyk-all.json'),
    JSON.stringify([
      { ...project, foundProjectCount: 2 },
      { ...project, displayTargetFile: 'web/package-lock.json', foundProjectCount: 2 },
      { ...clean, displayTargetFile: 'docs/package-lock.json', foundProjectCount: 2 },
    ]),
  );
  const all = await run({ report: 'snyk-all.json' }, context(dir));
  assert.equal(
    `${all.status}: ${all.summary}`,
    'block: 3 advisories at or above moderate (1 below moderate)',
  );
  assert.match(all.findings[1]!.message, /^hoek@2\.16\.3 .*; 8 dependency paths: .*; 5 more$/);
  // snyk container test --json (DefectDojo's snykcontainer_issue_epss.json, trimmed): the image's OS packages,
  // and under "applications" the npm project inside it, whose vulnerabilities are as much the image's.
  const entry = (
    id: string,
    name: string,
    version: string,
    severity: string,
    title: string,
    from: string[],
  ) => ({
    id,
    title,
    semver: { vulnerable: ['*'] },
    severity,
    packageName: name.split('/')[0],
    packageManager: 'npm',
    from,
    upgradePath: [],
    isUpgradable: false,
    isPatchable: false,
    name,
    version,
  });
  await writeFile(
    join(dir, 'snyk-container.json'),
    JSON.stringify({
      vulnerabilities: [
        entry('SNYK-DEBIAN11-GCC10-5901313', 'gcc-10/libgcc-s1', '10.2.1-6', 'low', 'CVE-2023-4039', [
          'docker-image|sarim04/juiceshop@latest',
          'gcc-10/libgcc-s1@10.2.1-6',
        ]),
      ],
      ok: false,
      dependencyCount: 9,
      packageManager: 'deb',
      docker: { binariesVulns: { issuesData: {}, affectedPkgs: {} } },
      summary: '67 vulnerable dependency paths',
      uniqueCount: 13,
      projectName: 'docker-image|sarim04/juiceshop',
      platform: 'linux/amd64',
      path: 'sarim04/juiceshop:latest/juiceshop',
      applications: [
        {
          vulnerabilities: [
            entry('SNYK-JS-EXPRESSJWT-575022', 'express-jwt', '0.1.3', 'high', 'Authorization Bypass', [
              'juice-shop@15.3.0',
              'express-jwt@0.1.3',
            ]),
          ],
          ok: false,
          packageManager: 'npm',
          projectName: 'juice-shop',
          displayTargetFile: '/juice-shop/package.json',
        },
      ],
    }),
  );
  const container = await run({ report: 'snyk-container.json' }, context(dir));
  assert.equal(
    `${container.status}: ${container.summary}`,
    'block: 1 advisory at or above moderate (1 below moderate)',
  );
  assert.match(
    container.findings[0]!.message,
    /^express-jwt@0\.1\.3 \*: high: Authorization Bypass \(SNYK-JS-EXPRESSJWT-575022/,
  );
  // Snyk's own error: blocks naming it.
  await writeFile(
    join(dir, 'snyk-error.json'),
    JSON.stringify({ ok: false, error: 'Could not detect supported target files in /w.', path: '/w' }),
  );
  const failed = await run({ report: 'snyk-error.json' }, context(dir));
  assert.equal(failed.status, 'block');
  assert.match(failed.summary, /Could not detect supported target files in \/w\./);
  // A wrong field is named by its path.
  await writeFile(
    join(dir, 'snyk-bad.json'),
    JSON.stringify({ ...project, vulnerabilities: [{ id: 'SNYK-1', severity: 5 }] }),
  );
  const bad = await run({ report: 'snyk-bad.json' }, context(dir));
  assert.match(bad.summary, /^snyk-bad\.json: vulnerabilities\[0\]\.severity: /);
});

test('pnpm 11 audit --json (built from the bulk advisory endpoint): read as npm 6 / older pnpm reports are', () => {
  // pnpm's bulkResponseToAuditReport (deps.compliance.audit): advisories keyed by id, module_name and
  // findings from the lockfile, github_advisory_id from the url, patched_versions only where inferred, and
  // "" for a title or url the registry did not give.
  const finding = { version: '1.2.5', paths: ['.>minimist'], dev: false, optional: false, bundled: false };
  const advisories = parseAuditReport(
    JSON.stringify({
      advisories: {
        '1102341': {
          findings: [finding],
          id: 1102341,
          title: 'Prototype Pollution in minimist',
          module_name: 'minimist',
          vulnerable_versions: '>=1.0.0 <1.2.6',
          patched_versions: '>=1.2.6',
          severity: 'critical',
          cwe: 'CWE-1321',
          github_advisory_id: 'GHSA-xvch-5gv4-984h',
          url: 'https://github.com/advisories/GHSA-xvch-5gv4-984h',
        },
        '1099999': {
          findings: [{ ...finding, version: '0.1.0', paths: ['.>left'] }],
          id: 1099999,
          title: '',
          module_name: 'left',
          vulnerable_versions: '*',
          severity: 'low',
          cwe: '',
          github_advisory_id: '',
          url: '',
        },
      },
      metadata: {
        vulnerabilities: { info: 0, low: 1, moderate: 0, high: 0, critical: 1 },
        dependencies: 3,
        devDependencies: 0,
        optionalDependencies: 0,
        totalDependencies: 3,
      },
    }),
    'pnpm.json',
  );
  assert.deepEqual(
    advisories.map((a) => [a.id, a.package, a.severity, a.title, a.fixAvailable]),
    [
      ['1099999', 'left', 'low', 'untitled advisory', undefined],
      ['GHSA-xvch-5gv4-984h', 'minimist', 'critical', 'Prototype Pollution in minimist', true],
    ],
  );
});

test("npm 6's and older pnpm's audit refused by the retired legacy endpoint: blocks saying so and what to run", async (t) => {
  const dir = await tempDir(t);
  const node = process.execPath;
  // npm 6 with --json: its error handler prints {"error": {code, summary, detail}} on stdout (console.log,
  // 2-space JSON) and "npm ERR!" lines on stderr; a 4xx from the audit endpoint is ENOAUDIT.
  const npm6 = {
    error: {
      code: 'ENOAUDIT',
      summary:
        'Your configured registry (http://127.0.0.1:4873/) may not support audit requests, or the audit endpoint may be temporarily unavailable.\nThe server said: Gone',
      detail: '',
    },
  };
  const npm = await run(
    {
      command: [
        node,
        '-e',
        `console.log(${JSON.stringify(JSON.stringify(npm6, null, 2))}); console.error('npm ERR! code ENOAUDIT'); process.exit(1)`,
      ],
    },
    context(dir),
  );
  assert.equal(npm.status, 'block');
  assert.match(npm.summary, /refused the audit \(ENOAUDIT: Your configured registry/);
  assert.match(npm.summary, /retired in April 2026 .*: run the audit with npm 7 or later/);
  // pnpm before its bulk-endpoint release: its error on stderr, nothing on stdout.
  const pnpm = await run(
    {
      command: [
        node,
        '-e',
        `console.error(' ERR_PNPM_AUDIT_BAD_RESPONSE  The audit endpoint (at http://127.0.0.1:4873/-/npm/v1/security/audits/quick) responded with 410: Gone'); process.exit(1)`,
      ],
    },
    context(dir),
  );
  assert.equal(pnpm.status, 'block');
  assert.match(
    pnpm.summary,
    /printed no report \(exit code 1\).*\(ERR_PNPM_AUDIT_BAD_RESPONSE {2}The audit endpoint/,
  );
  assert.match(pnpm.summary, /legacy audit endpoint \(\/-\/npm\/v1\/security\/audits\)/);
  // npm 7+'s bulk endpoint failing is not that.
  const bulk = await run(
    {
      command: [node, '-e', `console.error('npm error audit endpoint returned an error'); process.exit(1)`],
    },
    context(dir),
  );
  assert.doesNotMatch(bulk.summary, /legacy audit endpoint/);
});
