// The dependencies gate: the outdated reports of npm, pnpm, yarn 1, pip and Go as the tools print them,
// versions compared by semver and PEP 440, the policy, malformed and hostile reports, the config's errors,
// and the gate end to end with a command standing in for the package manager.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  DEFAULT_POLICY,
  judgeDependencies,
  type DependencyPolicy,
} from '../../../src/gates/dependencies-judge.ts';
import { dependenciesGate } from '../../../src/gates/dependencies.ts';
import {
  readOutdatedReport,
  type OutdatedFormat,
  type OutdatedReport,
} from '../../../src/gates/outdated-report.ts';
import { GATES, GATE_NAMES } from '../../../src/gates/registry.ts';
import { runGates } from '../../../src/gates/runner.ts';
import { dependenciesConfigSchema } from '../../../src/gates/schema/dependencies.ts';
import { gatesConfigSchema } from '../../../src/gates/schema/section.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { versionDistance } from '../../../src/gates/version-distance.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/gates/outdated/${name}`, import.meta.url));
const text = (name: string) => readFileSync(fixture(name), 'utf8');
const standIn = fixture('stand-in.mjs');

function read(content: string, format: OutdatedFormat = 'auto'): OutdatedReport {
  const result = readOutdatedReport(content, 'outdated.json', format);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.report;
}

function refused(content: string, format: OutdatedFormat = 'auto'): string {
  const result = readOutdatedReport(content, 'outdated.json', format);
  assert.equal(result.ok, false, `read: ${content.slice(0, 80)}`);
  return result.ok ? '' : result.message;
}

const judge = (report: OutdatedReport, policy: Partial<DependencyPolicy> = {}) =>
  judgeDependencies(report, { ...DEFAULT_POLICY, ...policy });

describe('reading outdated reports', () => {
  it('npm: each package, a workspace array item by item, a package not installed without current', () => {
    const report = read(text('npm.json'));
    assert.equal(report.ecosystem, 'npm');
    assert.deepEqual(report.packages, [
      { name: '@types/node', current: '18.19.3', wanted: '18.19.64', latest: '22.9.0' },
      { name: 'express', current: '4.18.2', wanted: '4.21.1', latest: '4.21.1' },
      { name: 'lodash', current: '4.17.20', wanted: '4.17.21', latest: '4.17.21' },
      { name: 'pg', current: '8.11.3', wanted: '8.13.1', latest: '8.13.1', dependent: 'api' },
      { name: 'pg', current: '8.7.1', wanted: '8.7.3', latest: '8.13.1', dependent: 'worker' },
      { name: 'typescript', current: '5.3.3', wanted: '5.3.3', latest: '5.6.3' },
      { name: 'uuid', wanted: '9.0.1', latest: '11.0.3' },
    ]);
  });

  it('pnpm: told from npm by its fields; a deprecated latest and the dependent workspaces are kept', () => {
    const report = read(text('pnpm.json'));
    assert.equal(report.ecosystem, 'pnpm');
    assert.deepEqual(report.packages[1], {
      name: 'request',
      current: '2.88.0',
      wanted: '2.88.2',
      latest: '2.88.2',
      deprecated: true,
    });
    assert.deepEqual(read(text('pnpm-recursive.json')).packages, [
      {
        name: 'vitest',
        current: '1.6.0',
        wanted: '1.6.0',
        latest: '2.1.5',
        dependent: '@shop/web, @shop/api',
      },
    ]);
  });

  it('pnpm: a package it lists more than once, keyed name@current (dev), is named by its name; the ignore globs match it', () => {
    // pnpm's JSON is an object by name: a package at several versions, or a dependency and a dev dependency,
    // across a workspace is keyed by name, current version and dependency type, so no entry overwrites another.
    const entry = (current: string | undefined, dependencyType: string) => ({
      ...(current !== undefined && { current }),
      latest: '3.4.19',
      wanted: current ?? '2.7.16',
      isDeprecated: false,
      dependencyType,
    });
    const report = read(
      JSON.stringify({
        'vue@2.7.14': entry('2.7.14', 'dependencies'),
        'vue@2.7.14 (dev)': entry('2.7.14', 'devDependencies'),
        'vue (optional)': entry(undefined, 'optionalDependencies'),
        '@types/node@18.19.3 (dev)': { ...entry('18.19.3', 'devDependencies'), latest: '22.9.0' },
        // Not pnpm's key: the version is not the one installed.
        'odd@1.0.0': entry('2.7.14', 'dependencies'),
      }),
    );
    assert.deepEqual(
      report.packages.map((pkg) => [pkg.name, pkg.label]),
      [
        ['vue', undefined],
        ['vue', 'dev'],
        ['vue', 'optional'],
        ['@types/node', 'dev'],
        ['odd@1.0.0', undefined],
      ],
    );
    // Told apart in the findings by pnpm's label.
    assert.deepEqual(
      judge(report).findings.map((f) => f.message.replace(/; its range stops at [^)]*/, '')),
      [
        'vue 2.7.14 → 3.4.19: a major version behind (pnpm)',
        'vue 2.7.14 → 3.4.19: a major version behind (pnpm, dev)',
        'vue (not installed; its range gives 2.7.16) → 3.4.19: a major version behind (pnpm, optional)',
        '@types/node 18.19.3 → 22.9.0: a major version behind (pnpm, dev)',
        'odd@1.0.0 2.7.14 → 3.4.19: a major version behind (pnpm)',
      ],
    );
    const judged = judge(report, { ignore: ['vue', '@types/*'] });
    assert.equal(judged.counts.ignored, 4);
    assert.deepEqual(
      judged.findings.map((f) => f.message),
      ['odd@1.0.0 2.7.14 → 3.4.19: a major version behind (pnpm; its range stops at 2.7.14)'],
    );
  });

  it('pnpm --recursive: a dependent without a name (a workspace root often has none) is named by its location', () => {
    // pnpm writes `{name: manifest.name, location}`, and JSON leaves out a name that is undefined; its own
    // table shows the location then.
    const report = read(
      JSON.stringify({
        typescript: {
          current: '5.3.3',
          latest: '5.6.3',
          wanted: '5.3.3',
          isDeprecated: false,
          dependencyType: 'devDependencies',
          dependentPackages: [
            { location: '/home/runner/work/shop/shop' },
            { name: '@shop/web', location: '/home/runner/work/shop/shop/packages/web' },
          ],
        },
      }),
    );
    assert.equal(report.ecosystem, 'pnpm');
    assert.equal(report.packages[0]!.dependent, '/home/runner/work/shop/shop, @shop/web');
    // Neither a name nor a location is no dependent pnpm writes.
    assert.match(
      refused(JSON.stringify({ a: { current: '1.0.0', latest: '2.0.0', dependentPackages: [{}] } })),
      /"dependentPackages" is not a list of \{name, location\}/,
    );
  });

  it("pnpm: its warnings printed on standard output before the JSON are not the report (pnpm's WARN lines)", () => {
    // pnpm writes a slow registry request's warning, or a config it could not read, to stdout (pnpm/pnpm#10200).
    const json = JSON.stringify(
      {
        typescript: {
          current: '5.9.2',
          latest: '5.9.3',
          wanted: '5.9.2',
          isDeprecated: false,
          dependencyType: 'dependencies',
        },
      },
      null,
      2,
    );
    const report = read(
      ` WARN  Request took 11414ms: https://registry.example/typescript\n WARN  Issue while reading ".npmrc"\n${json}\n`,
    );
    assert.equal(report.ecosystem, 'pnpm');
    assert.deepEqual(report.packages, [
      { name: 'typescript', current: '5.9.2', wanted: '5.9.2', latest: '5.9.3' },
    ]);
    // npm prints no such lines: {} after them (nothing outdated) is pnpm's.
    assert.deepEqual(read(' WARN  Request took 11414ms: https://registry.example/zod\n{}\n'), {
      ecosystem: 'pnpm',
      packages: [],
    });
    // Nothing but warnings is no report, and says what it is.
    assert.match(refused(' WARN  Request took 11414ms\n'), /line 1 starts "WARN  Request took 11414ms"/);
  });

  it('yarn 1: the table record among the JSON lines, columns by the head, a Workspace column too', () => {
    const report = read(text('yarn.ndjson'));
    assert.equal(report.ecosystem, 'yarn');
    assert.deepEqual(report.packages[0], {
      name: 'eslint',
      current: '8.56.0',
      wanted: '8.57.1',
      latest: '9.14.0',
    });
    assert.equal(report.packages.length, 3);
    assert.deepEqual(read(text('yarn-workspaces.ndjson')).packages, [
      { name: 'react', current: '17.0.2', wanted: '17.0.2', latest: '18.3.1', dependent: 'web' },
      { name: 'jest', current: '29.5.0', wanted: '29.7.0', latest: '29.7.0', dependent: 'api' },
    ]);
  });

  it('pip: the array of name, version and latest_version', () => {
    const report = read(text('pip.json'));
    assert.equal(report.ecosystem, 'pip');
    assert.deepEqual(report.packages[2], { name: 'pytz', current: '2023.3.post1', latest: '2024.2' });
    assert.equal(report.packages.length, 6);
  });

  it('go: the stream of modules; the main module and one replaced by a directory are not judged', () => {
    const report = read(text('go.jsonl'));
    assert.equal(report.ecosystem, 'go');
    assert.deepEqual(
      report.packages.map((p) => [p.name, p.current, p.latest, p.indirect ?? false]),
      [
        ['github.com/google/uuid', 'v1.4.0', 'v1.6.0', false],
        ['github.com/jackc/pgx/v5', 'v5.7.1', 'v5.7.1', false],
        ['github.com/pkg/errors', 'v0.9.1', 'v0.9.1', false],
        ['golang.org/x/crypto', 'v0.0.0-20220722155217-630584e8d5aa', 'v0.29.0', true],
        ['golang.org/x/text', 'v0.14.0', 'v0.20.0', true],
        ['gopkg.in/yaml.v3', 'v3.0.1', 'v3.0.1', true],
      ],
    );
    // A module whose updates go could not look up (go list -e) is kept with the error.
    const failed = read(
      '{"Path":"example.com/a","Version":"v1.0.0","Error":{"Err":"module lookup disabled by GOPROXY=off"}}\n',
    );
    assert.deepEqual(failed.packages, [
      { name: 'example.com/a', current: 'v1.0.0', error: 'module lookup disabled by GOPROXY=off' },
    ]);
    // go list -e names a module it could not resolve with the error and no version: its versions are
    // unknown (a finding), the report is no less readable.
    const unknown = read(
      '{"Path":"example.com/x","Error":{"Err":"module example.com/x: not a known dependency"}}\n',
    );
    assert.deepEqual(unknown.packages, [
      { name: 'example.com/x', error: 'module example.com/x: not a known dependency' },
    ]);
    assert.deepEqual(
      judge(unknown).findings.map((f) => f.message),
      [
        'example.com/x: its versions could not be looked up (go): "module example.com/x: not a known dependency"',
      ],
    );
    assert.match(refused('{"Path":"example.com/x"}'), /module example\.com\/x has no "Version"/);
  });

  it('nothing outdated: npm and pnpm print {}, pip [], yarn 1 nothing (only when the format says yarn)', () => {
    assert.deepEqual(read('{}\n'), { ecosystem: 'npm', packages: [], ambiguous: true });
    assert.deepEqual(read('{}', 'pnpm'), { ecosystem: 'pnpm', packages: [] });
    assert.deepEqual(read('[]\n'), { ecosystem: 'pip', packages: [] });
    assert.deepEqual(read('', 'yarn'), { ecosystem: 'yarn', packages: [] });
    assert.match(refused('\n'), /outdated\.json is empty/);
  });

  it('a format set in the config must match the content; npm and pnpm share a shape', () => {
    assert.match(
      refused(text('npm.json'), 'pip'),
      /has the shape of npm or pnpm's report, not of pip's \(format: pip\): write it with `pip list --outdated --format=json`/,
    );
    assert.match(refused(text('go.jsonl'), 'yarn'), /the shape of go's report, not of yarn's/);
    assert.equal(read(text('npm.json'), 'pnpm').ecosystem, 'pnpm');
  });

  it('an error the tool printed instead of a report is refused with its words; a package named "error" is not one', () => {
    assert.match(
      refused(
        '{"error": {"code": "E404", "summary": "Not Found - GET https://registry.example/x", "detail": ""}}',
      ),
      /npm reported an error instead of outdated packages: "E404: Not Found - GET https:\/\/registry\.example\/x: "/,
    );
    assert.deepEqual(read('{"error": {"current": "1.0.0", "wanted": "1.0.0", "latest": "2.0.0"}}').packages, [
      { name: 'error', current: '1.0.0', wanted: '1.0.0', latest: '2.0.0' },
    ]);
    assert.match(
      refused('{"type":"error","data":"Couldn\'t find any versions for \\"lefft-pad\\""}\n', 'yarn'),
      /yarn reported an error: .*lefft-pad/,
    );
  });

  it("a tool's error, a Go module's and a line that is no JSON are quoted with credentials redacted", () => {
    const token = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;
    const messages = [
      refused(JSON.stringify({ error: { code: 'E401', summary: `GET https://ci:${token}@npm.internal/x` } })),
      refused(`${JSON.stringify({ type: 'error', data: `auth failed with ${token}` })}\n`, 'yarn'),
      refused(`{"Path": "a", "Version": "v1.0.0"}\nGOPROXY token ${token}\n`),
      read(JSON.stringify({ Path: 'a', Version: 'v1.0.0', Error: { Err: `401 for ${token}` } })).packages[0]!
        .error!,
    ];
    for (const message of messages) {
      assert.ok(!message.includes(token.slice(0, 12)), message);
      assert.ok(!message.includes(token.slice(-12)), message);
    }
  });

  it('malformed reports are refused, naming the file and what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['null', /outdated\.json is null, not an outdated report: write one with `npm outdated --json`/],
      ['"ok"', /is the string "ok", not an outdated report/],
      ['42', /is the number 42, not an outdated report/],
      ['{"lodash": 5}', /package lodash is the number 5, not an object of versions/],
      ['{"lodash": []}', /package lodash is an empty array/],
      [
        '{"lodash": [{"current": "1.0.0", "latest": "2.0.0"}, "x"]}',
        /package lodash \(item 2\) is the string "x"/,
      ],
      ['{"lodash": {}}', /package lodash has none of "current", "wanted" and "latest"/],
      [
        '{"lodash": {"current": 4, "latest": "5.0.0"}}',
        /package lodash: "current" is the number 4, not a string/,
      ],
      [
        '{"a": {"current": "1.0.0", "latest": "2.0.0", "dependent": "x"}, "b": {"current": "1.0.0", "latest": "2.0.0", "isDeprecated": false}}',
        /mixes npm's fields .* and pnpm's .*: set format/,
      ],
      [
        '[{"name": "x", "version": "1.0"}]',
        /item 1: "latest_version" is missing; pip writes \{name, version, latest_version/,
      ],
      ['[{"name": "x", "version": 1, "latest_version": "2"}]', /item 1: "version" is the number 1/],
      ['[5]', /item 1 is the number 5, not a package/],
      ['{"Path": "a"}\n{"Path": "b", "Version": "v1.0.0"}', /module a has no "Version"/],
      [
        '{"Path": "a", "Version": "v1.0.0", "Update": "v2"}\n{"Path": "b"}',
        /module a: "Update" is the string "v2"/,
      ],
      ['{"Path": "a", "Version": "v1.0.0"}\n{"Version": "v1.0.0"}', /module 2 is an object without a "Path"/],
      [
        '{"type": "table", "data": {"head": ["Name"], "body": []}}',
        /without Package, Current and Latest: not yarn outdated's/,
      ],
      ['{"type": "table", "data": {}}', /the table has no "head" of column names and "body" of rows/],
      [
        '{"type":"table","data":{"head":["Package","Current","Wanted","Latest"],"body":[["a","1.0.0"]]}}',
        /row 1 is not 4 strings, one a column/,
      ],
      [
        '{"a": 1}\n{"b": 2}',
        /is a stream of 2 JSON values, starting with neither a Go module nor a yarn record/,
      ],
      ['{"type": "info", "data": "x"}\n[1]', /is not JSON: line 2 starts "\[1\]"/],
      ['{"type": "info", "data": "x"}\n{"data": 1}', /record 2 is an object, not a yarn record/],
      [
        text('yarn.ndjson').split('\n')[0]!,
        /has yarn's colour legend but no table of outdated packages after it/,
      ],
      ['{"lodash": {"current": "1.0.0",', /outdated\.json:1: the JSON value starting there is cut short/],
      [
        '{"Path": "a", "Version": "v1"}\n{"Path": }',
        /outdated\.json:2: the JSON value starting there does not read/,
      ],
      ['{"Path": "a", "Version": "v1"}\nnot json', /is not JSON: line 2 starts "not json"/],
      [
        'Package  Current  Wanted  Latest  Location\nlodash   4.17.20  4.17.21 4.17.21 node_modules/lodash\n',
        /the table npm, pnpm or yarn prints, not their JSON: run `npm outdated --json`/,
      ],
      [
        'Package    Version Latest Type\n---------- ------- ------ -----\nrequests   2.31.0  2.32.3 wheel\n',
        /the table pip prints/,
      ],
    ];
    for (const [content, expected] of cases) assert.match(refused(content), expected, content);
  });

  it('a package named like an Object.prototype property, or __proto__, is a package like any', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const report = read(
        `{${JSON.stringify(name)}: {"current": "1.0.0", "wanted": "1.0.0", "latest": "2.0.0"}}`,
      );
      assert.deepEqual(report.packages, [{ name, current: '1.0.0', wanted: '1.0.0', latest: '2.0.0' }]);
      assert.deepEqual(
        judge(report).findings.map((f) => f.rule),
        ['dependencies.major'],
      );
    }
  });
});

