// The demo service: a tiny HTTP app whose behaviour is chosen by its version string (see lib/behaviour.ts
// and README.md). Usage: node service.ts --port P --version V --name N [--host 127.0.0.1]
import type { ServerResponse } from 'node:http';
import { Command, InvalidArgumentError } from 'commander';
import { behaviourFor } from './lib/behaviour.ts';
import { ServiceMetrics } from './lib/metrics.ts';
import { graceful } from './lib/graceful.ts';
import type { SpecError } from './lib/specs.ts';
import { formatAddress, parsePort } from './lib/specs.ts';

// How long SIGTERM waits for in-flight requests; DEMO_SHUTDOWN_BOUND_MS lets a test set it.
const SHUTDOWN_BOUND_MS = Number(process.env.DEMO_SHUTDOWN_BOUND_MS) || 10_000;

const program = new Command('service')
  .description('Demo HTTP service (GET /, /health, /metrics)')
  .requiredOption('--port <port>', 'TCP port to listen on', (v) => {
    try {
      return parsePort(v, '--port');
    } catch (e) {
      throw new InvalidArgumentError((e as SpecError).message);
    }
  })
  .requiredOption('--version <version>', 'version string; may contain unhealthy|errors|slow|crash')
  .requiredOption('--name <name>', 'instance or slot name reported in responses')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .helpOption('-h, --help')
  .parse();

const opts = program.opts<{ port: number; version: string; name: string; host: string }>();
const behaviour = behaviourFor(opts.version);

if (behaviour.crashAtStart) {
  console.error(`version ${opts.version} is a "crash" version: exiting 1 at start`);
  process.exit(1);
}

/** When the first `GET /` was served: an "unhealthy" version turns unhealthy after taking traffic. */
let firstServedAt: number | undefined;
/** `GET /` requests answered so far, for a "flaky" version's every-n-th error. */
let served = 0;
const metrics = new ServiceMetrics(opts.version, opts.name);

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-version': opts.version,
  });
  res.end(text);
}

// process.getBuiltinModule, not an import: importing node:http as an ES module loads undici for its WebSocket
// exports, ~75 ms of CPU at each start of a service (ctl starts one per deploy).
const server = process.getBuiltinModule('node:http').createServer((req, res) => {
  const started = process.hrtime.bigint();
  const path = (req.url ?? '/').split('?')[0];
  res.on('finish', () => {
    // Only application traffic: health checks and scrapes would dilute the error rate.
    if (path === '/health' || path === '/metrics') return;
    metrics.observe(res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
  });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    json(res, 405, { error: `method ${req.method} not allowed` });
    return;
  }
  if (path === '/health') {
    const unhealthy =
      behaviour.unhealthyAfterMs !== undefined &&
      firstServedAt !== undefined &&
      Date.now() - firstServedAt >= behaviour.unhealthyAfterMs;
    json(res, unhealthy ? 503 : 200, { status: unhealthy ? 'unhealthy' : 'healthy', version: opts.version });
    return;
  }
  if (path === '/metrics') {
    const text = metrics.render(process.memoryUsage.rss());
    res.writeHead(200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'x-version': opts.version,
    });
    res.end(text);
    return;
  }
  if (path === '/') {
    firstServedAt ??= Date.now();
    const answer = () => {
      served += 1;
      const injected =
        (behaviour.errorEvery !== undefined && served % behaviour.errorEvery === 0) ||
        Math.random() < behaviour.errorRate;
      if (injected) json(res, 500, { error: 'injected error', version: opts.version, name: opts.name });
      else json(res, 200, { version: opts.version, name: opts.name });
    };
    if (behaviour.extraLatencyMs > 0) setTimeout(answer, behaviour.extraLatencyMs);
    else answer();
    return;
  }
  json(res, 404, { error: `no route for ${path}` });
});
server.keepAliveTimeout = 30_000;
const shutdown = graceful(server);

server.on('error', (err) => {
  console.error(`cannot listen on ${formatAddress(opts.host, opts.port)}: ${err.message}`);
  process.exit(1);
});

server.listen(opts.port, opts.host, () => {
  console.log(`listening on ${formatAddress(opts.host, opts.port)}`);
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing ${shutdown.inFlight()} in-flight request(s)`);
    void shutdown.close(SHUTDOWN_BOUND_MS).then(() => {
      console.log('stopped');
      process.exit(0);
    });
  });
}
