// The policy fixture (test/fixtures/config/policy.yml), parsed: production needs staging first, checks test and
// lint, two approvals from carol, dave or acme/sre, Tue-Thu 10:00-12:00 Berlin time, a year-end freeze;
// hotfixes are approved by acme/security.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatConfigError } from '../../src/config/errors.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { RawConfig } from '../../src/config/schema.ts';

export function policyFixture(): RawConfig {
  const parsed = parseConfig(
    readFileSync(join(import.meta.dirname, '..', 'fixtures', 'config', 'policy.yml'), 'utf8'),
    'policy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.map(formatConfigError).join('\n'));
  return parsed.config;
}
