// App benchmark, part 3: GitHub requests the deployment protection rule and a workflow run's completion make
// (app/handlers/protection-rule.ts, app/handlers/workflow-run.ts), counted on the fake GitHub (in-process,
// validating every request: counts, not speed), delivered signed over loopback into the real server. Each step
// is one delivery; what sets it up (the /deploy, the Action's statuses) is not counted.
import assert from 'node:assert/strict';
import type { RunningServer } from '../app/server.ts';
import { fakeSha } from '../test/fake-github/index.ts';
import type { FakeGitHub } from '../test/fake-github/index.ts';
import { BOT_LOGIN, deliver, deployYml, PR, rest } from '../test/app/helpers.ts';
import type { Seed } from '../test/app/helpers.ts';
import { finalStatus, protectionRulePayload, reviewOf } from '../test/app/delivery-helpers.ts';

type Json = Record<string, unknown>;

/** What one delivery cost: its requests (the per-process installation token and GET /app left out), by operation. */
export interface Cost {
  requests: number;
  operations: string;
}

/** The requests `fake` took since `before` (its request count then), but for the once-per-process apps/ ones. */
export function costSince(fake: FakeGitHub, before: number): Cost {
  const made = fake.requests.slice(before).filter((r) => !(r.operationId ?? '').startsWith('apps/'));
  const counts = new Map<string, number>();
  for (const r of made) counts.set(r.operationId ?? r.path, (counts.get(r.operationId ?? r.path) ?? 0) + 1);
  return {
    requests: made.length,
    operations: [...counts].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(', '),
  };
}

const CONFIG = deployYml(`
  production:
    approvals:
      deployers: [alice, bob]
      required: 0
`);
/** CONFIG with dave's approval required for production: a gate waits for it, and dave may veto. */
const WITH_APPROVAL = CONFIG.replace('required: 0', 'required: 1\n      approvers: [dave]');

/** One pull request per deployment the steps make, so no /deploy meets an earlier one's commit. */
const PULLS = [PR, 8, 9, 10].map((number) => ({
  number,
  head: fakeSha(`bench-run-pr-${number}`),
  user: 'carol',
}));

export const runSeed: Seed = {
  config: CONFIG,
  collaborators: { alice: 'write', bob: 'write', dave: 'write' },
  pulls: PULLS,
};

export interface RunCostRow extends Cost {
  step: string;
  outcome: string;
}

/**
 * The steps, on `fake` (seeded with runSeed) behind `target`. `command` posts a comment and returns its cost (the
 * per-command table's measure).
 */
