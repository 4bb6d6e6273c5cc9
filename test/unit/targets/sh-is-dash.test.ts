// An inline script sh runs (sh -c '…' sh {{x}}) is read by these checks as bash reads it, but sh is dash on
// Debian and Ubuntu, which reads bash's [[ … ]], &>, $'…', declare and aliases otherwise: [[ is no command there,
// so the || or && inside it runs the words after it as a command. Such a script takes no value under sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  configErrors,
} from '../../helpers/command-checks.ts';

const DASH =
  /is passed to the script of "(sh|dash) -c", which uses bash's .*: (sh|dash) is dash on Debian and Ubuntu/;
const SCRIPT = 'if [[ -z "$1" || "$1" == latest ]]; then echo default; else echo other; fi';

test('dash runs the value after || inside [[ … ]] as a program: the value is refused under sh, not under bash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-'));
  try {
    const evil = join(dir, 'evil');
    writeFileSync(evil, `#!/bin/sh\ntouch ${join(dir, 'ran')}\n`, { mode: 0o755 });
    const dash = existsSync('/bin/dash') ? '/bin/dash' : undefined;
    if (dash) {
      spawnSync(dash, ['-c', SCRIPT, 'sh', evil], { stdio: 'ignore' });
      assert.ok(existsSync(join(dir, 'ran')), 'dash did not run the value');
    }
    rmSync(join(dir, 'ran'), { force: true });
    spawnSync('bash', ['-c', SCRIPT, 'sh', evil], { stdio: 'ignore' });
    assert.equal(existsSync(join(dir, 'ran')), false, 'bash ran the value');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assertRefused(['sh', '-c', SCRIPT, 'sh', '{{x}}'], DASH);
  assertRefused(['dash', '-c', '[ -n "$1" ] && echo "$1" &> /dev/null', 'sh', '{{x}}'], DASH);
  assertScriptRefused(`sh -c '${SCRIPT}' sh {{x}}`, DASH);
  assertScriptRefused(
    "export v={{x}}; sh -c '[[ -n $v || -z $v ]]'",
    /uses bash's \[\[, which dash, sh on Debian and Ubuntu, reads otherwise/,
  );
  assert.deepEqual(configErrors(['bash', '-c', SCRIPT, 'sh', '{{x}}']), []);
  assertScriptAccepted(`bash -c '${SCRIPT}' sh {{x}}`);
  assertScriptAccepted(`sh -c '[ -z "$1" ] || ./deploy.sh -- "$1"' sh {{x}}`);
});
