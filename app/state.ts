// The environment records the App reads (issue 13): one per environment, kept on GitHub by the Action
// (src/state/github-store.ts) and signed under the environment's state key, which the App derives from its
// own marker key (src/state/state-key.ts: the current key, then the previous one during a rotation). A record
// that does not verify comes back refused with its reason code; the App never acts on one.
import { stateKeysFor } from '../src/state/state-key.ts';
import type { MarkerKeys } from '../src/github/marker-keys.ts';
import type { StateRead } from '../src/state/store.ts';
import type { Api, Where } from './facts/github.ts';

/** Reads one environment's record as the App trusts it. */
export type RecordReader = (api: Api, where: Where, environment: string) => Promise<StateRead>;

/** The store's read (src/state/github-store.ts readEnvironmentRecord): with the keys it accepts. */
export type ReadWithKeys = (
  api: Api,
  where: Where,
  environment: string,
  keys: Buffer[],
  options: { seenSeq?: number },
) => Promise<StateRead>;

/** Environments whose highest record number this process remembers (oldest forgotten first). */
const MAX_REMEMBERED = 10_000;

/**
 * The App's reader: the store's read under the state keys derived from the App's marker keys. It remembers
 * the highest record number it has trusted per repository and environment, so a record older than one it
 * has already seen (a late or replayed write) is refused as `state_stale` rather than believed. Memory is
 * per process: another replica, or a restart, starts from what GitHub holds.
 */
export function appRecordReader(keys: MarkerKeys, read: ReadWithKeys): RecordReader {
  const seen = new Map<string, number>();
  return async (api, where, environment) => {
    const repository = `${where.owner}/${where.repo}`;
    const key = JSON.stringify([repository.toLowerCase(), environment]);
    const seenSeq = seen.get(key);
    const result = await read(api, where, environment, stateKeysFor(keys, repository, environment), {
      ...(seenSeq !== undefined ? { seenSeq } : {}),
    });
    if (result.ok && result.record) {
      seen.delete(key);
      seen.set(key, Math.max(seenSeq ?? 0, result.record.seq));
      if (seen.size > MAX_REMEMBERED) seen.delete(seen.keys().next().value!);
    }
    return result;
  };
}
