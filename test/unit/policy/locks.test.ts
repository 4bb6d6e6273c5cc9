// Who may lock: an environment's deployers, and for the global lock and --force maintainers, admins and the
// top-level approvals.global_lockers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { mayLock } from '../../../src/policy/locks.ts';
import { policyIssues } from '../../../src/policy/resolve.ts';
import type { Actor, Permission } from '../../../src/policy/actors.ts';
import type { RawConfig } from '../../../src/config/schema.ts';

const config = parse(`
approvals:
  global_lockers: [lena, acme/sre]
environments:
  staging: {}
  production:
    approvals:
      deployers: [alice, acme/deployers]
`) as RawConfig;

const actor = (login: string, permission: Permission = 'write', teams: string[] = []): Actor => ({
  login,
  permission,
  teams,
});
const production = { scope: 'environment', environment: 'production' } as const;
const staging = { scope: 'environment', environment: 'staging' } as const;
const global = { scope: 'global' } as const;
const code = (d: ReturnType<typeof mayLock>) => (d.ok ? 'ok' : d.code);

test("an environment's lock: its deployers (users and teams, with write), everyone with write where none are named", () => {
  assert.equal(code(mayLock({ config, target: production, actor: actor('alice'), action: 'lock' })), 'ok');
  assert.equal(
    code(
      mayLock({
        config,
        target: production,
        actor: actor('dan', 'write', ['acme/deployers']),
        action: 'lock',
      }),
    ),
    'ok',
  );
  const refused = mayLock({ config, target: production, actor: actor('erin'), action: 'lock' });
  assert.deepEqual(refused, {
    ok: false,
    code: 'not_a_deployer',
    login: 'erin',
    environment: 'production',
    deployers: ['alice', 'acme/deployers'],
  });
  assert.equal(
    code(mayLock({ config, target: production, actor: actor('alice', 'read'), action: 'lock' })),
    'not_a_deployer',
  );
  assert.equal(code(mayLock({ config, target: staging, actor: actor('erin'), action: 'lock' })), 'ok');
  assert.equal(
    code(mayLock({ config, target: staging, actor: actor('rita', 'read'), action: 'unlock' })),
    'not_a_deployer',
  );
  assert.equal(
    code(
      mayLock({
        config,
        target: { scope: 'environment', environment: 'qa' },
        actor: actor('alice'),
        action: 'lock',
      }),
    ),
    'unknown_environment',
  );
});

test('the global lock and --force: maintainers, admins and global_lockers (with write) only', () => {
  for (const who of [
    actor('mia', 'maintain'),
    actor('ada', 'admin'),
    actor('lena'),
    actor('sam', 'write', ['acme/sre']),
  ]) {
    assert.equal(code(mayLock({ config, target: global, actor: who, action: 'lock' })), 'ok', who.login);
    assert.equal(code(mayLock({ config, target: production, actor: who, action: 'force' })), 'ok', who.login);
  }
  for (const who of [actor('alice'), actor('lena', 'read'), actor('erin')]) {
    for (const action of ['lock', 'unlock', 'force'] as const)
      assert.equal(
        code(mayLock({ config, target: global, actor: who, action })),
        'not_a_global_locker',
        `${who.login} ${action}`,
      );
    assert.equal(
      code(mayLock({ config, target: production, actor: who, action: 'force' })),
      'not_a_global_locker',
    );
  }
  const none = parse('environments:\n  production: {}\n') as RawConfig;
  assert.deepEqual(mayLock({ config: none, target: global, actor: actor('alice'), action: 'lock' }), {
    ok: false,
    code: 'not_a_global_locker',
    login: 'alice',
    action: 'lock',
    lockers: [],
  });
});

test('global_lockers belongs at the top level: in an environment it is a config error with its path', () => {
  const wrong = parse(
    'environments:\n  production:\n    approvals:\n      global_lockers: [alice]\n',
  ) as RawConfig;
  assert.deepEqual(
    policyIssues(wrong).map((i) => i.path.join('.')),
    ['environments.production.approvals.global_lockers'],
  );
  assert.deepEqual(policyIssues(config), []);
});

test('a lock on an environment the config does not define is refused for maintainers too (a typo locks nothing)', () => {
  for (const environment of ['prodution', 'qa']) {
    const decision = mayLock({
      config,
      target: { scope: 'environment', environment },
      actor: actor('mia', 'admin'),
      action: 'lock',
    });
    assert.equal(code(decision), 'unknown_environment', environment);
  }
  const typo = mayLock({
    config,
    target: { scope: 'environment', environment: 'prodution' },
    actor: actor('lena'),
    action: 'lock',
  });
  assert.ok(
    !typo.ok && typo.code === 'unknown_environment' && /did you mean "production"/.test(typo.message),
  );
  // Releasing (--force) a lock left on an environment since removed from the config stays possible.
  assert.equal(
    code(
      mayLock({
        config,
        target: { scope: 'environment', environment: 'qa' },
        actor: actor('mia', 'maintain'),
        action: 'force',
      }),
    ),
    'ok',
  );
});
