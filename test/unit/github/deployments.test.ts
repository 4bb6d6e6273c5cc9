// The deployment payload contract, the last successful deployment and creating a deployment exactly once:
// against tiny fakes (for failures the fake GitHub cannot stage) and against the real fake GitHub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { createGitHubClient } from '../../../src/github/client.ts';
import {
  commitsSince,
  createDeploymentOnce,
  createDeploymentStatusOnce,
  DedupeLookupTooLong,
  lastSuccessfulDeployment,
  MAX_DEDUPE_LOOKUP,
  type CreateDeploymentApi,
  type DeploymentsApi,
} from '../../../src/github/deployments.ts';
import { parseDeploymentPayload, PayloadError } from '../../../src/github/deployment-payload.ts';
import { mayHaveLanded } from '../../../src/github/write-once.ts';
import { createFakeGitHub } from '../../fake-github/index.ts';
import { productionDeployment, withFakeRepo } from '../../helpers/github.ts';

const SHA = 'd'.repeat(40);

test('payload: an object, a JSON string, empty and missing all parse', () => {
  const full = {
    strategy: 'canary',
    version: '1.2.3',
    params: { region: 'eu-west', replicas: '3' },
    type: 'hotfix',
    pr: 4,
    comment_id: 88,
    requested_by: 'alice',
    approved_by: ['bob'],
    hotfix_reason: 'CVE',
    dry_run: false,
    dedupe_key: 'run:1-1-production',
  };
  assert.deepEqual(parseDeploymentPayload(full), full);
  assert.deepEqual(parseDeploymentPayload(JSON.stringify(full)), full);
  assert.deepEqual(parseDeploymentPayload(''), {});
  assert.deepEqual(parseDeploymentPayload('   '), {});
  assert.deepEqual(parseDeploymentPayload(null), {});
  assert.deepEqual(parseDeploymentPayload(undefined), {});
  // Keys of other tools are allowed through.
  assert.deepEqual(parseDeploymentPayload({ other_tool: { x: 1 } }), { other_tool: { x: 1 } });
});

test('payload: every invalid field is named', () => {
  const bad = {
    strategy: 'yolo',
    version: '1 2',
    params: { 'Bad-Name': 'x', ok: 'line\nbreak', long: 'x'.repeat(501) },
    type: 'emergency',
    pr: -1,
    approved_by: 'bob',
    dry_run: 'yes',
  };
  try {
    parseDeploymentPayload(bad);
    assert.fail('expected a PayloadError');
  } catch (error) {
    assert.ok(error instanceof PayloadError);
    const message = error.message;
    for (const field of [
      'strategy',
      'version',
      'params.Bad-Name',
      'params.ok',
      'params.long',
      'type',
      'pr',
      'approved_by',
      'dry_run',
    ])
      assert.ok(message.includes(`payload.${field}:`), `${field} not named in: ${message}`);
  }
  // A `__proto__` parameter (JSON gives it as a key of its own) would be dropped without a word: refused.
  for (const raw of ['{"params":{"__proto__":"1","a":"2"}}', JSON.parse('{"params":{"__proto__":"1"}}')])
    assert.throws(() => parseDeploymentPayload(raw), /payload\.params\.__proto__: .*not __proto__/);
  assert.deepEqual(parseDeploymentPayload({ params: { constructor: '1', proto: '2' } }).params, {
    constructor: '1',
    proto: '2',
  });
  assert.throws(() => parseDeploymentPayload('{oops'), /a string that is not JSON/);
  assert.throws(() => parseDeploymentPayload('[1,2]'), /payload\.\(root\)/);
  assert.throws(() => parseDeploymentPayload(42), /payload\.\(root\)/);
});

interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  payload: unknown;
  created_at: string;
  statuses: string[];
  creator?: { login: string; type?: string };
}

function deploymentsFake(list: FakeDeployment[]): DeploymentsApi & { statusLookups: number[] } {
  const statusLookups: number[] = [];
  return {
    statusLookups,
    repos: {
      listDeployments: async (p) => ({
        data: list
          .filter((d) => (!p.environment || d.environment === p.environment) && (!p.sha || d.sha === p.sha))
          .slice(0, p.per_page),
      }),
      listDeploymentStatuses: async (p) => {
        statusLookups.push(p.deployment_id);
        const d = list.find((x) => x.id === p.deployment_id)!;
        return {
          data: [...d.statuses]
            .reverse()
            .slice(0, p.per_page)
            .map((state) => ({ state })),
        };
      },
    },
  };
}

