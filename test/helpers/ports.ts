// Ports for servers that must be told their port before they start (haproxy, nginx, Prometheus, PostgreSQL,
// the demo's services, whose router config names them). A port found free by binding port 0 and released is
// a race: the OS hands the same port to the next socket that asks for one (any process's listen(0) or
// outgoing connection), so the server can meet EADDRINUSE. These ports cannot be taken that way:
// - they lie outside the OS's ephemeral range, where the OS never picks a port on its own;
// - each is reserved for this process by holding a listening socket on its lock port (the port + the span,
//   also outside the range), so two test processes never get the same one, and the reservation ends with the
//   process that held it (no lock file to go stale).
// Only a process binding that exact port by number could still take it; startOnFreshPort retries for that.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

const HOST = '127.0.0.1';
/** Ports below this are left to the system's own services. */
const LOWEST = 10_000;
/** At most this many ports are reserved from. */
const MOST = 10_000;

/** The OS's ephemeral range (Linux); outside Linux, the IANA range most systems use. */
export function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    if (Number(low) > 0 && Number(high) > 0) return [Number(low), Number(high)];
  } catch {
    // not Linux
  }
  return [49_152, 65_535];
}

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: HOST, exclusive: true }, () => resolve(server));
  });
}

const held: Server[] = [];

/**
 * Served ports are [base, base + span), their lock ports [base + span, base + 2 * span): below the ephemeral
 * range (12768-32767 with Linux's default), or above it where a system's range leaves no room below.
 */
export function reservedLayout(): { base: number; span: number } {
  const [low, high] = ephemeralRange();
  const below = Math.min(MOST, Math.floor((low - LOWEST) / 2));
  if (below >= 1000) return { base: low - 2 * below, span: below };
  const above = Math.min(MOST, Math.floor((65_535 - high) / 2));
  if (above >= 1000) return { base: high + 1, span: above };
  throw new Error(`the ephemeral port range ${low}-${high} leaves no room for the tests' reserved ports`);
}

/** A port reserved for this process until it exits; nothing listens on it yet. */
export async function freePort(): Promise<number> {
  const { base, span } = reservedLayout();
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = base + ((start + i) % span);
    const lock = await listen(port + span);
    if (!lock) continue; // another test process holds it
    // Held even when the port itself is in use (by a process that chose it by number): never offered again.
    lock.unref();
    held.push(lock);
    const probe = await listen(port);
    if (!probe) continue;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }
  throw new Error(`no free port left in ${base}-${base + span - 1}`);
}

/** `count` distinct reserved ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}

/** Whether a start failed because its port was taken (the servers' own words, and Node's). */
export function isAddressInUse(error: unknown): boolean {
  return /EADDRINUSE|address already in use/i.test(error instanceof Error ? error.message : String(error));
}

/**
 * Starts a server that needs its port in its config on a reserved port, and again on a fresh one (at most
 * `attempts` times in all) if that port was taken all the same.
 */
export async function startOnFreshPort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= attempts || !isAddressInUse(error)) throw error;
    }
  }
}
