// scp's legacy protocol (the default before OpenSSH 9.0, and with -O) and rsync without --protect-args hand a
// remote path to the remote host's shell, which expands and splits it: `scp app.tgz host:/srv/{{version}}/`
// given a version holding $(…) ran it there. A value in an scp or rsync operand that names a remote path once
// rendered (host:path, host::module, scp://…) must be one plain word, as in the command ssh runs; a local path
// takes any value. rsync -M/--remote-option values always reach the remote side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { shellCommandLine } from '../../../src/targets/command-line.ts';
import { runCommand, type CommandFailed } from '../../../src/targets/run-command.ts';
import { remotePathProblem, renderShellScript } from '../../../src/targets/shell-script.ts';
import { assertScriptAccepted } from '../../helpers/command-checks.ts';
import { workdir } from '../../helpers/command-workdir.ts';

/**
 * An scp that copies as the legacy protocol does: the remote path (after "host:") reaches a shell on the
 * "remote" side (here, the same machine), which runs `scp -t PATH` with PATH unquoted.
 */
function fakeScp(dir: string): string {
  writeFileSync(
    join(dir, 'scp'),
    [
      '#!/bin/sh',
      'while :; do case "$1" in -[iPoFlJcS]) shift 2;; --) shift; break;; -*) shift;; *) break;; esac; done',
      'src=$1; dest=$2',
      'case "$dest" in *:*) exec /bin/sh -c "cp \\"$src\\" ${dest#*:}";; *) exec cp "$src" "$dest";; esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'scp'), 0o755);
  return dir;
}

const HOSTILE = ['$(touch PWNED)', '`touch PWNED`', 'a;touch PWNED', 'a b', '*', "x'y", '-rf'];

test('a value in an scp remote path must be one plain word: refused before scp starts, in argv and shell commands', async (t) => {
  const tools = workdir(t, 'remote-paths');
  const work = workdir(t, 'remote-paths');
  writeFileSync(join(work, 'app.tgz'), 'artifact');
  mkdirSync(join(work, 'srv'));
  const env = { PATH: `${fakeScp(tools)}:${process.env.PATH}` };
  const defaults = { shell: false, timeoutMs: 20_000, env, cwd: work };
  const specs = [
    ['scp', 'app.tgz', 'host:srv/{{version}}'],
    ['scp', '-O', '-P', '2222', 'app.tgz', 'deploy@host:srv/{{version}}'],
    ['scp', '--', 'app.tgz', 'host:srv/{{version}}'],
    ['sudo', '-u', 'app', 'scp', 'app.tgz', 'host:srv/{{version}}'],
    // The value itself making the operand remote (scp app.tgz {{version}}) is refused when the config loads: it
    // could as well name a local file scp writes (file-writes.test.ts).
  ];
  for (const spec of specs)
    for (const run of [spec, { run: shellCommandLine(spec), shell: true }]) {
      const command = resolveCommand(run, 'deploy', defaults);
      for (const bad of spec.at(-1) === '{{version}}'
        ? HOSTILE.filter((v) => v !== '-rf').map((v) => `host:srv/${v}`)
        : HOSTILE) {
        const error = await runCommand(command, { version: bad }).then(
          () => assert.fail(`${JSON.stringify(run)} ran with ${JSON.stringify(bad)}`),
          (e: unknown) => e as CommandFailed,
        );
        assert.equal(error.reasonCode, 'template', error.message);
        assert.match(
          error.message,
          /^deploy: \{\{version\}\} is in a remote path \(.+\), which scp may hand to the remote host's shell \(the legacy scp protocol, the default before OpenSSH 9\.0 and with -O\), and its value (holds ".+", which that shell would read|starts with "-")/,
          `${JSON.stringify(run)} with ${JSON.stringify(bad)}`,
        );
      }
    }
  assert.equal(existsSync(join(work, 'PWNED')), false, 'the remote shell ran a value');
  // A plain value is copied there; a local path takes one plain name after its fixed directory (a file scp
  // writes: file-writes.test.ts), whatever a shell would make of it.
  const ok = resolveCommand(['scp', 'app.tgz', 'host:srv/{{version}}'], 'deploy', defaults);
  await runCommand(ok, { version: 'v1.2.3+build_7' });
  assert.equal(readFileSync(join(work, 'srv', 'v1.2.3+build_7'), 'utf8'), 'artifact');
  const local = resolveCommand(['scp', 'app.tgz', 'srv/{{version}}'], 'deploy', defaults);
  await runCommand(local, { version: 'v2;c' }).then(
    () => assert.fail('scp wrote a file the value named'),
    (e: unknown) => assert.match(String(e), /is part of the name of the local file scp writes/),
  );
  await runCommand(local, { version: 'v2.0_c' });
  assert.equal(readFileSync(join(work, 'srv', 'v2.0_c'), 'utf8'), 'artifact');
});

test('rsync: a value in a remote path or in -M must be one plain word; local paths and options are not affected', () => {
  const refused: Array<[string, string, 'if-remote' | 'always']> = [
    ['rsync', 'host:{{version}}', 'if-remote'],
    ['rsync', 'deploy@host:/srv/{{version}}/', 'if-remote'],
    ['rsync', 'host::releases/{{version}}', 'if-remote'],
    ['rsync', 'rsync://host/releases/{{version}}', 'if-remote'],
    ['rsync', '--log-file=/tmp/{{version}}', 'always'],
  ];
  for (const [program, operand, mode] of refused) {
    const problem = remotePathProblem(program, operand, mode, { version: 'x;touch PWNED' });
    assert.match(problem ?? '', /^\{\{version\}\} is in (a remote path|what rsync -M sends)/, operand);
    assert.match(problem ?? '', /holds ";", which that shell would read/, operand);
    assert.equal(remotePathProblem(program, operand, mode, { version: 'v1.2' }), undefined, operand);
  }
  assert.equal(remotePathProblem('rsync', 'dist/{{version}}/', 'if-remote', { version: 'a b;c' }), undefined);
});

test('rsync commands: the operands and -M values are found past its options', async (t) => {
  const work = workdir(t, 'remote-paths');
  const defaults = { shell: false, timeoutMs: 20_000, env: {}, cwd: work };
  const specs = [
    ['rsync', '-az', '--delete', 'dist/', 'host:/srv/{{version}}/'],
    ['rsync', '-a', '-f', '- *.map', 'dist/', 'host:/srv/{{version}}/'],
    ['rsync', '-a', '--', 'dist/', 'host:/srv/{{version}}/'],
    ['rsync', '-a', '-M', '--log-file=/tmp/{{version}}', 'dist/', 'host:/srv/'],
    ['rsync', '-a', '--remote-option=--log-file=/tmp/{{version}}', 'dist/', 'host:/srv/'],
  ];
  for (const spec of specs)
    for (const run of [spec, { run: shellCommandLine(spec), shell: true }]) {
      const error = await runCommand(resolveCommand(run, 'deploy', defaults), {
        version: '$(touch PWNED)',
      }).then(
        () => assert.fail(`${JSON.stringify(run)} ran`),
        (e: unknown) => e as CommandFailed,
      );
      assert.equal(error.reasonCode, 'template', error.message);
      assert.match(error.message, /rsync/, JSON.stringify(run));
    }
  assert.equal(existsSync(join(work, 'PWNED')), false);
});

// A template reaching an scp or rsync operand through a variable (V={{x}}; scp -O f "host:$V"): the operand is
// checked whole only where the template is written in it, so through a variable its value must be one plain
// word once rendered, as on ssh's remote line; before, it was not checked at all, and `a;id` ran on the host.
test('a template reaching a remote path through a variable must be one plain word once rendered', () => {
  for (const script of [
    'V={{version}}; scp -O app.tgz "deploy@host:$V"',
    'V={{version}}; rsync -a dist/ "deploy@host:$V"',
    'V=rel-{{version}}; scp -O app.tgz "host:/srv/$V"',
  ]) {
    assertScriptAccepted(script);
    assert.throws(
      () => renderShellScript(script, { version: 'a;id' }),
      /the remote host.s shell, and its value holds ";"/,
      `${script} given a;id`,
    );
    assert.doesNotThrow(() => renderShellScript(script, { version: '1.2.3' }), script);
  }
});
