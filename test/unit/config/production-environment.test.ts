// Which environment is a production one (docs/config.md, `production`): `production: true`, or one named
// production in any case, as GitHub's environment names ignore case. The approval policy already read the
// name that way; the deployment (GitHub's production flag, the Action's `tag`, `validate`'s list) must agree.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { resolvePolicy } from '../../../src/policy/resolve.ts';
import { TARGET } from '../../helpers/config-text.ts';

function config(environments: string) {
  const result = parseConfig(`${TARGET}environments:\n${environments}`, 'deploy.yml');
  assert.ok(result.ok);
  return result.config;
}

test('an environment named production in any case is a production environment', () => {
  for (const name of ['production', 'Production', 'PRODUCTION']) {
    const raw = config(`  ${name}: {}\n`);
    assert.equal(resolveEnvironment(raw, name).production, true, name);
    assert.equal(resolvePolicy(raw, name).production, true, `${name}: the policy agrees`);
  }
});

test('the production key wins over the name, and other names are not production', () => {
  const raw = config('  Production: { production: false }\n  prod: {}\n  live: { production: true }\n');
  assert.equal(resolveEnvironment(raw, 'Production').production, false);
  assert.equal(resolveEnvironment(raw, 'prod').production, false);
  assert.equal(resolveEnvironment(raw, 'live').production, true);
});
