// One Octokit per installation, kept, instead of one per delivery (issue 16). Probot's webhook transform asks
// its app Octokit's auth for an `event-octokit` (octokit-auth-probot), which builds a new Octokit, with its
// plugins, auth state and retry limiter, for every delivery. Here that request is answered with the
// installation's kept Octokit, made by `probot.auth(installationId)`: Probot's own installation client, the
// same class (throttling and retry included), with the installation as its throttle id, so GitHub's write
// spacing is kept per installation rather than in one queue for every installation of the process (an
// event Octokit's throttle id is "no-id"). @octokit/auth-app caches and refreshes the installation token, so
// a kept instance stays valid. Deliveries without an installation, and an installation's suspend or deletion,
// get Probot's own answer (an unauthenticated client), and the installation's kept Octokit is dropped.
//
// Probot's Context sets the `x-github-delivery` header on an Octokit's requests with a hook it adds once per
// instance: a kept instance would send the first delivery's id forever. The delivery being handled is kept
// in an AsyncLocalStorage around the webhooks' receive, and a hook of ours, which runs after Probot's, writes
// it (or removes the header outside a delivery).
//
// Each kept Octokit's GETs are conditional (conditional-reads.ts): it remembers its answers, and GitHub answers
// an unchanged one with a 304 that costs no rate limit. The memory is one budget for every installation (one
// RememberedReads per keepInstallationOctokits, called once per process); an installation's part of it goes
// with its Octokit.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Probot, ProbotOctokit } from 'probot';
import { isGraphqlMutation } from './facts/github.ts';
import { RememberedReads, rememberReads } from './conditional-reads.ts';
import type { ReadCacheLimits } from './conditional-reads.ts';

type Octokit = ProbotOctokit;
type AuthFn = Octokit['auth'] & { hook?: unknown };

/** How many installations keep an Octokit; the least recently used is dropped beyond it. */
export const DEFAULT_MAX_INSTALLATIONS = 500;

const REVOKING = new Set(['suspend', 'deleted']);

interface EventAuth {
  type: 'event-octokit';
  event: { id: string; name: string; payload: { action?: string; installation?: { id?: number } } };
}

const isEventAuth = (options: unknown): options is EventAuth =>
  typeof options === 'object' && options !== null && (options as { type?: unknown }).type === 'event-octokit';

/**
 * Pure: the installation whose kept Octokit a delivery may use, or why not: none named, or the delivery says
 * the app's access to it ends (Probot answers those with an unauthenticated client).
 */
export function installationOf(
  event: EventAuth['event'],
): { use: number } | { drop: number } | { none: true } {
  const id = event.payload.installation?.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return { none: true };
  if (event.name === 'installation' && REVOKING.has(String(event.payload.action))) return { drop: id };
  return { use: id };
}

/**
 * Pure: whether a request creates something on GitHub, so that its repeat after a lost answer may find its own
 * write (a POST, but a GraphQL query and an installation token, which are repeated safely).
 */
export function createsSomething(method: string, url: string, query?: unknown): boolean {
  if (method.toUpperCase() !== 'POST') return false;
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\?.*$/s, '');
  if (/\/app\/installations\/[^/]+\/access_tokens$/.test(path)) return false;
  if (/(?:^|\/)graphql$/.test(path)) return isGraphqlMutation(query);
  return true;
}

export interface InstallationOctokits {
  /** Installations with a kept Octokit, least recently used first. */
  installations(): number[];
  /** Every installation's remembered reads (conditional-reads.ts). */
  reads: RememberedReads;
}

/**
 * Makes `probot` hand each delivery its installation's kept Octokit. Call once, before deliveries arrive
 * (it waits for Probot's initialization).
 */
export async function keepInstallationOctokits(
  probot: Probot,
  options: { max?: number; reads?: ReadCacheLimits } = {},
): Promise<InstallationOctokits> {
  const max = options.max ?? DEFAULT_MAX_INSTALLATIONS;
  if (!Number.isSafeInteger(max) || max < 1)
    throw new Error(`keepInstallationOctokits: max must be a positive integer, got ${max}`);
  // Every installation's remembered reads, in one budget; invalid limits are refused here, at start.
  const reads = new RememberedReads(options.reads);
  // Without an installation id, probot.auth() is the app Octokit the webhook transform asks.
  const appOctokit = await probot.auth();
  const original = appOctokit.auth as AuthFn;
  const kept = new Map<number, Promise<Octokit>>();
  const delivery = new AsyncLocalStorage<string>();

  /** Drops an installation's kept Octokit and everything it remembered. */
  const drop = (installationId: number): void => {
    kept.delete(installationId);
    reads.drop(installationId);
  };

  const octokitFor = (installationId: number): Promise<Octokit> => {
    const hit = kept.get(installationId);
    if (hit) {
      // Most recently used last (a Map keeps insertion order).
      kept.delete(installationId);
      kept.set(installationId, hit);
      return hit;
    }
    // Opened now, so that a drop before the Octokit is made closes it too.
    const remembered = reads.of(installationId);
    const made = probot.auth(installationId).then((octokit) => {
      octokit.hook.before('request', (request) => {
        const id = delivery.getStore();
        if (id) request.headers['x-github-delivery'] = id;
        else delete request.headers['x-github-delivery'];
        // A create whose answer is lost may have landed: never repeated blindly (as the Action's client).
        // Repeated by Octokit's retry, it found its own write and took it for another delivery's: a reaction
        // key answered 200 (the command "already handled", never answered), a claim or lock ref 422.
        if (createsSomething(request.method, request.url, request.query))
          request.request = { ...request.request, retries: request.request?.retries ?? 0 };
      });
      // Last, so it wraps the throttling and retry plugins: a retried GET is asked conditionally too.
      rememberReads(octokit, remembered);
      return octokit;
    });
    kept.set(installationId, made);
    made.catch(() => {
      if (kept.get(installationId) === made) drop(installationId);
    });
    while (kept.size > max) drop(kept.keys().next().value!);
    return made;
  };

  const auth = (async (authOptions?: unknown) => {
    if (isEventAuth(authOptions)) {
      const installation = installationOf(authOptions.event);
      if ('use' in installation) return octokitFor(installation.use);
      if ('drop' in installation) drop(installation.drop);
    }
    return (original as (o?: unknown) => Promise<unknown>)(authOptions);
  }) as AuthFn;
  auth.hook = original.hook;
  appOctokit.auth = auth;

  // The delivery each request is made for: receive (probot.receive) and verifyAndReceive (the node middleware,
  // the Lambda adapter) are the webhooks' own properties, each bound to its state.
  const webhooks = probot.webhooks;
  const { receive, verifyAndReceive } = webhooks;
  webhooks.receive = (event) => delivery.run(event.id, () => receive(event));
  webhooks.verifyAndReceive = (event) => delivery.run(event.id, () => verifyAndReceive(event));

  return { installations: () => [...kept.keys()], reads };
}
