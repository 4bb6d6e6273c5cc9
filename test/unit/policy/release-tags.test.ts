// release_tags (seed 02: production deploys only from tagged releases): the patterns as the config states
// them (errors at file:line:column), which tag names they match, and the decision on the tags the App read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyFixture } from '../../helpers/policy-fixture.ts';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { Actor } from '../../../src/policy/actors.ts';
import {
  DECISION_CODES,
  evaluatePolicy,
  isDeploymentApproved,
  type PolicyDecision,
  type PolicyInput,
  type PolicyRefusal,
} from '../../../src/policy/evaluate.ts';
import { explainRefusal } from '../../../src/policy/messages.ts';
import { resolvePolicy } from '../../../src/policy/resolve.ts';
import {
  releaseTagMatcher,
  releaseTagPatternProblem,
  releaseTagPrefix,
} from '../../../src/policy/release-tags.ts';

const fixture: RawConfig = policyFixture();

/** The fixture with production's release_tags set to `patterns`. */
function tagged(patterns: string[]): RawConfig {
  const config = structuredClone(fixture);
  config.environments!.production!.approvals!.release_tags = patterns;
  return config;
}

const HEAD = '1'.repeat(40);
const OTHER = '2'.repeat(40);
/** Tuesday 2025-03-04, 10:30 in Berlin: inside the fixture's window. */
const TUESDAY = new Date('2025-03-04T09:30:00Z');
const person = (login: string, teams: string[] = []): Actor => ({ login, permission: 'write', teams });

/** Everything else in order (the fixture's approvals, checks, staging first): only the tag can refuse. */
function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    config: tagged(['v*']),
    environment: 'production',
    actor: person('bob'),
    sha: HEAD,
    pullRequest: { number: 7, author: 'frank', headSha: HEAD, fromFork: false },
    approvals: ['carol', 'dave'].map((login) => ({
      kind: 'approve' as const,
      by: person(login),
      environment: 'production',
      sha: HEAD,
      at: new Date(TUESDAY.getTime() - 3600_000),
    })),
    successfulDeployments: [{ environment: 'staging', sha: HEAD }],
    checks: [
      { name: 'test', status: 'completed', conclusion: 'success' },
      { name: 'lint', status: 'completed', conclusion: 'success' },
    ],
    releaseTags: { ok: true, tags: [{ name: 'v1.2.0', sha: HEAD }] },
    now: TUESDAY,
    type: 'standard',
    ...overrides,
  };
}

function refusal<C extends PolicyRefusal['code']>(decision: PolicyDecision, code: C) {
  assert.equal(decision.ok, false, `expected ${code}, got ${decision.code}`);
  assert.equal(decision.code, code, JSON.stringify(decision));
  return decision as unknown as Extract<PolicyRefusal, { code: C }> & { also: PolicyRefusal[] };
}

