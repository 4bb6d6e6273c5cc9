// A real nginx (Debian's /usr/sbin/nginx, package "nginx") in front of test backends, the way ctl drives it:
// its own prefix in a temp dir (config, router.json, pid, logs, temp files), listening on 127.0.0.1 only,
// run in the foreground as the current user (no system service), and stopped with its workers when the
// test ends. Missing nginx fails the test with the package to install: these tests are never skipped.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  initNginxPrefix,
  masterPid,
  nginxArgs,
  workersOf,
  type NginxPaths,
} from '../../examples/demo/lib/nginx-runtime.ts';
import { startOnFreshPort } from './ports.ts';
import { startProcess, type CleanupScope } from './processes.ts';

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

export interface NginxOptions {
  /** Server name → port on 127.0.0.1. Names are the slot / instance names. */
  servers: Record<string, number>;
  /** Server name → initial weight (default 100; 0 = `down`). */
  weights?: Record<string, number>;
}

export interface Nginx {
  port: number;
  url: string;
  bin: string;
  paths: NginxPaths;
  /** pids of the master's current workers (a reload replaces them). */
  workers(): Promise<number[]>;
  /** The tail of nginx's error log, for failure messages. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

export function requireNginx(bin = NGINX_BIN): void {
  if (!existsSync(bin)) {
    throw new Error(
      `nginx is not installed (no ${bin}): the router e2e tests run a real nginx. Install Debian's package: ` +
        '`apt-get install nginx` (e.g. DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx), ' +
        'or point NGINX_BIN at an nginx binary',
    );
  }
}

export async function startNginx(scope: CleanupScope, options: NginxOptions): Promise<Nginx> {
  requireNginx();
  const names = Object.keys(options.servers);
  if (names.length === 0) throw new Error('startNginx: at least one server is needed');
  for (const name of Object.keys(options.weights ?? {})) {
    if (!names.includes(name)) throw new Error(`startNginx: weight given for unknown server "${name}"`);
  }
  const prefix = await mkdtemp(join(tmpdir(), 'nginx-test-'));
  // One cleanup, in this order: note the workers, stop the master (bounded), end any worker it left behind
  // (a master killed after the bound cannot stop its workers), then remove the prefix.
  const stops: (() => unknown)[] = [];
  let master: number | undefined;
  scope.after(async () => {
    const workers = master === undefined ? [] : await workersOf(master).catch(() => []);
    for (const stop of stops) await stop();
    for (const { pid } of workers) {
      const title = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (title.startsWith('nginx')) process.kill(pid, 'SIGKILL');
    }
    await rm(prefix, { recursive: true, force: true });
  });

  const servers = Object.fromEntries(
    names.map((n) => [n, { port: options.servers[n]!, weight: options.weights?.[n] ?? 100, enabled: true }]),
  );
  let written: NginxPaths | undefined;
  const errorLog = async () =>
    (written ? await readFile(written.errorLog, 'utf8').catch(() => '(no error log)') : '(no error log)')
      .trimEnd()
      .split('\n')
      .slice(-20)
      .join('\n');

  // Its port is in its config: one taken all the same ("Address already in use") means a fresh start.
  const { port, url, proc, paths } = await startOnFreshPort(async (port) => {
    const url = `http://127.0.0.1:${port}/`;
    const paths = await initNginxPrefix(NGINX_BIN, prefix, { listenPort: port, servers });
    written = paths;
    const proc = await startProcess(
      { after: (fn) => stops.push(fn) },
      {
        name: 'nginx',
        command: NGINX_BIN,
        args: [...nginxArgs(paths), '-g', 'daemon off;'],
        // Ready once its pid file names a live master and it answers HTTP (502/503 while no service runs).
        ready: async () => {
          master = await masterPid(paths);
          const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
          await res.arrayBuffer();
          return true;
        },
      },
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}\nnginx error log:\n${await errorLog()}`);
    });
    return { port, url, proc, paths };
  });

  return {
    port,
    url,
    bin: NGINX_BIN,
    paths,
    workers: async () => (await workersOf(await masterPid(paths))).map((w) => w.pid),
    errorLog,
    stop: async () => {
      await proc.stop();
    },
  };
}