describe('comparing versions', () => {
  const level = (current: string, latest: string, scheme: 'semver' | 'pep440' = 'semver') => {
    const distance = versionDistance(current, latest, scheme);
    return distance.kind === 'behind' ? distance.level : distance.kind;
  };

  it('semver: by position, prereleases before their release, build metadata ignored', () => {
    const cases: Array<[string, string, string]> = [
      ['1.2.3', '2.0.0', 'major'],
      ['1.2.3', '1.10.0', 'minor'],
      ['1.2.3', '1.2.10', 'patch'],
      ['0.9.0', '0.10.0', 'minor'],
      ['1.2.3', '1.2.3', 'same'],
      ['2.0.0', '1.9.9', 'ahead'],
      ['3.0.0-rc.1', '2.9.0', 'ahead'],
      ['2.0.0-rc.1', '2.0.0', 'patch'],
      ['2.0.0-rc.2', '2.0.0-rc.10', 'patch'],
      ['2.0.0-rc.1', '2.0.0-beta.1', 'ahead'],
      ['2.0.0-alpha', '2.0.0-alpha.1', 'patch'],
      ['1.2.3', '2.0.0-rc.1', 'major'],
      ['v2.0.0+incompatible', 'v2.0.0+incompatible', 'same'],
      ['v1.0.0', 'v1.0.0+meta', 'same'],
      // Go pseudo-versions: prereleases of the next patch, ordered by their timestamp.
      ['v0.0.0-20220722155217-630584e8d5aa', 'v0.29.0', 'minor'],
      ['v1.2.4-0.20220101000000-aaaaaaaaaaaa', 'v1.2.4-0.20230101000000-bbbbbbbbbbbb', 'patch'],
      // Numbers past what a double holds exactly are compared as digits.
      ['1.0.9007199254740993', '1.0.9007199254740994', 'patch'],
    ];
    for (const [current, latest, expected] of cases)
      assert.equal(level(current, latest), expected, `${current} → ${latest}`);
  });

  it('PEP 440: pre, post and dev releases in their order, epochs, a fourth number, spellings', () => {
    const cases: Array<[string, string, string]> = [
      ['4.2.16', '5.1.3', 'major'],
      ['2023.3.post1', '2024.2', 'major'],
      ['2.31', '2.31.0', 'same'],
      ['1.0', '1.0.0.1', 'patch'],
      ['2.0.0rc1', '2.0.0', 'patch'],
      ['1.0.dev0', '1.0a1', 'patch'],
      ['1.0a1', '1.0b1', 'patch'],
      ['1.0a1.post1', '1.0a1', 'ahead'],
      ['1.0', '1.0.post1', 'patch'],
      ['1.0.post1.dev1', '1.0.post1', 'patch'],
      ['1.0-1', '1.0.post1', 'same'],
      ['1.0.0-RC1', '1.0.0rc1', 'same'],
      ['1!1.0', '2.0', 'ahead'],
      ['3.0', '1!1.0', 'major'],
      ['1.0+local.1', '1.0', 'same'],
    ];
    for (const [current, latest, expected] of cases)
      assert.equal(level(current, latest, 'pep440'), expected, `${current} → ${latest}`);
  });

  it('what the scheme does not read cannot be compared, and says which version', () => {
    assert.deepEqual(versionDistance('git', '1.0.0', 'semver'), {
      kind: 'incomparable',
      why: '"git" is not a semver version',
    });
    assert.deepEqual(versionDistance('1.0.0', '1.0', 'semver'), {
      kind: 'incomparable',
      why: '"1.0" is not a semver version',
    });
    assert.equal(versionDistance('1.0.0', 'latest', 'pep440').kind, 'incomparable');
    assert.equal(versionDistance('1.0.0', `1.0.${'0'.repeat(300)}`, 'semver').kind, 'incomparable');
  });
});

