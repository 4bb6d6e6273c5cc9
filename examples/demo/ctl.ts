// The demo's "infrastructure CLI": what deploy.yml commands call to start services, move traffic and roll
// instances, against the embedded router, haproxy or nginx. Configuration comes from DEMO_* environment variables
// (see lib/ctl-env.ts and README.md). Every failure exits non-zero with one clear message on stderr.
import { Command, Option } from 'commander';
import { ENV_HELP, portOf, readCtlEnv, type CtlEnv } from './lib/ctl-env.ts';
import {
  applyOrder,
  liveSlot,
  probeVerdict,
  raisedServers,
  removalCheck,
  splitCheck,
  switchPlan,
  weightPlan,
  type Weights,
} from './lib/plans.ts';
import { parseName, parseNameList } from './lib/specs.ts';
import { checkHealth, isAlive, listRecords, readRecord, startService, stopService } from './lib/services.ts';
import { servingOf, trafficControl, waitForServer, weightsOf, type TrafficControl } from './lib/traffic.ts';

const DRAIN_BOUND_MS = 10_000;

class UsageError extends Error {}

function env(): CtlEnv {
  return readCtlEnv(process.env);
}

/** `--slot S` or `--instances a,b` (exactly one). */
function targets(opts: { slot?: string; instances?: string }): string[] {
  if (opts.slot !== undefined && opts.instances !== undefined)
    throw new UsageError('give --slot or --instances, not both');
  if (opts.slot !== undefined) return [parseName(opts.slot, '--slot')];
  if (opts.instances !== undefined) return parseNameList(opts.instances, '--instances');
  throw new UsageError('one of --slot <name> or --instances <a,b,...> is required');
}

function log(message: string): void {
  console.error(`ctl: ${message}`);
}

/**
 * Refuses to give `name` more traffic when nothing answers on its port. A server that takes no traffic yet is
 * asked once (deploy puts it there healthy first), and so is a canary that already has a share (one that died
 * or hangs at 50 % would take everything). The stable slot of `weight --stable`, which a canary's rollback
 * gives everything back to, is the one the rollback needs: a refusal leaves the canary its share and fails
 * the rollback. So there only a closed port refuses, and only once it stays closed for the start timeout (a
 * process restarting as it is asked); an answer slower than the probe's bound is a slow server, which already
 * takes traffic, and the change goes on with a warning.
 */
