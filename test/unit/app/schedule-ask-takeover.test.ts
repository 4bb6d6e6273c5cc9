// An ask ref left by a request that is gone (a crash between removing the request and its ask) is taken over
// by the next request asking the same deployment. Two such requests taking it over at the same moment must not
// both end up holding it (two queued deployments of one commit): the takeover is a compare-and-swap (GraphQL
// updateRefs with beforeOid), against the fake GitHub, which checks every request against GitHub's schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { createFakeGitHub, fakeSha } from '../../fake-github/index.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';
import { repoNodeId } from '../../fake-github/state.ts';
import { listRequests, recordRequest } from '../../../app/schedule/store.ts';
import type { RecordResult, ScheduleApi, SwapRef } from '../../../app/schedule/store.ts';
import { graphqlSwapRef } from '../../../app/schedule/swap-ref.ts';
import { askRefName, scheduleRefName } from '../../../app/schedule/record.ts';
import type { ScheduledRequest } from '../../../app/schedule/record.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = markerKeys({ secret: 'k'.repeat(40) });
const HEAD = fakeSha('pr-7-head');
// Octokit logs every 4xx; the 422s of a contended ref are expected here.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const asking = (n: number, by: string): ScheduledRequest => ({
  id: `c${n}`,
  mode: 'queue',
  environment: 'production',
  sha: HEAD,
  pr: 7,
  type: 'standard',
  params: { version: '3' },
  requestedBy: by,
  sourceCommentId: n,
  requestedAt: new Date('2026-12-01T09:00:00Z'),
});
const ASK = askRefName(asking(1, 'alice'));

interface World {
  fake: FakeGitHub;
  api: ScheduleApi;
  swap: SwapRef;
}

async function withFake(run: (w: World) => Promise<void>): Promise<void> {
  const fake = await createFakeGitHub();
  fake.seedRepo({ ...where, pulls: [{ number: 7, head: HEAD, user: 'alice' }] });
  try {
    const octokit = new Octokit({ baseUrl: fake.url, auth: 'test-token', log: quiet });
    const api = octokit.rest as unknown as ScheduleApi;
    const read = async (ref: string): Promise<string | undefined> =>
      fake.repo().refs.get(ref.replace(/^refs\//, ''));
    const swap = graphqlSwapRef(
      (query, variables) => octokit.graphql(query, variables),
      repoNodeId(where.owner, where.repo),
      read,
    );
    await run({ fake, api, swap });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

/** An ask whose request is gone: recorded, then its request ref removed and its ask left (a crash). */
async function staleAsk(w: World): Promise<string> {
  const gone = asking(1, 'alice');
  assert.equal(await recordRequest(w.api, where, keys, gone, w.swap), 'recorded');
  w.fake.repo().refs.delete(scheduleRefName(gone.environment, gone.id)!);
  const stale = w.fake.repo().refs.get(ASK);
  assert.ok(stale);
  return stale;
}

/** Who holds the ask now: the id of the listed request whose tag it names. */
async function holderOfAsk(w: World): Promise<string | undefined> {
  const list = await listRequests(w.api, where, keys);
  const sha = w.fake.repo().refs.get(ASK);
  return list.requests.find((r) => list.tags.get(r.id) === sha)?.id;
}

const outcome = (r: RecordResult): string => (typeof r === 'object' ? `duplicate of ${r.of.id}` : r);

test('two requests taking over the same stale ask: the one that read it first and moves it last does not take it from the other', async () => {
  await withFake(async (w) => {
    const stale = await staleAsk(w);
    // b reads the ask and the requests (it is stale) before a writes anything; every write of b after that
    // waits until a has recorded its request and taken the ask over.
    let bListed!: () => void;
    const bHasListed = new Promise<void>((resolve) => (bListed = resolve));
    let aFinished!: () => void;
    const aDone = new Promise<void>((resolve) => (aFinished = resolve));
    const bApi: ScheduleApi = {
      ...w.api,
      git: {
        ...w.api.git,
        listMatchingRefs: async (p) => {
          const answer = await w.api.git.listMatchingRefs(p);
          bListed();
          return answer;
        },
        deleteRef: async (p) => {
          await aDone;
          return w.api.git.deleteRef(p);
        },
      },
    };
    const bSwap: SwapRef = async (...args) => {
      await aDone;
      return w.swap(...args);
    };
    const b = recordRequest(bApi, where, keys, asking(3, 'erin'), bSwap);
    await bHasListed;
    const a = await recordRequest(w.api, where, keys, asking(2, 'bob'), w.swap);
    aFinished();
    const results = [outcome(a), outcome(await b)];
    assert.deepEqual(
      results,
      ['recorded', 'duplicate of c2'],
      'one request holds the ask, the other is told',
    );
    assert.equal(await holderOfAsk(w), 'c2', 'the ask names the request recorded');
    assert.notEqual(w.fake.repo().refs.get(ASK), stale);
    // The loser's swap was refused by GitHub (beforeOid), not skipped.
    const swaps = w.fake.requestsFor('graphql').filter((r) => /updateRefs/.test(JSON.stringify(r.body)));
    assert.equal(swaps.length, 2);
  });
});

test('two requests taking over the same stale ask at once, unordered: exactly one is recorded and holds it', async () => {
  await withFake(async (w) => {
    await staleAsk(w);
    const results = await Promise.all([
      recordRequest(w.api, where, keys, asking(2, 'bob'), w.swap),
      recordRequest(w.api, where, keys, asking(3, 'erin'), w.swap),
    ]);
    const recorded = results.filter((r) => r === 'recorded');
    assert.equal(recorded.length, 1, `one recorded: ${results.map(outcome).join(', ')}`);
    const kept = results[0] === 'recorded' ? 'c2' : 'c3';
    const other = results[0] === 'recorded' ? results[1]! : results[0]!;
    assert.equal(outcome(other), `duplicate of ${kept}`);
    assert.equal(await holderOfAsk(w), kept);
  });
});

test('without a conditional update the stale ask is left alone: the request stands, nothing is taken from anyone', async () => {
  await withFake(async (w) => {
    const stale = await staleAsk(w);
    assert.equal(await recordRequest(w.api, where, keys, asking(2, 'bob')), 'recorded_stale_ask');
    assert.equal(w.fake.repo().refs.get(ASK), stale, 'not deleted and created again');
    assert.equal(w.fake.requestsFor('git/delete-ref').length, 0);
  });
});

test('the swap moves the ask only from the tag read: moved meanwhile, it answers false and leaves it', async () => {
  await withFake(async (w) => {
    const stale = await staleAsk(w);
    assert.equal(await recordRequest(w.api, where, keys, asking(2, 'bob'), w.swap), 'recorded');
    const held = w.fake.repo().refs.get(ASK)!;
    assert.notEqual(held, stale);
    assert.equal(await w.swap(`refs/${ASK}`, stale, stale), false, 'no longer the stale tag');
    assert.equal(w.fake.repo().refs.get(ASK), held);
  });
});