describe('release_tags: the decision', () => {
  it('allows the commit of a matching tag, and refuses a commit no matching tag points at', () => {
    assert.equal(evaluatePolicy(input()).ok, true);
    const missing = refusal(
      evaluatePolicy(input({ releaseTags: { ok: true, tags: [{ name: 'v1.1.0', sha: OTHER }] } })),
      'release_tag_missing',
    );
    assert.deepEqual(missing.patterns, ['v*']);
    assert.equal(missing.sha, HEAD);
    assert.deepEqual(missing.elsewhere, [{ name: 'v1.1.0', sha: OTHER }]);
    const text = explainRefusal(missing);
    assert.match(text, /^1111111 is not a tagged release: no tag matching "v\\\*" points at it/);
    assert.match(text, /tag the commit with a matching tag, or deploy the commit a release tag points at/);
    assert.match(text, /matching tags are on other commits: `v1\.1\.0` \(2222222\)/);
  });

  it('a tag on the commit that matches no pattern is no release', () => {
    const decision = evaluatePolicy(
      input({ releaseTags: { ok: true, tags: [{ name: 'nightly-2025-03-04', sha: HEAD }] } }),
    );
    const missing = refusal(decision, 'release_tag_missing');
    // Not named as a matching tag elsewhere either.
    assert.deepEqual(missing.elsewhere, []);
  });

  it('any of several patterns; SHAs compare without case', () => {
    const config = tagged(['v*', 'release-*']);
    const tags = [{ name: 'release-7', sha: HEAD.toUpperCase() }];
    assert.equal(evaluatePolicy(input({ config, releaseTags: { ok: true, tags } })).ok, true);
  });

  it('names at most three matching tags elsewhere, the newest by name first', () => {
    const tags = ['v1.9.0', 'v1.10.0', 'v1.2.0', 'v0.1.0'].map((name) => ({ name, sha: OTHER }));
    const missing = refusal(
      evaluatePolicy(input({ releaseTags: { ok: true, tags } })),
      'release_tag_missing',
    );
    assert.deepEqual(
      missing.elsewhere.map((tag) => tag.name),
      ['v1.10.0', 'v1.9.0', 'v1.2.0'],
    );
  });

  it('tags not read, or not readable, refuse with their own code: never taken as tagged', () => {
    const unread = refusal(evaluatePolicy(input({ releaseTags: undefined })), 'release_tag_unreadable');
    assert.equal(unread.reason, 'the tags were not read');
    const failed = refusal(
      evaluatePolicy(input({ releaseTags: { ok: false, reason: 'listing the tags failed (HTTP 502)' } })),
      'release_tag_unreadable',
    );
    assert.match(
      explainRefusal(failed),
      /\("v\\\*"\) cannot be told: listing the tags failed \\\(HTTP 502\\\)/,
    );
    assert.ok(DECISION_CODES.includes('release_tag_missing'));
    assert.ok(DECISION_CODES.includes('release_tag_unreadable'));
  });

  it('a hotfix is checked too; a rollback is not (it goes back to what was live)', () => {
    const untagged = { ok: true as const, tags: [] };
    refusal(
      evaluatePolicy(input({ type: 'hotfix', hotfixReason: 'outage', releaseTags: untagged })),
      'release_tag_missing',
    );
    const rollback = evaluatePolicy(
      input({ type: 'rollback', releaseTags: untagged, pullRequest: undefined }),
    );
    assert.equal(rollback.ok, true, JSON.stringify(rollback));
  });

  it('the protection rule decision (isDeploymentApproved) refuses the same way', () => {
    const { actor: _actor, ...rest } = input({ releaseTags: { ok: true, tags: [] } });
    refusal(isDeploymentApproved(rest), 'release_tag_missing');
  });

  it('without release_tags nothing is read or refused', () => {
    assert.equal(evaluatePolicy(input({ config: fixture, releaseTags: undefined })).ok, true);
    assert.deepEqual(resolvePolicy(fixture, 'production').releaseTags, []);
  });

  it('the top level is the default of every environment; an environment overrides it', () => {
    const config = structuredClone(fixture);
    config.approvals = { ...config.approvals, release_tags: ['v*'] };
    config.environments!.production!.approvals!.release_tags = ['prod-*'];
    assert.deepEqual(resolvePolicy(config, 'staging').releaseTags, ['v*']);
    assert.deepEqual(resolvePolicy(config, 'production').releaseTags, ['prod-*']);
  });
});

