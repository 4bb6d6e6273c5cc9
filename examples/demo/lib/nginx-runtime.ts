// nginx as the demo's router, the I/O half: one prefix directory per router (config, router.json, pid
// file, logs, temp files), and the one way traffic moves: write the new config beside the live one, let
// `nginx -t` judge it (a config nginx rejects never replaces the running one), swap it in, `nginx -s reload`,
// and wait until the new worker serves and every old worker has answered its last request and exited.
// nginx is always run with argv (runNginx), never through a shell.
import { execFile, type ExecFileException } from 'node:child_process';
import {
  copyFile,
  link,
  lstat,
  mkdir,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import {
  checkPrefix,
  parseRouterState,
  routable,
  renderNginxConfig,
  type NginxRouterState,
  type RenderOptions,
} from './nginx-config.ts';
import { checkHealth } from './services.ts';

export const NGINX_BIN_DEFAULT = '/usr/sbin/nginx';
/** Longer than the config's worker_shutdown_timeout (10 s): by then an old worker has been made to exit. */
const RELOAD_BOUND_MS = 15_000;
const NGINX_COMMAND_TIMEOUT_MS = 10_000;
/** How long a server made routable is given to answer (refuseSilentServers asks them all at once). */
const PROBE_BOUND_MS = 1000;
/**
 * The longest a ctl holds the lock doing its work: the servers' probe, `nginx -t` and `nginx -s reload` (each
 * up to the command bound), then the wait for the reload to take effect.
 */
export const LONGEST_HOLD_MS = PROBE_BOUND_MS + 2 * NGINX_COMMAND_TIMEOUT_MS + RELOAD_BOUND_MS;
/**
 * How long another ctl waits for the lock: past the longest hold, with room for its file work. It waited
 * 20 s, less than a hold whose `nginx -t` and reload were slow, and failed a change that would have gone on.
 */
export const LOCK_BOUND_MS = LONGEST_HOLD_MS + 5000;

export class NginxError extends Error {}

/** A reload that failed; `applied` when nginx runs the new config all the same (old workers slow to exit). */
class ReloadError extends NginxError {
  readonly applied: boolean;
  constructor(message: string, applied: boolean) {
    super(message);
    this.applied = applied;
  }
}

export interface NginxPaths {
  prefix: string;
  config: string;
  candidate: string;
  previous: string;
  state: string;
  pid: string;
  errorLog: string;
  lock: string;
}

export function nginxPaths(prefix: string): NginxPaths {
  const dir = checkPrefix(prefix, 'DEMO_NGINX_PREFIX');
  return {
    prefix: dir,
    config: join(dir, 'nginx.conf'),
    candidate: join(dir, 'nginx.conf.next'),
    previous: join(dir, 'nginx.conf.previous'),
    state: join(dir, 'router.json'),
    pid: join(dir, 'nginx.pid'),
    errorLog: join(dir, 'logs', 'error.log'),
    lock: join(dir, 'router.lock'),
  };
}

/** nginx's own options for this prefix: everything (even the log written before the config is read) in it. */
export function nginxArgs(paths: NginxPaths, config = paths.config): string[] {
  return ['-p', `${paths.prefix}/`, '-e', paths.errorLog, '-c', config];
}

function renderOptions(paths: NginxPaths): RenderOptions {
  // Run as the current user: only a root master needs telling, or its workers would run as nobody.
  return process.getuid?.() === 0
    ? { prefix: paths.prefix, user: userInfo().username }
    : { prefix: paths.prefix };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

export async function readRouterState(paths: NginxPaths): Promise<NginxRouterState> {
  let text: string;
  try {
    text = await readFile(paths.state, 'utf8');
  } catch (e) {
    throw new NginxError(
      `cannot read the nginx router state ${paths.state} (DEMO_NGINX_PREFIX): ${(e as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new NginxError(`${paths.state} is not JSON`);
  }
  return parseRouterState(json, paths.state);
}

/**
 * Runs nginx with argv (never a shell), bounded; `failure` says how it failed (exit code, signal, timeout,
 * could not start), undefined when it exited 0. node:child_process, not execa: ctl starts once per deploy.yml
 * command, and loading execa cost more CPU than the rest of a weight change.
 */
function runNginx(
  bin: string,
  args: string[],
): Promise<{ stdout: string; stderr: string; failure?: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: NGINX_COMMAND_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr });
      const e = error as ExecFileException;
      const failure = e.killed
        ? `${bin} did not finish within ${NGINX_COMMAND_TIMEOUT_MS} ms`
        : typeof e.code === 'number'
          ? `${bin} exited with code ${e.code}`
          : e.signal
            ? `${bin} was killed by ${e.signal}`
            : `cannot run ${bin}: ${e.message}`;
      resolve({ stdout, stderr, failure });
    });
  });
}

/** `nginx -t` on a config file; throws nginx's own words when it refuses. */
async function testConfig(bin: string, paths: NginxPaths, config: string): Promise<void> {
  const r = await runNginx(bin, [...nginxArgs(paths, config), '-t', '-q']);
  if (r.failure !== undefined) {
    const why = (r.stderr || r.stdout || r.failure).trim();
    throw new NginxError(`nginx -t refused the new configuration (the running one stays): ${why}`);
  }
}

/** First setup of a prefix (done by whoever starts nginx): directories, a validated config, the state. */
export async function initNginxPrefix(
  bin: string,
  prefix: string,
  state: NginxRouterState,
): Promise<NginxPaths> {
  const paths = nginxPaths(prefix);
  await mkdir(join(paths.prefix, 'logs'), { recursive: true });
  await mkdir(join(paths.prefix, 'tmp'), { recursive: true });
  await writeFile(paths.candidate, renderNginxConfig(state, renderOptions(paths)));
  await testConfig(bin, paths, paths.candidate);
  await rename(paths.candidate, paths.config);
  await writeAtomically(paths.state, `${JSON.stringify(parseRouterState(state, 'state'), null, 2)}\n`);
  return paths;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running master's pid, or a clear error when nginx is not running for this prefix. */
export async function masterPid(paths: NginxPaths): Promise<number> {
  const text = await readFile(paths.pid, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
    throw new NginxError(
      `nginx is not running for ${paths.prefix} (${text ? `pid ${text.trim()} is gone` : `no pid file ${paths.pid}`})`,
    );
  }
  return pid;
}

/** The master's children (its workers) by pid, with whether each is retiring after a reload. */
export async function workersOf(master: number): Promise<{ pid: number; retiring: boolean }[]> {
  let pids: number[];
  try {
    const text = await readFile(`/proc/${master}/task/${master}/children`, 'utf8');
    pids = text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Kernels without the children file: look for processes whose parent is the master.
    pids = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === master) pids.push(Number(entry));
    }
  }
  const workers = await Promise.all(
    pids.map(async (pid) => {
      const title = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
      // nginx retitles a worker that got the graceful-stop signal "worker process is shutting down".
      return title === undefined ? undefined : { pid, retiring: title.includes('shutting down') };
    }),
  );
  return workers.filter((w): w is { pid: number; retiring: boolean } => w !== undefined);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A process's start time (clock ticks since boot, /proc/<pid>/stat), undefined where /proc cannot say. */
async function startTimeOf(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The fields after the command name (which may hold spaces), from the state on: start time is the 20th.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** What this process writes into the lock: its pid and start time, so a recycled pid is not taken for it. */
export async function lockText(): Promise<string> {
  const start = await startTimeOf(process.pid);
  return start === undefined ? String(process.pid) : `${process.pid} ${start}`;
}

/**
 * Whether the lock's text names a process that still runs: its pid, and when the text has one, the same
 * start time (the pid of a ctl killed long ago may belong to another process since; its lock was never taken
 * over, and every later change failed). Undefined when the text names no pid.
 */
async function ownerRuns(text: string): Promise<boolean | undefined> {
  const [pidText, start] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (!alive(pid)) return false;
  if (start === undefined) {
    // An older ctl's lock, the pid alone: on Linux, the process must still be a ctl.
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
    return cmdline === undefined || cmdline.includes('ctl.ts');
  }
  const now = await startTimeOf(pid);
  return now === undefined || now === start;
}

/**
 * Takes the lock: a file holding this process's pid, written beside it and linked into place, so the lock
 * never exists without its owner's pid. (Created empty and written after, a ctl killed in between, as a
 * cancelled deployment kills its command, left an empty lock that no later ctl could take.)
 */
async function takeLock(paths: NginxPaths, text: string): Promise<boolean> {
  const mine = `${paths.lock}.${process.pid}`;
  await writeFile(mine, text);
  try {
    await link(mine, paths.lock);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(mine, { force: true });
  }
}

/**
 * Removes the stale lock judged by its inode, never another: two ctl that both found the same dead owner's
 * lock each removed "the lock", and the second removed the one the first had just taken, so both went on
 * changing the router. The lock is moved aside (atomic) and removed if it is the one judged; one taken in
 * the meantime is linked back into place.
 */
async function removeStaleLock(paths: NginxPaths, ino: number): Promise<void> {
  const aside = `${paths.lock}.stale.${process.pid}`;
  try {
    await rename(paths.lock, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // another ctl removed it first
    throw e;
  }
  if ((await lstat(aside)).ino !== ino) await link(aside, paths.lock).catch(() => undefined);
  await rm(aside, { force: true });
}

/**
 * One ctl at a time changes a router: a lock file holding the owner's pid and start time. A lock whose owner
 * no longer runs is taken over, and so is one naming no pid once older than the bound (an older ctl's,
 * killed while it took it). A live owner is waited for, up to the bound.
 */
export async function withLock<T>(
  paths: NginxPaths,
  fn: () => Promise<T>,
  clock: { now(): number; sleep(ms: number): Promise<void> } = { now: Date.now, sleep },
): Promise<T> {
  const deadline = clock.now() + LOCK_BOUND_MS;
  const text = await lockText();
  let owner = '';
  for (;;) {
    if (await takeLock(paths, text)) break;
    const found = await lstat(paths.lock).catch(() => undefined);
    if (!found && clock.now() < deadline) continue; // released just now
    owner = (await readFile(paths.lock, 'utf8').catch(() => '')).trim();
    const runs = await ownerRuns(owner);
    if (found && (runs === false || (runs === undefined && Date.now() - found.mtimeMs > LOCK_BOUND_MS))) {
      await removeStaleLock(paths, found.ino);
      continue;
    }
    if (clock.now() >= deadline)
      throw new NginxError(
        `another ctl (pid ${owner.split(/\s+/)[0] || '?'}) still holds ${paths.lock} after ${LOCK_BOUND_MS} ms`,
      );
    await clock.sleep(50);
  }
  try {
    return await fn();
  } finally {
    // Only our own: a lock that is not (taken over, the owner judged gone) belongs to another ctl now.
    if ((await readFile(paths.lock, 'utf8').catch(() => '')) === text) await rm(paths.lock, { force: true });
  }
}

async function logSize(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

async function logSince(path: string, offset: number): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).slice(offset);
}

/**
 * Sends the reload and waits until it has taken effect: a new worker runs and every worker that was there
 * before has exited (its requests answered), so nothing is served under the old config any more.
 */
async function reloadAndWait(bin: string, paths: NginxPaths): Promise<void> {
  const master = await masterPid(paths);
  const before = new Set((await workersOf(master)).map((w) => w.pid));
  const logOffset = await logSize(paths.errorLog);
  const r = await runNginx(bin, [...nginxArgs(paths), '-s', 'reload']);
  if (r.failure !== undefined)
    throw new ReloadError(`nginx -s reload failed: ${(r.stderr || r.failure).trim()}`, false);
  const deadline = Date.now() + RELOAD_BOUND_MS;
  for (;;) {
    const workers = await workersOf(master);
    const fresh = workers.some((w) => !before.has(w.pid));
    const old = workers.filter((w) => before.has(w.pid));
    // A master that cannot apply the new config says why ([emerg]) and keeps its workers on the old one.
    const problems = (await logSince(paths.errorLog, logOffset))
      .split('\n')
      .filter((line) => line.includes('[emerg]'));
    if (problems.length > 0 && !fresh)
      throw new ReloadError(`nginx did not apply the new configuration: ${problems.join('; ')}`, false);
    if (fresh && old.length === 0) return;
    if (Date.now() >= deadline) {
      throw new ReloadError(
        `nginx reload did not finish within ${RELOAD_BOUND_MS} ms (${fresh ? `old workers ${old.map((w) => w.pid).join(', ')} still running` : 'no new worker started'}); see ${paths.errorLog}`,
        fresh,
      );
    }
    await sleep(20);
  }
}

/** Something answers HTTP on the port: all nginx itself would know of a server (it checks nothing). */
export async function answers(port: number): Promise<boolean> {
  return (await checkHealth(port, PROBE_BOUND_MS)).error === undefined;
}

/** Never hand traffic to a server that cannot answer yet (haproxy's checks do this for it; nginx has none). */
async function refuseSilentServers(before: NginxRouterState, after: NginxRouterState): Promise<void> {
  const made = Object.entries(after.servers).filter(([name, server]) => {
    const was = before.servers[name];
    return routable(server) && !(was !== undefined && routable(was));
  });
  // All at once: the lock is held meanwhile, and its hold is bounded by one probe (LONGEST_HOLD_MS).
  const answered = await Promise.all(made.map(([, server]) => answers(server.port)));
  const silent = made.findIndex((_, i) => !answered[i]);
  if (silent >= 0) {
    const [name, server] = made[silent]!;
    throw new NginxError(`refusing to route to ${name}: nothing answers on 127.0.0.1:${server.port}`);
  }
}

/** The config file nginx was last given (undefined when it cannot be read). */
async function liveConfig(paths: NginxPaths): Promise<string | undefined> {
  return readFile(paths.config, 'utf8').catch(() => undefined);
}

/**
 * Puts back what router.json says when nginx.conf says something else: a ctl stopped part-way through a change
 * (a cancelled deployment stops its set_weight or switch command; SIGKILL runs no cleanup) leaves the new
 * config swapped in, maybe reloaded, and router.json on the old weights. Every view and change of the router
 * starts here, so none is made from weights nginx may not run: a rollback's "canary to 0" matched the stale
 * router.json, changed nothing, and left the canary its share. Cheap when nothing was interrupted (one read).
 */
export async function settleNginxRouter(bin: string, prefix: string): Promise<void> {
  const paths = nginxPaths(prefix);
  const state = await readRouterState(paths);
  if ((await liveConfig(paths)) === renderNginxConfig(state, renderOptions(paths))) return;
  // Under the lock (another ctl may be mid-change right now): updateNginxRouter compares again there.
  await updateNginxRouter(bin, prefix, (current) => current);
}

/**
 * Changes the router: the new state's config is validated by `nginx -t` before it replaces the live one,
 * applied with a graceful reload, and recorded in router.json only once nginx runs it. On any failure the
 * live config and router.json stay as they were. A server that does not answer is never made routable.
 */
export async function updateNginxRouter(
  bin: string,
  prefix: string,
  change: (state: NginxRouterState) => NginxRouterState,
): Promise<NginxRouterState> {
  const paths = nginxPaths(prefix);
  return withLock(paths, async () => {
    const before = await readRouterState(paths);
    const after = change(before);
    const text = renderNginxConfig(after, renderOptions(paths));
    // Nothing to do only when nginx.conf is this state's own config. A ctl stopped part-way through a change
    // (a cancelled deployment stops its set_weight command) leaves the new config swapped in, maybe already
    // reloaded, and router.json still saying the old weights: the rollback's "back to the old weights" then
    // matched router.json and left the canary taking its share.
    if (JSON.stringify(after) === JSON.stringify(before) && (await liveConfig(paths)) === text) return before;
    await refuseSilentServers(before, after);
    const record = () => writeAtomically(paths.state, `${JSON.stringify(after, null, 2)}\n`);
    try {
      await applyNginxConfig(bin, paths, text);
    } catch (e) {
      // nginx runs the new config though the reload did not finish cleanly: the state must say so.
      if (e instanceof ReloadError && e.applied) await record();
      throw e;
    }
    await record();
    return after;
  });
}

/**
 * The validate → swap → reload → wait sequence for a config text. Exported so a test can hand it a config
 * nginx refuses and see the running one stay; callers hold the lock (updateNginxRouter does).
 */
export async function applyNginxConfig(bin: string, paths: NginxPaths, text: string): Promise<void> {
  await writeFile(paths.candidate, text);
  try {
    await testConfig(bin, paths, paths.candidate);
  } catch (e) {
    await rm(paths.candidate, { force: true });
    throw e;
  }
  await copyFile(paths.config, paths.previous);
  await rename(paths.candidate, paths.config);
  try {
    await reloadAndWait(bin, paths);
  } catch (e) {
    // nginx keeps running the old config when a reload fails; the file must say so too.
    if (!(e instanceof ReloadError && e.applied)) await rename(paths.previous, paths.config);
    throw e;
  }
  await rm(paths.previous, { force: true });
}
