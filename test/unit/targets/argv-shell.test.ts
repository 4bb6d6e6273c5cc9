// An argv command that starts a shell itself (`["bash", "-c", "deploy {{ref}}"]`, `sh -c '…'`): no templated
// value is ever run as code by it. When the command is the shell, the templates of its script become quoted
// references to the DEPLOY_* variables (as with `shell: true`), so the script sees the literal value; when
// another program starts the shell (docker exec, kubectl exec, env, sudo), a template in the script is refused,
// at config time and at run time, naming the safe form (the value as an argument: "$1").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCommandProvider } from '../../../src/analysis/providers/command.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { CommandFailed, describeCommand, runCommand } from '../../../src/targets/run-command.ts';
import { argvShellProblems, shellScriptIn, sshValueProblem } from '../../../src/targets/shell-script.ts';

// A branch name git accepts, and values a deployment parameter may hold.
const HOSTILE = [
  'feature/$(touch${IFS}PWNED)',
  'x`touch PWNED`',
  "it's; touch PWNED",
  'a"; touch PWNED; echo "',
  'line\ntouch PWNED',
  '--rcfile=/etc/passwd',
  '$HOME *',
];

test('a shell run as the command: each value reaches its script as the literal value, nothing runs from it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'argv-shell-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const defaults = { shell: false, timeoutMs: 10_000, env: {}, cwd: dir };
  const commands = [
    ['sh', '-c', 'printf %s {{ref}}'],
    ['/bin/sh', '-c', 'printf %s "{{ref}}"'],
    ['bash', '-e', '-o', 'pipefail', '-c', "printf %s '{{ref}}'"],
    ['bash', '-ec', 'printf %s {{ref}}'],
    "sh -c 'printf %s {{ref}}'",
    'bash -c "printf %s {{ref}}"',
  ];
  for (const spec of commands) {
    const command = resolveCommand(spec, 'deploy', defaults);
    for (const ref of HOSTILE) {
      const result = await runCommand(command, { ref });
      assert.equal(result.stdout, ref, `${JSON.stringify(spec)} with ${JSON.stringify(ref)}`);
      // What the plan shows does the same when a shell runs it.
      const shown = describeCommand(command, { ref });
      assert.equal(execFileSync('sh', ['-c', shown], { cwd: dir, encoding: 'utf8' }), ref, shown);
    }
  }
  assert.equal(existsSync(join(dir, 'PWNED')), false, 'a value was run as code');
});

test('a shell another program starts: a template in its script is refused before anything runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'argv-shell-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const defaults = { shell: false, timeoutMs: 10_000, env: {}, cwd: dir };
  for (const spec of [
    ['/usr/bin/env', 'sh', '-c', 'touch ran; echo {{ref}}'],
    "env LANG=C bash -c 'touch ran; echo {{ref}}'",
  ]) {
    const command = resolveCommand(spec, 'deploy', defaults);
    const error = await runCommand(command, { ref: 'main' }).then(
      () => assert.fail(`${JSON.stringify(spec)} ran`),
      (e: unknown) => e as CommandFailed,
    );
    assert.ok(error instanceof CommandFailed);
    assert.equal(error.reasonCode, 'template');
    assert.match(error.message, /\{\{ref\}\} is inside the script of "(sh|bash) -c", which .*env starts/);
    assert.match(
      error.message,
      /pass the value as an argument instead: (sh|bash) -c '… "\$1" …' (sh|bash) \{\{ref\}\}/,
    );
  }
  assert.equal(existsSync(join(dir, 'ran')), false);
  // The safe form: the value is an argument of the script ("$1"), never part of it.
  const positional = resolveCommand(
    ['/usr/bin/env', 'sh', '-c', 'printf %s "$1"', 'sh', '{{ref}}'],
    'deploy',
    defaults,
  );
  for (const ref of HOSTILE) assert.equal((await runCommand(positional, { ref })).stdout, ref);
  assert.equal(existsSync(join(dir, 'PWNED')), false);
});

