// `requires: staging` ("production only after this commit succeeded in staging"), judged from what can be
// trusted: the environment's state record, signed by the Action under the environment's state key
// (src/state, docs/state.md), which the App verifies under the key it derives from its marker key.
//
// Not from the commit's deployments and their statuses: anyone with write permission (their own token, or any
// workflow's GITHUB_TOKEN) creates a deployment of any commit to any environment and posts `success` on it.
// So the record is the only source. A required environment without one (the Action there runs without
// `state-key`) is refused as a configuration error (`state_not_kept`), never judged from deployments; a record
// that does not verify is refused with its reason code.
//
// "Succeeded there" is: the verified record shows this commit live in the environment (`live.sha`). The
// record sets `live` only when a rollout succeeded; a failed rollout of the commit rolled back leaves what was
// live before, and a /rollback or a later release replaces it. The history names versions, not commits, so
// a commit that was live earlier and has since been replaced no longer counts: deploy it there again.
import { readEnvironmentRecord } from '../../src/state/github-store.ts';
import type { StateRead } from '../../src/state/store.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { PriorEnvironmentIssue, SuccessfulDeployment } from '../../src/policy/index.ts';
import { appRecordReader } from '../state.ts';
import type { RecordReader } from '../state.ts';
import type { Api, Where } from './github.ts';

export interface PriorEnvironments {
  /** The required environments whose verified record shows the commit live. */
  successful: SuccessfulDeployment[];
  /** Why each other required environment does not count. */
  issues: PriorEnvironmentIssue[];
}

/** The reader the caller was given (the App's, which remembers record numbers), else one for these keys. */
export function priorReader(keys: MarkerKeys, records?: RecordReader): RecordReader {
  return records ?? appRecordReader(keys, readEnvironmentRecord);
}

const short = (sha: string): string => sha.slice(0, 7);
const same = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Pure: does what was read of `environment`'s record show `sha` deployed successfully there? Undefined: yes;
 * otherwise why not, with a stable code.
 */
export function judgePrior(
  environment: string,
  read: StateRead,
  sha: string,
): PriorEnvironmentIssue | undefined {
  if (!read.ok)
    return {
      environment,
      code: read.code,
      message: `its state record is refused, so nothing in it counts: ${read.message}`,
    };
  const record = read.record;
  if (!record)
    return {
      environment,
      code: 'state_not_kept',
      message:
        'keeps no signed state record, so that this commit succeeded there cannot be verified (deployment ' +
        "statuses are no evidence: anyone with write permission posts them). Pass the environment's " +
        "DEPLOY_STATE_KEY as the action's state-key there (docs/state.md) and deploy this commit there",
    };
  if (same(record.live?.sha, sha)) return undefined;
  const live = record.live
    ? `${record.live.sha ? short(record.live.sha) : 'no commit'} (${record.live.version}) is live there`
    : 'nothing is live there';
  const rolling = record.rollout && same(record.rollout.sha, sha);
  const replaced = same(record.previous?.sha, sha);
  const detail = rolling
    ? `its rollout of ${short(sha)} has not succeeded yet (phase ${record.rollout!.phase}); ${live}`
    : replaced
      ? `${short(sha)} was live there and has been replaced (rolled back or superseded); ${live}`
      : `${live}, not ${short(sha)}`;
  return { environment, code: 'not_live', message: `its signed record (#${record.seq}): ${detail}` };
}

/** Reads the record of every required environment (one read each, in parallel) and judges `sha` against it. */
export async function priorEnvironments(
  records: RecordReader,
  api: Api,
  where: Where,
  sha: string,
  needed: readonly string[],
): Promise<PriorEnvironments> {
  const judged = await Promise.all(
    needed.map(async (environment) => ({
      environment,
      issue: judgePrior(environment, await records(api, where, environment), sha),
    })),
  );
  return {
    successful: judged.filter((j) => !j.issue).map((j) => ({ environment: j.environment, sha })),
    issues: judged.flatMap((j) => (j.issue ? [j.issue] : [])),
  };
}