function dep(id: number, statuses: string[], payload: unknown = { version: `v${id}` }): FakeDeployment {
  return {
    id,
    sha: String(id).padStart(40, '0'),
    ref: 'main',
    environment: 'production',
    payload,
    created_at: '',
    statuses,
  };
}

const where = { owner: 'acme', repo: 'web', environment: 'production' };

test('lastSuccessfulDeployment: the newest whose latest status is success, skipping failed and excluded', async () => {
  const api = deploymentsFake([
    dep(9, ['queued', 'in_progress']),
    dep(8, ['in_progress', 'failure']),
    dep(7, ['success', 'inactive']),
    dep(6, ['queued', 'success']),
    dep(5, ['success']),
  ]);
  const found = await lastSuccessfulDeployment(api, { ...where, excludeId: 9 });
  assert.deepEqual(found, { id: 6, sha: dep(6, []).sha, version: 'v6', payload: { version: 'v6' } });
  assert.deepEqual(api.statusLookups, [8, 7, 6], 'the excluded deployment costs no request');
});

test('lastSuccessfulDeployment: bounded lookups, and an unreadable payload is no version', async () => {
  const many = Array.from({ length: 30 }, (_, i) => dep(100 - i, ['failure']));
  many.push(dep(1, ['success']));
  const api = deploymentsFake(many);
  assert.equal(await lastSuccessfulDeployment(api, where, 4), undefined);
  assert.equal(api.statusLookups.length, 4);

  const broken = deploymentsFake([dep(3, ['success'], '{not json')]);
  assert.deepEqual(await lastSuccessfulDeployment(broken, where), {
    id: 3,
    sha: dep(3, []).sha,
    version: undefined,
    payload: undefined,
  });
  assert.equal(await lastSuccessfulDeployment(deploymentsFake([]), where), undefined);
});

const createParams = {
  owner: 'acme',
  repo: 'web',
  sha: SHA,
  environment: 'production',
  description: 'deploy 1.2.3 with canary',
  payload: { version: '1.2.3', dedupe_key: 'run:77-1-production' },
  production: true,
  transient: false,
};

function createFake(
  behaviour: (call: number, store: () => void) => Promise<{ status: number; data: unknown }>,
): CreateDeploymentApi & { created: FakeDeployment[]; creates: number; bodies: unknown[] } {
  const created: FakeDeployment[] = [];
  const base = deploymentsFake(created);
  const fake = {
    created,
    creates: 0,
    bodies: [] as unknown[],
    repos: {
      ...base.repos,
      createDeployment: async (p: Parameters<CreateDeploymentApi['repos']['createDeployment']>[0]) => {
        fake.creates++;
        fake.bodies.push(p);
        const store = () =>
          void created.push({
            id: 500 + created.length,
            sha: p.ref,
            ref: p.ref,
            environment: p.environment,
            payload: JSON.stringify(p.payload),
            created_at: '',
            statuses: [],
            creator: { login: 'deploy-action[bot]', type: 'Bot' },
          });
        return behaviour(fake.creates, store);
      },
    },
  };
  return fake;
}

test('createDeploymentOnce: a 5xx after GitHub did create it finds that one instead of making a second', async () => {
  const api = createFake(async (call, store) => {
    store();
    if (call === 1) throw Object.assign(new Error('Server Error'), { status: 500 });
    return { status: 201, data: { id: 999 } };
  });
  const r = await createDeploymentOnce(api, createParams);
  assert.deepEqual(r, { id: 500 });
  assert.equal(api.creates, 1);
  assert.equal(api.created.length, 1);
});

test('createDeploymentOnce: after a lost answer, a deployment with the key that the caller did not make is not taken as its own', async () => {
  const api = createFake(async (call, store) => {
    if (call === 1) throw Object.assign(new Error('Bad Gateway'), { status: 502 });
    store();
    return { status: 201, data: { id: 501 } };
  });
  // Someone else's deployment of the SHA, carrying the key (anyone with deployments: write can make one).
  api.created.push({
    id: 400,
    sha: SHA,
    ref: SHA,
    environment: 'production',
    payload: JSON.stringify(createParams.payload),
    created_at: '',
    statuses: [],
    creator: { login: 'mallory', type: 'User' },
  });
  const ours = (d: { creator?: { login: string } | null }) => d.creator?.login === 'deploy-action[bot]';
  const r = await createDeploymentOnce(api, { ...createParams, madeByCaller: ours });
  assert.equal(r.id, 501, 'the create went again and made the caller its own');
  assert.equal(api.creates, 2);
  // Without the predicate (the Action, whose token's login it may not know) the key is not enough either: the
  // create's own nonce, which no deployment made before it carries, is looked for.
  const action = createFake(async (call, store) => {
    if (call === 1) throw Object.assign(new Error('Bad Gateway'), { status: 502 });
    store();
    return { status: 201, data: { id: 501 } };
  });
  action.created.push({ ...api.created[0]! });
  assert.equal((await createDeploymentOnce(action, createParams)).id, 501);
  assert.equal(action.creates, 2);
});