describe('the policy', () => {
  const npm = read(text('npm.json'));

  it('by default each package behind warns, by how far, with the range as the reason it was not updated', () => {
    const judged = judge(npm);
    assert.deepEqual(
      judged.findings.map((f) => [f.rule, f.severity, f.message]),
      [
        [
          'dependencies.major',
          'warning',
          '@types/node 18.19.3 → 22.9.0: a major version behind (npm; its range allows up to 18.19.64)',
        ],
        [
          'dependencies.minor',
          'warning',
          'express 4.18.2 → 4.21.1: a minor version behind (npm; within its range)',
        ],
        ['dependencies.patch', 'warning', 'lodash 4.17.20 → 4.17.21: a patch behind (npm; within its range)'],
        [
          'dependencies.minor',
          'warning',
          'pg 8.11.3 → 8.13.1: a minor version behind (npm, in api; within its range)',
        ],
        [
          'dependencies.minor',
          'warning',
          'pg 8.7.1 → 8.13.1: a minor version behind (npm, in worker; its range allows up to 8.7.3)',
        ],
        [
          'dependencies.minor',
          'warning',
          // Installed at what its range wants, and still behind: the range is why.
          'typescript 5.3.3 → 5.6.3: a minor version behind (npm; its range stops at 5.3.3)',
        ],
        [
          'dependencies.major',
          'warning',
          'uuid (not installed; its range gives 9.0.1) → 11.0.3: a major version behind (npm)',
        ],
      ],
    );
    assert.deepEqual(judged.counts, {
      major: 2,
      minor: 4,
      patch: 1,
      incomparable: 0,
      deprecated: 0,
      retracted: 0,
      current: 0,
      ignored: 0,
    });
  });

  it('each level blocks, warns or is off on its own; off is still counted', () => {
    const judged = judge(npm, { major: 'block', minor: 'off', patch: 'warn' });
    assert.deepEqual(
      judged.findings.map((f) => [f.rule, f.severity]),
      [
        ['dependencies.major', 'error'],
        ['dependencies.patch', 'warning'],
        ['dependencies.major', 'error'],
      ],
    );
    assert.equal(judged.counts.minor, 4);
  });

  it('ignore globs leave packages out; pip names match in their normalised form', () => {
    const judged = judge(npm, { ignore: ['@types/*', 'pg', 'type*'] });
    assert.deepEqual(
      judged.findings.map((f) => f.message.split(' ')[0]),
      ['express', 'lodash', 'uuid'],
    );
    assert.equal(judged.counts.ignored, 4);
    const pip = judge(read(text('pip.json')), { ignore: ['django', 'Ruamel-Yaml', 'URLLIB*'] });
    assert.deepEqual(
      pip.findings.map((f) => f.message.split(' ')[0]),
      ['certifi', 'pytz', 'requests'],
    );
    // Go module paths: `*` stays within a segment, `**` crosses them.
    const go = judge(read(text('go.jsonl')), { ignore: ['golang.org/x/**'] });
    assert.deepEqual(
      go.findings.map((f) => f.message.split(' ')[0]),
      ['github.com/google/uuid'],
    );
  });

  it('versions that cannot be compared, a package neither installed nor wanted, no latest, a lookup error', () => {
    const report: OutdatedReport = {
      ecosystem: 'npm',
      packages: [
        { name: 'a', current: '1.0.0', wanted: 'git', latest: 'git' },
        { name: 'b', latest: '2.0.0' },
        { name: 'c', current: '1.0.0', wanted: '1.0.0' },
        { name: 'd', current: '2.0.0', wanted: '2.0.0', latest: '2.0.0' },
      ],
    };
    const judged = judge(report);
    assert.deepEqual(
      judged.findings.map((f) => [f.rule, f.message]),
      [
        ['dependencies.incomparable', 'a 1.0.0 → git: cannot compare: "git" is not a semver version (npm)'],
        [
          'dependencies.incomparable',
          'b (not installed): cannot compare with the latest: it is not installed and the report names no version its range allows (npm)',
        ],
        [
          'dependencies.incomparable',
          'c 1.0.0: cannot compare with the latest: the report names no latest version (npm)',
        ],
      ],
    );
    assert.equal(judged.counts.current, 1);
    const go = judge(read('{"Path":"example.com/a","Version":"v1.0.0","Error":{"Err":"no route to host"}}'), {
      incomparable: 'block',
    });
    assert.deepEqual(
      go.findings.map((f) => [f.rule, f.severity, f.message]),
      [
        [
          'dependencies.incomparable',
          'error',
          'example.com/a v1.0.0: its versions could not be looked up (go): "no route to host"',
        ],
      ],
    );
    assert.deepEqual(judge(report, { incomparable: 'off' }).findings, []);
  });

  it("go: an update go found is judged though its error says another lookup failed (the latest's retractions)", () => {
    // go list -u -e looks a module's update, retractions and deprecation up apart: the retractions' go.mod
    // failing sets Error beside the Update it found.
    const report = read(
      JSON.stringify({
        Path: 'example.com/a',
        Version: 'v1.0.0',
        Update: { Path: 'example.com/a', Version: 'v1.2.0' },
        Error: { Err: 'loading module retractions for example.com/a@v1.0.0: no route to host' },
      }),
    );
    const judged = judge(report, { minor: 'block' });
    assert.deepEqual(
      judged.findings.map((f) => [f.rule, f.severity, f.message]),
      [
        [
          'dependencies.minor',
          'error',
          'example.com/a v1.0.0 → v1.2.0: a minor version behind (go; go also reported: "loading module retractions for example.com/a@v1.0.0: no route to host")',
        ],
      ],
    );
    assert.equal(judged.counts.incomparable, 0);
  });

  it('pnpm: a package whose latest version is deprecated is a finding, up to date or not, with the message --long gives', () => {
    // pnpm lists a package whose latest is deprecated even when that is the one installed (current ===
    // latest): no update takes it off the list. With --long, latestManifest carries the message.
    const report = read(
      JSON.stringify({
        request: {
          current: '2.88.2',
          latest: '2.88.2',
          wanted: '2.88.2',
          isDeprecated: true,
          dependencyType: 'dependencies',
          latestManifest: {
            name: 'request',
            version: '2.88.2',
            deprecated: 'request has been deprecated, see https://github.com/request/request/issues/3142',
          },
        },
        left: {
          current: '1.0.0',
          latest: '2.0.0',
          wanted: '1.0.0',
          isDeprecated: true,
          dependencyType: 'dependencies',
        },
        fine: {
          current: '1.0.0',
          latest: '1.1.0',
          wanted: '1.1.0',
          isDeprecated: false,
          dependencyType: 'dependencies',
        },
      }),
    );
    assert.deepEqual(report.packages[0], {
      name: 'request',
      current: '2.88.2',
      wanted: '2.88.2',
      latest: '2.88.2',
      deprecated: true,
      deprecation: 'request has been deprecated, see https://github.com/request/request/issues/3142',
    });
    const judged = judge(report);
    assert.deepEqual(
      judged.findings.map((f) => [f.rule, f.severity, f.message]),
      [
        [
          'dependencies.deprecated',
          'warning',
          'request 2.88.2: its latest version, 2.88.2, is deprecated (pnpm): "request has been deprecated, see https://github.com/request/request/issues/3142"',
        ],
        ['dependencies.deprecated', 'warning', 'left 1.0.0: its latest version, 2.0.0, is deprecated (pnpm)'],
        [
          'dependencies.major',
          'warning',
          'left 1.0.0 → 2.0.0: a major version behind (pnpm, the latest is deprecated; its range stops at 1.0.0)',
        ],
        [
          'dependencies.minor',
          'warning',
          'fine 1.0.0 → 1.1.0: a minor version behind (pnpm; within its range)',
        ],
      ],
    );
    assert.equal(judged.counts.deprecated, 2);
    assert.equal(judged.counts.current, 1);
    assert.deepEqual(
      judge(report, { deprecated: 'block', major: 'off', minor: 'off' }).findings.map((f) => [
        f.rule,
        f.severity,
      ]),
      [
        ['dependencies.deprecated', 'error'],
        ['dependencies.deprecated', 'error'],
      ],
    );
    assert.equal(judge(report, { deprecated: 'off', minor: 'off', major: 'off' }).findings.length, 0);
    // latestManifest is pnpm's structure: not an object is a malformed report.
    assert.match(
      refused(
        JSON.stringify({
          a: { current: '1.0.0', latest: '1.0.0', wanted: '1.0.0', isDeprecated: true, latestManifest: 'x' },
        }),
      ),
      /package a: "latestManifest" is the string "x", not an object/,
    );
  });

  it('go: a retracted version in use blocks, a deprecated module warns (go list -u reads both)', () => {
    // As go list -m -u -json all writes them (cmd/go's modinfo.ModulePublic): Retracted is the author's
    // reasons ("retracted by module author" when none is given), Deprecated the module's message.
    const stream = [
      {
        Path: 'example.com/retract',
        Version: 'v1.0.0-bad',
        Update: { Path: 'example.com/retract', Version: 'v1.1.0' },
        Retracted: ['bad release: corrupts data'],
      },
      {
        Path: 'example.com/alone',
        Version: 'v1.9.0',
        Retracted: ['retracted by module author'],
        Indirect: true,
      },
      {
        Path: 'github.com/golang/protobuf',
        Version: 'v1.5.4',
        Deprecated: 'Use the "google.golang.org/protobuf" module instead.',
        Indirect: true,
      },
    ]
      .map((module) => JSON.stringify(module, null, '\t'))
      .join('\n');
    const judged = judge(read(stream));
    assert.deepEqual(
      judged.findings.map((f) => [f.rule, f.severity, f.message]),
      [
        [
          'dependencies.retracted',
          'error',
          'example.com/retract v1.0.0-bad: this version is retracted by its author (go): "bad release: corrupts data"',
        ],
        [
          'dependencies.minor',
          'warning',
          'example.com/retract v1.0.0-bad → v1.1.0: a minor version behind (go)',
        ],
        [
          'dependencies.retracted',
          'error',
          'example.com/alone v1.9.0: this version is retracted by its author (go, indirect)',
        ],
        [
          'dependencies.deprecated',
          'warning',
          'github.com/golang/protobuf v1.5.4: the module is deprecated by its author (go, indirect): "Use the \\"google.golang.org/protobuf\\" module instead."',
        ],
      ],
    );
    assert.deepEqual([judged.counts.retracted, judged.counts.deprecated, judged.counts.current], [2, 1, 2]);
    assert.deepEqual(
      judge(read(stream), { retracted: 'warn', deprecated: 'off', minor: 'off' }).findings.map(
        (f) => f.severity,
      ),
      ['warning', 'warning'],
    );
    // Malformed fields are named with the module.
    assert.match(
      refused('{"Path":"example.com/a","Version":"v1.0.0","Retracted":"bad"}'),
      /module example\.com\/a: "Retracted" is the string "bad", not a list of reasons/,
    );
    assert.match(
      refused('{"Path":"example.com/a","Version":"v1.0.0","Deprecated":true}'),
      /module example\.com\/a: "Deprecated" is the boolean true, not a string/,
    );
  });

  it('go: a module replaced by another version or module is judged by the replacement, which is what is built', () => {
    // go list -u looks up Replace's own Update, Retracted and Deprecated; the original's Update is from the
    // required version, which is not the one built (cmd/go's modload: add each to m and m.Replace).
    const stream = [
      {
        Path: 'example.com/pinned',
        Version: 'v1.2.0',
        Update: { Path: 'example.com/pinned', Version: 'v1.5.0' },
        Replace: { Path: 'example.com/pinned', Version: 'v1.5.0' },
      },
      {
        Path: 'example.com/b',
        Version: 'v1.0.0',
        Update: { Path: 'example.com/b', Version: 'v1.9.0' },
        Replace: {
          Path: 'github.com/me/b-fork',
          Version: 'v1.3.0',
          Update: { Path: 'github.com/me/b-fork', Version: 'v1.4.0' },
          Retracted: ['use v1.4.0'],
        },
        Retracted: ['the original is retracted, not built'],
      },
    ]
      .map((module) => JSON.stringify(module, null, '\t'))
      .join('\n');
    const report = read(stream);
    assert.deepEqual(report.packages, [
      { name: 'example.com/pinned', current: 'v1.5.0', latest: 'v1.5.0' },
      {
        name: 'example.com/b',
        current: 'v1.3.0',
        latest: 'v1.4.0',
        replacedBy: 'github.com/me/b-fork',
        retracted: ['use v1.4.0'],
      },
    ]);
    assert.deepEqual(
      judge(report).findings.map((f) => [f.rule, f.message]),
      [
        [
          'dependencies.retracted',
          'example.com/b v1.3.0: this version is retracted by its author (go, replaced by github.com/me/b-fork): "use v1.4.0"',
        ],
        [
          'dependencies.minor',
          'example.com/b v1.3.0 → v1.4.0: a minor version behind (go, replaced by github.com/me/b-fork)',
        ],
      ],
    );
    assert.match(
      refused(
        '{"Path":"example.com/a","Version":"v1.0.0","Replace":{"Path":"example.com/b","Version":"v1.0.0","Update":"v2"}}',
      ),
      /module example\.com\/a: "Replace": "Update" is the string "v2", not \{"Path", "Version"\}/,
    );
    assert.match(
      refused(
        '{"Path":"example.com/a","Version":"v1.0.0","Replace":{"Path":"example.com/b"}}'.replace(
          '}}',
          ',"Version":7}}',
        ),
      ),
      /module example\.com\/a: "Replace": "Version" is the number 7, not a string/,
    );
  });

  it('a name longer than any registry allows is refused: some ignore globs take time by its length squared', () => {
    // `*a*b` against 100 000 characters of "a" took seconds, with the event loop (and the gate's timeout) held.
    const name = 'a'.repeat(100_000);
    const report = JSON.stringify({
      [name]: { current: '1.0.0', wanted: '1.0.0', latest: '2.0.0', location: 'x' },
    });
    assert.match(
      refused(report),
      /^outdated\.json: package "a{200}…" has a name of 100000 characters; no registry allows one longer than 512$/,
    );
    assert.equal(
      read(JSON.stringify({ ['a'.repeat(512)]: { current: '1.0.0', latest: '2.0.0' } })).packages.length,
      1,
    );
  });

  it('a package name that is more than a name is quoted and cut', () => {
    const name = `evil\`name\n::error::x ${'y'.repeat(300)}`;
    const judged = judge({ ecosystem: 'npm', packages: [{ name, current: '1.0.0', latest: '2.0.0' }] });
    const message = judged.findings[0]!.message;
    assert.ok(!message.includes('\n'), message);
    assert.ok(message.length < 300, message);
    assert.match(message, /^"evil`name\\n::error::x y+…" 1\.0\.0 → 2\.0\.0/);
  });
});

