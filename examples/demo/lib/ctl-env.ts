// ctl's configuration, read from environment variables so deploy.yml commands stay short.
import { checkPrefix } from './nginx-config.ts';
import { NGINX_BIN_DEFAULT } from './nginx-runtime.ts';
import { parseAddress, parsePortMap, SpecError, type Address } from './specs.ts';

export interface CtlEnv {
  stateDir: string;
  router:
    | { kind: 'embedded'; admin: Address }
    | { kind: 'haproxy'; socketPath: string; backend: string }
    | { kind: 'nginx'; prefix: string; bin: string };
  /** Slot / instance name → port on 127.0.0.1. */
  ports: Map<string, number>;
  /** How long `deploy` / `roll` wait for a started service to be healthy. */
  startTimeoutMs: number;
}

export const ENV_HELP = `Environment:
  DEMO_STATE_DIR       directory for pid files, logs and state (required)
  DEMO_PORTS           name=port list, e.g. "blue=18081,green=18082,i1=18091" (required)
  DEMO_ROUTER          embedded (default), haproxy or nginx
  DEMO_ROUTER_ADMIN    embedded router admin address, e.g. 127.0.0.1:18090 (DEMO_ROUTER=embedded)
  DEMO_HAPROXY_SOCKET  haproxy runtime API socket, level admin: a path or ipv4@host:port (DEMO_ROUTER=haproxy)
  DEMO_HAPROXY_BACKEND the haproxy backend whose servers are the slots (default be_app; DEMO_ROUTER=haproxy)
  DEMO_NGINX_PREFIX    the nginx router's prefix directory: nginx.conf, router.json, pid (DEMO_ROUTER=nginx)
  DEMO_NGINX_BIN       the nginx binary (default /usr/sbin/nginx; DEMO_ROUTER=nginx)
  DEMO_START_TIMEOUT_MS  how long a started service may take to be healthy (default 15000)`;

function required(env: NodeJS.ProcessEnv, name: string, example: string): string {
  const value = env[name]?.trim();
  if (!value) throw new SpecError(`${name} is not set; expected e.g. ${name}=${example}`);
  return value;
}

export function readCtlEnv(env: NodeJS.ProcessEnv): CtlEnv {
  const stateDir = required(env, 'DEMO_STATE_DIR', '/tmp/demo-state');
  const ports = parsePortMap(required(env, 'DEMO_PORTS', '"blue=18081,green=18082"'), 'DEMO_PORTS');
  const kind = env.DEMO_ROUTER?.trim() || 'embedded';
  let router: CtlEnv['router'];
  if (kind === 'embedded') {
    router = {
      kind,
      admin: parseAddress(required(env, 'DEMO_ROUTER_ADMIN', '127.0.0.1:18090'), 'DEMO_ROUTER_ADMIN'),
    };
  } else if (kind === 'haproxy') {
    router = {
      kind,
      socketPath: required(env, 'DEMO_HAPROXY_SOCKET', '/tmp/haproxy/admin.sock'),
      backend: haproxyBackend(env.DEMO_HAPROXY_BACKEND?.trim() || HAPROXY_BACKEND_DEFAULT),
    };
  } else if (kind === 'nginx') {
    router = {
      kind,
      prefix: checkPrefix(required(env, 'DEMO_NGINX_PREFIX', '/tmp/nginx-router'), 'DEMO_NGINX_PREFIX'),
      bin: env.DEMO_NGINX_BIN?.trim() || NGINX_BIN_DEFAULT,
    };
  } else {
    throw new SpecError(`DEMO_ROUTER must be "embedded", "haproxy" or "nginx", got "${kind}"`);
  }
  const timeoutText = env.DEMO_START_TIMEOUT_MS?.trim() || '15000';
  const startTimeoutMs = Number(timeoutText);
  if (!/^\d+$/.test(timeoutText) || startTimeoutMs < 100) {
    throw new SpecError(
      `DEMO_START_TIMEOUT_MS must be a number of milliseconds >= 100, got "${timeoutText}"`,
    );
  }
  return { stateDir, router, ports, startTimeoutMs };
}

/** ctl's haproxy backend unless DEMO_HAPROXY_BACKEND names another. */
export const HAPROXY_BACKEND_DEFAULT = 'be_app';

/**
 * A backend name as haproxy writes one (letters, digits, "-", "_", ".", ":"): it goes into runtime API
 * commands, where a space, ";" or a line break would be another argument or command.
 */
function haproxyBackend(name: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(name))
    throw new SpecError(
      `DEMO_HAPROXY_BACKEND: ${JSON.stringify(name)} is not a haproxy backend name (letters, digits, "-", "_", ".", ":")`,
    );
  return name;
}

export function portOf(env: CtlEnv, name: string): number {
  const port = env.ports.get(name);
  if (port === undefined) {
    throw new SpecError(`DEMO_PORTS has no port for "${name}" (known: ${[...env.ports.keys()].join(', ')})`);
  }
  return port;
}
