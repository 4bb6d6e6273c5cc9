import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configEnvironment } from '../../../src/policy/index.ts';

test("configEnvironment: GitHub's environment name in any case is the config's one key for it", () => {
  const environments = { production: {}, 'Staging-EU': {} };
  assert.equal(configEnvironment(environments, 'production'), 'production');
  assert.equal(configEnvironment(environments, 'Production'), 'production');
  assert.equal(configEnvironment(environments, 'PRODUCTION'), 'production');
  assert.equal(configEnvironment(environments, 'staging-eu'), 'Staging-EU');
  assert.equal(configEnvironment(environments, 'prod'), undefined);
  assert.equal(configEnvironment(environments, ''), undefined);
  // Not a key of every object: a name like a property of Object.prototype is no environment.
  assert.equal(configEnvironment(environments, 'constructor'), undefined);
  assert.equal(configEnvironment(environments, '__proto__'), undefined);
  // Two keys of one name (a config the loader refuses): the exact one, else none rather than a guess.
  const twice = { Production: {}, production: {} };
  assert.equal(configEnvironment(twice, 'production'), 'production');
  assert.equal(configEnvironment(twice, 'PRODUCTION'), undefined);
});
