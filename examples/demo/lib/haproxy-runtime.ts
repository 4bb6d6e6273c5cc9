// A client for haproxy's runtime API (the `stats socket ... level admin` socket, a unix socket or a TCP
// port): one command per connection, the answer is everything haproxy writes before it closes the connection.
import { createConnection, type NetConnectOpts } from 'node:net';
import { parseAddress, type SpecError } from './specs.ts';

const RUNTIME_TIMEOUT_MS = 5000;

export class HaproxyError extends Error {}

/**
 * Where the runtime API listens, written as haproxy's `stats socket` line writes it: a unix socket's path
 * (`/run/haproxy/admin.sock`, or `unix@/run/...`), or a TCP address (`127.0.0.1:9999`, `ipv4@127.0.0.1:9999`,
 * `ipv6@[::1]:9999`, `[::1]:9999`). A TCP address was taken for a file name: ENOENT.
 */
export function runtimeTarget(socket: string): NetConnectOpts {
  if (socket.startsWith('unix@')) return { path: socket.slice('unix@'.length) };
  const tcp = /^(ipv4@|ipv6@)?(.*:\d+)$/.exec(socket);
  if (!tcp || socket.includes('/')) return { path: socket };
  try {
    const { host, port } = parseAddress(tcp[2]!, 'the haproxy runtime API address');
    return { host, port };
  } catch (e) {
    throw new HaproxyError((e as SpecError).message);
  }
}

export function haproxyCommand(socketPath: string, command: string): Promise<string> {
  if (/[\n;]/.test(command))
    throw new HaproxyError(`one runtime command at a time, got ${JSON.stringify(command)}`);
  const target = runtimeTarget(socketPath);
  return new Promise((resolve, reject) => {
    const socket = createConnection(target);
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new HaproxyError(
          `haproxy runtime API at ${socketPath} did not answer "${command}" within ${RUNTIME_TIMEOUT_MS} ms`,
        ),
      );
    }, RUNTIME_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(new HaproxyError(`cannot reach haproxy runtime API at ${socketPath}: ${err.message}`));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** Commands that change state answer nothing on success; anything else is haproxy's error message. */
export async function haproxyAction(socketPath: string, command: string): Promise<void> {
  const answer = (await haproxyCommand(socketPath, command)).trim();
  if (answer !== '') throw new HaproxyError(`haproxy refused "${command}": ${answer}`);
}

export interface HaproxyServerStat {
  name: string;
  /** UP, DOWN, MAINT, DRAIN, "no check", ... as haproxy reports it (transitions look like "UP 1/2"). */
  status: string;
  weight: number;
  /** Current sessions on the server: requests in flight. */
  current: number;
}

/** Parses `show stat` CSV into the servers of one backend. */
export function parseShowStat(csv: string, backend: string): HaproxyServerStat[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^#\s*/, '').split(',');
  if (!header) throw new HaproxyError('haproxy "show stat" answered nothing');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i === -1) throw new HaproxyError(`haproxy "show stat" has no "${name}" column`);
    return i;
  };
  const [px, sv, status, weight, scur] = ['pxname', 'svname', 'status', 'weight', 'scur'].map(
    col,
  ) as number[];
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((f) => f[px!] === backend && f[sv!] !== 'BACKEND' && f[sv!] !== 'FRONTEND')
    .map((f) => ({
      name: f[sv!]!,
      status: f[status!]!,
      weight: Number(f[weight!]),
      current: Number(f[scur!]),
    }));
}

/** The backend's balance algorithm as `show stat` names it (`roundrobin`, `leastconn`, `first`, ...). */
export function parseBackendAlgo(csv: string, backend: string): string | undefined {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  const [px, sv, algo] = ['pxname', 'svname', 'algo'].map((name) => header.indexOf(name));
  if (px === -1 || sv === -1 || algo === -1) return undefined;
  const row = lines
    .slice(1)
    .map((l) => l.split(','))
    .find((f) => f[px!] === backend && f[sv!] === 'BACKEND');
  return row?.[algo!] || undefined;
}

export async function haproxyBalance(socketPath: string, backend: string): Promise<string | undefined> {
  return parseBackendAlgo(await haproxyCommand(socketPath, 'show stat'), backend);
}

export async function haproxyServers(socketPath: string, backend: string): Promise<HaproxyServerStat[]> {
  return parseShowStat(await haproxyCommand(socketPath, 'show stat'), backend);
}
