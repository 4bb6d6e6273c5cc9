// Delivery metrics (docs/metrics.md): GraphQL requests and time to read and compute the four keys for 10,
// 100 and 1,000 deployments in the window, against the fake GitHub on loopback (each query validated against
// GitHub's GraphQL schema), with the product's own client. The request count is the point: floor(N/100) + 1
// (one page of 100 deployments with their statuses and pull requests per request). Figures only.
// `npm run bench:metrics` (or `node bench/metrics.ts`); also part of `npm run bench`.
import { computeMetrics } from '../src/metrics/compute.ts';
import { PAGE_SIZE, readDeploymentFacts } from '../src/metrics/github-read.ts';
import {
  DAY,
  HOUR,
  historyFake,
  makeHistory,
  OWNER,
  REPO,
  type PlannedDeployment,
} from '../test/helpers/deployment-history.ts';

const SIZES = [10, 100, 1000];

export async function benchMetrics(sizes: readonly number[] = SIZES): Promise<void> {
  // The fake parses GitHub's GraphQL schema on its first query: not part of any reading's time.
  (await import('../test/fake-github/graphql.ts')).githubSchema();
  console.log('## Delivery metrics: requests and time (npm run bench:metrics)\n');
  console.log('| deployments in the window | GraphQL requests | floor(N/100) + 1 | read | compute |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const n of sizes) {
    const window = 90 * DAY;
    const until = Date.now();
    const since = until - window;
    // N deployments spread over the 90 days, 10 % failing, plus 20 older ones the reading must stop at.
    const step = window / (n + 1);
    const plan: PlannedDeployment[] = Array.from({ length: n + 20 }, (_, i) => {
      const at = since + (i - 20 + 1) * step - (i < 20 ? (20 - i) * HOUR : 0);
      return {
        environment: i % 3 ? 'production' : 'staging',
        committedAt: at - 5 * HOUR,
        createdAt: at,
        pr: 1000 + i,
        statuses: [
          { state: 'in_progress', at: at + 60_000 },
          { state: i % 10 === 9 ? 'failure' : 'success', at: at + 10 * 60_000 },
        ],
      };
    });
    const h = await historyFake(plan[0]!.committedAt);
    try {
      await makeHistory(h, plan);
      const inWindow = plan.filter((p) => p.createdAt >= since).length;
      // One untimed reading first: the client's and graphql-js's first-call costs are not the reading's.
      await readDeploymentFacts((q, v) => h.octokit.graphql(q, v), { owner: OWNER, repo: REPO, since });
      const before = h.counter.attempts;
      const t0 = performance.now();
      const read = await readDeploymentFacts((q, v) => h.octokit.graphql(q, v), {
        owner: OWNER,
        repo: REPO,
        since,
      });
      const t1 = performance.now();
      computeMetrics(read.deployments, { since, until });
      const t2 = performance.now();
      const sent = h.counter.attempts - before;
      if (sent !== read.requests || h.fake.violations.length)
        throw new Error(
          `bench: ${sent} requests sent, ${read.requests} counted, ${h.fake.violations.length} violations`,
        );
      console.log(
        `| ${inWindow} | ${read.requests} | ${Math.floor(inWindow / PAGE_SIZE) + 1} | ${(t1 - t0).toFixed(0)} ms | ${(t2 - t1).toFixed(1)} ms |`,
      );
    } finally {
      await h.fake.stop();
    }
  }
  console.log(
    '\nEach request is one page of 100 deployments with up to 30 statuses each and the first commit of each' +
      " one's pull request (GitHub's rate-limit cost: a few points per page). Time is loopback plus the fake's" +
      ' schema validation and execution (after one untimed reading), not GitHub latency.',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMetrics();