test('createDeploymentOnce: the request carries the agreed fields and no client retries', async () => {
  const api = createFake(async (_call, store) => {
    store();
    return { status: 201, data: { id: 500, url: 'https://api/x' } };
  });
  assert.deepEqual(await createDeploymentOnce(api, createParams), { id: 500, url: 'https://api/x' });
  const body = api.bodies[0] as Record<string, unknown>;
  assert.equal(body.ref, SHA);
  assert.deepEqual(body.required_contexts, []);
  assert.equal(body.auto_merge, false);
  assert.equal(body.production_environment, true);
  assert.equal(body.transient_environment, false);
  assert.deepEqual(body.request, { retries: 0 });
});

test('createDeploymentOnce: a 5xx before anything was created is retried and creates one', async () => {
  const api = createFake(async (call, store) => {
    if (call === 1) throw Object.assign(new Error('Bad Gateway'), { status: 502 });
    store();
    return { status: 201, data: { id: 500 } };
  });
  assert.equal((await createDeploymentOnce(api, createParams)).id, 500);
  assert.equal(api.creates, 2);
  assert.equal(api.created.length, 1);
});

test('createDeploymentOnce: the last try landing with its answer lost is looked up, not reported as not made', async () => {
  const api = createFake(async (call, store) => {
    // Two tries GitHub fails before creating anything; the third creates it and its answer is lost.
    if (call === 3) store();
    throw Object.assign(new Error('Bad Gateway'), { status: 502 });
  });
  assert.deepEqual(await createDeploymentOnce(api, createParams), { id: 500 });
  assert.equal(api.creates, 3, 'never a fourth create');
  assert.equal(api.created.length, 1);
});

test('createDeploymentOnce: given up on, it says whether the deployment may have been made (mayHaveLanded)', async () => {
  // Every create fails before anything is made, and the last lookup finds nothing: known not made.
  const none = createFake(async () => {
    throw Object.assign(new Error('Bad Gateway'), { status: 502 });
  });
  const notMade = await createDeploymentOnce(none, createParams).catch((e: unknown) => e);
  assert.equal(mayHaveLanded(notMade), false);
  // The create lands with its answer lost, and every lookup fails: it may run.
  const lost = createFake(async (_call, store) => {
    store();
    throw Object.assign(new Error('Bad Gateway'), { status: 502 });
  });
  lost.repos.listDeployments = async () => {
    throw Object.assign(new Error('Bad Gateway'), { status: 502 });
  };
  const unknown = await createDeploymentOnce(lost, createParams).catch((e: unknown) => e);
  assert.equal((unknown as { status?: number }).status, 502);
  assert.equal(mayHaveLanded(unknown), true);
  assert.equal(lost.creates, 1, 'never created again while it cannot be told');
  // A refusal was never made.
  const refused = createFake(async () => {
    throw Object.assign(new Error('Validation Failed'), { status: 422 });
  });
  assert.equal(
    mayHaveLanded(await createDeploymentOnce(refused, createParams).catch((e: unknown) => e)),
    false,
  );
});

test('createDeploymentOnce: a lookup refused after a lost answer (a rate limit, too many to read) leaves it unsettled: it may run', async () => {
  const limited = (status: number) =>
    Object.assign(new Error('You have exceeded a secondary rate limit'), { status });
  for (const [name, refusal] of [
    ['secondary rate limit', () => limited(403)],
    ['too many requests', () => limited(429)],
    ['too many deployments to read', () => new Error('too many deployments of the SHA to look through')],
  ] as const) {
    // The create lands with its answer lost; the lookup that would tell is refused.
    const api = createFake(async (_call, store) => {
      store();
      throw Object.assign(new Error('Bad Gateway'), { status: 502 });
    });
    api.repos.listDeployments = async () => {
      throw refusal();
    };
    const error = await createDeploymentOnce(api, createParams).catch((e: unknown) => e);
    assert.equal(api.created.length, 1, name);
    assert.equal(
      mayHaveLanded(error),
      true,
      `${name}: a deployment that may run is not reported as not made`,
    );
    assert.equal(api.creates, 1, `${name}: never created again while it cannot be told`);
  }
});

