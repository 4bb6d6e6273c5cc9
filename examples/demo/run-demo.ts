// `npm run demo`: a complete deployment on this machine with nothing to set up. A weighted router
// (examples/demo/router.ts) fronts two slots of the demo service; v1 is live on blue and a client sends
// 200 requests/s through the router the whole time. Then the real CLI (dist/cli/index.js) deploys, exactly as
// a user would run it:
//   1. blue-green  v1 → v2            (v2 is checked on the idle slot, traffic switches, v2 is watched)
//   2. canary      v2 → v3-unhealthy  (its /health starts failing: the analysis rolls it back)
//   3. canary      v2 → v4-flaky      (every 33rd request answers 500, /health stays green: the built-in
//                                      HTTP prober's counts and the sequential error test roll it back)
// Everything runs on 127.0.0.1 and is stopped at the end, also on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseDocument, stringify } from 'yaml';
import { describeLoad, startLoad } from '../../test/helpers/load.ts';
import { freePorts } from '../../test/helpers/ports.ts';
import { colorWanted } from '../../src/report/terminal.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = join(root, 'examples/demo');
const node = process.execPath;
const rps = 200;

// Bold headings only on a terminal (the CLI's own rule: NO_COLOR, TERM=dumb): a log file got the escapes as text.
const bold = colorWanted(process.stdout.isTTY === true, process.env);
const say = (text: string) => process.stdout.write(bold ? `\n\x1b[1m${text}\x1b[0m\n` : `\n${text}\n`);

let router: ChildProcess | undefined;
/** The deploy CLI while one runs: a signal is passed on to it so that it rolls back before the cleanup. */
let deploying: ChildProcess | undefined;
/** The demo's own ctl command while one runs: the cleanup waits for it, so what it starts is stopped too. */
let controlling: Promise<unknown> | undefined;
/** What the demo made that the cleanup undoes: nothing until its ports are found and its directory made. */
let made: { stateDir: string; env: NodeJS.ProcessEnv } | undefined = undefined;
let cleaning: Promise<void> | undefined;
/**
 * One cleanup, which every caller waits for: the signal's handler exited the process at once when the demo's
 * own end had begun it (a signal during the last cleanup, or a step the signal cut short ending the demo's
 * flow first), `ctl down` and the router still running.
 */
function cleanup(): Promise<void> {
  cleaning ??= stopEverything();
  return cleaning;
}
async function stopEverything(): Promise<void> {
  if (!made) return;
  const { stateDir, env } = made;
  // In a process group of its own, as the router: a second Ctrl-C (the terminal's whole group again) killed it
  // half-way, and the demo exited with a service it had not stopped yet still running.
  await execa(node, [join(here, 'ctl.ts'), 'down'], { env, reject: false, timeout: 30_000, detached: true });
  // Waited for, so that nothing the demo started outlives it.
  const r = router;
  if (r && r.exitCode === null && r.signalCode === null)
    await new Promise<void>((resolve) => {
      r.once('exit', () => resolve());
      r.kill('SIGTERM');
      setTimeout(() => {
        r.kill('SIGKILL');
        resolve();
      }, 5_000).unref();
    });
  rmSync(stateDir, { recursive: true, force: true });
}
// Ctrl-C reaches the whole process group, but a SIGTERM (a timeout, a CI runner's cancel) reaches this
// process only: without a handler for it, the router and the services were left running. `process.on`, not
// `once`: a second signal while cleaning up must not kill the demo half-way (execa re-raises signals nobody
// listens to).
let stopping = false;
/** Where the demo's steps wait once a signal came: the signal's handler exits the process. */
const parked = new Promise<never>(() => {});
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: the demo is interrupted; stopping what it started`);
    const child = deploying;
    const stopped =
      child && child.exitCode === null && child.signalCode === null
        ? new Promise<void>((resolve) => {
            child.once('close', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, 20_000).unref();
          })
        : Promise.resolve();
    // A ctl command under way (its own timeout bounds it): waited for, as the services it starts are only
    // then recorded for the cleanup's `ctl down` to stop.
    const settled = Promise.all([stopped, controlling?.catch(() => undefined)]);
    void settled.then(cleanup).finally(() => process.exit(code));
  });
}

const [blue, green, routerPort, adminPort] = (await freePorts(4)) as [number, number, number, number];
// After the signal handlers above: the directory was made first, and a Ctrl-C before the handlers were set
// up ended the demo with the directory left in the temporary directory.
const stateDir = mkdtempSync(join(tmpdir(), 'deploy-action-demo-'));
const env = {
  ...process.env,
  DEMO_STATE_DIR: stateDir,
  DEMO_PORTS: `blue=${blue},green=${green}`,
  DEMO_ROUTER: 'embedded',
  DEMO_ROUTER_ADMIN: `127.0.0.1:${adminPort}`,
  // The config's commands say `node`: make it this Node 24.
  PATH: `${dirname(node)}:${process.env.PATH ?? ''}`,
};
made = { stateDir, env };

async function ctl(...args: string[]): Promise<string> {
  // Stopping on a signal: no further step of the setup starts (it went on beside the cleanup, and a service
  // started after the cleanup's `ctl down` had looked was left running).
  if (stopping) return parked;
  const running = execa(node, [join(here, 'ctl.ts'), ...args], { env, reject: false, timeout: 30_000 });
  controlling = running;
  const result = await running;
  if (result.exitCode !== 0) throw new Error(`ctl ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** Runs the built CLI; its output goes to the terminal as it comes and is also returned. */
