// nginx as the demo's router, the pure half: the router's state (listen port; per server its port, weight and
// whether it is enabled) and the nginx.conf written from it. Open-source nginx has no runtime API, so traffic
// moves the way platform teams move it: write the upstream's weights to the config, `nginx -t`, then a
// graceful `nginx -s reload` (nginx-runtime.ts). Every value that reaches the config is checked here first,
// so nothing read from a file or the environment can add a directive.
import { MAX_WEIGHT, parseName, SpecError } from './specs.ts';

export interface NginxServer {
  /** Port on 127.0.0.1. */
  port: number;
  /** 0 .. MAX_WEIGHT; 0 means no traffic at all. */
  weight: number;
  /** false while a rolling restart has it out of rotation. */
  enabled: boolean;
}

export interface NginxRouterState {
  /** The port nginx listens on, on 127.0.0.1 only. */
  listenPort: number;
  /** Slot / instance name → server, in the order they were configured. */
  servers: Record<string, NginxServer>;
}

export const NGINX_UPSTREAM = 'app';

/** Characters allowed in the prefix path: it is written into the config unquoted. */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;

export function checkPrefix(prefix: string, where: string): string {
  if (!SAFE_PATH.test(prefix) || prefix.split('/').includes('..')) {
    throw new SpecError(
      `${where}: "${prefix}" must be an absolute path of letters, digits, ".", "_", "-" and "/" (it is written into nginx.conf)`,
    );
  }
  return prefix.replace(/\/+$/, '') || '/';
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}

function isWeight(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_WEIGHT;
}

/** Checks what was read from router.json (or built by a caller): every field, with where it was wrong. */
export function parseRouterState(value: unknown, where: string): NginxRouterState {
  const fail = (what: string): never => {
    throw new SpecError(`${where}: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const { listenPort, servers } = value as Record<string, unknown>;
  if (!isPort(listenPort)) fail(`listenPort ${JSON.stringify(listenPort)} is not a TCP port (1-65535)`);
  if (typeof servers !== 'object' || servers === null || Object.keys(servers).length === 0)
    fail('servers must be an object with at least one server');
  const checked: Record<string, NginxServer> = {};
  for (const [name, server] of Object.entries(servers as Record<string, unknown>)) {
    parseName(name, `${where} (servers)`);
    const { port, weight, enabled } = (server ?? {}) as Record<string, unknown>;
    if (!isPort(port)) fail(`server "${name}": port ${JSON.stringify(port)} is not a TCP port (1-65535)`);
    if (!isWeight(weight))
      fail(
        `server "${name}": weight ${JSON.stringify(weight)} is not a whole number from 0 to ${MAX_WEIGHT}`,
      );
    if (typeof enabled !== 'boolean') fail(`server "${name}": enabled must be true or false`);
    checked[name] = { port: port as number, weight: weight as number, enabled: enabled as boolean };
  }
  return { listenPort: listenPort as number, servers: checked };
}

/** Whether nginx sends it traffic under this state. */
export function routable(server: NginxServer): boolean {
  return server.enabled && server.weight > 0;
}

/** The state with one server changed; unknown names are refused (the server list is fixed at setup). */
export function withServer(
  state: NginxRouterState,
  name: string,
  change: Partial<Pick<NginxServer, 'weight' | 'enabled'>>,
): NginxRouterState {
  const server = state.servers[name];
  if (!server) {
    throw new SpecError(`nginx has no server "${name}" (servers: ${Object.keys(state.servers).join(', ')})`);
  }
  const next = { ...state, servers: { ...state.servers, [name]: { ...server, ...change } } };
  return parseRouterState(next, `server "${name}"`);
}

export interface RenderOptions {
  /** nginx's -p prefix: config, pid file, logs and temp files all live under it. */
  prefix: string;
  /**
   * When the master runs as root, nginx starts its workers as `nobody`, which cannot enter a private temp
   * directory: the workers run as the user that started nginx instead.
   */
  user?: string;
}

function serverLine(name: string, server: NginxServer): string {
  const address = `127.0.0.1:${server.port}`;
  // weight=0 is invalid in nginx; `backup` would still get traffic whenever the weighted servers fail or
  // are benched, so a server with no share is `down`: listed (the config shows every slot) and never used.
  if (!routable(server))
    return `    server ${address} down; # ${name}: ${server.enabled ? 'weight 0' : 'disabled'}`;
  // max_fails=0: routing follows the weights, never a per-worker bench; a request that cannot connect is
  // retried on another server (proxy_next_upstream) instead.
  return `    server ${address} weight=${server.weight} max_fails=0; # ${name}`;
}

/** The whole nginx.conf for a state. Pure: the same state and options give the same text. */
export function renderNginxConfig(input: NginxRouterState, options: RenderOptions): string {
  const state = parseRouterState(input, 'nginx router state');
  const prefix = checkPrefix(options.prefix, 'nginx prefix');
  if (options.user !== undefined) parseName(options.user, 'nginx user');
  const anyRoutable = Object.values(state.servers).some(routable);
  return [
    '# Written by ctl from router.json (examples/demo/lib/nginx-config.ts); a change is made there, not here.',
    'worker_processes 1;',
    ...(options.user === undefined ? [] : [`user ${options.user};`]),
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/logs/error.log notice;`,
    // A reload retires the old worker once its requests are answered; this bounds one that hangs.
    'worker_shutdown_timeout 10s;',
    'events {',
    '  worker_connections 1024;',
    '}',
    'http {',
    '  access_log off;',
    '  server_tokens off;',
    `  client_body_temp_path ${prefix}/tmp/client_body;`,
    `  proxy_temp_path ${prefix}/tmp/proxy;`,
    `  fastcgi_temp_path ${prefix}/tmp/fastcgi;`,
    `  uwsgi_temp_path ${prefix}/tmp/uwsgi;`,
    `  scgi_temp_path ${prefix}/tmp/scgi;`,
    // No keep-alive towards clients: a reload makes the old worker close its idle client connections at
    // once, and a client that sends its next request on one at that instant gets a reset (HTTP/1.1 allows it
    // to retry; most clients don't). With one request per connection nothing is ever idle, so a reload only
    // waits for requests in flight, and new connections queue on the shared listening socket for the new
    // worker.
    '  keepalive_timeout 0;',
    `  upstream ${NGINX_UPSTREAM} {`,
    ...Object.entries(state.servers).map(([name, server]) => serverLine(name, server)),
    // Keep-alive towards the services, closed by nginx well before the service's own 30 s idle timeout,
    // so nginx never reuses a connection the service is closing; an error on a reused connection is
    // retried by nginx anyway.
    '    keepalive 16;',
    '    keepalive_timeout 10s;',
    '  }',
    '  server {',
    // Not `reuseport`: with it each worker has its own queue, and connections waiting in a retiring
    // worker's queue are lost on reload.
    `    listen 127.0.0.1:${state.listenPort};`,
    '    location / {',
    ...(anyRoutable
      ? [
          `      proxy_pass http://${NGINX_UPSTREAM};`,
          '      proxy_http_version 1.1;',
          '      proxy_set_header Connection "";',
          '      proxy_next_upstream error timeout;',
          '      proxy_connect_timeout 1s;',
        ]
      : ['      return 503 "no server takes traffic\\n";']),
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}
