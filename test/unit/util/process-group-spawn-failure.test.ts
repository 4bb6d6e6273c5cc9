// A command that cannot start (ENOENT, EACCES, a missing cwd) never gets a pid and never exits: watching it
// must leave no process group tracked, and neither a later cancel nor this process's exit may signal a
// group for it (a stale pid could by then be someone else's). Run in a child process, whose exit hook and
// process.kill are the ones observed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const posix = process.platform !== 'win32';

test(
  'a spawn that fails leaves no group tracked: neither a cancel nor the exit signals anything',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'spawn-fail-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const notExecutable = join(dir, 'not-executable');
    writeFileSync(notExecutable, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const groups = pathToFileURL(join(process.cwd(), 'src/util/process-group.ts')).href;
    const script = `
      import { execa } from 'execa';
      import { OWN_GROUP, watchGroup } from ${JSON.stringify(groups)};
      const kills = [];
      const kill = process.kill.bind(process);
      process.kill = (pid, signal) => { kills.push([pid, signal]); return kill(pid, signal); };
      const cancel = new AbortController();
      const results = [];
      for (const [file, cwd] of [
        [${JSON.stringify(join(dir, 'missing'))}, undefined],
        [${JSON.stringify(notExecutable)}, undefined],
        ['/bin/sh', ${JSON.stringify(join(dir, 'no-such-dir'))}],
      ]) {
        const subprocess = execa(file, [], { ...OWN_GROUP, reject: false, cwd });
        const group = watchGroup(subprocess, { signal: cancel.signal, timeoutMs: 1 });
        const result = await subprocess;
        group.release();
        results.push([result.code, subprocess.pid ?? null]);
      }
      cancel.abort();
      process.on('exit', () => process.stdout.write(JSON.stringify({ results, kills })));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    const { results, kills } = JSON.parse(out) as { results: unknown[]; kills: unknown[] };
    assert.deepEqual(results, [
      ['ENOENT', null],
      ['EACCES', null],
      ['ENOENT', null],
    ]);
    assert.deepEqual(kills, [], 'a process group was signalled for a command that never started');
  },
);
