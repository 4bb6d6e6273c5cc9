// Records of environments the config no longer defines (`environment_not_in_config`, docs/reconcile.md):
// reconcile cannot act on them (their target went with their config), and left unsaid a rollout's traffic
// split would stay as it is unnoticed. The CLI's and the Action's reconcile (with a state dir) both report
// them; records kept on GitHub cannot be listed by environment (docs/reconcile.md says what it would cost).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RawConfig } from '../config/schema.ts';
import { stateDirOf } from '../config/resolve.ts';
import { FileStateStore } from '../state/file-store.ts';
import type { StateRead } from '../state/store.ts';
import { refusalFails, type ReconcileEntry } from './run.ts';

/**
 * What to say of the record of `name`, an environment the config no longer defines, read at `where`:
 * nothing when there is none, or it holds neither a rollout nor retired slots. A record the store refused
 * (corrupt, forged, misplaced, stale, unverifiable, unreadable, or where others may write) is reported with
 * the store's code and why: what it holds is not known, so it is not passed over as holding nothing. Only one
 * others may write (state_untrusted) fails the run (refusalFails), as a configured environment's would.
 */
export function strayEntry(name: string, read: StateRead, where: string): ReconcileEntry | undefined {
  if (!read.ok) {
    return {
      environment: name,
      code: read.code,
      failed: refusalFails(read.code),
      message: `${read.message} (${read.source}); not acted on, and what it holds is not known: the config no longer defines ${name}, so once it is mended reconcile says whether it holds a rollout or retired slots`,
      steps: [],
    };
  }
  const { record } = read;
  if (!record || (!record.rollout && record.retired.length === 0)) return undefined;
  const owner = record.rollout?.owner;
  const what = record.rollout
    ? `a rollout of ${record.rollout.version} in progress (owned by ${owner!.kind === 'process' ? `process ${owner!.pid} on ${owner!.host}` : `workflow run ${owner!.runId}`})`
    : `${record.retired.length} retired slot(s) not torn down (${record.retired.map((r) => r.slot).join(', ')})`;
  return {
    environment: name,
    code: 'environment_not_in_config',
    failed: false,
    message: `${where} holds ${what}, but the config no longer defines ${name}: nothing can be run for it; put it back in the config for reconcile to finish it, or clean up by hand and move the record away`,
    steps: [],
    ...(record.rollout ? { version: record.rollout.version } : {}),
  };
}

/**
 * A file in records/ that the store never reads, being no environment's record file by its name (another
 * spelling of a name, or not percent-encoded as the store writes it): whatever it holds is not known, and a
 * record copied there by hand would otherwise hide a rollout unnoticed. Reported as misplaced, a warning.
 */
function unreadFile(path: string, file: string, name: string | undefined, ownPath?: string): ReconcileEntry {
  const why =
    name === undefined
      ? 'its name is not percent-encoded as the store writes record files'
      : `the record of ${JSON.stringify(name)} is ${ownPath}`;
  return {
    environment: name ?? file,
    code: 'state_misplaced',
    failed: false,
    message: `${path} is no environment's record file (${why}): reconcile never reads it, and what it holds is not known; rename it to the record file of the environment it is for, or move it away`,
    steps: [],
  };
}

/**
 * The records in the config's state directory (or `stateDir`, which overrides it) of environments the
 * config no longer defines that need saying (strayEntry), and the record files there that no environment's
 * read finds (unreadFile), in the order of their file names.
 */
export async function fileStrayRecords(config: RawConfig, stateDir?: string): Promise<ReconcileEntry[]> {
  const dir = stateDirOf(config, stateDir);
  const store = new FileStateStore(dir);
  let files: string[];
  try {
    files = readdirSync(join(dir, 'records'));
  } catch {
    return [];
  }
  const entries: ReconcileEntry[] = [];
  for (const file of files.filter((f) => f.endsWith('.json')).sort()) {
    const path = join(dir, 'records', file);
    let name: string;
    try {
      name = decodeURIComponent(file.slice(0, -'.json'.length));
    } catch {
      entries.push(unreadFile(path, file, undefined));
      continue;
    }
    // Only a record file of the store's own naming: another spelling of a name is not its record.
    if (store.pathFor(name) !== path) {
      entries.push(unreadFile(path, file, name, store.pathFor(name)));
      continue;
    }
    if (Object.hasOwn(config.environments, name)) continue;
    const said = strayEntry(name, await store.read(name), store.pathFor(name));
    if (said) entries.push(said);
  }
  return entries;
}
