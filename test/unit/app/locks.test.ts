import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { createFakeGitHub, fakeSha } from '../../fake-github/index.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';
import {
  acquireDeploymentLock,
  acquireLock,
  blockingLock,
  lockMessage,
  lockRefName,
  lostCreate,
  mayRelease,
  parseLockMessage,
  readLocks,
  releaseLock,
  UNKNOWN_HOLDER,
} from '../../../app/locks.ts';
import type { LocksApi } from '../../../app/locks.ts';
import type { LockTarget } from '../../../app/commands/command.ts';
import { repoNodeId } from '../../fake-github/state.ts';
import { lockOwner } from '../../../app/deploy/replies.ts';
import {
  endedByRunner,
  madeUnderLock,
  newestBeforeLock,
  runningUnderLock,
  releaseDeploymentLock,
  reopenedAfter,
} from '../../../app/deploy/lock.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';

const where = { owner: 'acme', repo: 'web' };
const HEAD = fakeSha('pr-7-head');
const production = { scope: 'environment', environment: 'production' } as const;
const staging = { scope: 'environment', environment: 'staging' } as const;
// Octokit logs every 4xx; the 422s of a contended lock are expected here.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const fixedNow = () => new Date('2025-03-01T10:00:00Z');
const keys = markerKeys({ secret: 'k'.repeat(40) });
const reader = { keys, repository: 'acme/web' };

