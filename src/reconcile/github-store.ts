// The store reconcile uses on GitHub. A reconcile run has no deployment of its own (its job runs with
// `deployment: false`), so it writes the new record back where it read the current one: the deploy check
// run of the deployment that holds it, re-signed for that same deployment. Reads are the Action's and the
// App's (state/github-store.ts readEnvironmentRecord); this file only remembers which check run answered.
import { bindExternalId, readEnvironmentRecord, type StateReadApi } from '../state/github-store.ts';
import type { EnvironmentRecord } from '../state/record.ts';
import { signRecord, verifyRecord } from '../state/signed-record.ts';
import type { StateRead, StateStore } from '../state/store.ts';
import { userText } from '../github/user-text.ts';
import { truncate } from '../report/markdown.ts';

interface CheckRunData {
  id: number;
  external_id: string | null;
  output: { title?: string | null; summary?: string | null; text?: string | null };
}

/** The reads of state/github-store.ts plus the one write (an Octokit's `rest` satisfies it). */
export interface InPlaceStateApi {
  repos: StateReadApi['repos'];
  checks: StateReadApi['checks'] & {
    listForSuite(p: Parameters<StateReadApi['checks']['listForSuite']>[0]): Promise<{
      data: { total_count: number; check_runs: Array<CheckRunData & { name?: string }> };
    }>;
    update(p: {
      owner: string;
      repo: string;
      check_run_id: number;
      status?: 'completed';
      conclusion?: 'success' | 'failure' | 'cancelled';
      completed_at?: string;
      output: { title: string; summary: string; text: string };
    }): Promise<unknown>;
  };
}

interface Place {
  deploymentId: number;
  run: CheckRunData;
  /** The record last read or written there. */
  record: EnvironmentRecord;
}

/**
 * How the dead run's deploy check run ends when reconcile ends its rollout (rolled back, or resumed to the
 * end): it would otherwise stay "in progress" forever, saying "Deploying v2". Undefined while a rollout is
 * still in the record.
 */
export function checkRunEnding(
  before: EnvironmentRecord,
  after: EnvironmentRecord,
): { conclusion: 'success' | 'failure' | 'cancelled'; title: string; summary: string } | undefined {
  if (!before.rollout || after.rollout) return undefined;
  const last = after.history.at(-1);
  const event = last?.event ?? 'ended';
  const conclusion = event === 'succeeded' ? 'success' : event === 'cancelled' ? 'cancelled' : 'failure';
  return {
    conclusion,
    title: truncate(`${after.environment}: ${event.replaceAll('_', ' ')} by reconcile`, 255),
    summary: truncate(
      `The run that owned the rollout of **${userText(before.rollout.version)}** ended; reconcile took over.` +
        (last?.detail ? `\n\n${userText(last.detail)}` : ''),
      65_000,
    ),
  };
}

export class InPlaceGitHubStore implements StateStore {
  private readonly api: InPlaceStateApi;
  private readonly owner: string;
  private readonly repo: string;
  private readonly keys: Buffer[];
  private readonly places = new Map<string, Place>();

  constructor(options: { api: InPlaceStateApi; owner: string; repo: string; keys: Buffer[] }) {
    this.api = options.api;
    this.owner = options.owner;
    this.repo = options.repo;
    this.keys = options.keys;
  }

  async read(environment: string): Promise<StateRead> {
    // Watch the answers the shared read gets, to know afterwards which deployment and check run held it.
    const deployments: Array<{ id: number; sha: string }> = [];
    const runsBySha = new Map<string, CheckRunData[]>();
    const shaOfSuite = new Map<number, string>();
    const watching: StateReadApi = {
      repos: {
        listDeployments: async (p) => {
          const answer = await this.api.repos.listDeployments(p);
          deployments.push(...answer.data);
          return answer;
        },
      },
      checks: {
        listSuitesForRef: async (p) => {
          const answer = await this.api.checks.listSuitesForRef(p);
          for (const suite of answer.data.check_suites) shaOfSuite.set(suite.id, p.ref);
          return answer;
        },
        listForSuite: async (p) => {
          const answer = await this.api.checks.listForSuite(p);
          const sha = shaOfSuite.get(p.check_suite_id)!;
          runsBySha.set(sha, [...(runsBySha.get(sha) ?? []), ...answer.data.check_runs]);
          return answer;
        },
      },
    };
    const read = await readEnvironmentRecord(
      watching,
      { owner: this.owner, repo: this.repo },
      environment,
      this.keys,
    );
    if (read.ok && read.record) {
      const place = this.placeOf(read.record, deployments, runsBySha);
      if (place) this.places.set(environment, place);
    }
    return read;
  }

  async write(record: EnvironmentRecord): Promise<void> {
    const place = this.places.get(record.environment);
    if (!place)
      throw new Error(
        `the state of ${record.environment} was not read here, so there is nowhere to write it`,
      );
    const text = signRecord(record, this.keys[0]!, {
      repository: `${this.owner}/${this.repo}`,
      environment: record.environment,
      deploymentId: String(place.deploymentId),
    });
    const ending = checkRunEnding(place.record, record);
    // GitHub wants a title and summary with any output: the reporter's stay as they were until it ends.
    const output = {
      title: ending?.title ?? (place.run.output.title || `deploy / ${record.environment}`),
      summary: ending?.summary ?? (place.run.output.summary || 'State of the environment.'),
      text,
    };
    await this.api.checks.update({
      owner: this.owner,
      repo: this.repo,
      check_run_id: place.run.id,
      ...(ending
        ? { status: 'completed', conclusion: ending.conclusion, completed_at: record.updatedAt }
        : {}),
      output,
    });
    place.run = { ...place.run, output };
    place.record = record;
  }

  /** The check run whose verified record is the one read (the newest deployment that holds one). */
  private placeOf(
    record: EnvironmentRecord,
    deployments: Array<{ id: number; sha: string }>,
    runsBySha: Map<string, CheckRunData[]>,
  ): Place | undefined {
    const repository = `${this.owner}/${this.repo}`;
    for (const d of deployments) {
      // The rule of the shared read: a check run of ours whose external_id binds it to this deployment.
      const suffix = bindExternalId(`:deploy / ${record.environment}`, d.id);
      for (const run of runsBySha.get(d.sha) ?? []) {
        if (!run.external_id?.startsWith('deploy-action:') || !run.external_id.endsWith(suffix)) continue;
        const verified = verifyRecord(run.output.text, this.keys, {
          repository,
          environment: record.environment,
          deploymentId: String(d.id),
        });
        if (verified.ok && verified.record.seq === record.seq) return { deploymentId: d.id, run, record };
      }
    }
    return undefined;
  }
}