test('the config names a shell script template it cannot run safely, at its field', () => {
  const errors = (deploy: string) => {
    const parsed = parseConfig(
      `target:\n  commands:\n    deploy: ${deploy}\nenvironments:\n  production: {}\n`,
      'deploy.yml',
    );
    return parsed.ok ? [] : parsed.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`);
  };
  assert.match(
    errors('["kubectl", "exec", "app", "--", "sh", "-c", "deploy {{ref}}"]').join('\n'),
    /^3:13 target\.commands\.deploy: \{\{ref\}\} is inside the script of "sh -c", which kubectl starts/,
  );
  assert.match(
    errors('["bash", "-c", "deploy `{{ref}}`"]').join('\n'),
    /^3:13 target\.commands\.deploy: in the script of "bash -c": \{\{ref\}\} \(character 9\) is inside backticks/,
  );
  assert.deepEqual(errors('"bash -c \'deploy {{ref}}\'"'), []);
  assert.deepEqual(errors('["docker", "exec", "app", "sh", "-c", "deploy \\"$1\\"", "sh", "{{ref}}"]'), []);
});

test('shellScriptIn finds the script operand of -c past options, and nothing without -c', () => {
  assert.deepEqual(shellScriptIn(['bash', '-c', 's']), { shell: 0, script: 2, posix: true });
  assert.deepEqual(shellScriptIn(['bash', '-euxc', 's', 'name', 'arg']), {
    shell: 0,
    script: 2,
    posix: true,
  });
  assert.deepEqual(shellScriptIn(['sh', '-e', '-o', 'pipefail', '-c', 's']), {
    shell: 0,
    script: 5,
    posix: true,
  });
  assert.deepEqual(shellScriptIn(['bash', '--norc', '-c', '--', 's']), { shell: 0, script: 4, posix: true });
  assert.deepEqual(shellScriptIn(['docker', 'exec', 'app', '/bin/sh', '-c', 's']), {
    shell: 3,
    script: 5,
    posix: true,
  });
  assert.deepEqual(shellScriptIn(['/usr/bin/fish', '-c', 's']), { shell: 0, script: 2, posix: false });
  assert.deepEqual(shellScriptIn(['pwsh', '-NoProfile', '-Command', 's']), {
    shell: 0,
    script: 3,
    posix: false,
  });
  assert.equal(shellScriptIn(['bash', 'deploy.sh', '-c', '{{ref}}']), undefined, 'a script file, not -c');
  assert.equal(shellScriptIn(['./deploy.sh', '{{ref}}']), undefined);
  assert.equal(shellScriptIn(['sh', '-e']), undefined);
});

test('the analysis command provider: a shell it is gets each value as the literal value; one another program starts is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'argv-shell-provider-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = 'if [ "$EXPECTED" = {{version}} ]; then echo \'{"ok": 1}\'; else echo \'{"ok": 0}\'; fi';
  const read = (run: string[], version: string) =>
    createCommandProvider('cmd', {
      type: 'command',
      run,
      cwd: dir,
      env: { EXPECTED: version },
      retries: 0,
    }).read({
      side: 'canary',
      vars: { version },
      metrics: [{ name: 'ok', config: { provider: 'cmd' } }],
      intervalMs: 1000,
      signal: AbortSignal.timeout(10_000),
    });
  for (const version of HOSTILE)
    assert.deepEqual(await read(['sh', '-c', script], version), { values: { ok: 1 }, errors: [] }, version);
  const refused = await read(['/usr/bin/env', 'sh', '-c', script], 'v2');
  assert.equal(refused.errors[0]?.code, 'template');
  assert.match(
    refused.errors[0]?.message ?? '',
    /is inside the script of "sh -c", which \/usr\/bin\/env starts/,
  );
  assert.equal(existsSync(join(dir, 'PWNED')), false, 'a value was run as code');
});

test('a shell with a syntax of its own (fish, csh, PowerShell): a template in its script is refused before anything runs', async () => {
  for (const spec of [
    ['fish', '-c', 'deploy {{ref}}'],
    ['tcsh', '-c', 'deploy {{ref}}'],
    ['pwsh', '-NoProfile', '-Command', 'deploy {{ref}}'],
  ]) {
    const command = resolveCommand(spec, 'deploy', { shell: false, timeoutMs: 10_000, env: {} });
    const error = await runCommand(command, { ref: 'main' }).then(
      () => assert.fail(`${JSON.stringify(spec)} ran`),
      (e: unknown) => e as CommandFailed,
    );
    assert.equal(error.reasonCode, 'template', error.message);
    assert.match(
      error.message,
      /^deploy: \{\{ref\}\} is inside the script of "(fish|tcsh|pwsh) -c", a shell whose quoting this tool does not write/,
    );
  }
  // As an argument of the script, the value is data.
  const positional = resolveCommand(['fish', '-c', 'deploy $argv[1]', '{{ref}}'], 'deploy', {
    shell: false,
    timeoutMs: 10_000,
    env: {},
  });
  assert.deepEqual(argvShellProblems(positional.argv), []);
});

test('ssh runs its command through the remote shell: a value there must be one plain word, or the command is refused', async () => {
  for (const spec of [
    ['ssh', 'deploy@app1', 'deploy', '{{ref}}'],
    ['ssh', '-p', '2222', '-i', 'key', 'app1', 'deploy {{ref}}'],
    'ssh -o BatchMode=yes app1 deploy {{ref}}',
  ]) {
    const command = resolveCommand(spec, 'deploy', { shell: false, timeoutMs: 10_000, env: {} });
    // Only values a shell would read: the others would start ssh (and no host is contacted here).
    for (const ref of HOSTILE.filter((v) => !/^[\w.,:/@%+=-]*$/.test(v))) {
      const error = await runCommand(command, { ref }).then(
        () => assert.fail(`${JSON.stringify(spec)} ran with ${JSON.stringify(ref)}`),
        (e: unknown) => e as CommandFailed,
      );
      assert.equal(error.reasonCode, 'template', error.message);
      assert.match(
        error.message,
        /^deploy: \{\{ref\}\} is in the command ssh runs through the remote host's shell, and its value holds ".+", which that shell would read/,
      );
    }
    assert.equal(sshValueProblem(command.argv, { ref: 'release-1.2.3+build_7' }), undefined);
  }
  // The destination itself is a host name given to ssh, not a word for the remote shell.
  assert.equal(sshValueProblem(['ssh', '{{slot}}', 'deploy'], { slot: 'a b' }), undefined);
});