async function withFake(
  run: (fake: FakeGitHub, api: LocksApi, octokit: Octokit) => Promise<void>,
): Promise<void> {
  const fake = await createFakeGitHub();
  fake.seedRepo({ ...where, pulls: [{ number: 7, head: HEAD, user: 'carol' }] });
  try {
    const octokit = new Octokit({ baseUrl: fake.url, auth: 'test-token', log: quiet });
    await run(fake, octokit.rest, octokit);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

test('a lock is a ref to a tag that records holder, reason and time; readLocks reads it back', async () => {
  await withFake(async (fake, api) => {
    const result = await acquireLock(api, where, keys, {
      target: production,
      holder: 'alice',
      sha: HEAD,
      reason: 'db migration',
      pullRequest: 7,
      now: fixedNow,
    });
    assert.equal(result.status, 'acquired');
    const repo = fake.repo();
    const tagSha = repo.refs.get('deploy-locks/production');
    assert.ok(tagSha && repo.tagObjects.has(tagSha), 'the ref points at a tag object');
    assert.equal(fake.requests.length, 2, 'acquiring costs two requests');

    const global = await acquireLock(api, where, keys, {
      target: { scope: 'global' },
      holder: 'bob',
      sha: HEAD,
    });
    assert.equal(global.status, 'acquired');
    const locks = await readLocks(api, where, keys);
    assert.deepEqual(locks.environments, [
      {
        target: production,
        holder: 'alice',
        reason: 'db migration',
        createdAt: '2025-03-01T10:00:00.000Z',
        sha: HEAD,
        pullRequest: 7,
      },
    ]);
    assert.equal(locks.global?.holder, 'bob');
    assert.deepEqual(locks.global?.target, { scope: 'global' });
  });
});

test('a held lock is refused with its holder; the same holder is told it already holds it', async () => {
  await withFake(async (_fake, api) => {
    await acquireLock(api, where, keys, { target: production, holder: 'alice', sha: HEAD });
    const other = await acquireLock(api, where, keys, { target: production, holder: 'bob', sha: HEAD });
    assert.equal(other.status, 'already_held');
    if (other.status === 'already_held') {
      assert.equal(other.lock.holder, 'alice');
      assert.equal(other.sameHolder, false);
    }
    // Environment names are case-insensitive on GitHub: Production is the same lock.
    const again = await acquireLock(api, where, keys, {
      target: { scope: 'environment', environment: 'Production' },
      holder: 'ALICE',
      sha: HEAD,
    });
    assert.equal(again.status, 'already_held');
    if (again.status === 'already_held') assert.equal(again.sameHolder, true);
  });
});

test('two concurrent acquisitions of one environment: exactly one wins, the other names the winner', async () => {
  await withFake(async (fake, api) => {
    const contenders = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const results = await Promise.all(
      contenders.map((holder) => acquireLock(api, where, keys, { target: production, holder, sha: HEAD })),
    );
    const winners = results.filter((r) => r.status === 'acquired');
    assert.equal(winners.length, 1);
    const winner = winners[0]!.lock.holder;
    for (const r of results.filter((x) => x.status !== 'acquired')) {
      assert.equal(r.status, 'already_held');
      if (r.status === 'already_held') assert.equal(r.lock.holder, winner);
    }
    assert.equal(fake.requestsFor('git/create-ref').filter((r) => r.status === 201).length, 1);
  });
});

test('only the holder releases, unless forced; releasing twice says it is not held', async () => {
  await withFake(async (fake, api) => {
    await acquireLock(api, where, keys, { target: production, holder: 'alice', sha: HEAD });
    const stranger = await releaseLock(api, where, keys, { target: production, requester: 'mallory' });
    assert.equal(stranger.status, 'not_owner');
    if (stranger.status === 'not_owner') assert.equal(stranger.lock.holder, 'alice');
    assert.ok(fake.repo().refs.has('deploy-locks/production'), 'a refused release leaves the lock');

    const owner = await releaseLock(api, where, keys, { target: production, requester: 'Alice' });
    assert.equal(owner.status, 'released');
    assert.equal(fake.repo().refs.has('deploy-locks/production'), false);
    assert.deepEqual(await releaseLock(api, where, keys, { target: production, requester: 'alice' }), {
      status: 'not_held',
    });

    await acquireLock(api, where, keys, { target: { scope: 'global' }, holder: 'alice', sha: HEAD });
    const forced = await releaseLock(api, where, keys, {
      target: { scope: 'global' },
      requester: 'admin',
      force: true,
    });
    assert.equal(forced.status, 'released');
    assert.deepEqual(await readLocks(api, where, keys), { environments: [] });
  });
});

test('an unlock that races a release and a new lock deletes only if the ref is still the lock it read', async () => {
  await withFake(async (fake, api, octokit) => {
    const graphql = (query: string, variables: Record<string, unknown>) => octokit.graphql(query, variables);
    const conditional = { graphql, repositoryId: repoNodeId(where.owner, where.repo) };
    /** Between the unlock's read and its delete: alice's lock is released and bob takes the environment. */
    const racing = (inner: typeof graphql) => async (query: string, variables: Record<string, unknown>) => {
      await api.git.deleteRef({ ...where, ref: 'deploy-locks/production' });
      assert.equal(
        (await acquireLock(api, where, keys, { target: production, holder: 'bob', sha: HEAD })).status,
        'acquired',
      );
      return inner(query, variables);
    };
    /** The REST-only release meets the same interleaving at its delete. */
    const racingRest: LocksApi = {
      git: {
        ...api.git,
        deleteRef: async (params) => {
          await racing(async () => undefined)('', {});
          return api.git.deleteRef(params);
        },
      },
    };

    // Unchanged: released through GraphQL updateRefs, the ref is gone.
    await acquireLock(api, where, keys, { target: production, holder: 'alice', sha: HEAD });
    const plain = await releaseLock(api, where, keys, {
      target: production,
      requester: 'alice',
      conditional,
    });
    assert.equal(plain.status, 'released');
    assert.equal(fake.repo().refs.has('deploy-locks/production'), false);
    assert.equal(fake.requestsFor('graphql').length, 1);

    // Raced: bob's new lock stays, and the answer names him.
    await acquireLock(api, where, keys, { target: production, holder: 'alice', sha: HEAD });
    const raced = await releaseLock(api, where, keys, {
      target: production,
      requester: 'alice',
      conditional: { ...conditional, graphql: racing(graphql) },
    });
    assert.equal(raced.status, 'changed');
    assert.equal(raced.status === 'changed' && raced.lock.holder, 'bob');
    assert.equal(
      (await readLocks(api, where, keys)).environments[0]?.holder,
      'bob',
      "bob's lock is still there",
    );

    // Without the conditional delete the same interleaving removes bob's lock: what it guards against.
    await releaseLock(api, where, keys, { target: production, requester: 'bob' });
    await acquireLock(api, where, keys, { target: production, holder: 'alice', sha: HEAD });
    const blind = await releaseLock(racingRest, where, keys, { target: production, requester: 'alice' });
    assert.equal(blind.status, 'released');
    assert.deepEqual(
      (await readLocks(api, where, keys)).environments,
      [],
      "bob's lock was deleted by alice's unlock",
    );

    // Refused for another reason (an unknown repository id): the error is not swallowed.
    await acquireLock(api, where, keys, { target: production, holder: 'alice', sha: HEAD });
    await assert.rejects(
      releaseLock(api, where, keys, {
        target: production,
        requester: 'alice',
        conditional: { graphql, repositoryId: 'R_nope' },
      }),
      /Could not resolve to a node/,
    );
    assert.equal(fake.repo().refs.has('deploy-locks/production'), true, 'nothing deleted');
  });
});

test("a deployment's final status releases its lock only if the ref is still that commit's lock", async () => {
  await withFake(async (fake, api, octokit) => {
    const graphql = (query: string, variables: Record<string, unknown>) => octokit.graphql(query, variables);
    const conditional = { graphql, repositoryId: repoNodeId(where.owner, where.repo) };
    /** While the release asks whether a newer deployment holds it: --force frees the lock and bob locks. */
    const meanwhileBobLocks = async () => {
      await api.git.deleteRef({ ...where, ref: 'deploy-locks/production' });
      assert.equal(
        (await acquireLock(api, where, keys, { target: production, holder: 'bob', sha: HEAD })).status,
        'acquired',
      );
      return false;
    };

    // Unchanged: deleted through updateRefs.
    await acquireDeploymentLock(api, where, keys, { environment: 'production', sha: HEAD });
    assert.equal(
      await releaseDeploymentLock(api.git, where, 'production', HEAD, async () => false, conditional),
      'released',
    );
    assert.equal(fake.repo().refs.has('deploy-locks/production'), false);

    // Raced: bob's lock stays.
    await acquireDeploymentLock(api, where, keys, { environment: 'production', sha: HEAD });
    assert.equal(
      await releaseDeploymentLock(api.git, where, 'production', HEAD, meanwhileBobLocks, conditional),
      'kept',
    );
    assert.equal((await readLocks(api, where, keys)).environments[0]?.holder, 'bob');

    // The REST delete the same interleaving: bob's lock is gone (what the conditional delete is for).
    await api.git.deleteRef({ ...where, ref: 'deploy-locks/production' });
    await acquireDeploymentLock(api, where, keys, { environment: 'production', sha: HEAD });
    assert.equal(
      await releaseDeploymentLock(api.git, where, 'production', HEAD, meanwhileBobLocks),
      'released',
    );
    assert.deepEqual((await readLocks(api, where, keys)).environments, []);

    // Refused for another reason: thrown, nothing deleted.
    await acquireDeploymentLock(api, where, keys, { environment: 'production', sha: HEAD });
    await assert.rejects(
      releaseDeploymentLock(api.git, where, 'production', HEAD, undefined, {
        graphql,
        repositoryId: 'R_nope',
      }),
      /Could not resolve to a node/,
    );
    assert.equal(fake.repo().refs.get('deploy-locks/production'), HEAD);
  });
});

test('environment names git cannot store as a ref are refused before any request', async () => {
  await withFake(async (fake, api) => {
    for (const environment of ['prod..eu', 'prod.', 'prod.lock']) {
      const target = { scope: 'environment', environment } as const;
      assert.equal(
        (await acquireLock(api, where, keys, { target, holder: 'a', sha: HEAD })).status,
        'invalid_environment',
      );
      assert.equal(
        (await releaseLock(api, where, keys, { target, requester: 'a' })).status,
        'invalid_environment',
      );
    }
    assert.equal(fake.requests.length, 0);
  });
});

test("a deployment's lock is one lightweight ref to the commit; a second deployment finds it held", async () => {
  await withFake(async (fake, api) => {
    const mark = fake.requests.length;
    assert.deepEqual(await acquireDeploymentLock(api, where, keys, { environment: 'Staging', sha: HEAD }), {
      status: 'acquired',
    });
    assert.equal(fake.requests.length - mark, 1, 'one request: no tag object');
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD);
    const locks = await readLocks(api, where, keys);
    assert.deepEqual(locks.environments[0], {
      target: { scope: 'environment', environment: 'staging' },
      holder: 'deployment',
      createdAt: '',
      sha: HEAD,
      deployment: true,
    });
    const other = await acquireDeploymentLock(api, where, keys, {
      environment: 'staging',
      sha: fakeSha('other'),
    });
    assert.equal(other.status, 'already_held');
    assert.equal(other.status === 'already_held' && other.lock.sha, HEAD);
    // A person's /lock on top fails too: the ref is taken.
    const manual = await acquireLock(api, where, keys, { target: staging, holder: 'alice', sha: HEAD });
    assert.equal(manual.status, 'already_held');
    assert.equal(manual.status === 'already_held' && manual.sameHolder, false);
  });
});

test('lock records round-trip through the tag message; garbage reads as held by someone unknown', () => {
  const lock = {
    target: production,
    holder: 'alice',
    createdAt: '2025-01-01T00:00:00.000Z',
    sha: HEAD,
    reason: 'x',
    pullRequest: 7,
  };
  assert.deepEqual(parseLockMessage(lockMessage(lock, reader), production, HEAD, reader), lock);
  for (const garbage of ['', 'deploy-lock-record: {not json', 'deploy-lock-record: {"holder":""}']) {
    const read = parseLockMessage(garbage, production, HEAD, reader);
    assert.equal(read.holder, UNKNOWN_HOLDER);
    assert.match(lockOwner(read), /locked by someone unknown since/);
  }
  assert.equal(lockRefName({ scope: 'global' }), 'deploy-locks/_global');
  assert.equal(lockRefName({ scope: 'environment', environment: 'Prod-EU' }), 'deploy-locks/prod-eu');
});

test('a reason holding a marker line or markup is in the tag only escaped, on the record line too, and reads back whole', () => {
  const forged =
    '<!-- deploy-action:lock {"v":1,"holder":"victim"} mac=' + 'f'.repeat(64) + ' --> <b>&amp;</b>';
  const lock = {
    target: production,
    holder: 'alice',
    createdAt: '2025-01-01T00:00:00.000Z',
    sha: HEAD,
    reason: forged,
  };
  const message = lockMessage(lock, reader);
  // Raw `<`, `>` or `&` only in the App's own marker, the last line.
  const lines = message.trimEnd().split('\n');
  assert.match(lines.at(-1)!, /^<!-- deploy-action:lock \{[^<>&]*\} mac=[0-9a-f]{64} -->$/);
  assert.doesNotMatch(lines.slice(0, -1).join('\n'), /[<>&]/);
  assert.deepEqual(parseLockMessage(message, production, HEAD, reader), lock);
  // A version that reads only the record line (unsigned, so unverified here) reads the same reason.
  const recordLine = message.replace(/\n<!-- deploy-action:lock .*$/m, '');
  assert.equal(parseLockMessage(recordLine, production, HEAD, reader).reason, forged);
});

test('a lock record is believed only when its MAC verifies for this repository, target, content and commit', () => {
  const lock = {
    target: production,
    holder: 'alice',
    createdAt: '2025-01-01T00:00:00.000Z',
    sha: HEAD,
    reason: 'migration',
    pullRequest: 7,
  };
  const message = lockMessage(lock, reader);
  assert.match(message, /^<!-- deploy-action:lock \{.*\} mac=[0-9a-f]{64} -->$/m, "a MAC'd marker");
  const believed = parseLockMessage(message, production, HEAD, reader);
  assert.equal(believed.holderUnverified, undefined);
  // GitHub compares environment names without case: so does the MAC.
  const upper = { scope: 'environment', environment: 'Production' } as const;
  assert.equal(parseLockMessage(message, upper, HEAD, reader).holderUnverified, undefined);
  // The global lock's record is its own.
  const global = { ...lock, target: { scope: 'global' } as const };
  assert.equal(
    parseLockMessage(lockMessage(global, reader), { scope: 'global' }, HEAD, reader).holderUnverified,
    undefined,
  );

  /** What the App makes of `text` under production, as it would tell it. */
  const unverified = (text: string, target: LockTarget = production, r = reader) => {
    const read = parseLockMessage(text, target, HEAD, r);
    assert.equal(read.holderUnverified, true, text);
    assert.equal(read.pullRequest, undefined, 'a PR number it names is not repeated');
    return read;
  };
  // Any field of the record changed: the MAC no longer matches.
  const marker = /^<!-- deploy-action:lock (\{.*\}) mac=/m.exec(message)![1]!;
  const fields: Array<[string, unknown]> = [
    ['holder', 'victim'],
    ['reason', 'other'],
    ['createdAt', '2030-01-01T00:00:00.000Z'],
    ['sha', fakeSha('elsewhere')],
    ['pullRequest', 8],
  ];
  for (const [field, value] of fields) {
    const edited = message.replace(marker, JSON.stringify({ ...JSON.parse(marker), [field]: value }));
    assert.notEqual(edited, message);
    const read = unverified(edited);
    if (field === 'holder') assert.equal(read.holder, 'victim', 'named as written, unverified');
  }
  // Replayed onto another environment, the global lock, or another repository; a key the App does not hold.
  unverified(message, staging);
  unverified(message, { scope: 'global' });
  unverified(message, production, { keys, repository: 'acme/other' });
  unverified(message, production, { keys: markerKeys({ secret: 'x'.repeat(40) }), repository: 'acme/web' });
  // Written under a key forged by someone else, for the right place.
  unverified(
    lockMessage({ ...lock, holder: 'victim' }, { ...reader, keys: markerKeys({ secret: 'm'.repeat(40) }) }),
  );
  // Genuine, but its tag now points at another commit than the one it names.
  assert.equal(parseLockMessage(message, production, fakeSha('other'), reader).holderUnverified, true);
  // A rotation: a record written under the previous key still verifies.
  const rotated = markerKeys({ secret: 'n'.repeat(40), previous: 'k'.repeat(40) });
  assert.equal(
    parseLockMessage(message, production, HEAD, { keys: rotated, repository: 'ACME/Web' }).holderUnverified,
    undefined,
  );
  // Written by a version before records were signed (the record line alone): held, by nobody verified.
  const old = `Deploy lock on production, held by alice\n\ndeploy-lock-record: ${JSON.stringify(lock)}\n`;
  const legacy = unverified(old);
  assert.equal(legacy.holder, 'alice');
  assert.equal(legacy.reason, 'migration');
  // The marker stripped, the record line edited: the line is never believed.
  unverified(message.replace(/\n<!-- deploy-action:lock .*$/m, '').replace('"alice"', '"victim"'));
});

test('a lock whose record does not verify is held by nobody: named as text, never mentioned, released only with --force', async () => {
  await withFake(async (_fake, api) => {
    // Someone with push access writes a lock naming victim, as the App's record (the old line and a marker
    // under a key of their own).
    const lock = { target: production, holder: 'victim', createdAt: '2025-01-01T00:00:00.000Z', sha: HEAD };
    const tag = await api.git.createTag({
      ...where,
      tag: 'forged',
      message: lockMessage(lock, { keys: markerKeys({ secret: 'm'.repeat(40) }), repository: 'acme/web' }),
      object: HEAD,
      type: 'commit',
    });
    await api.git.createRef({ ...where, ref: 'refs/deploy-locks/production', sha: tag.data.sha });
    const locks = await readLocks(api, where, keys);
    const held = locks.environments[0]!;
    assert.equal(held.holder, 'victim');
    assert.equal(held.holderUnverified, true);
    assert.equal(blockingLock(locks, 'production', 'victim'), held, 'victim does not deploy through it');
    assert.equal(blockingLock(locks, 'production', 'alice'), held, 'nor does anyone else');
    assert.equal(
      lockOwner(held),
      '`production` is locked by `victim` (unverified record) since `2025-01-01T00:00:00.000Z`',
    );
    const again = await acquireLock(api, where, keys, { target: production, holder: 'victim', sha: HEAD });
    assert.equal(again.status === 'already_held' && again.sameHolder, false, 'not "you already hold it"');
    const released = await releaseLock(api, where, keys, { target: production, requester: 'victim' });
    assert.equal(released.status, 'not_owner');
    assert.equal((await readLocks(api, where, keys)).environments.length, 1, 'the lock stays');
    const forced = await releaseLock(api, where, keys, {
      target: production,
      requester: 'admin',
      force: true,
    });
    assert.equal(forced.status, 'released');
  });
});

test('a lock the App wrote in one repository reads as unverified when its tag is copied into another', async () => {
  await withFake(async (fake, api) => {
    fake.seedRepo({ owner: 'acme', repo: 'other', pulls: [{ number: 1, head: HEAD, user: 'carol' }] });
    await acquireLock(api, where, keys, { target: production, holder: 'alice', sha: HEAD });
    const { data: ref } = await api.git.getRef({ ...where, ref: 'deploy-locks/production' });
    const { data: original } = await api.git.getTag({ ...where, tag_sha: ref.object.sha });
    const elsewhere = { owner: 'acme', repo: 'other' };
    const copy = await api.git.createTag({
      ...elsewhere,
      tag: 'copy',
      message: original.message,
      object: HEAD,
      type: 'commit',
    });
    await api.git.createRef({ ...elsewhere, ref: 'refs/deploy-locks/production', sha: copy.data.sha });
    assert.equal((await readLocks(api, where, keys)).environments[0]?.holderUnverified, undefined);
    const copied = (await readLocks(api, elsewhere, keys)).environments[0];
    assert.equal(copied?.holder, 'alice');
    assert.equal(copied?.holderUnverified, true);
    assert.equal(
      (await releaseLock(api, elsewhere, keys, { target: production, requester: 'alice' })).status,
      'not_owner',
    );
  });
});

test('blockingLock: the global lock stops everyone; an environment lock stops all but its holder', () => {
  const envLock = { target: production, holder: 'alice', createdAt: '', sha: HEAD };
  const globalLock = { target: { scope: 'global' } as const, holder: 'alice', createdAt: '', sha: HEAD };
  assert.equal(blockingLock({ environments: [envLock] }, 'Production', 'bob'), envLock);
  assert.equal(blockingLock({ environments: [envLock] }, 'production', 'alice'), undefined);
  assert.equal(blockingLock({ environments: [envLock] }, 'staging', 'bob'), undefined);
  assert.equal(blockingLock({ global: globalLock, environments: [] }, 'staging', 'alice'), globalLock);
});

test("a deployment's lock is nobody's: a person whose login is `deployment` neither holds nor releases it without --force", async () => {
  await withFake(async (_fake, api) => {
    await acquireDeploymentLock(api, where, keys, { environment: 'production', sha: HEAD });
    const again = await acquireLock(api, where, keys, {
      target: production,
      holder: 'Deployment',
      sha: HEAD,
    });
    assert.equal(again.status === 'already_held' && again.sameHolder, false, 'not "you already hold it"');
    const released = await releaseLock(api, where, keys, { target: production, requester: 'deployment' });
    assert.equal(released.status, 'not_owner');
    assert.equal(
      (await readLocks(api, where, keys)).environments.length,
      1,
      'the running deployment keeps its lock',
    );
    const forced = await releaseLock(api, where, keys, {
      target: production,
      requester: 'deployment',
      force: true,
    });
    assert.equal(forced.status, 'released');
  });
});

test('a lock ref made by hand (no record) is nobody’s: a user named `unknown` neither deploys through it nor releases it', async () => {
  await withFake(async (_fake, api) => {
    const tag = await api.git.createTag({
      ...where,
      tag: 'by-hand',
      message: 'locked by hand',
      object: HEAD,
      type: 'commit',
    });
    await api.git.createRef({ ...where, ref: 'refs/deploy-locks/production', sha: tag.data.sha });
    const locks = await readLocks(api, where, keys);
    const lock = locks.environments[0]!;
    assert.equal(lock.holder, UNKNOWN_HOLDER);
    for (const login of ['unknown', 'Unknown', 'someone-unknown']) {
      assert.equal(blockingLock(locks, 'production', login), lock, `${login} is not its holder`);
      const again = await acquireLock(api, where, keys, { target: production, holder: login, sha: HEAD });
      assert.equal(again.status === 'already_held' && again.sameHolder, false, 'not "you already hold it"');
      const released = await releaseLock(api, where, keys, { target: production, requester: login });
      assert.equal(released.status, 'not_owner');
    }
    assert.match(lock.holder, /\s/, 'no login has a space');
    // Said plainly, never as a mention.
    assert.match(lockOwner(lock), /^`production` is locked by someone unknown since /);
    assert.doesNotMatch(lockOwner(lock), /@/);
    assert.equal(
      (await releaseLock(api, where, keys, { target: production, requester: 'unknown', force: true })).status,
      'released',
    );
  });
});

test('a lock released between its taking and its reading stops a user named `unknown` too', async () => {
  const taken = (): Promise<never> =>
    Promise.reject(Object.assign(new Error('Reference already exists'), { status: 422 }));
  const api = {
    git: {
      createTag: async () => ({ data: { sha: 'a'.repeat(40) } }),
      createRef: taken,
      getRef: () => Promise.reject(Object.assign(new Error('Not Found'), { status: 404 })),
    },
  } as unknown as LocksApi;
  const deployment = await acquireDeploymentLock(api, where, keys, { environment: 'production', sha: HEAD });
  assert.equal(deployment.status, 'already_held');
  const lock = deployment.status === 'already_held' ? deployment.lock : undefined;
  assert.equal(lock?.holder, UNKNOWN_HOLDER);
  assert.equal(blockingLock({ environments: [lock!] }, 'production', 'unknown'), lock);
  const person = await acquireLock(api, where, keys, { target: production, holder: 'unknown', sha: HEAD });
  assert.equal(person.status === 'already_held' && person.lock.holder, UNKNOWN_HOLDER);
});

test('the global lock released with marks, its ref pointed back at its tag, is held by nobody; unreleased locks keep their holder', async () => {
  await withFake(async (fake, api) => {
    const marks = { appId: fake.state.appId };
    const global = { scope: 'global' } as const;
    await acquireLock(api, where, keys, { target: global, holder: 'alice', sha: HEAD, now: fixedNow }, marks);
    await acquireLock(api, where, keys, { target: staging, holder: 'bob', sha: HEAD, now: fixedNow }, marks);
    const tag = fake.repo().refs.get('deploy-locks/_global')!;
    const released = await releaseLock(api, where, keys, { target: global, requester: 'alice' }, marks);
    assert.equal(released.status, 'released');
    fake.repo().refs.set('deploy-locks/_global', tag);

    const locks = await readLocks(api, where, keys, marks);
    assert.equal(locks.global?.holder, 'alice', 'named as written');
    assert.equal(locks.global?.holderUnverified, true, 'but nobody holds it');
    assert.equal(locks.global?.releasedBefore, true);
    assert.equal(locks.environments[0]?.holder, 'bob');
    assert.equal(locks.environments[0]?.holderUnverified, undefined, "bob's lock, never released, is his");
    const other = await releaseLock(api, where, keys, { target: global, requester: 'bob' }, marks);
    assert.equal(other.status, 'not_owner', 'nobody else releases it without --force');
    // The holder its record names may (a release whose delete GitHub failed is finished so): it gives them
    // nothing more than any pusher has, who could delete the ref.
    const again = await releaseLock(api, where, keys, { target: global, requester: 'alice' }, marks);
    assert.equal(again.status, 'released');
    assert.equal(fake.repo().refs.get('deploy-locks/_global'), undefined);
  });
});

test("madeUnderLock: only the App's deployments made since the lock was taken (minutes of clock slack), newest first", () => {
  const app = { login: 'deploy-action[bot]', id: 1 };
  const bot = { login: 'deploy-action[bot]', type: 'Bot' };
  const listed = [
    { id: 5, sha: 'e', created_at: '2025-03-01T10:30:00Z', creator: bot },
    { id: 4, sha: 'd', created_at: '2025-03-01T10:20:00Z', creator: { login: 'mallory', type: 'User' } },
    { id: 3, sha: 'c', created_at: '2025-03-01T09:58:00Z', creator: bot },
    { id: 2, sha: 'b', created_at: '2025-03-01T09:00:00Z', creator: bot },
  ];
  assert.deepEqual(
    madeUnderLock('2025-03-01T10:00:00Z', listed, app).map((d) => d.id),
    [5, 3],
    "someone else's deployment and one made an hour before the lock are not its holder's",
  );
  assert.deepEqual(madeUnderLock('', listed, app), [], 'a lock of no readable time hands over to none');
});

test("newestBeforeLock: the App's newest deployment made before the lock (past the clock slack), the one a re-run may reopen under it", () => {
  const app = { login: 'deploy-action[bot]', id: 1 };
  const bot = { login: 'deploy-action[bot]', type: 'Bot' };
  const mallory = { login: 'mallory', type: 'User' };
  const listed = [
    { id: 6, sha: 'f', created_at: '2025-03-01T10:30:00Z', creator: bot },
    { id: 5, sha: 'e', created_at: '2025-03-01T09:58:00Z', creator: bot },
    { id: 4, sha: 'd', created_at: '2025-03-01T09:20:00Z', creator: mallory },
    { id: 3, sha: 'c', created_at: '2025-03-01T09:10:00Z', creator: bot },
    { id: 2, sha: 'b', created_at: '2025-03-01T09:00:00Z', creator: bot },
  ];
  assert.equal(
    newestBeforeLock('2025-03-01T10:00:00Z', listed, app)?.id,
    3,
    'not those made under the lock (within the slack too), not a deployment someone else made',
  );
  assert.equal(newestBeforeLock('2025-03-01T09:05:00Z', listed.slice(3), app), undefined, 'none before it');
  assert.equal(newestBeforeLock('', listed, app), undefined, 'a lock of no readable time: none');
});

test("runningUnderLock: a re-run reopened under the lock is found past a page of others' deployments made just before the lock", async () => {
  const app = { login: 'deploy-action[bot]', id: 1 };
  const bot = { login: 'deploy-action[bot]', type: 'Bot' };
  const other = { login: 'github-actions[bot]', type: 'Bot' };
  const lockedAt = '2025-03-01T10:00:00Z';
  const at = (minutes: number) => new Date(Date.parse(lockedAt) + minutes * 60_000).toISOString();
  // Page 1: 50 workflow deployments since the lock and 50 in the hour before it; page 2: the App's, reopened.
  const page1 = Array.from({ length: 100 }, (_, i) => ({
    id: 1000 - i,
    sha: 'a'.repeat(40),
    environment: 'production',
    created_at: i < 50 ? at(30 - i * 0.5) : at(-6 - (i - 50)),
    creator: other,
  }));
  const reRun = {
    id: 800,
    sha: 'b'.repeat(40),
    environment: 'production',
    created_at: at(-120),
    creator: bot,
  };
  const pages: Record<number, unknown[]> = { 1: page1, 2: [reRun] };
  const listed: number[] = [];
  const api = {
    listDeployments: ({ page, environment }: { page?: number; environment?: string }) => {
      if (environment !== 'production') return Promise.resolve({ data: [] });
      listed.push(page ?? 1);
      return Promise.resolve({ data: pages[page ?? 1] ?? [] });
    },
    listDeploymentStatuses: ({ deployment_id }: { deployment_id: number }) =>
      Promise.resolve({
        data:
          deployment_id === 800
            ? [
                { id: 3, state: 'queued', created_at: at(10), creator: bot },
                { id: 2, state: 'success', created_at: at(-100), creator: other },
                { id: 1, state: 'in_progress', created_at: at(-110), creator: other },
              ]
            : [],
      }),
  } as unknown as Parameters<typeof runningUnderLock>[0];
  const held = { target: production, holder: 'alice', createdAt: lockedAt, sha: HEAD } as const;
  const running = await runningUnderLock(api, where, held, app);
  assert.deepEqual(listed, [1, 2], 'read on to the page with the App deployment before the lock');
  assert.deepEqual(running, [{ deployment: 800, sha: 'b'.repeat(40) }]);
});

test("endedByRunner: a deployment's end is its runner's word (the App's, its workflow token's), newest first; another's status counts for nothing", () => {
  const app = 'deploy-action[bot]';
  const workflow = { login: 'github-actions[bot]', type: 'Bot' };
  const mallory = { login: 'mallory', type: 'User' };
  const otherBot = { login: 'other-app[bot]', type: 'Bot' };
  assert.equal(endedByRunner([], app), false, 'no status yet: it runs');
  assert.equal(endedByRunner([{ state: 'success', creator: workflow }], app), true);
  assert.equal(
    endedByRunner(
      [
        { state: 'in_progress', creator: mallory },
        { state: 'success', creator: workflow },
      ],
      app,
    ),
    true,
    'a status posted after its end does not bring it back',
  );
  assert.equal(
    endedByRunner(
      [
        { state: 'failure', creator: otherBot },
        { state: 'failure', creator: mallory },
        { state: 'in_progress', creator: { login: 'Deploy-Action[bot]', type: 'Bot' } },
      ],
      app,
    ),
    false,
    "another's final status does not end it",
  );
  assert.equal(
    endedByRunner([{ state: 'success', creator: { login: 'github-actions[bot]', type: 'User' } }], app),
    false,
    'a person named like the bot is not it',
  );
  const flood = Array.from({ length: 3 }, () => ({ state: 'in_progress', creator: mallory }));
  assert.equal(
    endedByRunner(flood, app, 3),
    true,
    'a full page without its runner cannot be told: not held for',
  );
  assert.equal(endedByRunner(flood.slice(1), app, 3), false);
});

test("releaseLock with handOver: the ref moves to the running deployment's commit (REST, without GraphQL); --force deletes it", async () => {
  await withFake(async (fake, api) => {
    const asked: string[] = [];
    const handOver = async (held: { holder: string }) => {
      asked.push(held.holder);
      return [{ deployment: 42, sha: HEAD }];
    };
    await acquireLock(api, where, keys, { target: production, holder: 'alice', sha: HEAD, now: fixedNow });
    const handed = await releaseLock(api, where, keys, { target: production, requester: 'alice', handOver });
    assert.equal(handed.status, 'handed_over');
    assert.deepEqual(asked, ['alice']);
    assert.equal(fake.repo().refs.get('deploy-locks/production'), HEAD, "the deployment's own lock now");

    await acquireLock(api, where, keys, { target: staging, holder: 'alice', sha: HEAD, now: fixedNow });
    const forced = await releaseLock(api, where, keys, {
      target: staging,
      requester: 'maintainer',
      force: true,
      handOver,
    });
    assert.equal(forced.status, 'released', '--force breaks the lock, a running deployment or not');
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), undefined);
    assert.deepEqual(asked, ['alice'], 'not asked under --force');
  });
});

