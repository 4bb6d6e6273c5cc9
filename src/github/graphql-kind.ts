// Whether a GraphQL request writes: a mutation does; a query (GitHub has no subscriptions) only reads, so its
// repeat after a lost answer is as safe as a GET's. Pure.

/** Whether a GraphQL request's text is a mutation (a write); a query, after any comment lines, is a read. */
export const isGraphqlMutation = (query: unknown): boolean =>
  typeof query === 'string' && /^\s*mutation\b/.test(query.replace(/^(?:\s*#[^\n]*\n)*/, ''));

/** Whether a request is a GraphQL query: a POST to `/graphql` (`/api/graphql` on GHES) that is no mutation. */
export function isGraphqlRead(method: string, url: string, query: unknown): boolean {
  if (method.toUpperCase() !== 'POST' || typeof query !== 'string') return false;
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\?.*$/s, '');
  return /(?:^|\/)graphql$/.test(path) && !isGraphqlMutation(query);
}
