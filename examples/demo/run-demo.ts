// `npm run demo`: a complete deployment on this machine with nothing to set up. A weighted router
// (examples/demo/router.ts) fronts two slots of the demo service; v1 is live on blue and a client sends
// 200 requests/s through the router the whole time. Then the real CLI (dist/cli/index.js) deploys, exactly as
// a user would run it:
//   1. blue-green  v1 → v2            (v2 is checked on the idle slot, traffic switches, v2 is watched)
//   2. canary      v2 → v3-unhealthy  (its /health starts failing: the analysis rolls it back)
// Everything runs on 127.0.0.1 and is stopped at the end, also on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describeLoad, startLoad } from '../../test/helpers/load.ts';
import { freePorts } from '../../test/helpers/ports.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = join(root, 'examples/demo');
const node = process.execPath;
const rps = 200;

const say = (text: string) => process.stdout.write(`\n\x1b[1m${text}\x1b[0m\n`);

const stateDir = mkdtempSync(join(tmpdir(), 'deploy-action-demo-'));
const [blue, green, routerPort, adminPort] = await freePorts(4);
const env = {
  ...process.env,
  DEMO_STATE_DIR: stateDir,
  DEMO_PORTS: `blue=${blue},green=${green}`,
  DEMO_ROUTER: 'embedded',
  DEMO_ROUTER_ADMIN: `127.0.0.1:${adminPort}`,
  // The config's commands say `node`: make it this Node 24.
  PATH: `${dirname(node)}:${process.env.PATH ?? ''}`,
};

let router: ChildProcess | undefined;
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await execa(node, [join(here, 'ctl.ts'), 'down'], { env, reject: false, timeout: 30_000 });
  router?.kill('SIGTERM');
  rmSync(stateDir, { recursive: true, force: true });
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

async function ctl(...args: string[]): Promise<string> {
  const result = await execa(node, [join(here, 'ctl.ts'), ...args], { env, reject: false, timeout: 30_000 });
  if (result.exitCode !== 0) throw new Error(`ctl ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

function deploy(version: string, ...extra: string[]): Promise<number> {
  const args = [
    join(root, 'dist/cli/index.js'),
    'run',
    '-e',
    'production',
    '-v',
    version,
    '-c',
    join(here, 'deploy.yml'),
  ];
  args.push('--state-dir', join(stateDir, 'deploy-state'), ...extra);
  console.log(`$ deploy-action ${args.slice(1).join(' ').replaceAll(root, '')}\n`);
  return new Promise((resolve) => {
    const child = spawn(node, args, { cwd: root, env, stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
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
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    router!.stdout!.on('data', (chunk: Buffer) =>
      chunk.toString().includes('listening on') ? resolve() : undefined,
    );
    router!.once('exit', () => reject(new Error('the router did not start')));
  });
  await ctl('deploy', '--slot', 'blue', '--version', 'v1');
  await ctl('switch', '--slot', 'blue');
  const load = startLoad({ url: `http://127.0.0.1:${routerPort}/`, rps, maxDurationMs: 180_000 });

  say('1/2 Blue-green deployment of v2');
  const first = await deploy('v2');
  const afterFirst = load.snapshot();
  console.log(
    `load so far: ${afterFirst.sent} requests, ${afterFirst.failed} failed, by version ${JSON.stringify(afterFirst.byVersion)}`,
  );

  say('2/2 Canary of v3-unhealthy (its health check starts failing a second after it takes traffic)');
  const second = await deploy('v3-unhealthy', '--strategy', 'canary');
  await new Promise((r) => setTimeout(r, 1000));
  const report = await load.stop();
  const live = JSON.parse(await ctl('current')) as { slot: string; version: string };

  say('What happened');
  console.log(`  blue-green v1 → v2:           ${first === 0 ? 'deployed' : `exit ${first} (unexpected)`}`);
  console.log(
    `  canary v2 → v3-unhealthy:     ${second === 1 ? 'rolled back automatically' : `exit ${second} (unexpected)`}`,
  );
  console.log(`  live now:                     ${live.version} on ${live.slot}`);
  console.log(`  load through the router:      ${describeLoad(report)}`);
  ok = first === 0 && second === 1 && live.version === 'v2' && report.failed === 0;
  console.log(
    ok
      ? '\n✔ demo complete: zero failed requests through both deployments and the rollback\n'
      : '\n✖ the demo did not go as expected\n',
  );
} catch (error) {
  ok = false;
  console.error(`demo failed: ${(error as Error).message}`);
} finally {
  await cleanup();
}
process.exitCode = ok ? 0 : 1;