test('createDeploymentOnce: a 4xx is not retried; a 202 is an error; persistent 5xx gives up', async () => {
  const refused = createFake(async () => {
    throw Object.assign(new Error('Validation Failed'), { status: 422 });
  });
  await assert.rejects(createDeploymentOnce(refused, createParams), /Validation Failed/);
  assert.equal(refused.creates, 1);

  const merged = createFake(async () => ({ status: 202, data: { message: 'Auto-merged' } }));
  await assert.rejects(
    createDeploymentOnce(merged, createParams, 1),
    /did not create the deployment \(HTTP 202\)/,
  );

  const down = createFake(async () => {
    throw Object.assign(new Error('Service Unavailable'), { status: 503 });
  });
  await assert.rejects(createDeploymentOnce(down, createParams, 2), /Service Unavailable/);
  assert.equal(down.creates, 2);
});

test('against the fake GitHub: last successful deployment and commits since it', async () => {
  const gh = await createFakeGitHub();
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web' });
    const base = gh.addCommit({ message: 'base' });
    const head1 = gh.addCommit({ message: 'first change', author: 'alice' });
    const head2 = gh.addCommit({ message: 'second change\n\nbody', author: 'bob' });
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token' });
    const make = async (
      sha: string,
      version: string,
      states: Array<'success' | 'failure' | 'in_progress'>,
    ) => {
      const { data } = await octokit.rest.repos.createDeployment({
        owner: 'acme',
        repo: 'web',
        ref: sha,
        environment: 'production',
        payload: { version },
        required_contexts: [],
        auto_merge: false,
      });
      const id = (data as { id: number }).id;
      for (const state of states)
        await octokit.rest.repos.createDeploymentStatus({
          owner: 'acme',
          repo: 'web',
          deployment_id: id,
          state,
        });
      return id;
    };
    await make(base, '1.0.0', ['in_progress', 'success']);
    await make(head1, '1.1.0', ['in_progress', 'failure']);
    const current = await make(head2, '1.2.0', ['in_progress']);
    const previous = await lastSuccessfulDeployment(octokit.rest as unknown as DeploymentsApi, {
      ...where,
      excludeId: current,
    });
    assert.equal(previous?.sha, base);
    assert.equal(previous?.version, '1.0.0');

    const since = await commitsSince(octokit.rest as never, {
      owner: 'acme',
      repo: 'web',
      base,
      head: head2,
    });
    assert.equal(since.total, 2);
    assert.deepEqual(
      since.commits.map((c) => c.message.split('\n')[0]),
      ['first change', 'second change'],
    );
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('against the fake GitHub: createDeploymentOnce makes one deployment through an injected 500', async () => {
  const gh = await createFakeGitHub();
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web' });
    const sha = gh.addCommit({ message: 'x' });
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token' });
    gh.failNext({ status: 500, operationId: 'repos/create-deployment' });
    const r = await createDeploymentOnce(octokit.rest as unknown as CreateDeploymentApi, {
      ...createParams,
      sha,
    });
    const { data } = await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web', sha });
    assert.deepEqual(
      data.map((d) => d.id),
      [r.id],
    );
    assert.equal((data[0]!.payload as { dedupe_key?: string }).dedupe_key, 'run:77-1-production');
    assert.equal(gh.requestsFor('repos/create-deployment').length, 2);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

/**
 * createDeploymentOnce against the fake GitHub, its first create landing with its answer lost (a 500 after the
 * write) and `others` deployments of the same commit and environment made by someone else before it looks.
 */
async function lostAnswerUnderFlood(others: number) {
  const gh = await createFakeGitHub();
  gh.seedRepo({ owner: 'acme', repo: 'web' });
  const sha = gh.addCommit({ message: 'x' });
  const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token' });
  const flood = async () => {
    for (let i = 0; i < others; i++)
      await octokit.rest.repos.createDeployment({
        owner: 'acme',
        repo: 'web',
        ref: sha,
        environment: 'production',
        payload: { dedupe_key: `someone-else-${i}` },
        required_contexts: [],
        auto_merge: false,
      });
  };
  const rest = octokit.rest as unknown as CreateDeploymentApi;
  const api: CreateDeploymentApi = {
    repos: {
      ...rest.repos,
      createDeployment: async (p) => {
        try {
          return await rest.repos.createDeployment(p);
        } catch (error) {
          await flood();
          throw error;
        }
      },
    },
  };
  gh.failNext({ status: 500, operationId: 'repos/create-deployment', afterWrite: true });
  const result = await createDeploymentOnce(api, { ...createParams, sha }).catch((error: unknown) =>
    error instanceof Error ? error : new Error(String(error)),
  );
  const keyed = [...gh.repo().deployments.values()].filter(
    (d) => (d.payload as { dedupe_key?: string }).dedupe_key === createParams.payload.dedupe_key,
  );
  return { gh, result, keyed };
}

test('against the fake GitHub: after a lost answer the deployment that landed is found behind more than a page of newer ones', async () => {
  const { gh, result, keyed } = await lostAnswerUnderFlood(40);
  try {
    assert.equal(keyed.length, 1, 'not created a second time');
    assert.ok(!(result instanceof Error), String(result));
    assert.equal(result.id, keyed[0]!.id);
    // Narrowed to the commit, the environment and the task, in pages of 100.
    const lookups = gh.requestsFor('repos/list-deployments');
    assert.ok(lookups.length >= 1);
    for (const { query } of lookups) {
      assert.equal(query.task, 'deploy');
      assert.equal(query.environment, 'production');
      assert.equal(query.per_page, '100');
    }
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test(`against the fake GitHub: after a lost answer, ${MAX_DEDUPE_LOOKUP} newer deployments of the commit are more than are read: an error, not a second deployment`, async () => {
  const { gh, result, keyed } = await lostAnswerUnderFlood(MAX_DEDUPE_LOOKUP);
  try {
    assert.equal(keyed.length, 1, 'not created a second time');
    assert.ok(result instanceof DedupeLookupTooLong, String(result));
    assert.match(
      result.message,
      /300 or more deployments of commit [0-9a-f]{12} to environment "production"/,
    );
    assert.equal(gh.requestsFor('repos/list-deployments').length, MAX_DEDUPE_LOOKUP / 100);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('createDeploymentStatusOnce: a status whose answer was lost is looked up, never written twice', async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit } = createGitHubClient({
      token: 't',
      baseUrl: gh.url,
      retryBaseMs: 10,
      writeIntervalMs: 0,
    });
    const { data } = await octokit.rest.repos.createDeployment(productionDeployment(sha));
    const deploymentId = (data as { id: number }).id;
    const status = (state: 'queued' | 'in_progress' | 'success', description: string) =>
      createDeploymentStatusOnce(octokit.rest, {
        owner: 'acme',
        repo: 'web',
        deploymentId,
        state,
        description,
        logUrl: 'https://github.example/run/1',
      });
    const states = () =>
      gh
        .repo()
        .deploymentStatuses.get(deploymentId)!
        .map((s) => s.state);

    // Every way the answer can be lost once: a 500, a 502 and no answer, each after the write landed.
    await status('queued', 'starting');
    gh.failNext({ status: 500, afterWrite: true, operationId: 'repos/create-deployment-status' });
    await status('in_progress', 'production: canary');
    gh.failNext({ status: 502, afterWrite: true, operationId: 'repos/create-deployment-status' });
    await status('success', 'deployed');
    assert.deepEqual(states(), ['queued', 'in_progress', 'success']);
    assert.equal(
      gh.requestsFor('repos/list-deployment-statuses').length,
      2,
      'looked up once per lost answer',
    );

    // A 500 before anything was written: the lookup finds nothing, so it is written again.
    gh.failNext({ status: 500, operationId: 'repos/create-deployment-status' });
    await status('in_progress', 'verify');
    assert.deepEqual(states(), ['queued', 'in_progress', 'success', 'in_progress']);

    // The same status as an older one (a rerun) is still written: only the newest counts as "landed".
    gh.failNext({ status: 500, operationId: 'repos/create-deployment-status' });
    await status('success', 'deployed');
    assert.deepEqual(states(), ['queued', 'in_progress', 'success', 'in_progress', 'success']);

    // The lookup failing too: nothing is written until a lookup works.
    gh.failNext({ status: 500, afterWrite: true, operationId: 'repos/create-deployment-status' });
    gh.failNext({ status: 503, operationId: 'repos/list-deployment-statuses', times: 1 });
    await status('queued', 'again');
    assert.equal(states().filter((s) => s === 'queued').length, 2);

    // A 4xx is an answer: not repeated.
    await assert.rejects(status('success', 'x'.repeat(141)), (e: { status?: number }) => e.status === 422);
    gh.violations.length = 0; // the over-long description was the point
  });
});
