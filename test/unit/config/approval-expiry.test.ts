// `approvals.expires_after` is an age an approval is compared with, not a timer: a month or a quarter is a
// usual policy. It was capped by Node's longest timer (about 24.8 days), refused as "at most 596h31m".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../src/config/load.ts';
import { resolvePolicy } from '../../../src/policy/resolve.ts';
import { errorsOf, TARGET } from '../../helpers/config-text.ts';

const config = (expiry: string) =>
  `${TARGET}environments:\n  production:\n    approvals: { expires_after: ${expiry} }\n`;

describe('approvals.expires_after', () => {
  it('takes an age of weeks or months', () => {
    for (const [written, days] of [
      ['30d', 30],
      ['90d', 90],
      ['365d', 365],
    ] as const) {
      const result = parseConfig(config(written), 'deploy.yml');
      assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.errors));
      assert.equal(resolvePolicy(result.config, 'production').expiresAfterMs, days * 86_400_000);
    }
  });

  it('refuses more than a year, saying the bound', () => {
    assert.deepEqual(errorsOf(config('366d')), [
      'deploy.yml:8:33: environments.production.approvals.expires_after: "366d" is too long: at most 365d here',
    ]);
  });
});
