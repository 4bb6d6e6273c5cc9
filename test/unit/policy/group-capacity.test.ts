// "More approvals required than the listed users could give" is judged on the approvers as resolvePolicy
// builds them: a list plus its groups' members, with groups inherited from the top level, and with groups and
// no list anywhere, the groups' members alone. A rule that can be met is never refused, and one that can
// never be met is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { policyIssues, resolvePolicy } from '../../../src/policy/resolve.ts';

const head = `target:\n  commands:\n    deploy: ./d.sh\n`;

function parse(text: string) {
  return parseConfig(text, 'deploy.yml');
}

function errorsOf(text: string): string[] {
  const result = parse(text);
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

describe('approval capacity with groups', () => {
  it('an environment with its own approvers and the top level’s groups is judged on both', () => {
    // carol, dave and erin may approve production: 3 approvals can be given.
    const text = `${head}approvals:
  groups: [{ name: Ops, approvers: [dave, erin] }]
environments:
  production:
    approvals:
      approvers: [carol]
      required: 3
`;
    const result = parse(text);
    assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
    assert.deepEqual(resolvePolicy(result.config, 'production').approvers, ['carol', 'dave', 'erin']);
    assert.deepEqual(policyIssues(result.config), []);
    // One more than they can give is refused.
    const errors = errorsOf(text.replace('required: 3', 'required: 4'));
    assert.ok(
      errors.some((e) => /need 4 approvals .* but only 3 approvers are listed/.test(e)),
      errors.join('\n'),
    );
  });

  it('a hotfix with its own groups is approved by the normal groups’ members too, as resolved', () => {
    const text = `${head}environments:
  production:
    approvals:
      approvers: [carol]
      groups: [{ name: Ops, approvers: [dave] }]
      hotfix:
        required: 3
        groups: [{ name: Security, approvers: [erin] }]
`;
    const result = parse(text);
    assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
    assert.deepEqual(resolvePolicy(result.config, 'production').hotfix.approvers, ['carol', 'dave', 'erin']);
  });

  it('with groups and no approvers list, a count above what the groups’ users can give is refused', () => {
    const errors = errorsOf(`${head}environments:
  production:
    approvals:
      required: 3
      groups: [{ name: Ops, approvers: [dave, erin] }]
`);
    assert.ok(
      errors.some((e) => /need 3 approvals .* but only 2 approvers are listed .*groups/.test(e)),
      errors.join('\n'),
    );
    // The same from the top level.
    const top = errorsOf(`${head}approvals:
  required: 3
  groups: [{ name: Ops, approvers: [dave, erin] }]
environments:
  production: {}
`);
    assert.ok(
      top.some((e) => /need 3 approvals .* but only 2 approvers are listed/.test(e)),
      top.join('\n'),
    );
    // A team can give any number.
    const team = parse(`${head}environments:
  production:
    approvals:
      required: 3
      groups: [{ name: Ops, approvers: [dave, acme/ops] }]
`);
    assert.ok(team.ok, team.ok ? '' : team.errors.map(formatConfigError).join('\n'));
  });
});
