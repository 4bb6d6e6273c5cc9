// Parsing of the small `name=value` specs shared by the router flags and ctl's environment. Every error
// names the text that was wrong and what was expected.

export class SpecError extends Error {}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function parseName(name: string, where: string): string {
  if (!NAME.test(name)) {
    throw new SpecError(
      `${where}: "${name}" is not a valid name (letters, digits, "_", ".", "-"; must not start with a symbol)`,
    );
  }
  return name;
}

function splitPair(text: string, where: string, example: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new SpecError(`${where}: "${text}" must look like ${example}`);
  return [parseName(text.slice(0, eq).trim(), where), text.slice(eq + 1).trim()];
}

export function parsePort(text: string, where: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new SpecError(`${where}: "${text}" is not a TCP port (1-65535)`);
  }
  return port;
}

export interface Address {
  host: string;
  port: number;
}

/**
 * `127.0.0.1:8080`, or `[::1]:8080` for an IPv6 address (in brackets, as a URL writes it; the host is kept
 * without them, as sockets take it). The host defaults to 127.0.0.1 when only a port is given.
 */
export function parseAddress(text: string, where: string): Address {
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { host: '127.0.0.1', port: parsePort(text, where) };
  let host = text.slice(0, colon);
  if (host.startsWith('[') || host.endsWith(']')) {
    if (!host.startsWith('[') || !host.endsWith(']') || host.length < 3)
      throw new SpecError(`${where}: "${text}" must look like [::1]:8080`);
    host = host.slice(1, -1);
  } else if (host.includes(':')) {
    // "::1:8080" could be an address with no port: say which part is the port.
    throw new SpecError(`${where}: "${text}": write an IPv6 address in brackets, e.g. [::1]:8080`);
  }
  if (host === '') throw new SpecError(`${where}: "${text}" must look like 127.0.0.1:8080`);
  return { host, port: parsePort(text.slice(colon + 1), where) };
}

/** `host:port` as a URL writes it: an IPv6 address in brackets. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `blue=127.0.0.1:8081` */
export function parseBackendSpec(text: string): { name: string } & Address {
  const [name, address] = splitPair(text, '--backend', 'blue=127.0.0.1:8081');
  return { name, ...parseAddress(address, `--backend ${name}`) };
}

export const MAX_WEIGHT = 256;

export function parseWeightValue(text: string, where: string): number {
  const weight = Number(text);
  if (!/^\d+$/.test(text) || weight > MAX_WEIGHT) {
    throw new SpecError(`${where}: "${text}" is not a weight (a whole number from 0 to ${MAX_WEIGHT})`);
  }
  return weight;
}

/** `green=10` */
export function parseWeightSpec(text: string): { name: string; weight: number } {
  const [name, value] = splitPair(text, '--weight', 'green=10');
  return { name, weight: parseWeightValue(value, `--weight ${name}`) };
}

/** `blue=18081,green=18082,i1=18091` (commas or whitespace between entries). */
export function parsePortMap(text: string, where: string): Map<string, number> {
  const ports = new Map<string, number>();
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    const [name, port] = splitPair(entry, where, 'blue=18081');
    if (ports.has(name)) throw new SpecError(`${where}: "${name}" is listed twice`);
    ports.set(name, parsePort(port, `${where} (${name})`));
  }
  if (ports.size === 0) throw new SpecError(`${where} is empty; expected e.g. "blue=18081,green=18082"`);
  return ports;
}

/** `i1,i2` or `i1 i2` → ['i1', 'i2'] */
export function parseNameList(text: string, where: string): string[] {
  const names = text.split(/[\s,]+/).filter(Boolean);
  if (names.length === 0) throw new SpecError(`${where} is empty; expected names such as "i1,i2"`);
  return names.map((n) => parseName(n, where));
}