test('mayRelease: the holder by name; of a lock the App marked released, the holder its record names; never a deployment or an unverified record', () => {
  const lock = { target: production, holder: 'Alice', createdAt: '', sha: HEAD };
  assert.equal(mayRelease(lock, 'alice'), true);
  assert.equal(mayRelease(lock, 'bob'), false);
  assert.equal(mayRelease({ ...lock, holderUnverified: true }, 'alice'), false);
  assert.equal(mayRelease({ ...lock, holderUnverified: true, releasedBefore: true }, 'alice'), true);
  assert.equal(mayRelease({ ...lock, holderUnverified: true, releasedBefore: true }, 'bob'), false);
  assert.equal(mayRelease({ ...lock, holder: 'deployment', deployment: true }, 'deployment'), false);
});

test('lostCreate: a lock ref read back after a lost answer is ours only when it points at what we wrote', () => {
  const tag = { sha: 'A'.repeat(40), type: 'tag' as const };
  assert.equal(lostCreate(undefined, tag), 'not_made');
  assert.equal(lostCreate({ sha: 'a'.repeat(40), type: 'tag' }, tag), 'made');
  assert.equal(lostCreate({ sha: 'b'.repeat(40), type: 'tag' }, tag), 'other', "someone else's lock tag");
  assert.equal(lostCreate({ sha: 'a'.repeat(40), type: 'commit' }, tag), 'other');
  assert.equal(lostCreate({ sha: HEAD, type: 'commit' }, { sha: HEAD, type: 'commit' }), 'made');
});

