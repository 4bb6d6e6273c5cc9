// `npm run demo` stopped by SIGTERM (a CI runner's cancel, a timeout) rather than Ctrl-C: it used to handle
// SIGINT only, so a SIGTERM killed it and left its router and demo services running on the machine. Every
// process the demo starts inherits a tag in its environment; after the demo exits, none may be left. And
// Ctrl-C, which reaches the demo's whole process group: the deployment still rolls back through the router.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../helpers/cli.ts';
import { NODE } from '../helpers/processes.ts';

/** Pids of live processes whose environment carries `tag` (Linux /proc). */
function processesTagged(tag: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(join('/proc', entry, 'environ'), 'latin1');
      const stat = readFileSync(join('/proc', entry, 'stat'), 'latin1');
      // A zombie (state Z) has exited; its parent has not reaped it yet.
      if (environ.includes(tag) && !/\) Z /.test(stat)) found.push(Number(entry));
    } catch {
      // Gone since the listing, or not ours to read.
    }
  }
  return found;
}

/** The demo started with a tag every process it starts inherits; killed with what it left when the test ends. */
function startTaggedDemo(t: TestContext, options: { detached?: boolean } = {}) {
  const tag = `DEMO_CANCEL_TEST=${randomUUID()}`;
  const [name, value] = tag.split('=') as [string, string];
  const demo = execa(NODE, [join(repoRoot, 'examples/demo/run-demo.ts')], {
    cwd: repoRoot,
    env: { [name]: value },
    reject: false,
    all: true,
    buffer: true,
    // execa's own SIGKILL 5 s after a SIGTERM would cut the demo's cleanup short.
    forceKillAfterDelay: false,
    // detached: its own process group, as a terminal's foreground job (a signal to the group misses this test).
    ...(options.detached ? { detached: true } : {}),
  });
  let output = '';
  demo.all!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // The exit, not the end of the output: a process left running would hold the output pipe open.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    demo.on('exit', (code, signal) => resolve({ code, signal })),
  );
  t.after(() => {
    demo.kill('SIGKILL');
    for (const pid of processesTagged(tag)) process.kill(pid, 'SIGKILL');
  });
  /** Resolves once the output matches `pattern`; fails after `ms` saying what did not happen. */
  const reached = (pattern: RegExp, ms: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not ${what}:\n${output}`)), ms);
      demo.all!.on('data', () => {
        if (!pattern.test(output)) return;
        clearTimeout(timer);
        resolve();
      });
    });
  return { demo, tag, exited, reached, output: () => output };
}

test('the demo stopped by SIGTERM mid-deployment: it exits 143 and leaves no router, service or deploy running', async (t) => {
  const { demo, tag, exited, reached, output } = startTaggedDemo(t);
  // Wait until the first deployment is running: the router and both slots are up, the CLI runs its gates.
  await reached(/▶ validate/, 60_000, 'start deploying');
  assert.ok(processesTagged(tag).length >= 3, 'the demo runs its router and services under the tag');
  demo.kill('SIGTERM');
  const run = await exited;
  assert.equal(run.signal, null, `the demo handled SIGTERM instead of dying of it:\n${output()}`);
  assert.equal(run.code, 143, output());
  const left = processesTagged(tag).map((pid) => {
    try {
      return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ')}`;
    } catch {
      return `${pid}: (gone)`;
    }
  });
  assert.deepEqual(left, [], `processes left running after the demo exited:\n${output()}`);
  assert.doesNotMatch(output(), /Deploying v3-unhealthy/, 'no further deployment started after the signal');
  // Nor announced: the heading and command line of the next one read as if it were starting.
  assert.doesNotMatch(output(), /2\/3 Canary|-v v3-unhealthy/, output());
});

test('Ctrl-C on the demo mid-deployment: the CLI rolls back through the router before the router stops, and nothing is left', async (t) => {
  // Ctrl-C in a terminal sends SIGINT to the demo's whole process group. The router was in that group: it
  // stopped at once while the CLI, stopped by the same SIGINT, rolled back through it, so the switch back to
  // the stable slot could not reach it and the rollback ended INCOMPLETE.
  const { demo, tag, exited, reached, output } = startTaggedDemo(t, { detached: true });
  // Traffic has switched to the new slot: the rollback must switch it back, through the router.
  await reached(/· analysis \(post-switch\)/, 120_000, 'switch traffic');
  process.kill(-demo.pid!, 'SIGINT');
  const run = await exited;
  assert.equal(run.signal, null, `the demo handled SIGINT instead of dying of it:\n${output()}`);
  assert.equal(run.code, 130, output());
  assert.doesNotMatch(output(), /ROLLBACK INCOMPLETE|cannot reach the embedded router/, output());
  assert.match(output(), /rollback complete: traffic back on stable/, output());
  assert.doesNotMatch(output(), /2\/3 Canary|-v v3-unhealthy/, 'the next deployment is not announced');
  assert.deepEqual(processesTagged(tag), [], `processes left running after the demo exited:\n${output()}`);
});

