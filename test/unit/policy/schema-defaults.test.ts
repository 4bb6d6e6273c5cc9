// What the JSON schema tells an editor about hotfix.bypass_windows is what resolvePolicy does (and what
// docs/policy.md says): the override of the windows is on only when the hotfix has its own approvers or groups.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generateJsonSchema } from '../../../scripts/gen-schema.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolvePolicy } from '../../../src/policy/resolve.ts';

const head = `target:\n  commands:\n    deploy: ./d.sh\n`;

function bypassWindows(approvals: string): boolean {
  const result = parseConfig(
    `${head}environments:\n  production:\n    approvals:\n${approvals}`,
    'deploy.yml',
  );
  assert.ok(result.ok);
  return resolvePolicy(result.config, 'production').hotfix.bypassWindows;
}

it('hotfix.bypass_windows: the schema states the default resolvePolicy applies', () => {
  assert.equal(bypassWindows('      required: 1\n'), false);
  assert.equal(bypassWindows('      hotfix:\n        approvers: [carol]\n'), true);
  // Own approvers who are never asked are no override: --hotfix would go around the windows unapproved.
  assert.equal(bypassWindows('      hotfix:\n        approvers: [carol]\n        required: 0\n'), false);
  assert.equal(
    bypassWindows('      required: 0\n      hotfix:\n        approvers: [carol]\n'),
    false,
    'inherited 0',
  );
  assert.equal(
    bypassWindows('      required: 0\n      hotfix:\n        approvers: [carol]\n        required: 1\n'),
    true,
  );
  assert.equal(
    bypassWindows(
      '      hotfix:\n        approvers: [carol]\n        required: 0\n        bypass_windows: true\n',
    ),
    true,
    'said so',
  );
  const descriptions = [
    ...generateJsonSchema().matchAll(/"description": "(A hotfix may start outside[^"]*)"/g),
  ];
  assert.equal(descriptions.length, 1);
  const description = descriptions[0]![1]!;
  assert.doesNotMatch(description, /Default true\./);
  assert.match(description, /hotfix\.approvers/);
  assert.match(description, /else false/);
  assert.match(description, /at least one approval/);
});
