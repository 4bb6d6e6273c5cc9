// The webhooks GitHub sends the App for what the fake GitHub stores: a deployment, or one of its statuses,
// built from GitHub's real example payloads (test/fake-github/webhooks.ts) with the stored objects merged in.
import { webhookPayload, type FakeGitHub } from '../fake-github/index.ts';

type Json = Record<string, unknown>;

/** `deployment.created` or `deployment_status.created` for the stored deployment `id` (and `status`). */
export function storedDeploymentWebhook(
  fake: FakeGitHub,
  where: { owner: string; repo: string },
  event: 'deployment' | 'deployment_status',
  id: number,
  status?: Json,
): Json {
  return webhookPayload(
    event,
    'created',
    {
      deployment: withWebhookUsers(fake.repo().deployments.get(id)!),
      ...(status ? { deployment_status: withWebhookUsers(status) } : {}),
      repository: { default_branch: fake.repo().defaultBranch },
    },
    { ...where, baseUrl: fake.url, installationId: fake.state.installationId },
  );
}

/**
 * The REST user objects have `gravatar_id: null` where the webhook schema wants a string: only the creator's
 * login and type are kept, merged over the example's user object (the App releases a deployment's lock only
 * for its own deployment, ended by a bot).
 */
function withWebhookUsers(o: Json): Json {
  const { creator, performed_via_github_app: _app, ...rest } = o;
  const who = creator as { login?: string; type?: string } | undefined;
  return who?.login ? { ...rest, creator: { login: who.login, type: who.type } } : rest;
}
