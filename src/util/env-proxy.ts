// Requests through the proxy the environment names (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), as a self-hosted
// runner behind a proxy sets them for every job (and as the Actions toolkit's own HTTP client honours them).
// Node's fetch ignores them unless NODE_USE_ENV_PROXY=1 was set before the process started, so without this an
// Action on such a runner could not reach GitHub, a Slack webhook or a metrics endpoint outside the network.
// Loopback is never sent to the proxy (the toolkit does the same): a health check or a Prometheus
// port-forward on 127.0.0.1 is this machine, not a host the proxy can reach.

/** The variables Node's built-in proxy support reads (the lower-case one wins where both are set). */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] as const;
const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

export type EnvProxy =
  /** No proxy variable set: requests go direct, as before. */
  | { kind: 'none' }
  /** NODE_USE_ENV_PROXY=0: the user asked Node not to use the proxy. */
  | { kind: 'off' }
  /** Requests go through the proxy, except to the hosts in `noProxy` (loopback always among them). */
  | { kind: 'routed'; variable: string; noProxy: string; restore: () => void; said: string }
  /**
   * This Node cannot turn it on at run time (before 24.14), but was started with NODE_USE_ENV_PROXY=1 (or
   * --use-env-proxy): Node routes requests itself, with NO_PROXY as given (loopback not added).
   */
  | { kind: 'started'; variable: string; message: string }
  /** This Node has no way to turn it on at run time (before 24.14): the message says what to set instead. */
  | { kind: 'unsupported'; variable: string; message: string };

type SetGlobalProxy = (proxyEnv: NodeJS.ProcessEnv) => () => void;

// Not imported at the top: node:http is kept out of the start of the Action and the CLI
// (test/unit/build/start-graph.test.ts), and only a proxy needs it here.
const nodeSetGlobalProxy = (): SetGlobalProxy | null =>
  (process.getBuiltinModule('node:http') as { setGlobalProxyFromEnv?: SetGlobalProxy })
    .setGlobalProxyFromEnv ?? null;

function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): string | undefined {
  return names.find((name) => (env[name] ?? '').trim() !== '');
}

/** Whether Node was started with its own proxy support on (NODE_USE_ENV_PROXY=1, or --use-env-proxy). */
function startedWithEnvProxy(env: NodeJS.ProcessEnv, execArgv: readonly string[]): boolean {
  const options = (env.NODE_OPTIONS ?? '').split(/\s+/);
  return (
    (env.NODE_USE_ENV_PROXY ?? '').trim() === '1' ||
    execArgv.includes('--use-env-proxy') ||
    options.includes('--use-env-proxy')
  );
}

/** Whether this Node reads NODE_USE_ENV_PROXY at start (22.21 and later; 24 and later for fetch from its first). */
function nodeReadsEnvProxy(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 21);
}

/** NO_PROXY with loopback added (no_proxy wins where both are set, as in Node and curl). */
export function noProxyWithLoopback(env: NodeJS.ProcessEnv): string {
  const given = (env.no_proxy ?? env.NO_PROXY ?? '').trim();
  const entries = given
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.includes('*')) return '*';
  const missing = LOOPBACK.filter((host) => !entries.some((entry) => entry.toLowerCase() === host));
  return [...entries, ...missing].join(',');
}

/**
 * Routes this process's fetch and http(s) requests through the environment's proxy, once, before any request
 * is made. The environment itself is not changed: commands the run starts get the variables as they were.
 */
export function routeThroughEnvProxy(
  env: NodeJS.ProcessEnv = process.env,
  /** Node's http.setGlobalProxyFromEnv (null where this Node lacks it); node:http is loaded only when needed. */
  setGlobalProxy: () => SetGlobalProxy | null = nodeSetGlobalProxy,
  /** This process's Node options (--use-env-proxy turns the proxy on as NODE_USE_ENV_PROXY=1 does). */
  execArgv: readonly string[] = process.execArgv,
  /** This Node's version (NODE_USE_ENV_PROXY is read from 22.21 on). */
  version: string = process.version,
): EnvProxy {
  const variable = firstSet(env, PROXY_VARIABLES);
  if (!variable) return { kind: 'none' };
  if ((env.NODE_USE_ENV_PROXY ?? '').trim() === '0') return { kind: 'off' };
  const setProxy = setGlobalProxy();
  // Told to set NODE_USE_ENV_PROXY=1 (the message below, the README), the user did: Node routes requests
  // itself, and saying "requests go direct, set NODE_USE_ENV_PROXY=1" would be false.
  const readsEnvProxy = nodeReadsEnvProxy(version);
  if (!setProxy && readsEnvProxy && startedWithEnvProxy(env, execArgv))
    return {
      kind: 'started',
      variable,
      message:
        `Requests go through the proxy ${variable} names, as NODE_USE_ENV_PROXY=1 had Node route them from its start ` +
        '(NO_PROXY as given: a loopback host it does not name goes to the proxy too)',
    };
  if (!setProxy)
    return {
      kind: 'unsupported',
      variable,
      message:
        `${variable} is set, but this Node (${version}) cannot route requests through it at run time: ` +
        (readsEnvProxy
          ? "requests go direct. Set NODE_USE_ENV_PROXY=1 in the environment the process starts with (a step's `env:`), " +
            'or run it on Node 24.14 or later'
          : 'requests go direct, and it ignores NODE_USE_ENV_PROXY. Run it on Node 22.21 or later with ' +
            'NODE_USE_ENV_PROXY=1 in the environment it starts with, or on Node 24.14 or later'),
    };
  const noProxy = noProxyWithLoopback(env);
  const proxyEnv: NodeJS.ProcessEnv = { NO_PROXY: noProxy, no_proxy: noProxy };
  for (const name of PROXY_VARIABLES) if (env[name] !== undefined) proxyEnv[name] = env[name];
  const restore = setProxy(proxyEnv);
  return { kind: 'routed', variable, noProxy, restore, said: routedLine(env, noProxy) };
}

/** What is routed where, in one line: Node sends https requests to the https proxy, http ones to the http one. */
function routedLine(env: NodeJS.ProcessEnv, noProxy: string): string {
  const https = firstSet(env, ['https_proxy', 'HTTPS_PROXY']);
  const http = firstSet(env, ['http_proxy', 'HTTP_PROXY']);
  const except = `(not for: ${noProxy})`;
  if (https && http)
    return `Requests go through the proxies ${https} (https) and ${http} (http) name ${except}`;
  if (https) return `https requests go through the proxy ${https} names, http ones go direct ${except}`;
  return `http requests go through the proxy ${http ?? ''} names; https ones (GitHub's among them) go direct: set HTTPS_PROXY too ${except}`;
}
