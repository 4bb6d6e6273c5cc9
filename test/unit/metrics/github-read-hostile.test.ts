// The deployments query's answer is JSON from outside the process: GitHub's schema types each field, but the
// reading treats every one as unknown. Each field of a deployment node is given other kinds of values, one at
// a time (a mapping whose toString or valueOf is a key cannot be turned into text or a number): the node is
// read or left out, and the metrics and their summary are computed, never a TypeError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readDeploymentFacts, type GraphqlFn } from '../../../src/metrics/github-read.ts';
import { githubMetricsReport } from '../../../src/metrics/report.ts';
import { formatMetricsText, renderMetricsSummary } from '../../../src/report/metrics.ts';
import { valuePaths, withValueAt } from '../../helpers/value-paths.ts';

const HOSTILE: unknown[] = [
  { toString: 'x', valueOf: 'y' },
  ['a'],
  { nodes: { toString: 1 } },
  'text',
  7,
  null,
];

const NODE = {
  databaseId: 101,
  createdAt: '2026-06-02T10:00:00Z',
  environment: 'production',
  commitOid: 'a'.repeat(40),
  payload: JSON.stringify({ type: 'standard' }),
  latestStatus: { state: 'SUCCESS', createdAt: '2026-06-02T10:05:00Z', description: 'done' },
  statuses: {
    nodes: [
      { state: 'IN_PROGRESS', createdAt: '2026-06-02T10:01:00Z', description: 'deploying' },
      { state: 'SUCCESS', createdAt: '2026-06-02T10:05:00Z', description: 'done' },
    ],
  },
  commit: {
    committedDate: '2026-06-02T08:00:00Z',
    associatedPullRequests: {
      nodes: [{ number: 12, commits: { nodes: [{ commit: { committedDate: '2026-06-01T08:00:00Z' } }] } }],
    },
  },
};

const answering =
  (node: unknown): GraphqlFn =>
  async () => ({
    repository: { deployments: { nodes: [node], pageInfo: { hasNextPage: false, endCursor: null } } },
  });

const WINDOW = { since: Date.parse('2026-06-01T00:00:00Z'), until: Date.parse('2026-06-08T00:00:00Z') };

/** The facts read from an answer holding `node`, and the report the Action and the CLI write of it. */
async function summary(node: unknown) {
  const read = await readDeploymentFacts(answering(node), {
    owner: 'acme',
    repo: 'web',
    since: WINDOW.since,
  });
  const report = await githubMetricsReport(answering(node), { owner: 'acme', repo: 'web', ...WINDOW });
  return { read, text: formatMetricsText(report), markdown: renderMetricsSummary(report) };
}

test('the node as GitHub writes it is read', async () => {
  const { read } = await summary(NODE);
  assert.equal(read.deployments.length, 1);
  assert.equal(read.deployments[0]!.id, '101');
  assert.equal(read.deployments[0]!.pullRequest, 12);
});

test('any field of a deployment node given another kind of value is read or left out, never a TypeError', async () => {
  let left = 0;
  for (const path of valuePaths(NODE))
    for (const value of HOSTILE) {
      const where = `${path.join('.')} = ${JSON.stringify(value)}`;
      try {
        const { read } = await summary(withValueAt(NODE, path, value));
        if (read.deployments.length === 0) left++;
        for (const fact of read.deployments) assert.equal(typeof fact.id, 'string', where);
      } catch (error) {
        assert.fail(`${where}: ${(error as Error).stack}`);
      }
    }
  for (const value of HOSTILE) assert.equal((await summary(value)).read.deployments.length, 0);
  assert.ok(left > 0, 'a node without a usable id, time or environment is left out');
});

test('a deployment id that is not a number names no deployment', async () => {
  for (const id of [{ toString: 'x' }, ['1'], true, 1.5, ''])
    assert.equal((await summary({ ...NODE, databaseId: id })).read.deployments.length, 0, JSON.stringify(id));
});
