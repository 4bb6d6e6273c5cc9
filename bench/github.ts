// GitHub API requests made by the built action for one full deployment: six quality gates and a five-step
// canary, against the fake GitHub on loopback. Two ways in: a `deployment` event created by the App (the
// App's status comment id in the payload), and a `push` (the action creates the deployment; no PR).
// Each way in runs twice: without a state key (the record in state-dir, a `current` command says what is live)
// and with one (the environment's record on GitHub, signed, in the deploy check run; no `current` command:
// a run before it, on a fresh workspace, left the record). Prints where each request goes, side by side.
// Figures only; asserts nothing. Target: at most 20 requests, not counting annotation batches
// (github/branch-deploy makes about 33 for a `.deploy` with no gates and no canary).
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeGitHub, fakeSha, webhookPayload, type FakeGitHub } from '../test/fake-github/index.ts';
import { createAppDeployment, runBuiltAction, type ActionEvent } from '../test/helpers/action.ts';
import { repoRoot } from '../test/helpers/cli.ts';
import { recordedTarget } from '../test/helpers/recorded-target.ts';
import { renderStatusComment } from '../src/github/status-comment.ts';
import { formatStateKey } from '../src/state/state-key.ts';

const OWNER = 'acme';
const REPO = 'shop';
const fixtures = join(repoRoot, 'test/fixtures/gates');

/** A workspace with six gates and a five-step canary; `withState`: no `current` command (GitHub says). */
async function workspace(withState: boolean): Promise<string> {
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
${recordedTarget(dir)
  .targetYaml.split('\n')
  .filter((line) => !(withState && /^\s+current:/.test(line)))
  .join('\n')}environments:
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

interface Count {
  total: number;
  annotationUpdates: number;
  byRoute: Map<string, number>;
  status: string;
  ms: number;
  violations: number;
}

function count(fake: FakeGitHub, from: number): Omit<Count, 'status' | 'ms'> {
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
  return {
    total: fake.requests.length - from,
    annotationUpdates,
    byRoute,
    violations: fake.violations.length,
  };
}

type Kind = 'deployment event from the App' | 'push';

async function scenario(kind: Kind, withState: boolean): Promise<Count> {
  const fake = await createFakeGitHub({
    tokens: { app: 'deploy-action[bot]', workflow: 'github-actions[bot]' },
  });
  const dir = await workspace(withState);
  const stateKey = formatStateKey(randomBytes(32));
  const runnerEnv = {
    GITHUB_API_URL: fake.url,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    // GitHub's one-second spacing between writes is kept in production; here it would only add idle time.
    DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
  };
  const inputs = {
    'github-token': 'workflow',
    config: 'deploy.yml',
    environment: 'production',
    ...(withState ? { 'state-key': stateKey } : {}),
  };
  try {
    const head = fakeSha('head');
    fake.seedRepo({
      owner: OWNER,
      repo: REPO,
      pulls: [{ number: 7, head, user: 'alice', reviews: [{ user: 'bob', state: 'APPROVED' }] }],
    });
    const app = new Octokit({ auth: 'app', baseUrl: fake.url });
    const previous = fake.repo().refs.get('heads/main')!;
    if (withState) {
      // v1 deployed by an earlier run of the workflow (a push) on a fresh workspace: its record is on GitHub.
      const seed = await runBuiltAction({
        dir,
        inputs: { ...inputs, version: 'v1' },
        event: {
          name: 'push',
          payload: webhookPayload('push', '', { after: previous }, { owner: OWNER, repo: REPO }),
        },
        env: { ...runnerEnv, GITHUB_SHA: previous, GITHUB_RUN_ID: '4241' },
      });
      if (seed.outputs.status !== 'succeeded')
        throw new Error(`the run that deploys v1 failed: ${seed.stdout.split('\n').slice(-5).join(' / ')}`);
      rmSync(join(dir, '.deploy-action'), { recursive: true, force: true });
    } else {
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
    }
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
      inputs: { ...inputs, version: 'v2' },
      event,
      env: {
        ...env,
        ...runnerEnv,
        ...(withState ? {} : { CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }) }),
      },
    });
    const ms = performance.now() - started;
    const status = run.outputs.status ?? `exit ${run.status}`;
    if (run.status !== 0)
      console.log(
        `\n(${kind}, ${withState ? 'with' : 'without'} state: the run failed: ${run.stdout.split('\n').slice(-5).join(' / ')})`,
      );
    return { ...count(fake, from), status, ms };
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Today's figure without state, and the one with the record on GitHub before this work (README, issue 13). */
const BEFORE = { without: 18, with: { 'deployment event from the App': 24, push: 22 } } as const;

function print(kind: Kind, without: Count, withState: Count): void {
  const n = (c: Count) => c.total - c.annotationUpdates;
  console.log(`\n### ${kind} (six gates, 5-step canary)\n`);
  console.log(
    '| | without state (state-dir, `current` command) | with state (record on GitHub, `state-key`) |',
  );
  console.log('|---|---:|---:|');
  console.log(`| outcome | ${without.status} | ${withState.status} |`);
  console.log(`| **requests** (target ≤ 20) | **${n(without)}** | **${n(withState)}** |`);
  console.log(`| before this change | ${BEFORE.without} | ${BEFORE.with[kind]} |`);
  console.log(
    `| annotation batch updates (not counted) | ${without.annotationUpdates} | ${withState.annotationUpdates} |`,
  );
  console.log(`| end to end (ms) | ${Math.round(without.ms)} | ${Math.round(withState.ms)} |`);
  console.log(`| violations of the OpenAPI description | ${without.violations} | ${withState.violations} |`);
  const routes = [...new Set([...without.byRoute.keys(), ...withState.byRoute.keys()])].sort(
    (a, b) => (withState.byRoute.get(b) ?? 0) - (withState.byRoute.get(a) ?? 0) || a.localeCompare(b),
  );
  console.log('\n| request | without state | with state |');
  console.log('|---|---:|---:|');
  for (const route of routes)
    console.log(`| ${route} | ${without.byRoute.get(route) ?? 0} | ${withState.byRoute.get(route) ?? 0} |`);
}

export async function benchGitHub(): Promise<void> {
  console.log('## GitHub API requests for one deployment (built action, fake GitHub on loopback)');
  for (const kind of ['deployment event from the App', 'push'] as const)
    print(kind, await scenario(kind, false), await scenario(kind, true));
  console.log(
    '\nFor scale: github/branch-deploy makes about 33 requests for a `.deploy` with no gates and no canary.',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchGitHub();