export async function runCosts(
  fake: FakeGitHub,
  target: RunningServer,
  command: (body: string, user: string, pr: number) => Promise<Cost & { reply: string }>,
): Promise<RunCostRow[]> {
  const rows: RunCostRow[] = [];
  const hook = `${target.url}${target.webhookPath}`;
  const send = async (event: string, payload: unknown): Promise<Cost> => {
    const before = fake.requests.length;
    const { status } = await deliver(hook, event, payload);
    assert.equal(status, 200, `${event} delivery answered ${status}`);
    return costSince(fake, before);
  };
  const appDeployments = () =>
    [...fake.repo().deployments.values()].filter(
      (d) => (d.creator as { login?: string }).login === BOT_LOGIN,
    );
  const newestStatus = (d: Json) => (fake.repo().deploymentStatuses.get(d.id as number) ?? []).at(-1);
  const describe = (d: Json) => {
    const s = newestStatus(d);
    if (!s) return '(no status)';
    const by = (s.creator as { login?: string } | undefined)?.login === BOT_LOGIN ? 'App' : 'Action';
    return `${String(s.state)} (${by}): ${String(s.description ?? '')}`;
  };

  /** `user`'s /deploy production on pull request `pr`: the App's new deployment (not counted). */
  const deployed = async (pr: number, user = 'alice'): Promise<Json> => {
    const count = appDeployments().length;
    await command('/deploy production', user, pr);
    const made = appDeployments();
    assert.equal(made.length, count + 1, `/deploy production on #${pr} made a deployment`);
    return made.at(-1)!;
  };
  /** A run the App's deployment event started for `d`; GitHub asks the rule about it. */
  const asks = async (d: Json): Promise<{ run: number; cost: Cost; state: string }> => {
    const run = fake.addWorkflowRun({ headSha: d.sha as string, actor: BOT_LOGIN, event: 'deployment' }).id;
    const cost = await send(
      'deployment_protection_rule',
      protectionRulePayload(fake, {
        run,
        event: 'deployment',
        sha: d.sha as string,
        environment: 'production',
        creator: { login: BOT_LOGIN, type: 'Bot' },
        deploymentId: d.id as number,
        payload: d.payload as Json,
      }),
    );
    return { run, cost, state: reviewOf(fake, run)?.state ?? 'waiting' };
  };
  /** Run `run` completes with `conclusion`: GitHub's workflow_run.completed delivery. */
  const completes = (run: number, conclusion: 'success' | 'cancelled'): Promise<Cost> => {
    fake.updateWorkflowRun(run, { status: 'completed', conclusion });
    return send('workflow_run', fake.workflowRunWebhook(run));
  };
  /** The deployment_status delivery of `d`'s newest status (not counted): a final one releases its locks. */
  const statusDelivered = async (d: Json): Promise<void> => {
    const s = newestStatus(d)!;
    const payload = finalStatus(fake, d, String(s.state), String(s.created_at), 'production');
    const status = payload.deployment_status as Json;
    Object.assign(status, { id: s.id, creator: s.creator, description: s.description });
    await send('deployment_status', payload);
  };

  // 1. A first run approved at once; the Action deploys it; its run's completion then finds nothing to end.
  const first = await deployed(PR);
  const approved = await asks(first);
  assert.equal(approved.state, 'approved');
  rows.push({
    step: 'protection rule: first run, approved at once',
    ...approved.cost,
    outcome: `${approved.state}; ${describe(first)}`,
  });
  const statuses = `/deployments/${String(first.id)}/statuses`;
  await rest(fake, 'POST', statuses, { state: 'in_progress' });
  await rest(fake, 'POST', statuses, { state: 'success' });
  await statusDelivered(first);
  rows.push({
    step: 'workflow_run.completed: approved run, after the Action’s success',
    ...(await completes(approved.run, 'success')),
    outcome: describe(first),
  });

  // 2. A first run approved, then cancelled before its job: its completion ends the deployment.
  const second = await deployed(8);
  const cancelled = await asks(second);
  assert.equal(cancelled.state, 'approved');
  rows.push({
    step: 'workflow_run.completed: approved run cancelled before its job',
    ...(await completes(cancelled.run, 'cancelled')),
    outcome: describe(second),
  });
  await statusDelivered(second);

  // 3. A first run whose gate waits for dave's approval; dave's /approve-deploy answers it.
  const third = await deployed(9);
  fake.setFile('.github/deploy.yml', WITH_APPROVAL);
  const waits = await asks(third);
  assert.equal(waits.state, 'waiting');
  rows.push({
    step: 'protection rule: first run, its gate waits',
    ...waits.cost,
    outcome: `${waits.state}; ${describe(third)}`,
  });
  const approval = await command('/approve-deploy production', 'dave', 9);
  const answered = reviewOf(fake, waits.run)?.state ?? 'waiting';
  assert.equal(answered, 'approved');
  rows.push({
    step: '/approve-deploy production (@dave) answering that gate',
    requests: approval.requests,
    operations: approval.operations,
    outcome: `${answered}; ${describe(third)}`,
  });
  await rest(fake, 'POST', `/deployments/${String(third.id)}/statuses`, { state: 'success' });
  await statusDelivered(third);

  // 4. A first run rejected at once: dave vetoed the commit before it asked.
  fake.setFile('.github/deploy.yml', CONFIG);
  const fourth = await deployed(10);
  fake.setFile('.github/deploy.yml', WITH_APPROVAL);
  await command('/reject-deploy production not this one', 'dave', 10);
  const rejected = await asks(fourth);
  assert.equal(rejected.state, 'rejected');
  rows.push({
    step: 'protection rule: first run, rejected (a veto)',
    ...rejected.cost,
    outcome: `${rejected.state}; ${describe(fourth)}`,
  });
  return rows;
}
