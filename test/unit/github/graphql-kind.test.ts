// Whether a GraphQL request may write decides whether the client repeats it after a lost answer (a query is
// repeated as a GET is; a mutation never blindly, it may have landed). A mutation anywhere in the document is
// a write, whatever comes before it; only a document of queries and fragments is a read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGraphqlMutation, isGraphqlRead } from '../../../src/github/graphql-kind.ts';

const MUTATION = 'mutation Move($id: ID!) { updateRef(input: {refId: $id}) { clientMutationId } }';

test('a mutation is a write wherever the document puts it', () => {
  const writes: Array<[string, string]> = [
    ['bare', MUTATION],
    ['anonymous', 'mutation { deleteRef(input: {refId: "x"}) { clientMutationId } }'],
    ['after comment lines', `# why\n  # and how\n${MUTATION}`],
    ['after a comment ended by a carriage return alone', `# why\r${MUTATION}`],
    ['after commas and a BOM (ignored tokens)', `\uFEFF,,\t${MUTATION}`],
    [
      'after a fragment it spreads',
      `fragment F on Ref { id }\n${MUTATION.replace('clientMutationId', '...F')}`,
    ],
    ['beside a query, chosen by operationName', `query Read { viewer { login } }\n${MUTATION}`],
    [
      'after a query whose string holds braces',
      `query A { search(query: "}{ }") { issueCount } } ${MUTATION}`,
    ],
    ['after a block string holding a quote', `query A { x(s: """a \\""" "b" }""") } ${MUTATION}`],
  ];
  for (const [what, text] of writes) assert.equal(isGraphqlMutation(text), true, what);
});

test('a document of queries and fragments only is a read, whatever its comments and strings say', () => {
  const reads: Array<[string, string]> = [
    ['named query', 'query DeploymentMetrics($after: String) { repository { id } }'],
    ['shorthand', '{ viewer { login } }'],
    ['a comment saying mutation', '# not a mutation\nquery { viewer { login } }'],
    ['a string saying mutation', 'query { search(query: "mutation { x }") { issueCount } }'],
    ['a fragment then the query', 'fragment F on User { login }\nquery { viewer { ...F } }'],
    ['a variable typed or defaulted with the word', 'query Q($m: String = "mutation") { x(m: $m) }'],
  ];
  for (const [what, text] of reads) assert.equal(isGraphqlMutation(text), false, what);
});

test('what cannot be read as GraphQL text is taken as a possible write: it is never repeated blindly', () => {
  assert.equal(isGraphqlMutation(undefined), true, 'a persisted query sent by its id alone');
  assert.equal(isGraphqlMutation(''), true, 'empty');
  assert.equal(isGraphqlMutation('query { x(s: "unterminated) }'), true, 'an unterminated string');
  assert.equal(isGraphqlMutation('query { x '), true, 'an unclosed selection');
  assert.equal(isGraphqlMutation('subscription { x }'), true, 'no read GitHub knows');
});

test('isGraphqlRead: a POST of a query to /graphql (or GHES /api/graphql), nothing else', () => {
  assert.equal(isGraphqlRead('POST', '/graphql', '{ viewer { login } }'), true);
  assert.equal(isGraphqlRead('post', 'https://ghe.example/api/graphql?x=1', 'query { a }'), true);
  assert.equal(isGraphqlRead('POST', '/graphql', `fragment F on X { a }\n${MUTATION}`), false);
  assert.equal(isGraphqlRead('POST', '/graphql', undefined), false);
  assert.equal(isGraphqlRead('GET', '/graphql', 'query { a }'), false);
  assert.equal(isGraphqlRead('POST', '/repos/a/b/graphqlx', 'query { a }'), false);
});
