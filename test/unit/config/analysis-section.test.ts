import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';

const base = `target:\n  commands:\n    deploy: ./d.sh\nenvironments:\n  production:\n    analysis:\n`;

test('an analysis section is validated with the rest, then handed on as written (for the judge and the recording)', () => {
  const text = `${base}      providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }\n      metrics: { error_rate: { provider: prom, query: "x" } }\n      checks: [{ check: "error_rate < 0.01", for: 5m }]\n`;
  const result = parseConfig(text, 'deploy.yml');
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
  const checks = result.config.environments.production!.analysis!.checks as Array<{ for: unknown }>;
  assert.equal(checks[0]!.for, '5m');
});

test('an analysis section with a bad duration is a located config error', () => {
  const result = parseConfig(`${base}      max_no_data: soon\n`, 'deploy.yml');
  assert.equal(result.ok, false);
  assert.match(
    result.ok ? '' : formatConfigError(result.errors[0]!),
    /^deploy\.yml:7:20: environments\.production\.analysis\.max_no_data: /,
  );
});
