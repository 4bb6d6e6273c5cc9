// A real haproxy (Debian's /usr/sbin/haproxy) in front of test backends: config in a temp dir, runtime API
// on a unix socket at admin level, run in the foreground and stopped when the test ends.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { freePorts, startOnFreshPort } from './ports.ts';
import { startProcess, type CleanupScope } from './processes.ts';
import {
  haproxyAction,
  haproxyServers,
  type HaproxyServerStat,
} from '../../examples/demo/lib/haproxy-runtime.ts';

export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
/** The backend every demo config and `ctl` talk about. */
export const HAPROXY_BACKEND = 'be_app';

export type ServerState = 'ready' | 'drain' | 'maint';

export interface HaproxyOptions {
  /** Server name → port on 127.0.0.1. Names are the slot / instance names. */
  servers: Record<string, number>;
  /** Server name → initial weight (default 100). */
  weights?: Record<string, number>;
  /** haproxy `retry-on` value (default `all-retryable-errors`, which also retries 500/502/503/504). */
  retryOn?: string;
  /**
   * What haproxy's own checks look at: `http` (GET /health must answer 200, the default) or `tcp` (the
   * process accepts connections). With `tcp` the router only drops dead servers and leaves judging the
   * application's health to the deployment tool, the usual split between a load balancer's liveness
   * check and a deploy's readiness checks.
   */
  check?: 'http' | 'tcp';
  /** The backend's name (default `be_app`, ctl's default; ctl reads another from DEMO_HAPROXY_BACKEND). */
  backend?: string;
  /**
   * More sites on the same haproxy: each its own frontend (a port of its own) and backend, as two
   * environments behind one load balancer.
   */
  also?: { backend: string; servers: Record<string, number>; weights?: Record<string, number> }[];
  /** The backend's `balance` algorithm (default `roundrobin`, which splits requests by weight). */
  balance?: string;
  /** Also serve the runtime API on a TCP port of 127.0.0.1 (`stats socket ipv4@127.0.0.1:<port>`). */
  statsTcp?: boolean;
}

export interface HaproxySite {
  backend: string;
  port: number;
  url: string;
}

export interface Haproxy {
  port: number;
  url: string;
  socketPath: string;
  stateDir: string;
  /** The sites of `also`, in its order. */
  also: HaproxySite[];
  /** With `statsTcp`: the runtime API's TCP address, as haproxy writes it (`ipv4@127.0.0.1:<port>`). */
  statsAddress?: string;
  setWeight(server: string, weight: number): Promise<void>;
  setState(server: string, state: ServerState): Promise<void>;
  servers(): Promise<HaproxyServerStat[]>;
  stop(): Promise<void>;
}

/** A frontend on `port` and its backend: the servers by name, on 127.0.0.1. */
function siteConfig(
  options: Pick<HaproxyOptions, 'servers' | 'weights' | 'check' | 'balance'> & {
    backend: string;
    port: number;
  },
  frontend: string,
): string[] {
  const names = Object.keys(options.servers);
  if (names.length === 0) throw new Error('startHaproxy: at least one server is needed');
  for (const name of Object.keys(options.weights ?? {})) {
    if (!names.includes(name)) throw new Error(`startHaproxy: weight given for unknown server "${name}"`);
  }
  const servers = names.map((name) => {
    const weight = options.weights?.[name] ?? 100;
    return `  server ${name} 127.0.0.1:${options.servers[name]} weight ${weight} check`;
  });
  return [
    `frontend ${frontend}`,
    `  bind 127.0.0.1:${options.port}`,
    `  default_backend ${options.backend}`,
    '',
    `backend ${options.backend}`,
    `  balance ${options.balance ?? 'roundrobin'}`,
    ...(options.check === 'tcp' ? [] : ['  option httpchk GET /health', '  http-check expect status 200']),
    // Fast checks so a stopped server is marked down (and a restarted one up) within a few hundred ms;
    // a connection error on live traffic marks it down at once.
    '  default-server inter 200ms fastinter 100ms downinter 200ms rise 1 fall 1 observe layer4 error-limit 1 on-error mark-down',
    ...servers,
    '',
  ];
}

export function haproxyConfig(
  options: HaproxyOptions & { port: number; socketPath: string; alsoPorts?: number[]; statsPort?: number },
): string {
  const also = options.also ?? [];
  if ((options.alsoPorts ?? []).length !== also.length)
    throw new Error('startHaproxy: one port for each site of `also` is needed');
  return [
    'global',
    `  stats socket ${options.socketPath} mode 600 level admin`,
    ...(options.statsPort ? [`  stats socket ipv4@127.0.0.1:${options.statsPort} level admin`] : []),
    '  log stderr format short local0 notice',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option http-keep-alive',
    // A stopped backend is detected on connect in 200 ms and the request goes elsewhere.
    '  timeout connect 200ms',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 30s',
    // A check's answer may take this long once connected (without it, `inter`'s 200 ms): with `fall 1` a
    // check delayed by a busy machine marked every server down at once, and the load saw 503s that no
    // traffic move caused. A stopped server still fails its check on connect.
    '  timeout check 2s',
    '  retries 3',
    '  option redispatch 1',
    `  retry-on ${options.retryOn ?? 'all-retryable-errors'}`,
    '',
    ...siteConfig({ ...options, backend: options.backend ?? HAPROXY_BACKEND }, 'fe_app'),
    ...also.flatMap((site, i) =>
      siteConfig({ ...site, check: options.check, port: options.alsoPorts![i]! }, `fe_also_${i + 1}`),
    ),
  ].join('\n');
}

export async function startHaproxy(scope: CleanupScope, options: HaproxyOptions): Promise<Haproxy> {
  const stateDir = await mkdtemp(join(tmpdir(), 'haproxy-test-'));
  scope.after(() => rm(stateDir, { recursive: true, force: true }));
  const socketPath = join(stateDir, 'admin.sock');
  const configPath = join(stateDir, 'haproxy.cfg');
  // Its port is in its config: one taken all the same ("Address already in use") means a fresh start.
  const backend = options.backend ?? HAPROXY_BACKEND;
  const { port, proc, alsoPorts, statsPort } = await startOnFreshPort(async (port) => {
    const alsoPorts = await freePorts((options.also ?? []).length);
    const statsPort = options.statsTcp ? (await freePorts(1))[0] : undefined;
    await writeFile(configPath, haproxyConfig({ ...options, port, socketPath, alsoPorts, statsPort }));
    const proc = await startProcess(scope, {
      name: 'haproxy',
      command: HAPROXY_BIN,
      args: ['-db', '-f', configPath],
      // haproxy prints nothing when it starts well: it is ready once its runtime socket answers.
      ready: async () => existsSync(socketPath) && (await haproxyServers(socketPath, backend)).length > 0,
    });
    return { port, proc, alsoPorts, statsPort };
  });

  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    socketPath,
    stateDir,
    ...(statsPort ? { statsAddress: `ipv4@127.0.0.1:${statsPort}` } : {}),
    also: (options.also ?? []).map((site, i) => ({
      backend: site.backend,
      port: alsoPorts[i]!,
      url: `http://127.0.0.1:${alsoPorts[i]}/`,
    })),
    setWeight: (server, weight) => haproxyAction(socketPath, `set weight ${backend}/${server} ${weight}`),
    setState: (server, state) => haproxyAction(socketPath, `set server ${backend}/${server} state ${state}`),
    servers: () => haproxyServers(socketPath, backend),
    stop: async () => {
      await proc.stop();
    },
  };
}
