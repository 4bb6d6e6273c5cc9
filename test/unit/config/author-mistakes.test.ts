// Mistakes platform teams make when writing .github/deploy.yml by hand: each is refused at the place it is
// made, with what was wrong and what is allowed, or read as its author meant it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';

/** The formatted errors for a config text, or a failed assertion when it loads. */
function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

const TARGET = ['target:', '  commands:', '    deploy: ./deploy.sh {{version}}'].join('\n');

describe('YAML traps', () => {
  it('a lone "*" or "&" is named as the alias or anchor it starts, with the quoted form', () => {
    const text = `${TARGET}
environments:
  production:
    approvals:
      deployers: [*]
      approvers: &
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:7:19: environments.production.approvals.deployers[0]: "*" here starts a YAML alias (*name) with no name; to write the character itself, quote it: "*"',
      'deploy.yml:8:18: environments.production.approvals.approvers: "&" here starts a YAML anchor (&name) with no name; to write the character itself, quote it: "&"',
    ]);
  });
});

describe('numbers out of range', () => {
  it('a huge whole number is refused once, by the field’s own bound, not also by 2^53', () => {
    const text = `${TARGET}
environments:
  production:
    strategy: { type: rolling, instances: 99999999999999999999 }
    approvals: { required: -1e30 }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:6:43: environments.production.strategy.instances: must be at most 10000, got 100000000000000000000',
      'deploy.yml:7:28: environments.production.approvals.required: must be at least 0, got -1e+30',
    ]);
  });
});