describe('the schema', () => {
  const issues = (config: unknown) => {
    const parsed = gatesConfigSchema.safeParse({ dependencies: config });
    assert.equal(parsed.success, false, JSON.stringify(config));
    return parsed.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n');
  };

  it('reads a command, a report, the format, the levels and the ignore globs', () => {
    const parsed = dependenciesConfigSchema.parse({
      command: 'npm outdated --json',
      report: 'outdated.json',
      format: 'npm',
      major: 'block',
      minor: 'warn',
      patch: 'off',
      incomparable: 'block',
      ignore: ['@types/*'],
      env: { NPM_CONFIG_REGISTRY: 'https://registry.example/' },
    });
    assert.equal(parsed.major, 'block');
  });

  it('refuses bad keys and values at their path', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /^dependencies: give a command \(e\.g\. "npm outdated --json"\), a report file, or both$/m],
      [{ report: 'o.json', env: { A: 'b' } }, /^dependencies\.env: env needs a command to give it to$/m],
      [{ report: 'o.json', major: 'error' }, /^dependencies\.major: /m],
      [{ report: 'o.json', format: 'cargo' }, /^dependencies\.format: /m],
      [{ report: 'o.json', ignore: [''] }, /^dependencies\.ignore\.0: /m],
      [{ report: 'o.json', ignore: 'x' }, /^dependencies\.ignore: /m],
      [{ report: '' }, /^dependencies\.report: /m],
      [{ command: '' }, /^dependencies\.command: /m],
      [{ report: 'o.json', allow: [] }, /^dependencies: Unrecognized key: "allow"/m],
    ];
    for (const [config, expected] of cases) assert.match(issues(config), expected, JSON.stringify(config));
  });

  it('is a gate of the section and the registry', () => {
    assert.ok(GATE_NAMES.includes('dependencies'));
    assert.equal(GATES.dependencies.name, 'dependencies');
  });
});

