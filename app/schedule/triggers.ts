// What makes the App look for due scheduled and queued deployments (run-due.ts), since it has no timer of its
// own: every completed workflow run of the repository (the scheduled reconcile workflow runs every 10
// minutes, docs/reconcile.md, so a schedule starts within about 10 minutes of its time; any other run that
// completes looks too), and a deployment's lock released by its final status (the queue behind it). /unlock
// and /status look from the commands (app/deploy/dispatch.ts). Each look costs one request when nothing is
// kept, and never fails the event it rides on.
import type { Probot } from 'probot';
import type { Api, Octokit } from '../facts/github.ts';
import { markerTrust, ownAppId, ownBotLogin } from '../facts/own-comments.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { runDueQuietly } from './run-due.ts';
import { swapFor } from './swap-ref.ts';
import type { RecordReader } from '../state.ts';

interface RepositoryPayload {
  repository: { name: string; owner: { login: string }; node_id?: string };
}

export interface TriggerOptions {
  keys: MarkerKeys;
  now: () => Date;
  /** The app's bot login; by default asked once per process (GET /app). */
  botLogin?: string;
  /** The App's one record reader (app/state.ts), shared by every delivery. */
  records: RecordReader;
}

/** The look itself, for a handler that already knows the repository (the deployment_status handler). */
export function dueLook(options: TriggerOptions) {
  return async (
    octokit: Octokit,
    payload: RepositoryPayload,
    log: {
      warn: (fields: Record<string, unknown>, message: string) => void;
      info?: (fields: Record<string, unknown>, message: string) => void;
    },
  ) => {
    const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const swap = swapFor(
      (query, variables) => octokit.graphql(query, variables),
      octokit.rest as Api,
      where,
      payload.repository.node_id,
    );
    return runDueQuietly(
      {
        api: octokit.rest as Api,
        now: options.now,
        botLogin: options.botLogin ?? (await ownBotLogin(octokit)),
        appId: await ownAppId(octokit),
        markers: markerTrust(options.keys, log),
        records: options.records,
        ...(log.info ? { info: log.info.bind(log) } : {}),
        ...(swap ? { swap } : {}),
      },
      where,
    );
  };
}

export function registerScheduleTriggers(app: Probot, options: TriggerOptions): void {
  const look = dueLook(options);
  app.on('workflow_run.completed', async (context) => {
    const outcomes = await look(context.octokit, context.payload as RepositoryPayload, context.log);
    context.log.info({ delivery: context.id, schedule: outcomes }, 'scheduled deployments checked');
  });
}