async function answersOrRefuse(
  config: CtlEnv,
  name: string,
  port: number,
  now: number,
  to: number,
  stable: boolean,
): Promise<void> {
  const deadline = Date.now() + config.startTimeoutMs;
  for (;;) {
    const health = await checkHealth(port);
    if (health.error === undefined) return;
    const verdict = probeVerdict(stable ? now : 0, health.error, Date.now() >= deadline);
    if (verdict === 'slow')
      return log(
        `warning: ${name} did not answer on its port ${port} within the probe's bound (${health.error}); it takes traffic already (weight ${now}), so it is taken as slow, not down: going on`,
      );
    if (verdict === 'refuse')
      throw new UsageError(
        `refusing to send traffic to ${name}: nothing answers on its port ${port} (${health.error}); ` +
          (now > 0
            ? `it has weight ${now} now and was to get ${to}: nothing was changed; deploy it again or move its traffic elsewhere`
            : 'deploy it first'),
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function applyWeights(
  traffic: TrafficControl,
  config: CtlEnv,
  target: Weights,
  stable?: string,
): Promise<Weights> {
  const servers = await traffic.servers();
  const current = weightsOf(servers);
  const split = splitCheck(await traffic.balance?.(), target);
  if (!split.ok) throw new UsageError(`refusing to split traffic: ${split.reason}; nothing was changed`);
  if (split.warning) log(`warning: ${split.warning}`);
  // Never hand more traffic to a server the router cannot reach (haproxy checks say DOWN; for nginx, which
  // checks nothing, ctl's own probe of the port): one that has a share already included, as a canary that
  // died at 50 % and would take everything from a switch.
  for (const name of raisedServers(current, target)) {
    // Out of rotation (a roll stopped part-way leaves one there): its weight would route nothing, and with
    // nginx a switch to it left no server routed at all; the router never puts it back by itself.
    if (servers[name]?.enabled === false)
      throw new UsageError(
        `refusing to send traffic to ${name}: it is out of rotation (${servers[name].status}); ctl roll puts it back: nothing was changed`,
      );
    const port = config.ports.get(name);
    if (port !== undefined)
      await answersOrRefuse(config, name, port, current[name] ?? 0, target[name]!, name === stable);
    if (!servers[name]?.up) await waitForServer(traffic, name, 'up', (s) => s.up, config.startTimeoutMs);
  }
  for (const [name, weight] of applyOrder(current, target)) await traffic.setWeight(name, weight);
  return weightsOf(await traffic.servers());
}

async function deploySlot(
  config: CtlEnv,
  traffic: TrafficControl,
  name: string,
  version: string,
): Promise<void> {
  const port = portOf(config, name);
  // The router first: one that cannot be reached fails the deploy before anything is stopped or started (the
  // slot's old process keeps running), instead of after a new process was left running with nobody to route
  // to it or take it down again.
  await traffic.servers();
  const record = await startService(config.stateDir, name, port, version, config.startTimeoutMs);
  log(`${name} runs ${version} (pid ${record.pid}, port ${record.port})`);
  const known = (await traffic.servers())[name];
  if (known?.enabled) await waitForServer(traffic, name, 'up', (s) => s.up, config.startTimeoutMs);
}

/** Take each instance out of the router, drain, restart with `version`, wait healthy, put back. */
async function roll(
  config: CtlEnv,
  traffic: TrafficControl,
  names: string[],
  version: string,
): Promise<void> {
  for (const name of names) portOf(config, name); // fail before touching anything
  for (const name of names) {
    const servers = await traffic.servers();
    const inRouter = name in servers;
    if (inRouter) {
      const check = removalCheck(servingOf(servers), [name]);
      if (!check.ok) log(`warning: taking ${name} out leaves no server taking traffic: ${check.reason}`);
      await traffic.setEnabled(name, false);
      await waitForServer(traffic, name, 'drained', (s) => s.inFlight === 0, DRAIN_BOUND_MS).catch(
        (e: Error) => log(`warning: ${e.message}; restarting anyway`),
      );
    } else {
      log(`warning: the router has no server "${name}"; restarting it without draining`);
    }
    const record = await startService(
      config.stateDir,
      name,
      portOf(config, name),
      version,
      config.startTimeoutMs,
    );
    if (inRouter) {
      await traffic.setEnabled(name, true);
      await waitForServer(traffic, name, 'up', (s) => s.up, config.startTimeoutMs);
    }
    log(`${name} rolled to ${version} (pid ${record.pid})`);
  }
}

async function teardown(config: CtlEnv, traffic: TrafficControl, names: string[]): Promise<void> {
  const servers = await traffic.servers();
  const check = removalCheck(servingOf(servers), names);
  if (!check.ok) throw new UsageError(`refusing to tear down: ${check.reason}`);
  for (const name of names) {
    const view = servers[name];
    if (view && view.weight > 0) {
      await traffic.setWeight(name, 0);
      log(`${name}: weight ${view.weight} -> 0`);
    }
    if (view) {
      await waitForServer(traffic, name, 'drained', (s) => s.inFlight === 0, DRAIN_BOUND_MS).catch(
        (e: Error) => log(`warning: ${e.message}; stopping anyway`),
      );
    }
    const stopped = await stopService(config.stateDir, name);
    log(stopped ? `${name} stopped` : `${name} was not running`);
  }
}

const program = new Command('ctl')
  .description('Demo infrastructure CLI: services, traffic weights, rolling restarts')
  .addHelpText('after', `\n${ENV_HELP}`)
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(`ctl: ${text.replace(/^error: /, '')}`) });

const slotOption = () => new Option('--slot <name>', 'slot name (a key of DEMO_PORTS)');
const instancesOption = () => new Option('--instances <names>', 'instance names, comma separated');

program
  .command('deploy')
  .description('(re)start --slot with --version and wait until healthy; with --instances, same as roll')
  .addOption(slotOption())
  .addOption(instancesOption())
  .requiredOption('--version <version>', 'version to run')
  .action(async (opts: { slot?: string; instances?: string; version: string }) => {
    const names = targets(opts);
    const config = env();
    const traffic = trafficControl(config);
    if (opts.instances !== undefined) await roll(config, traffic, names, opts.version);
    else await deploySlot(config, traffic, names[0]!, opts.version);
  });

program
  .command('roll')
  .description('rolling update: for each instance drain, restart with --version, wait healthy, put back')
  .requiredOption('--instances <names>', 'instance names, comma separated')
  .requiredOption('--version <version>', 'version to run')
  .action(async (opts: { instances: string; version: string }) => {
    const config = env();
    await roll(config, trafficControl(config), parseNameList(opts.instances, '--instances'), opts.version);
  });

program
  .command('switch')
  .description('all traffic to --slot (weight 100), every other server 0')
  .requiredOption('--slot <name>', 'slot that takes all traffic')
  .action(async (opts: { slot: string }) => {
    const config = env();
    const traffic = trafficControl(config);
    const weights = await applyWeights(
      traffic,
      config,
      switchPlan(weightsOf(await traffic.servers()), opts.slot),
    );
    console.log(JSON.stringify({ weights }));
  });

program
  .command('weight')
  .description('--slot gets --weight %, --stable gets the rest')
  .requiredOption('--slot <name>', 'slot whose weight is set (the canary)')
  .requiredOption('--weight <percent>', 'whole number 0-100')
  .requiredOption('--stable <name>', 'slot that gets 100 - weight (- baseline weight)')
  .option(
    '--baseline <name>',
    'a fresh baseline of the stable version: a third slot (with --baseline-weight)',
  )
  .option('--baseline-weight <percent>', "whole number 0-100: the baseline's share")
  .action(
    async (opts: {
      slot: string;
      weight: string;
      stable: string;
      baseline?: string;
      baselineWeight?: string;
    }) => {
      for (const [flag, value] of [
        ['--weight', opts.weight],
        ['--baseline-weight', opts.baselineWeight],
      ] as const) {
        if (value !== undefined && !/^\d+$/.test(value))
          throw new UsageError(`${flag} must be a whole number from 0 to 100, got "${value}"`);
      }
      if ((opts.baseline === undefined) !== (opts.baselineWeight === undefined))
        throw new UsageError('give --baseline and --baseline-weight together');
      const config = env();
      const traffic = trafficControl(config);
      const baseline =
        opts.baseline === undefined
          ? undefined
          : { slot: parseName(opts.baseline, '--baseline'), weight: Number(opts.baselineWeight) };
      const plan = weightPlan(
        weightsOf(await traffic.servers()),
        opts.slot,
        Number(opts.weight),
        opts.stable,
        baseline,
      );
      console.log(JSON.stringify({ weights: await applyWeights(traffic, config, plan, opts.stable) }));
    },
  );

program
  .command('health')
  .description('GET /health of --slot or each of --instances; exit 0 only when all are healthy')
  .addOption(slotOption())
  .addOption(instancesOption())
  .action(async (opts: { slot?: string; instances?: string }) => {
    const names = targets(opts);
    const config = env();
    const results = await Promise.all(
      names.map(async (name) => ({ name, ...(await checkHealth(portOf(config, name))) })),
    );
    for (const r of results) console.log(JSON.stringify(r));
    const sick = results.filter((r) => !r.healthy);
    if (sick.length > 0) {
      throw new UsageError(
        `unhealthy: ${sick.map((r) => `${r.name} (${r.error ?? `HTTP ${r.status}`})`).join(', ')}`,
      );
    }
  });

program
  .command('teardown')
  .description('weight 0 (refused if it holds all traffic), drain, graceful stop')
  .addOption(slotOption())
  .addOption(instancesOption())
  .action(async (opts: { slot?: string; instances?: string }) => {
    const names = targets(opts);
    const config = env();
    await teardown(config, trafficControl(config), names);
  });

program
  .command('current')
  .description(
    'print {"slot": <highest weight>, "version": <version it runs>}; nothing when no server has weight',
  )
  .action(async () => {
    const config = env();
    const slot = liveSlot(weightsOf(await trafficControl(config).servers()));
    // Nothing serves yet (a router set up with every weight 0): the answer is nothing, as a current command's
    // is then, and a first deployment goes on. Failing here refused every first blue-green or canary run.
    if (slot === undefined) return log('no server has weight > 0: nothing is live');
    const port = config.ports.get(slot);
    const health = port === undefined ? undefined : await checkHealth(port);
    const version = health?.version ?? (await readRecord(config.stateDir, slot))?.version;
    console.log(JSON.stringify(version === undefined ? { slot } : { slot, version }));
  });

program
  .command('status')
  .description('print the router servers and the running processes as JSON')
  .action(async () => {
    const config = env();
    const servers = await trafficControl(config).servers();
    const processes = Object.fromEntries(
      (await listRecords(config.stateDir)).map((r) => [r.name, { ...r, running: isAlive(r.pid) }]),
    );
    console.log(JSON.stringify({ router: config.router.kind, servers, processes }, null, 2));
  });

program
  .command('down')
  .description('stop every service process recorded in DEMO_STATE_DIR (does not touch the router)')
  .action(async () => {
    const stateDir = process.env.DEMO_STATE_DIR?.trim();
    if (!stateDir)
      throw new UsageError('DEMO_STATE_DIR is not set; expected e.g. DEMO_STATE_DIR=/tmp/demo-state');
    for (const r of await listRecords(stateDir)) {
      if (await stopService(stateDir, r.name)) log(`${r.name} stopped`);
    }
  });

// A Ctrl-C or the runner's SIGTERM ends ctl from a handler, between ticks, not at once in the middle of one:
// a service spawned (detached, in its own process group) always has its record written first (services.ts),
// so `ctl down` finds it. `process.on`, as everywhere (signal-exit re-raises a signal nobody listens to).
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.on(signal, () => process.exit(code));

try {
  await program.parseAsync();
} catch (e) {
  console.error(`ctl ${process.argv[2] ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
