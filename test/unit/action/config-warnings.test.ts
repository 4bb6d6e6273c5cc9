// The Action's deployments say a config's warnings as GitHub warning annotations on the config's own line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotateConfigWarnings } from '../../../src/action/config-warnings.ts';
import { parseConfig } from '../../../src/config/load.ts';

test('each config warning is one annotation at its file, line and column', () => {
  const loaded = parseConfig(
    'target:\n  commands:\n    deploy: ["true"]\nenvironments:\n  production:\n    monitor: 2m\n    monitor_interval: 5m\n',
    '.github/deploy.yml',
  );
  assert.ok(loaded.ok);
  const said: Array<[string, unknown]> = [];
  annotateConfigWarnings(loaded.warnings, (message, properties) => said.push([message, properties]));
  assert.equal(said.length, 1);
  assert.match(
    said[0]![0],
    /^environments\.production\.monitor_interval: monitor_interval \(5m\) is longer than the monitor window \(2m\)/,
  );
  assert.deepEqual(said[0]![1], {
    title: 'deploy-action config',
    file: '.github/deploy.yml',
    startLine: 7,
    startColumn: 23,
  });
});