describe('release_tags: matching', () => {
  it('`*` stops at "/", `**` crosses it; braces and classes work', () => {
    const v = releaseTagMatcher(['v*']);
    assert.equal(v('v1.2.3'), true);
    assert.equal(v('v1/hotfix'), false);
    assert.equal(v('release-1'), false);
    assert.equal(releaseTagMatcher(['release/**'])('release/2025/03'), true);
    assert.equal(releaseTagMatcher(['v[0-9]*.{0,1}'])('v2.1'), true);
    assert.equal(releaseTagMatcher(['v[0-9]*.{0,1}'])('v2.2'), false);
    // A literal name is exact.
    assert.equal(releaseTagMatcher(['v1.0'])('v1.0'), true);
    assert.equal(releaseTagMatcher(['v1.0'])('v1.0.1'), false);
  });

  it('the listing prefix is the literal start all patterns share', () => {
    assert.equal(releaseTagPrefix(['v*']), 'v');
    assert.equal(releaseTagPrefix(['v2.*', 'v3.*']), 'v');
    assert.equal(releaseTagPrefix(['release/2025-*']), 'release/2025-');
    assert.equal(releaseTagPrefix(['v*', 'release-*']), '');
    assert.equal(releaseTagPrefix(['v1.0']), 'v1.0');
    assert.equal(releaseTagPrefix(['{v,r}*']), '');
  });

  it('a pattern no git tag name can match is named as such', () => {
    assert.equal(releaseTagPatternProblem('v*'), undefined);
    assert.equal(releaseTagPatternProblem('release/**'), undefined);
    for (const [pattern, expected] of [
      ['v 1*', /can never match a git tag name: git refuses spaces/],
      ['v~1', /git refuses "~"/],
      ['v^1', /git refuses "\^" \(for a negated class write \[!\.\.\.\]\)/],
      ['v:*', /git refuses ":"/],
      ['v\\*', /git refuses "\\"/],
      ['v..*', /git refuses "\.\."/],
      ['v@{1}', /git refuses "@\{"/],
      ['release//*', /git refuses "\/\/"/],
      ['/v*', /"\/" at the start or the end/],
      ['release/', /"\/" at the start or the end/],
      ['.v*', /a part starting with "\."/],
      ['release/.x', /a part starting with "\."/],
      ['v*.lock', /ending with "\." or "\.lock"/],
      ['v[0-9', /is not a valid glob/],
      ['refs/tags/v*', /without refs\/tags\/: write "v\*"/],
      ['!beta*', /negated pattern/],
    ] as const)
      assert.match(releaseTagPatternProblem(pattern) ?? 'fine', expected, pattern);
  });

  it('a brace group is glob syntax, not characters of the name: a range or a list in one is no ".." or "@{"', () => {
    for (const [pattern, tag] of [
      ['v{1..3}.*', 'v2.0'],
      ['release@{1,2}', 'release@2'],
      ['v{1..3,9}.{a,{b,c}}', 'v9.c'],
    ] as const) {
      assert.equal(releaseTagPatternProblem(pattern), undefined, pattern);
      assert.equal(releaseTagMatcher([pattern])(tag), true, pattern);
    }
    // Outside a group, and in a group that is none (one item: picomatch reads it as it is), they still are.
    for (const pattern of ['v{1,2}..*', 'v@{1}'])
      assert.match(releaseTagPatternProblem(pattern) ?? 'fine', /git refuses/, pattern);
  });
});

describe('release_tags: config errors at file, line and column', () => {
  const head = `target:\n  commands:\n    deploy: ./d.sh\n`;
  const production = (line: string) =>
    `${head}environments:\n  staging: {}\n  production:\n    approvals:\n      ${line}\n`;
  const errorsOf = (text: string): string[] => {
    const result = parseConfig(text, 'deploy.yml');
    assert.equal(result.ok, false, 'expected the config to be rejected');
    return result.ok ? [] : result.errors.map(formatConfigError);
  };
  const cases: Array<[string, string, RegExp]> = [
    [
      'an empty list',
      'release_tags: []',
      /^deploy\.yml:8:21: environments\.production\.approvals\.release_tags: is an empty list, which no tag could match/,
    ],
    [
      'an empty pattern',
      'release_tags: [v*, ""]',
      /^deploy\.yml:8:26: environments\.production\.approvals\.release_tags\[1\]: must not be empty/,
    ],
    [
      'blanks around a pattern',
      'release_tags: [" v*"]',
      /^deploy\.yml:8:22: environments\.production\.approvals\.release_tags\[0\]: " v\*" has blanks around the pattern, which no tag name has: write "v\*"$/,
    ],
    [
      'a pattern no tag name can match',
      'release_tags: ["v 1.*"]',
      /^deploy\.yml:8:22: environments\.production\.approvals\.release_tags\[0\]: "v 1\.\*" can never match a git tag name/,
    ],
    [
      'a pattern listed twice',
      'release_tags: [v*, v*]',
      /^deploy\.yml:8:26: environments\.production\.approvals\.release_tags\[1\]: pattern "v\*" is listed twice \(also at \[0\]\)/,
    ],
    ['one pattern, not a list', 'release_tags: v*', /environments\.production\.approvals\.release_tags: /],
  ];
  for (const [name, line, expected] of cases)
    it(name, () => {
      const errors = errorsOf(production(line));
      assert.ok(
        errors.some((error) => expected.test(error)),
        `no error matched ${expected}:\n${errors.join('\n')}`,
      );
    });

  it('a valid list is accepted, at the top level and per environment', () => {
    const result = parseConfig(
      `${head}approvals:\n  release_tags: ["v*"]\nenvironments:\n  production:\n    approvals:\n      release_tags: ["v*", "release/**"]\n`,
      'deploy.yml',
    );
    assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
  });

  it('over the bound is refused', () => {
    const many = Array.from({ length: 101 }, (_, i) => `v${i}.*`).join(', ');
    const errors = errorsOf(production(`release_tags: [${many}]`));
    assert.ok(
      errors.some((error) => /release_tags: .*100/.test(error)),
      errors.join('\n'),
    );
  });
});
