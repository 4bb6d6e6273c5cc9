// The embedded router for the no-setup demo (no haproxy needed). Usage:
//   node router.ts --port P --admin-port A --backend blue=127.0.0.1:p1 --backend green=127.0.0.1:p2 \
//                  --weight blue=100 --weight green=0
// A backend without --weight gets 100. Prints `listening on 127.0.0.1:P (admin 127.0.0.1:A)` when ready.
import { Command, InvalidArgumentError } from 'commander';
import { Router, type BackendConfig } from './lib/proxy.ts';
import { adminHandler } from './lib/admin-api.ts';
import { graceful } from './lib/graceful.ts';
import type { SpecError } from './lib/specs.ts';
import { formatAddress, parseBackendSpec, parsePort, parseWeightSpec } from './lib/specs.ts';

const SHUTDOWN_BOUND_MS = 10_000;
const DEFAULT_WEIGHT = 100;

function parsed<T>(parse: (v: string) => T): (v: string, previous: T[]) => T[] {
  return (v, previous) => {
    try {
      return [...previous, parse(v)];
    } catch (e) {
      throw new InvalidArgumentError((e as SpecError).message);
    }
  };
}
function port(flag: string): (v: string) => number {
  return (v) => {
    try {
      return parsePort(v, flag);
    } catch (e) {
      throw new InvalidArgumentError((e as SpecError).message);
    }
  };
}

const program = new Command('router')
  .description("Weighted HTTP reverse proxy with an admin API (the demo's embedded router)")
  .requiredOption('--port <port>', 'port for proxied traffic', port('--port'))
  .requiredOption('--admin-port <port>', 'port for the admin API (always 127.0.0.1)', port('--admin-port'))
  .option('--host <host>', 'address for proxied traffic', '127.0.0.1')
  .option('--backend <name=host:port>', 'a backend (repeatable)', parsed(parseBackendSpec), [])
  .option(
    '--weight <name=weight>',
    `a backend's weight 0-256 (repeatable; default ${DEFAULT_WEIGHT})`,
    parsed(parseWeightSpec),
    [],
  )
  .parse();

const opts = program.opts<{
  port: number;
  adminPort: number;
  host: string;
  backend: ReturnType<typeof parseBackendSpec>[];
  weight: ReturnType<typeof parseWeightSpec>[];
}>();

function fail(message: string): never {
  console.error(`router: ${message}`);
  process.exit(2);
}

if (opts.backend.length === 0) fail('at least one --backend name=host:port is required');
const names = new Set(opts.backend.map((b) => b.name));
for (const w of opts.weight) {
  if (!names.has(w.name)) fail(`--weight ${w.name}=${w.weight}: no --backend named "${w.name}"`);
}
const backends: BackendConfig[] = opts.backend.map((b) => ({
  ...b,
  weight: opts.weight.findLast((w) => w.name === b.name)?.weight ?? DEFAULT_WEIGHT,
}));

let router: Router;
try {
  router = new Router(backends);
} catch (e) {
  fail((e as Error).message);
}

// process.getBuiltinModule, not an import: importing node:http as an ES module loads undici (its WebSocket
// exports), ~75 ms of CPU at each start.
const { createServer } = process.getBuiltinModule('node:http');
const proxy = createServer((req, res) => router.handle(req, res));
proxy.keepAliveTimeout = 30_000;
const admin = createServer(adminHandler(router));
const proxyShutdown = graceful(proxy);

function listen(server: typeof proxy, p: number, host: string, what: string): Promise<void> {
  return new Promise((resolve) => {
    server.once('error', (err) => fail(`cannot listen for ${what} on ${host}:${p}: ${err.message}`));
    server.listen(p, host, resolve);
  });
}

await listen(admin, opts.adminPort, '127.0.0.1', 'the admin API');
await listen(proxy, opts.port, opts.host, 'traffic');
console.log(`listening on ${formatAddress(opts.host, opts.port)} (admin 127.0.0.1:${opts.adminPort})`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    admin.close();
    admin.closeAllConnections();
    void proxyShutdown.close(SHUTDOWN_BOUND_MS).then(() => {
      router.close();
      process.exit(0);
    });
  });
}