function deploy(
  version: string,
  config: string,
  ...extra: string[]
): Promise<{ code: number; output: string }> {
  // Stopping on a signal: the process exits once the cleanup is done; no further deployment starts.
  if (stopping) return parked;
  const args = [join(root, 'dist/cli/index.js'), 'run', '-e', 'production', '-v', version, '-c', config];
  args.push('--state-dir', join(stateDir, 'deploy-state'), ...extra);
  console.log(
    `$ deploy-action ${args.slice(1).join(' ').replaceAll(root, '').replaceAll(stateDir, '$DEMO_STATE_DIR')}\n`,
  );
  return new Promise((resolve) => {
    const child = spawn(node, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    deploying = child;
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    // A deployment the signal cancelled: the demo goes no further (nothing more is said or started).
    child.on('close', (code) =>
      (stopping ? parked : Promise.resolve()).then(() => resolve({ code: code ?? 1, output })),
    );
  });
}

/**
 * deploy.yml plus an `analysis:` for production that probes both slots with the built-in HTTP prober (the
 * demo has no Prometheus) and a canary with 6 s steps, so the sequential error test has 12 half-second
 * intervals of 100 probes per version to decide in. The probe URLs need this run's ports, which a static
 * file cannot know: that is the only reason this part is written here and not in deploy.yml.
 */
function analysisConfig(canaryPort: number, stablePort: number): { file: string; analysis: string } {
  const strategy = { type: 'canary', steps: [10, 50, 100], pause: '6s' };
  const analysis = {
    providers: {
      probe: {
        type: 'http',
        url: `http://127.0.0.1:${canaryPort}/`,
        stable_url: `http://127.0.0.1:${stablePort}/`,
        rate: 200,
      },
    },
    // The prober's counts. With errors and requests defined, the seeds preset adds its sequential
    // canary-vs-stable error test (seeds.errors-vs-stable: alpha 1 %, valid however often it looks).
    metrics: { errors: { provider: 'probe' }, requests: { provider: 'probe' } },
  };
  const doc = parseDocument(readFileSync(join(here, 'deploy.yml'), 'utf8'));
  doc.setIn(['environments', 'production', 'strategy'], strategy);
  doc.setIn(['environments', 'production', 'analysis'], analysis);
  const file = join(stateDir, 'deploy-analysis.yml');
  writeFileSync(file, doc.toString());
  return { file, analysis: stringify({ strategy, analysis }) };
}

let ok = true;
try {
  say(
    `Starting: a router on 127.0.0.1:${routerPort}, v1 on the blue slot, ${rps} requests/s through the router`,
  );
  router = spawn(
    node,
    [join(here, 'router.ts'), '--port', String(routerPort), '--admin-port', String(adminPort)]
      .concat(['--backend', `blue=127.0.0.1:${blue}`, '--weight', 'blue=100'])
      .concat(['--backend', `green=127.0.0.1:${green}`, '--weight', 'green=0']),
    // A process group of its own: Ctrl-C reaches the terminal's whole group, and the router stopped by it at
    // once while the CLI, stopped by it too, rolled back through it: the rollback could not reach the router
    // and ended INCOMPLETE. The cleanup stops it, once the CLI is done.
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  );
  await new Promise<void>((resolve, reject) => {
    router!.stdout!.on('data', (chunk: Buffer) =>
      chunk.toString().includes('listening on') ? resolve() : undefined,
    );
    router!.once('exit', () => reject(new Error('the router did not start')));
  });
  await ctl('deploy', '--slot', 'blue', '--version', 'v1');
  await ctl('switch', '--slot', 'blue');
  const load = await startLoad({ url: `http://127.0.0.1:${routerPort}/`, rps, maxDurationMs: 180_000 });

  say('1/3 Blue-green deployment of v2');
  const first = await deploy('v2', join(here, 'deploy.yml'));
  const afterFirst = load.snapshot();
  console.log(
    `load so far: ${afterFirst.sent} requests, ${afterFirst.failed} failed, by version ${JSON.stringify(afterFirst.byVersion)}`,
  );

  say('2/3 Canary of v3-unhealthy (its health check starts failing a second after it takes traffic)');
  const second = await deploy('v3-unhealthy', join(here, 'deploy.yml'), '--strategy', 'canary');
  const failedBeforeThird = load.snapshot().failed;

  const stable = JSON.parse(await ctl('current')) as { slot: string; version: string };
  const canarySlot = stable.slot === 'blue' ? 'green' : 'blue';
  const config = analysisConfig(canarySlot === 'blue' ? blue : green, stable.slot === 'blue' ? blue : green);
  say(
    '3/3 Canary of v4-flaky (every 33rd request answers 500, 3 %; its health check stays green). ' +
      'The production environment now has this analysis:',
  );
  console.log(config.analysis);
  const third = await deploy('v4-flaky', config.file);
  await new Promise((r) => setTimeout(r, 1000));
  const report = await load.stop();
  const live = JSON.parse(await ctl('current')) as { slot: string; version: string };

  // The evidence the CLI printed for the rollback (sequential-errors-worse, with counts and the statistic against its boundary).
  const evidence = third.output
    .split('\n')
    .find((line) => line.includes('✗') && line.includes('[sequential-errors-worse]'))
    ?.replace(/^.*?\[sequential-errors-worse\]/, '[sequential-errors-worse]')
    .replace(/ \([\d.]+m?s\)$/, '');
  // Exit 1 alone could be any failure: the health-check rollback must also say so.
  const healthRollback = second.code === 1 && second.output.includes('health check failed');
  const flakyFailures = report.failures.filter((f) => f.version === 'v4-flaky').length;
  const otherFailures = report.failed - flakyFailures;

  say('What happened');
  console.log(
    `  blue-green v1 → v2:           ${first.code === 0 ? 'deployed' : `exit ${first.code} (unexpected)`}`,
  );
  console.log(
    `  canary v2 → v3-unhealthy:     ${healthRollback ? 'rolled back automatically (health check)' : `exit ${second.code} (unexpected)`}`,
  );
  console.log(
    `  canary v2 → v4-flaky:         ${third.code === 1 && evidence ? 'rolled back automatically (sequential error test)' : `exit ${third.code}${evidence ? '' : ', no sequential-errors-worse evidence printed'} (unexpected)`}`,
  );
  if (evidence) console.log(`    evidence: ${evidence}`);
  console.log(`  live now:                     ${live.version} on ${live.slot}`);
  console.log(`  load through the router:      ${describeLoad(report)}`);
  console.log(
    `  failed requests:              ${otherFailures} from v1, v2 and v3-unhealthy; ${flakyFailures} answered 500 by v4-flaky during its canary (its injected errors, expected)`,
  );
  ok =
    first.code === 0 &&
    healthRollback &&
    third.code === 1 &&
    evidence !== undefined &&
    live.version === 'v2' &&
    failedBeforeThird === 0 &&
    otherFailures === 0;
  console.log(
    ok
      ? '\n✔ demo complete: zero failed requests through the blue-green deployment and the health-check rollback; ' +
          (flakyFailures === 0
            ? "none of v4-flaky's 500s happened to reach the clients before the statistical test rolled it back\n"
            : `the ${flakyFailures === 1 ? "one failed request is one of v4-flaky's own 500s" : `${flakyFailures} failed requests are v4-flaky's own 500s`}, served to its canary share until the statistical test rolled it back\n`)
      : '\n✖ the demo did not go as expected\n',
  );
} catch (error) {
  ok = false;
  // A step the signal cut short (it reached the demo's ctl too) is the interruption, said above, not a failure.
  if (!stopping) console.error(`demo failed: ${(error as Error).message}`);
} finally {
  await cleanup();
}
process.exitCode = ok ? 0 : 1;
