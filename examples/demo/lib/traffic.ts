// The router seen by ctl: weights, enable/disable for rolling, in-flight counts. One interface, three
// implementations: the embedded router's admin API, haproxy's runtime API, and nginx's config + reload
// (nginx-traffic.ts).
import type { CtlEnv } from './ctl-env.ts';
import { requestJson, type JsonAnswer } from './http-json.ts';
import { haproxyAction, haproxyBalance, haproxyServers } from './haproxy-runtime.ts';
import { nginxTraffic } from './nginx-traffic.ts';
import { formatAddress } from './specs.ts';
import type { Weights } from './plans.ts';

export { HAPROXY_BACKEND_DEFAULT as HAPROXY_BACKEND } from './ctl-env.ts';

export interface ServerView {
  weight: number;
  /** Taking part in load balancing (embedded: enabled; haproxy: not in MAINT or DRAIN; nginx: not disabled). */
  enabled: boolean;
  /** Would receive traffic if it had weight (haproxy: its checks say UP; embedded: enabled; nginx: its port answers). */
  up: boolean;
  /** nginx counts nothing per server: there, the old workers still answering requests after a reload. */
  inFlight: number;
  /** The router's own word for it (haproxy: UP / DOWN / MAINT ...; embedded: enabled / disabled; nginx: routed / down ...). */
  status: string;
}

export interface TrafficControl {
  readonly kind: 'embedded' | 'haproxy' | 'nginx';
  servers(): Promise<Record<string, ServerView>>;
  setWeight(name: string, weight: number): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  /** The balance algorithm, where the router has a choice of them (haproxy). */
  balance?(): Promise<string | undefined>;
}

export class TrafficError extends Error {}

export function weightsOf(servers: Record<string, ServerView>): Weights {
  return Object.fromEntries(Object.entries(servers).map(([n, s]) => [n, s.weight]));
}

/** Servers that take traffic now. */
export function servingOf(servers: Record<string, ServerView>): string[] {
  return Object.entries(servers)
    .filter(([, s]) => s.weight > 0 && s.enabled && s.up)
    .map(([n]) => n);
}

function embedded(host: string, port: number): TrafficControl {
  const base = `http://${formatAddress(host, port)}`;
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: JsonAnswer;
    try {
      res = await requestJson(base + path, { method, body, timeoutMs: 5000 });
    } catch (e) {
      throw new TrafficError(
        `cannot reach the embedded router's admin API at ${base} (DEMO_ROUTER_ADMIN): ${(e as Error).message}`,
      );
    }
    const json = (res.json ?? {}) as { error?: string };
    if (res.status < 200 || res.status > 299)
      throw new TrafficError(
        `router admin ${method} ${path} answered ${res.status}: ${json.error ?? 'no reason given'}`,
      );
    return json;
  }
  return {
    kind: 'embedded',
    async servers() {
      const state = (await call('GET', '/state')) as {
        backends: Record<string, { weight: number; enabled: boolean; inFlight: number }>;
      };
      return Object.fromEntries(
        Object.entries(state.backends).map(([n, b]) => [
          n,
          {
            weight: b.weight,
            enabled: b.enabled,
            up: b.enabled,
            inFlight: b.inFlight,
            status: b.enabled ? 'enabled' : 'disabled',
          },
        ]),
      );
    },
    async setWeight(name, weight) {
      await call('PUT', '/weights', { [name]: weight });
    },
    async setEnabled(name, enabled) {
      await call('PUT', `/servers/${encodeURIComponent(name)}`, { enabled });
    },
  };
}

function haproxy(socketPath: string, backend: string): TrafficControl {
  return {
    kind: 'haproxy',
    async servers() {
      const stats = await haproxyServers(socketPath, backend);
      if (stats.length === 0)
        throw new TrafficError(
          `haproxy at ${socketPath} has no backend "${backend}" with servers (DEMO_HAPROXY_BACKEND names the backend, be_app by default)`,
        );
      return Object.fromEntries(
        stats.map((s) => [
          s.name,
          {
            weight: s.weight,
            // DRAIN (an operator's `set server … state drain`) takes no new request whatever its weight: a
            // switch to it left every request answered 503.
            enabled: !/^(MAINT|DRAIN)/.test(s.status),
            // "UP", "UP 1/2" (going down) and "DRAIN" still serve; "no check" means checks are off.
            up: /^(UP|DRAIN|no check)/.test(s.status),
            inFlight: s.current,
            status: s.status,
          },
        ]),
      );
    },
    balance: () => haproxyBalance(socketPath, backend),
    setWeight: (name, weight) => haproxyAction(socketPath, `set weight ${backend}/${name} ${weight}`),
    setEnabled: (name, enabled) =>
      haproxyAction(socketPath, `set server ${backend}/${name} state ${enabled ? 'ready' : 'maint'}`),
  };
}

export function trafficControl(env: CtlEnv): TrafficControl {
  if (env.router.kind === 'nginx') return nginxTraffic(env.router.bin, env.router.prefix);
  return env.router.kind === 'embedded'
    ? embedded(env.router.admin.host, env.router.admin.port)
    : haproxy(env.router.socketPath, env.router.backend);
}

/** Polls until `test` holds for the server (bounded); returns the last view or throws with it. */
export async function waitForServer(
  traffic: TrafficControl,
  name: string,
  what: string,
  test: (s: ServerView) => boolean,
  timeoutMs: number,
): Promise<ServerView> {
  const deadline = Date.now() + timeoutMs;
  let last: ServerView | undefined;
  for (;;) {
    last = (await traffic.servers())[name];
    if (!last) throw new TrafficError(`the router has no server "${name}"`);
    if (test(last)) return last;
    if (Date.now() >= deadline) {
      throw new TrafficError(
        `${name} did not become ${what} in the router within ${timeoutMs} ms (status ${last.status}, in flight ${last.inFlight})`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