test('Ctrl-C twice, the second while the demo cleans up: the cleanup still stops every service it started', async (t) => {
  // A second Ctrl-C reached the whole process group again, the cleanup's `ctl down` in it: it died half-way,
  // and the demo exited with a service still running on its port, its state directory (and so its record of
  // that service) deleted.
  const { demo, tag, exited, reached, output } = startTaggedDemo(t, { detached: true });
  await reached(/· analysis \(post-switch\)/, 120_000, 'switch traffic');
  process.kill(-demo.pid!, 'SIGINT');
  // The second Ctrl-C once the cleanup's `ctl down` runs (bounded: the demo's own cleanup is bounded too).
  const cleaning = () =>
    processesTagged(tag).some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('ctl.ts\0down');
      } catch {
        return false;
      }
    });
  for (let i = 0; i < 6000 && !cleaning(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(cleaning(), `the demo's cleanup never ran ctl down:\n${output()}`);
  process.kill(-demo.pid!, 'SIGINT');
  const run = await exited;
  assert.equal(run.code, 130, output());
  assert.deepEqual(processesTagged(tag), [], `processes left running after the demo exited:\n${output()}`);
});

test('Ctrl-C while the demo sets up (its ctl deploy of v1): it stops saying it was interrupted, never that it failed', async (t) => {
  // The SIGINT killed the demo's own `ctl deploy` too, and the demo said "demo failed: ctl deploy --slot blue
  // --version v1 failed:" with nothing after it, for a stop the user asked for.
  const { demo, tag, exited, reached, output } = startTaggedDemo(t, { detached: true });
  await reached(/Starting: a router/, 60_000, 'start its router');
  const settingUp = () =>
    processesTagged(tag).some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('ctl.ts\0deploy');
      } catch {
        return false;
      }
    });
  for (let i = 0; i < 6000 && !settingUp(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(settingUp(), `the demo never ran ctl deploy:\n${output()}`);
  process.kill(-demo.pid!, 'SIGINT');
  const run = await exited;
  assert.equal(run.code, 130, output());
  assert.doesNotMatch(output(), /demo failed/, output());
  assert.match(output(), /interrupted/, output());
  assert.deepEqual(processesTagged(tag), [], `processes left running after the demo exited:\n${output()}`);
});

test('Ctrl-C the moment the demo makes its state directory: the directory does not outlive it', async (t) => {
  // The directory was made before the demo looked for its ports, its signal handlers set up only after: a
  // Ctrl-C in between ended the demo with the directory left behind in the temporary directory.
  const temp = mkdtempSync(join(tmpdir(), 'demo-cancel-early-'));
  t.after(() => rmSync(temp, { recursive: true, force: true }));
  const demo = execa(NODE, [join(repoRoot, 'examples/demo/run-demo.ts')], {
    cwd: repoRoot,
    env: { TMPDIR: temp },
    reject: false,
    forceKillAfterDelay: false,
  });
  t.after(() => demo.kill('SIGKILL'));
  // The first entry the demo makes in its temporary directory is its state directory.
  const watcher = watch(temp, () => {
    watcher.close();
    demo.kill('SIGINT');
  });
  t.after(() => watcher.close());
  await demo;
  assert.deepEqual(readdirSync(temp), [], 'nothing the demo made is left in its temporary directory');
});

/** Every command line run under `tag` until `exited` resolves (polled: each of the demo's steps lives a while). */
async function commandsUntil(tag: string, exited: Promise<unknown>): Promise<string[]> {
  const seen = new Set<string>();
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    for (const pid of processesTagged(tag)) {
      try {
        seen.add(readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' '));
      } catch {
        // Gone since the listing.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return [...seen];
}

test('a SIGTERM to the demo alone while it sets up: it starts nothing more, and nothing is left', async (t) => {
  // The signal reaches the demo only (a CI runner's cancel, kill): its setup went on beside the cleanup, a
  // `ctl deploy` started after the cleanup's `ctl down` had looked for services to stop, and the service it
  // started (after the demo had exited, in a state directory made again) was left running.
  const { demo, tag, exited, reached, output } = startTaggedDemo(t);
  await reached(/Starting: a router/, 60_000, 'start its router');
  demo.kill('SIGTERM');
  const seen = await commandsUntil(tag, exited);
  const run = await exited;
  assert.equal(run.code, 143, output());
  const setup = seen.filter((command) => /ctl\.ts (deploy|switch)/.test(command));
  assert.deepEqual(setup, [], 'no setup step starts once the demo was told to stop');
  assert.deepEqual(processesTagged(tag), [], `processes left running after the demo exited:\n${output()}`);
});

test('a SIGINT to the demo alone as it ends: it exits once its own cleanup is done, and nothing is left', async (t) => {
  // The demo's own end had begun the cleanup; the signal's handler found it begun and exited at once, the
  // cleanup's `ctl down` and the router still running.
  const { demo, tag, exited, reached, output } = startTaggedDemo(t);
  await reached(/demo complete|did not go as expected/, 180_000, 'end');
  demo.kill('SIGINT');
  const run = await exited;
  assert.equal(run.code, 130, output());
  assert.deepEqual(processesTagged(tag), [], `processes left running after the demo exited:\n${output()}`);
});
