// GitHub API requests made by the built action for one full deployment: six quality gates and a five-step
// canary, against the fake GitHub on loopback. Two ways in: a `deployment` event created by the App (the
// App's status comment id in the payload), and a `push` (the action creates the deployment; no PR).
// Prints where each request goes. Figures only; asserts nothing. Target: at most 20 requests, not counting
// annotation batches (github/branch-deploy makes about 33 for a `.deploy` with no gates and no canary).
import { execa } from 'execa';
import { Octokit } from '@octokit/rest';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeGitHub, fakeSha, webhookPayload, type FakeGitHub } from '../test/fake-github/index.ts';
import { createAppDeployment, runBuiltAction, type ActionEvent } from '../test/helpers/action.ts';
import { repoRoot } from '../test/helpers/cli.ts';
import { recordedTarget } from '../test/helpers/recorded-target.ts';
import { renderStatusComment } from '../src/github/status-comment.ts';

const OWNER = 'acme';
const REPO = 'shop';
const fixtures = join(repoRoot, 'test/fixtures/gates');

async function workspace(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gh-'));
  cpSync(join(fixtures, 'junit-passing.xml'), join(dir, 'junit.xml'));
  cpSync(join(fixtures, 'sarif/semgrep.sarif'), join(dir, 'semgrep.sarif'));
  cpSync(join(fixtures, 'infrastructure/terraform/safe.plan.json'), join(dir, 'plan.json'));
  writeFileSync(join(dir, 'app.js'), 'export const answer = 42;\n');
  const full = { total: 10, covered: 10, skipped: 0, pct: 100 };
  writeFileSync(
    join(dir, 'coverage-summary.json'),
    JSON.stringify({ total: { lines: full, statements: full, functions: full, branches: full } }),
  );
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
gates:
  tests: { junit: junit.xml, coverage: coverage-summary.json }
  sarif: { files: semgrep.sarif, required: false }
  secrets: { scope: all }
  review: { approval: required }
  build: { command: "${process.execPath} -e 0", expect: [app.js] }
  infrastructure: { terraform: { plan: plan.json } }
${recordedTarget(dir).targetYaml}environments:
  production:
    url: https://shop.example
    strategy: { type: canary, steps: [5, 10, 25, 50, 100], pause: 0 }
`,
  );
  await execa('git', ['init', '-q'], { cwd: dir });
  await execa('git', ['add', '.'], { cwd: dir });
  await execa('git', ['-c', 'user.email=b@example.com', '-c', 'user.name=bench', 'commit', '-qm', 'bench'], {
    cwd: dir,
  });
  return dir;
}

function table(fake: FakeGitHub, from: number): { total: number; annotationUpdates: number; rows: string[] } {
  const byRoute = new Map<string, number>();
  let annotationUpdates = 0;
  for (const r of fake.requests.slice(from)) {
    const key = `${r.method} ${r.operationId ?? r.path}`;
    const isBatch =
      r.operationId === 'checks/update' &&
      ((r.body as { output?: { annotations?: unknown[] } }).output?.annotations?.length ?? 0) > 0 &&
      !(r.body as { status?: string }).status;
    if (isBatch) annotationUpdates++;
    byRoute.set(key, (byRoute.get(key) ?? 0) + 1);
  }
  const rows = [...byRoute.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `| ${k} | ${n} |`);
  return { total: fake.requests.length - from, annotationUpdates, rows };
}

async function scenario(kind: 'deployment event from the App' | 'push'): Promise<void> {
  const fake = await createFakeGitHub({
    tokens: { app: 'deploy-action[bot]', workflow: 'github-actions[bot]' },
  });
  const dir = await workspace();
  try {
    const head = fakeSha('head');
    fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      pulls: [{ number: 7, head, user: 'alice', reviews: [{ user: 'bob', state: 'APPROVED' }] }],
    });
    const app = new Octokit({ auth: 'app', baseUrl: fake.url });
    const previous = fake.repo().refs.get('heads/main')!;
    const prior = await app.rest.repos.createDeployment({
      owner: OWNER,
      repo: REPO,
      ref: previous,
      environment: 'production',
      required_contexts: [],
    });
    await app.rest.repos.createDeploymentStatus({
      owner: OWNER,
      repo: REPO,
      deployment_id: (prior.data as { id: number }).id,
      state: 'success',
    });
    let event: ActionEvent;
    let env: NodeJS.ProcessEnv = {};
    if (kind === 'push') {
      event = {
        name: 'push',
        payload: webhookPayload('push', '', { after: head }, { owner: OWNER, repo: REPO }),
      };
      env = { GITHUB_SHA: head };
    } else {
      const comment = await app.rest.issues.createComment({
        owner: OWNER,
        repo: REPO,
        issue_number: 7,
        body: renderStatusComment({
          environment: 'production',
          state: 'queued',
          sha: head,
          updatedAt: new Date().toISOString(),
        }),
      });
      // The App's deployment, as it creates it; its `deployment` event is what the action receives.
      ({ event } = await createAppDeployment(fake, {
        token: 'app',
        owner: OWNER,
        repo: REPO,
        ref: head,
        payload: { version: 'v2', pr: 7, comment_id: comment.data.id },
      }));
      env = { GITHUB_SHA: head };
    }
    const from = fake.requests.length;
    const started = performance.now();
    const run = await runBuiltAction({
      dir,
      inputs: { 'github-token': 'workflow', config: 'deploy.yml', environment: 'production', version: 'v2' },
      event,
      env: {
        ...env,
        GITHUB_API_URL: fake.url,
        GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
        CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }),
        // GitHub's one-second spacing between writes is kept in production; here it would only add idle time.
        DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
      },
    });
    const ms = performance.now() - started;
    const t = table(fake, from);
    const gates = run.outputs.gates
      ? (JSON.parse(run.outputs.gates) as { gates: unknown[] }).gates.length
      : 0;
    console.log(
      `\n### ${kind}: ${run.outputs.status} (${gates} gates, 5-step canary, ${Math.round(ms)} ms end to end)\n`,
    );
    console.log(
      `**${t.total - t.annotationUpdates} requests** (target ≤ 20), plus ${t.annotationUpdates} annotation batch update(s); violations of the OpenAPI description: ${fake.violations.length}\n`,
    );
    console.log('| request | count |');
    console.log('|---|---:|');
    for (const row of t.rows) console.log(row);
    if (run.status !== 0) console.log(`\n(the run failed: ${run.stdout.split('\n').slice(-5).join(' / ')})`);
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchGitHub(): Promise<void> {
  console.log('## GitHub API requests for one deployment (built action, fake GitHub on loopback)');
  await scenario('deployment event from the App');
  await scenario('push');
  console.log(
    '\nFor scale: github/branch-deploy makes about 33 requests for a `.deploy` with no gates and no canary.',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchGitHub();
