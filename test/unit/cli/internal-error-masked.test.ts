// An error the CLI does not expect (a defect) is said through the same masking writer as everything else it
// prints: before, it escaped main() and Node printed it, stack and message, straight to standard error, so a
// message quoting a URL with a config's secret in it showed that secret. The value is made at test time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, mock, test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';

const SECRET = `planted${randomBytes(9).toString('hex')}`;
let dir: string;
let configPath: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'internal-error-'));
  configPath = join(dir, 'deploy.yml');
  writeFileSync(
    configPath,
    `state_dir: ${dir}/state
notifications:
  channels:
    hook: { type: webhook, url_env: T_INTERNAL_URL, secret_env: T_INTERNAL_SECRET }
target:
  commands:
    deploy: ["true"]
    switch: ["true"]
    health: ["true"]
environments:
  production:
    strategy: direct
`,
  );
  process.env.T_INTERNAL_SECRET = SECRET;
  process.env.T_INTERNAL_URL = 'http://127.0.0.1:9/hook';
});

after(() => {
  delete process.env.T_INTERNAL_SECRET;
  delete process.env.T_INTERNAL_URL;
  rmSync(dir, { recursive: true, force: true });
});

test('an unexpected error is printed masked, with exit 1, not thrown past the masking writer', async (t) => {
  // A defect stands in for any: the state read throws an error that quotes the secret.
  t.after(() => mock.restoreAll());
  mock.method(FileStateStore.prototype, 'read', () => {
    throw new Error(`cannot reach https://user:${SECRET}@127.0.0.1:9/state`);
  });
  let out = '';
  let err = '';
  const code = await main(['status', '-e', 'production', '-c', configPath], {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
  });
  assert.equal(code, 1);
  assert.match(
    err,
    /^deploy-action: internal error: Error: cannot reach https:\/\/user:\*\*\*@127\.0\.0\.1:9\/state\n/,
  );
  assert.ok(!(out + err).includes(SECRET), err);
});