describe('the gate', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'dependencies-gate-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });
  const context = (env: Record<string, string> = {}): GateContext => ({
    cwd,
    changedFiles: async () => [],
    signal: new AbortController().signal,
    log: () => {},
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const run = (config: Record<string, unknown>, env?: Record<string, string>) =>
    dependenciesGate.run(dependenciesConfigSchema.parse(config), context(env));
  /** Prints `from` (a fixture, a file in cwd, or "-" for nothing) like `npm outdated --json`. */
  const prints = (from: string) => [process.execPath, standIn, from];

  it('through the runner: a command that writes the report, read afterwards; exit 1 is "some are outdated"', async () => {
    const config = dependenciesConfigSchema.parse({
      command: [process.execPath, standIn, fixture('npm.json'), 'outdated.json'],
      report: 'outdated.json',
      major: 'block',
    });
    const { signal: _signal, ...ctx } = context({ OUTDATED_EXIT: '1' });
    const report = await runGates(
      [{ name: 'dependencies', gate: GATES.dependencies, config, required: true, timeoutMs: 60_000 }],
      ctx,
      { concurrency: 1 },
    );
    const gate = report.gates[0]!;
    assert.equal(gate.status, 'block', gate.summary);
    assert.equal(
      gate.summary,
      '@types/node 18.19.3 → 22.9.0: a major version behind (npm; its range allows up to 18.19.64) (and 1 more)',
    );
    assert.deepEqual(
      gate.findings.map((f) => [f.rule, f.severity]),
      [
        ['dependencies.major', 'error'],
        ['dependencies.minor', 'warning'],
        ['dependencies.patch', 'warning'],
        ['dependencies.minor', 'warning'],
        ['dependencies.minor', 'warning'],
        ['dependencies.minor', 'warning'],
        ['dependencies.major', 'error'],
      ],
    );
  });

  it('without a report, what the command prints is the report; the default policy warns', async () => {
    const verdict = await run({ command: prints(fixture('pip.json')) });
    assert.equal(verdict.status, 'warn');
    assert.equal(verdict.summary, 'pip: 6 behind the latest (3 major, 2 minor, 1 patch)');
    const go = await run({ command: prints(fixture('go.jsonl')), minor: 'off' });
    assert.equal(go.status, 'pass');
    assert.equal(go.summary, 'go: 3 behind the latest (3 minor)');
  });

  it("the fixtures of pnpm --long and of go's retractions, deprecations and replacements, by the default policy", async () => {
    const pnpm = await run({ command: prints(fixture('pnpm-long.json')) }, { OUTDATED_EXIT: '1' });
    assert.equal(pnpm.status, 'warn');
    assert.equal(pnpm.summary, 'pnpm: 1 behind the latest (1 minor), 1 deprecated');
    const go = await run({ command: prints(fixture('go-retracted.jsonl')) });
    assert.equal(go.status, 'block');
    assert.deepEqual(
      go.findings.map((f) => [f.rule, f.severity]),
      [
        ['dependencies.retracted', 'error'],
        ['dependencies.minor', 'warning'],
        ['dependencies.deprecated', 'warning'],
        ['dependencies.minor', 'warning'],
        ['dependencies.incomparable', 'warning'],
      ],
    );
    assert.equal(
      go.summary,
      'example.com/retract v1.0.0-bad: this version is retracted by its author (go): "bad release: corrupts data"',
    );
  });

  it('nothing outdated passes', async () => {
    await writeFile(join(cwd, 'empty.json'), '{}\n');
    const verdict = await run({ command: prints('empty.json') });
    assert.equal(verdict.status, 'pass');
    // npm and pnpm both print {}: neither the report, the format nor this command says which.
    assert.equal(verdict.summary, 'npm or pnpm: nothing outdated');
    // The command names the tool; so does the format.
    await writeFile(join(cwd, 'pnpm.js'), `process.stdout.write('{}')\n`);
    const pnpm = await run({
      command: [process.execPath, join(cwd, 'pnpm.js'), 'outdated', '--format', 'json'],
    });
    assert.equal(pnpm.summary, 'pnpm: nothing outdated');
    const recursive = await run({ command: [process.execPath, join(cwd, 'pnpm.js'), '-r', 'outdated'] });
    assert.equal(recursive.summary, 'pnpm: nothing outdated');
    await writeFile(join(cwd, 'npm.js'), `process.stdout.write('{}')\n`);
    const npm = await run({ command: 'sh -c "node npm.js outdated --json > out.json"', report: 'out.json' });
    assert.equal(npm.summary, 'npm: nothing outdated', npm.findings[0]?.message);
    assert.equal(
      (await run({ command: prints('empty.json'), format: 'pnpm' })).summary,
      'pnpm: nothing outdated',
    );
    const ignored = await run(
      { command: prints(fixture('yarn.ndjson')), ignore: ['*'] },
      { OUTDATED_EXIT: '1' },
    );
    assert.equal(ignored.status, 'pass');
    assert.equal(ignored.summary, 'yarn: nothing outdated, 3 ignored');
  });

  it("npm running a script ({}) names no tool: the script may run pnpm's outdated", async () => {
    // Stand-ins for npm and pnpm on PATH that print {}: npm's outdated:json script runs pnpm, say.
    await mkdir(join(cwd, 'bin'));
    for (const tool of ['npm', 'pnpm'])
      await writeFile(join(cwd, 'bin', tool), `#!/bin/sh\nprintf '{}'\n`, { mode: 0o755 });
    const path = { PATH: `${join(cwd, 'bin')}:${process.env.PATH ?? ''}` };
    for (const command of ['npm run outdated:json', 'npm run outdated', 'sh -c "npm run -s outdated"']) {
      const verdict = await run({ command }, path);
      assert.equal(verdict.summary, 'npm or pnpm: nothing outdated', command);
    }
    for (const [command, tool] of [
      ['npm --prefix app outdated --json', 'npm'],
      ['sh -c "npm ci >/dev/null && pnpm outdated --format json"', 'pnpm'],
    ]) {
      const verdict = await run({ command: command! }, path);
      assert.equal(verdict.summary, `${tool}: nothing outdated`, command);
    }
  });

  it('pnpm listing only a deprecated package at its latest: a warning, counted in the summary; exit 1 is pnpm listing it', async () => {
    await writeFile(
      join(cwd, 'deprecated.json'),
      JSON.stringify({
        request: {
          current: '2.88.2',
          latest: '2.88.2',
          wanted: '2.88.2',
          isDeprecated: true,
          dependencyType: 'dependencies',
        },
      }),
    );
    const verdict = await run({ command: prints('deprecated.json') }, { OUTDATED_EXIT: '1' });
    assert.equal(verdict.status, 'warn', verdict.findings[0]?.message);
    assert.equal(verdict.summary, 'pnpm: nothing outdated, 1 deprecated');
    const blocked = await run(
      { command: prints('deprecated.json'), deprecated: 'block' },
      { OUTDATED_EXIT: '1' },
    );
    assert.equal(blocked.status, 'block');
    assert.equal(blocked.summary, 'request 2.88.2: its latest version, 2.88.2, is deprecated (pnpm)');
  });

  it("go: a retracted module version in use blocks by default, with go's reasons in the summary", async () => {
    await writeFile(
      join(cwd, 'go.jsonl'),
      '{"Path":"example.com/shop","Main":true}\n{"Path":"example.com/r","Version":"v1.0.1","Retracted":["leaks memory"]}\n',
    );
    const verdict = await run({ command: prints('go.jsonl') });
    assert.equal(verdict.status, 'block');
    assert.equal(
      verdict.summary,
      'example.com/r v1.0.1: this version is retracted by its author (go): "leaks memory"',
    );
    const warned = await run({ command: prints('go.jsonl'), retracted: 'warn' });
    assert.equal(warned.status, 'warn');
    assert.equal(warned.summary, 'go: nothing outdated, 1 retracted');
  });

  it('go list without -u looks up no updates: its report blocks instead of passing every module as up to date', async () => {
    // A stand-in for go on PATH that prints the fixture, whatever it is asked.
    await mkdir(join(cwd, 'bin'));
    // go1.22.5: the command Go's release downloader installs for that release.
    for (const go of ['go', 'go1.22.5'])
      await writeFile(join(cwd, 'bin', go), `#!/bin/sh\ncat '${fixture('go.jsonl')}'\n`, { mode: 0o755 });
    const path = { PATH: `${join(cwd, 'bin')}:${process.env.PATH ?? ''}` };
    for (const command of [
      'go list -m -json all',
      'go list -m -u=false -json all',
      'go1.22.5 list -m -json all',
      ['sh', '-c', 'go list -m -json all > go.json'],
      // -u on the next line of the script is sort's; of two runs of go list, either may write the report.
      ['sh', '-c', 'go list -m -json all > go.json\nsort -u go.json > /dev/null'],
      ['sh', '-c', 'go list -m -u -json all > /dev/null; go list -m -json all > go.json'],
    ]) {
      const report = Array.isArray(command) ? { report: 'go.json' } : {};
      const verdict = await run({ command, ...report }, path);
      assert.equal(verdict.status, 'block', JSON.stringify(command));
      assert.match(
        verdict.findings[0]!.message,
        /runs go list without -u, which looks up no updates: every module would pass as up to date; run go list -m -u -json all$/,
      );
    }
    // Go's flags take -u quoted, with two dashes, or = a true value of strconv.ParseBool.
    for (const command of [
      'go list -m -u -json all',
      'go list -json -m -u=true all',
      'go list -m -u=1 -json all',
      'go list -m "-u" -json all',
      'go list --u -m -json all',
    ]) {
      const verdict = await run({ command, minor: 'off' }, path);
      assert.equal(verdict.summary, 'go: 3 behind the latest (3 minor)', command);
    }
  });

  it('yarn 1 printing nothing: up to date with exit 0 and format yarn; otherwise it blocks', async () => {
    const upToDate = await run({ command: prints('-'), format: 'yarn' });
    assert.equal(upToDate.status, 'pass', upToDate.summary);
    assert.equal(upToDate.summary, 'yarn: nothing outdated');
    const unknown = await run({ command: prints('-') });
    assert.equal(unknown.status, 'block');
    assert.match(
      unknown.summary,
      /printed no report \(exit code 0\); yarn 1 prints nothing when nothing is outdated: then set format: yarn/,
    );
    const failed = await run({ command: prints('-'), format: 'yarn' }, { OUTDATED_EXIT: '1' });
    assert.equal(failed.status, 'block');
    assert.deepEqual(
      failed.findings.map((f) => f.rule),
      ['dependencies.command-failed'],
    );
    // A saved empty report cannot be told from a failed run.
    await writeFile(join(cwd, 'outdated.json'), '');
    const saved = await run({ report: 'outdated.json', format: 'yarn' });
    assert.equal(saved.status, 'block');
    assert.match(
      saved.findings[0]!.message,
      /is empty .*run it as the command \(no report\), with format: yarn/,
    );
  });

  it('an exit code other than 0, or 1 from npm, pnpm or yarn with outdated packages listed, is the command failing', async () => {
    const crashed = await run({ command: prints(fixture('npm.json')) }, { OUTDATED_EXIT: '2' });
    assert.equal(crashed.status, 'block');
    assert.deepEqual(
      crashed.findings.map((f) => f.rule),
      ['dependencies.command-failed'],
    );
    assert.match(crashed.summary, /exited with code 2; last output lines:/);
    // go list exits 1 after printing the modules it could: that is no "some are outdated".
    const go = await run({ command: prints(fixture('go.jsonl')) }, { OUTDATED_EXIT: '1' });
    assert.deepEqual(
      go.findings.map((f) => f.rule),
      ['dependencies.command-failed'],
    );
    await writeFile(join(cwd, 'empty.json'), '{}');
    const nothing = await run({ command: prints('empty.json') }, { OUTDATED_EXIT: '1' });
    assert.equal(nothing.status, 'block');
    assert.deepEqual(
      nothing.findings.map((f) => f.rule),
      ['dependencies.command-failed'],
    );
  });

  it("npm printing its error object blocks with npm's words, and the exit code", async () => {
    await writeFile(
      join(cwd, 'error.json'),
      JSON.stringify({
        error: { code: 'ENOTFOUND', summary: 'request to https://registry.example/lodash failed' },
      }),
    );
    const verdict = await run({ command: prints('error.json') }, { OUTDATED_EXIT: '1' });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => f.rule),
      ['dependencies.command-failed', 'dependencies.report-unreadable'],
    );
    assert.match(
      verdict.findings[1]!.message,
      /npm reported an error instead of outdated packages: "ENOTFOUND: request to/,
    );
  });

  it('a report the command did not write (left from before) is stale', async () => {
    await copyFile(fixture('npm.json'), join(cwd, 'outdated.json'));
    const old = new Date(Date.now() - 60_000);
    await utimes(join(cwd, 'outdated.json'), old, old);
    const verdict = await run(
      { command: [process.execPath, standIn, fixture('npm.json'), 'outdated.json'], report: 'outdated.json' },
      { OUTDATED_SKIP_WRITE: '1' },
    );
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => f.rule),
      ['dependencies.report-stale'],
    );
  });

  it('a saved report that is missing, not JSON or not an outdated report blocks, saying what is wrong', async () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /outdated report outdated\.json not found/],
      ['{"lodash": {', /outdated\.json:1: the JSON value starting there is cut short/],
      ['{"metrics": {}}', /package metrics has none of "current", "wanted" and "latest"/],
      ['[1, 2]', /outdated\.json: item 1 is the number 1, not a package/],
    ];
    for (const [content, expected] of cases) {
      await rm(join(cwd, 'outdated.json'), { force: true });
      if (content !== undefined) await writeFile(join(cwd, 'outdated.json'), content);
      const verdict = await run({ report: 'outdated.json' });
      assert.equal(verdict.status, 'block');
      assert.deepEqual(
        verdict.findings.map((f) => [f.rule, f.path]),
        [['dependencies.report-unreadable', 'outdated.json']],
      );
      assert.match(verdict.findings[0]!.message, expected);
    }
  });
});
