// An install must not rot: a dependency named through a dist-tag ("latest", "next"), a URL or a git ref
// resolves to something else the day it moves, and the lock file no longer satisfies it (npm ci then fails for
// every newcomer although nothing in the repository changed). Every spec in the lock must be a semver range
// or an exact version, or an npm alias of one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { repoRoot } from '../../helpers/cli.ts';

const DEPENDENCY_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
] as const;

/** Why `spec` may move by itself, or undefined when it is a range or version. */
function movingSpec(spec: string): string | undefined {
  const alias = /^npm:((?:@[^/@]+\/)?[^@]+)@(.*)$/.exec(spec);
  const range = alias ? alias[2]! : spec;
  if (semver.validRange(range) !== null && !/^[a-z][\w.+-]*:/i.test(range)) return undefined;
  if (/^[a-z][\w.+-]*:|^[./~]|\//i.test(range)) return 'a URL, path or git reference';
  return 'a dist-tag';
}

interface LockPackage {
  [field: string]: unknown;
}

function specsIn(lock: { packages: Record<string, LockPackage> }) {
  const specs: Array<{ where: string; name: string; spec: string }> = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const field of DEPENDENCY_FIELDS) {
      const deps = entry[field] as Record<string, string> | undefined;
      for (const [name, spec] of Object.entries(deps ?? {})) {
        specs.push({ where: `${path || '(root)'} ${field}`, name, spec });
      }
    }
  }
  return specs;
}

test('the spec check tells ranges and versions from tags, URLs and git refs', () => {
  for (const spec of [
    '^1.2.3',
    '~6.0.3',
    '1.2.3',
    '>=7 <8',
    '*',
    '1.x',
    'npm:node@^22.23.3',
    'npm:@a/b@1.0.0',
  ]) {
    assert.equal(movingSpec(spec), undefined, spec);
  }
  for (const spec of ['latest', 'next', 'beta', 'npm:typescript@latest']) {
    assert.equal(movingSpec(spec), 'a dist-tag', spec);
  }
  for (const spec of [
    'github:user/repo',
    'git+https://example.invalid/x.git',
    'https://example.invalid/x.tgz',
    'user/repo#main',
    'file:../x',
    './local',
  ]) {
    assert.equal(movingSpec(spec), 'a URL, path or git reference', spec);
  }
});

test('package-lock.json names every dependency by a semver range or exact version', () => {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    lockfileVersion: number;
    packages: Record<string, LockPackage>;
  };
  assert.ok(lock.lockfileVersion >= 2, 'lockfileVersion 2 or 3 (with "packages") is expected');
  const specs = specsIn(lock);
  assert.ok(specs.length > 100, `only ${specs.length} dependency specs read: is the lock file complete?`);
  const moving = specs
    .map((s) => ({ ...s, why: movingSpec(s.spec) }))
    .filter((s) => s.why)
    .map((s) => `${s.where}: ${s.name} "${s.spec}" is ${s.why}`);
  assert.deepEqual(moving, [], 'pin these through "overrides" in package.json, or drop the package');
});
