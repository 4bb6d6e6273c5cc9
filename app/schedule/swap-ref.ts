// A compare-and-swap of one ref, for taking over a stale ask (store.ts): GitHub's GraphQL mutation updateRefs
// with beforeOid, which GitHub documents as carried out only if the ref points at that object then, all of a
// call's updates or none. GitHub's REST API has no such update: a delete followed by a create lets two callers
// that read the same stale ref both hold it, one after the other. force: the ask moves from one request's tag
// to another's, which is no fast-forward; beforeOid is the guard.
import type { GraphqlFn } from '../../src/metrics/github-read.ts';
import type { GitRefCalls } from '../facts/git-refs.ts';

/**
 * Moves a ref from `before` to `after` only if it still points at `before`, in one call GitHub carries out
 * atomically: true when this call moved it, false when the ref was no longer `before`.
 */
export type SwapRef = (ref: string, before: string, after: string) => Promise<boolean>;

const SWAP_REF = `mutation SwapRef($repositoryId: ID!, $name: GitRefname!, $before: GitObjectID!, $after: GitObjectID!) {
  updateRefs(input: { repositoryId: $repositoryId, refUpdates: [{ name: $name, beforeOid: $before, afterOid: $after, force: true }] }) {
    clientMutationId
  }
}`;

/**
 * `read`: where the ref points now (undefined: gone). A refused update is read again: moved or gone, it was
 * another caller's turn (false); still at `before`, the refusal was something else, and is thrown.
 */
export function graphqlSwapRef(
  graphql: GraphqlFn,
  repositoryId: string,
  read: (ref: string) => Promise<string | undefined>,
): SwapRef {
  return async (ref, before, after) => {
    try {
      await graphql(SWAP_REF, { repositoryId, name: ref, before, after });
      return true;
    } catch (error) {
      if ((await read(ref)) !== before) return false;
      throw error;
    }
  };
}

/** Where a ref points now through the REST API (undefined: gone), for graphqlSwapRef's `read`. */
export function refReader(
  git: Pick<GitRefCalls, 'getRef'>,
  where: { owner: string; repo: string },
): (ref: string) => Promise<string | undefined> {
  return async (ref) => {
    try {
      return (await git.getRef({ ...where, ref: ref.replace(/^refs\//, '') })).data.object.sha;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  };
}

/**
 * The conditional ref update a stale ask is taken over with (store.ts), when the GraphQL client
 * and the repository's node id (the webhook's) are there; undefined otherwise.
 */
export function swapFor(
  graphql: GraphqlFn | undefined,
  api: { git: Pick<GitRefCalls, 'getRef'> },
  where: { owner: string; repo: string },
  repositoryNodeId: string | undefined,
): SwapRef | undefined {
  if (!graphql || !repositoryNodeId) return undefined;
  return graphqlSwapRef(graphql, repositoryNodeId, refReader(api.git, where));
}
