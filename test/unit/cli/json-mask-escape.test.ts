// A secret the CLI masks in its `--json` lines never leaves an escape cut in two: a form matched from the
// middle of a JSON escape (a secret beginning `t` right after a tab, which JSON writes `\t`) left `\***`, and
// the line was no longer JSON for whatever reads it. Each value is made at test time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli/main.ts';

// Begins with `t`: printed after a tab, JSON writes the tab and the secret's rest as `\t` + the rest, and
// a match of the secret's form `t…` there starts on the escape's letter.
const SECRET = `tplanted${randomBytes(9).toString('hex')}`;
let dir: string;
let configPath: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'json-mask-escape-'));
  configPath = join(dir, 'deploy.yml');
  const print = [
    'node',
    '-e',
    'console.log("said:\\t" + process.env.T_ESCAPE_SECRET.slice(1)); process.exit(1)',
  ];
  writeFileSync(
    configPath,
    `state_dir: ${dir}/state
notifications:
  channels:
    hook: { type: webhook, url_env: T_ESCAPE_URL, secret_env: T_ESCAPE_SECRET }
target:
  commands:
    deploy: ${JSON.stringify(print)}
    switch: ["true"]
    health: ["true"]
    current: ["echo", "v1"]
environments:
  production:
    strategy: direct
`,
  );
  process.env.T_ESCAPE_SECRET = SECRET;
  process.env.T_ESCAPE_URL = 'http://127.0.0.1:9/hook';
});

after(() => {
  delete process.env.T_ESCAPE_SECRET;
  delete process.env.T_ESCAPE_URL;
  rmSync(dir, { recursive: true, force: true });
});

test('run --json: a secret masked right after a JSON escape leaves every line JSON', async () => {
  let out = '';
  await main(['run', '-e', 'production', '--version', 'v2', '--json', '-c', configPath], {
    out: (t) => void (out += t),
    err: () => {},
  });
  const lines = out.trim().split('\n');
  // The deploy fails (nothing waits for a monitor window). The command's line is there, masked (so the test would see a line that is not JSON).
  assert.ok(
    lines.some((line) => line.includes('"line":"said:***"')),
    out,
  );
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
  assert.ok(!out.includes(SECRET.slice(1)), out);
});
