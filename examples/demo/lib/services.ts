// Demo service processes managed through a state directory: started detached (they outlive ctl), one
// record and one log per slot / instance name, stopped gracefully (SIGTERM, then SIGKILL after a bound).
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RequestError, requestJson } from './http-json.ts';

export const SERVICE_SCRIPT = fileURLToPath(new URL('../service.ts', import.meta.url));
const STOP_BOUND_MS = 12_000; // the service's own shutdown bound is 10 s

export interface ServiceRecord {
  name: string;
  version: string;
  port: number;
  pid: number;
  startedAt: string;
  log: string;
}

export class ServiceError extends Error {}

const recordPath = (stateDir: string, name: string) => join(stateDir, 'services', `${name}.json`);
export const logPath = (stateDir: string, name: string) => join(stateDir, 'logs', `${name}.log`);

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // Guard against a recycled pid: on Linux, check it is still a demo service.
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync(cmdline)) {
    try {
      return readFileSync(cmdline, 'utf8').includes('service.ts');
    } catch {
      return false;
    }
  }
  return true;
}

export async function readRecord(stateDir: string, name: string): Promise<ServiceRecord | undefined> {
  try {
    return JSON.parse(await readFile(recordPath(stateDir, name), 'utf8')) as ServiceRecord;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ServiceError(`cannot read ${recordPath(stateDir, name)}: ${(e as Error).message}`);
  }
}

export async function listRecords(stateDir: string): Promise<ServiceRecord[]> {
  const dir = join(stateDir, 'services');
  if (!existsSync(dir)) return [];
  const names = (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  const records = await Promise.all(names.map((n) => readRecord(stateDir, n)));
  return records.filter((r): r is ServiceRecord => r !== undefined);
}

export async function logTail(path: string, lines = 20): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface HealthResult {
  healthy: boolean;
  status?: number;
  version?: string;
  error?: string;
}

export async function checkHealth(port: number, timeoutMs = 2000): Promise<HealthResult> {
  try {
    const res = await requestJson(`http://127.0.0.1:${port}/health`, { timeoutMs });
    const version = (res.json as { version?: unknown } | undefined)?.version;
    return {
      healthy: res.status === 200,
      status: res.status,
      version: typeof version === 'string' ? version : undefined,
    };
  } catch (e) {
    return { healthy: false, error: e instanceof RequestError ? e.code : (e as Error).message };
  }
}

/** SIGTERM, wait for the graceful exit, SIGKILL after the bound. Returns whether a process was running. */
export async function stopService(stateDir: string, name: string): Promise<boolean> {
  const record = await readRecord(stateDir, name);
  if (!record) return false;
  const wasRunning = isAlive(record.pid);
  if (wasRunning) {
    process.kill(record.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_BOUND_MS;
    while (isAlive(record.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    if (isAlive(record.pid)) process.kill(record.pid, 'SIGKILL');
  }
  await rm(recordPath(stateDir, name), { force: true });
  return wasRunning;
}

/**
 * Starts the service for `name` on `port` (stopping a running one first) and waits until its /health
 * answers 200 with the new version. On failure the error carries the log tail.
 */
export async function startService(
  stateDir: string,
  name: string,
  port: number,
  version: string,
  timeoutMs: number,
): Promise<ServiceRecord> {
  await stopService(stateDir, name);
  await mkdir(join(stateDir, 'services'), { recursive: true });
  await mkdir(join(stateDir, 'logs'), { recursive: true });
  const log = logPath(stateDir, name);
  const fd = openSync(log, 'w');
  const child = spawn(
    process.execPath,
    [SERVICE_SCRIPT, '--port', String(port), '--version', version, '--name', name],
    { detached: true, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  let exitCode: number | string | undefined;
  child.on('exit', (code, signal) => (exitCode = code ?? signal ?? 'unknown'));
  child.on('error', (err) => (exitCode = err.message));
  child.unref();
  if (child.pid === undefined) throw new ServiceError(`could not start ${SERVICE_SCRIPT} for ${name}`);

  const record: ServiceRecord = {
    name,
    version,
    port,
    pid: child.pid,
    startedAt: new Date().toISOString(),
    log,
  };
  // In the same tick as the spawn: a Ctrl-C (ctl exits from its handler, between ticks) can no longer end ctl
  // with the detached service running and no record for `ctl down` to stop it by.
  writeFileSync(recordPath(stateDir, name), JSON.stringify(record, null, 2));

  const deadline = Date.now() + timeoutMs;
  let last: HealthResult = { healthy: false, error: 'not checked yet' };
  for (;;) {
    if (exitCode !== undefined) {
      await rm(recordPath(stateDir, name), { force: true });
      throw new ServiceError(
        `${name} (version ${version}) exited with ${exitCode} while starting. Log ${log}:\n${await logTail(log)}`,
      );
    }
    last = await checkHealth(port, 1000);
    if (last.healthy && last.version === version) return record;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopService(stateDir, name);
  const seen = last.error ?? `HTTP ${last.status} from version ${last.version}`;
  throw new ServiceError(
    `${name} (version ${version}) was not healthy on port ${port} within ${timeoutMs} ms (last: ${seen}). Log ${log}:\n${await logTail(log)}`,
  );
}
