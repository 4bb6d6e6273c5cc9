// A schedule file that is not a regular file (a named pipe, a directory) is refused naming its path and what
// it is, as a record there is (state/file-store.ts): a named pipe's read waited for a writer for ever, on the
// main thread, so `reconcile` and `run --at` hung without a word and never exited. Read in a child process,
// bounded, so a read that hangs is a failed test rather than a hung one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileSchedule } from '../../../src/schedule/file-schedule.ts';
import { workdir } from '../../helpers/command-workdir.ts';

const SOURCE = new URL('../../../src/schedule/file-schedule.ts', import.meta.url).href;

/** What FileSchedule.read('production') says in a process of its own: the refusal, or `hung`. */
function readInChild(state: string): string {
  const script = `
    const { FileSchedule } = await import(${JSON.stringify(SOURCE)});
    try {
      console.log(JSON.stringify(new FileSchedule(${JSON.stringify(state)}).read('production')));
    } catch (error) {
      console.log(\`\${error.name} \${error.code ?? ''}: \${error.message}\`);
    }`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });
  return child.signal ? 'hung' : `${child.stdout}${child.stderr}`.trim();
}

test(
  'a named pipe or a directory where the schedule file is: refused naming it, not waited on',
  { skip: process.platform === 'win32' ? 'no named pipes' : false },
  (t) => {
    const state = join(workdir(t, 'not-regular-schedule'), 'state');
    const path = new FileSchedule(state).pathFor('production');
    mkdirSync(join(state, 'schedules'), { recursive: true, mode: 0o755 });
    execFileSync('mkfifo', ['-m', '644', path]);
    assert.match(
      readInChild(state),
      /^Error schedule_unreadable: .*schedules\/production\.json cannot be read \(a named pipe, not a regular file\); move it away/,
    );
    execFileSync('rm', [path]);
    mkdirSync(path, { mode: 0o755 });
    assert.match(
      readInChild(state),
      /^Error schedule_unreadable: .*schedules\/production\.json cannot be read \(a directory, not a regular file\); move it away/,
    );
  },
);