test("a deployment's lock whose conditional delete GitHub carried out but answered 502: released (so the queue behind it is looked at), not 'none'", async () => {
  await withFake(async (fake, api, octokit) => {
    const graphql = (query: string, variables: Record<string, unknown>) => octokit.graphql(query, variables);
    const conditional = { graphql, repositoryId: repoNodeId(where.owner, where.repo) };
    await acquireDeploymentLock(api, where, keys, { environment: 'production', sha: HEAD });
    fake.failNext({ status: 502, afterWrite: true, operationId: 'graphql' });
    assert.equal(
      await releaseDeploymentLock(api.git, where, 'production', HEAD, async () => false, conditional),
      'released',
    );
    assert.equal(fake.repo().refs.has('deploy-locks/production'), false);
    // Gone without a lost answer (someone deleted it first): none to release.
    await acquireDeploymentLock(api, where, keys, { environment: 'production', sha: HEAD });
    const gone = async () => {
      await api.git.deleteRef({ ...where, ref: 'deploy-locks/production' });
      return false;
    };
    assert.equal(await releaseDeploymentLock(api.git, where, 'production', HEAD, gone, conditional), 'none');
  });
});

test('reopenedAfter: a final status delivered again after a re-run reopened the deployment is its last run’s end; a first run’s final status, listed or not yet, is not', () => {
  const app = 'deploy-action[bot]';
  const bot = { login: app, type: 'Bot' };
  const workflow = { login: 'github-actions[bot]', type: 'Bot' };
  const person = { login: 'mallory', type: 'User' };
  const s = (id: number, state: string, creator: typeof bot, at: string) => ({
    id,
    state,
    creator,
    created_at: `2026-12-01T10:${at}Z`,
  });
  const firstEnd = s(3, 'success', workflow, '05:00');
  const ran = [firstEnd, s(2, 'in_progress', workflow, '01:00'), s(1, 'queued', bot, '00:00')];
  const reopened = [s(4, 'queued', bot, '09:00'), ...ran];
  assert.equal(reopenedAfter(reopened, firstEnd, app), true, 'the first end, delivered again');
  assert.equal(reopenedAfter(ran, firstEnd, app), false, 'the first end, newest');
  // The re-run's own end, not listed yet: its last non-final status came before it.
  const rerunEnd = { id: 6, created_at: '2026-12-01T10:12:00Z' };
  const rerunning = [s(5, 'in_progress', workflow, '10:00'), ...reopened];
  assert.equal(reopenedAfter(rerunning, rerunEnd, app), false, 'listing lags: not reopened');
  // A first run whose end the listing does not show yet: it never ended before.
  assert.equal(reopenedAfter(ran.slice(1), firstEnd, app), false);
  // Another's `queued` after the end reopens nothing.
  assert.equal(reopenedAfter([s(4, 'queued', person, '09:00'), ...ran], firstEnd, app), false);
  // Not listed, and reopened later than it was made: reopened.
  assert.equal(reopenedAfter(reopened, { id: 99, created_at: firstEnd.created_at }, app), true);
});
