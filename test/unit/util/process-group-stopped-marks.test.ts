// The exit hook kills what still carries the marker of a stopped command (a process started in the instant
// of its last SIGKILL): it reads every process started since each such command, with the runner's 2.5 s
// before its SIGKILL. Hours of monitoring stop a metrics command at every interval, so the marks it looks
// for must not pile up: one no process carries any more is dropped, one a process still carries is kept and
// that process is killed at the exit; a stop that could not read the process table drops none. Run in a child
// process, whose exit hook is the one observed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pidsFile, pidsIn, untilEnded } from '../../helpers/process-tree.ts';

const posix = process.platform !== 'win32';

/**
 * In a child process: a command stopped at its timeout, a stray process carrying its marker that nothing links
 * to it (its parent exited at once: one started in the instant of the SIGKILL), then `afterwards` (more stops).
 * Returns how many stopped marks the child kept, and whether its exit hook left the stray running.
 */
async function strayAfterStops(
  t: { after(fn: () => unknown): void },
  prefix: string,
  afterwards: string,
): Promise<{ kept: number; left: number[] }> {
  const strayFile = pidsFile(t, prefix);
  const markerFile = join(strayFile, '..', 'marker');
  const groups = pathToFileURL(join(process.cwd(), 'src/util/process-group.ts')).href;
  const script = `
    import { execa } from 'execa';
    import { spawn } from 'node:child_process';
    import fs, { readFileSync, writeFileSync } from 'node:fs';
    import { syncBuiltinESMExports } from 'node:module';
    import { OWN_GROUP, watchGroup, stoppedMarksKept } from ${JSON.stringify(groups)};
    const stopped = async (line) => {
      const subprocess = execa('/bin/sh', ['-c', line], { ...OWN_GROUP, reject: false });
      const group = watchGroup(subprocess, { timeoutMs: 300 });
      await subprocess;
      group.release();
      if (group.stopped !== 'timeout') throw new Error('the command was not stopped: ' + group.stopped);
    };
    await stopped('echo "$DEPLOY_ACTION_RUN" > ${markerFile}; exec sleep 30');
    const marker = readFileSync(${JSON.stringify(markerFile)}, 'utf8').trim();
    const forker = spawn('/bin/sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], {
      env: { ...process.env, DEPLOY_ACTION_RUN: marker },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const stray = await new Promise((resolve) => forker.stdout.once('data', (d) => resolve(String(d).trim())));
    writeFileSync(${JSON.stringify(strayFile)}, stray);
    await new Promise((resolve) => forker.once('exit', resolve));
    ${afterwards}
    process.stdout.write(JSON.stringify({ kept: stoppedMarksKept() }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
  });
  const { kept } = JSON.parse(out) as { kept: number };
  const [stray] = pidsIn(strayFile);
  assert.ok(stray, 'the stray was started');
  return { kept, left: await untilEnded([stray]) };
}

test(
  'the marks of stopped commands whose processes are gone are dropped; one still carried is kept and its process killed at the exit',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const { kept, left } = await strayAfterStops(
      t,
      'stopped-marks-',
      "for (let i = 0; i < 3; i++) await stopped('exec sleep 30');",
    );
    // The first (a process still carries it) and the last (kept until the next stop); the two between are gone.
    assert.equal(kept, 2, 'stopped marks kept after four stops');
    assert.deepEqual(left, [], 'the exit hook left the stray running');
  },
);

test(
  'a stop whose read of the process table fails drops no earlier mark: the process still carrying one is killed at the exit',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    // /proc cannot be listed during the next stop (too many open files, say), and can again afterwards.
    const { kept, left } = await strayAfterStops(
      t,
      'stopped-marks-scan-',
      `const readdirSync = fs.readdirSync;
      fs.readdirSync = (path, ...rest) => {
        if (path === '/proc') throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
        return readdirSync(path, ...rest);
      };
      syncBuiltinESMExports();
      await stopped('exec sleep 30');
      fs.readdirSync = readdirSync;
      syncBuiltinESMExports();`,
    );
    assert.equal(kept, 2, 'stopped marks kept after a stop that could not read the process table');
    assert.deepEqual(left, [], 'the exit hook left the stray running');
  },
);
