// The App's numeric settings are read as the decimal digits written: Number() alone read PORT=" " (a value
// left blank in a .env file) as 0, a random port nobody reaches, "0x50" as 80 and APP_ID="1e3" as the app
// 1000, each without a word; SHUTDOWN_GRACE already refused them.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { SettingsError, settingsFromEnv } from '../../../app/config.ts';

const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const base = { APP_ID: '12', PRIVATE_KEY, WEBHOOK_SECRET: 's' };

function problems(env: Record<string, string>): string[] {
  try {
    settingsFromEnv({ ...base, ...env });
  } catch (error) {
    assert.ok(error instanceof SettingsError);
    return error.problems;
  }
  assert.fail('expected the settings to be refused');
}

describe('the App settings PORT and APP_ID', () => {
  it('accept decimal digits', () => {
    assert.equal(settingsFromEnv({ ...base, PORT: '8080' }).port, 8080);
    assert.equal(settingsFromEnv({ ...base, PORT: '0' }).port, 0);
    assert.equal(settingsFromEnv({ ...base, PORT: '' }).port, 3000);
    assert.equal(settingsFromEnv({ ...base, APP_ID: '123456' }).appId, 123456);
    // The line end of a secret made from a file, and blanks around, are not part of the number.
    assert.equal(settingsFromEnv({ ...base, APP_ID: '123456\n' }).appId, 123456);
    assert.equal(settingsFromEnv({ ...base, PORT: ' 8080\n' }).port, 8080);
  });

  it('refuse what Number() reads as another number, naming the value', () => {
    for (const port of [' ', '0x50', '1e3', '80.0', '+80', '80 80', '0b1'])
      assert.deepEqual(problems({ PORT: port }), [
        `PORT must be an integer from 0 to 65535, got ${JSON.stringify(port)}`,
      ]);
    for (const id of [' ', '0x10', '1e3', '12.0', '+12', '1 2'])
      assert.deepEqual(problems({ APP_ID: id }), [
        `APP_ID must be a positive integer (the GitHub App id), got ${JSON.stringify(id)}`,
      ]);
  });
});
