// A control request during a rotation of the App's marker key (docs/control.md, docs/state.md): the App
// accepts the previous key's records, but the deploy job (and reconcile) hold ONE state key, the
// environment's `DEPLOY_STATE_KEY`, and verify requests under it alone. A request the App signed under a key
// the runner does not hold is refused there as `control_forged`: an /abort the App answered "rolls back"
// would never be acted on. So the App signs under the key the rollout's own record verified under: the key
// of whoever wrote it, the reader of the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  commentOnPull,
  owner,
  repo,
  rest,
  seededFake,
  testApp,
  testMarkerKeys,
  testProbot,
} from './helpers.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';
import { verifyControlText } from '../../src/control/signed.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';

type Receive = Parameters<Probot['receive']>[0];

const NOW = new Date('2025-03-04T10:30:00Z');
const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  production:
    approvals:
      deployers: [alice]
      approvers: [carol]
      required: 0
`;
const REPOSITORY = `${owner}/${repo}`;
// The key rotated out is the one every environment's secret was derived from; the new one is the App's now.
const OLD = testMarkerKeys().current;
const NEW = Buffer.alloc(32, 7);
const ROTATING: MarkerKeys = { current: NEW, accepted: [NEW, OLD] };

async function requestTextsAfter(
  recordKey: Buffer,
  verb: 'abort' | 'pause',
): Promise<{ texts: string[]; deploymentId: string; reply: string }> {
  const fake = await seededFake({});
  try {
    const r = fake.repo();
    fake.setFile('.github/deploy.yml', CONFIG);
    for (const login of ['alice', 'carol']) r.collaborators.set(login, 'write');
    r.pulls.get(PR)!.user = 'bob';
    const { id } = await rest(fake, 'POST', '/deployments', {
      ref: HEAD,
      environment: 'production',
      task: 'deploy',
      payload: { type: 'standard', pr: PR },
      required_contexts: [],
      auto_merge: false,
    });
    const deploymentId = String(id);
    const record: EnvironmentRecord = {
      schema: 1,
      repository: REPOSITORY,
      environment: 'production',
      seq: 3,
      updatedAt: NOW.toISOString(),
      live: { version: 'v2.0.0', sha: fakeSha('release-2'), since: '2025-03-03T09:00:00.000Z' },
      retired: [],
      history: [],
      rollout: {
        deploymentId,
        version: 'v3.0.0',
        sha: HEAD,
        strategy: 'canary',
        phase: 'production',
        step: 2,
        steps: 5,
        weight: 25,
        startedAt: '2025-03-04T10:10:00.000Z',
        owner: { kind: 'workflow', runId: '700', runAttempt: '1' },
        recovery: [],
      },
    };
    const place = { repository: REPOSITORY, environment: 'production', deploymentId };
    await rest(fake, 'POST', '/check-runs', {
      name: 'deploy / production',
      head_sha: HEAD,
      status: 'in_progress',
      external_id: `deploy-action:700:deploy / production:deployment-${deploymentId}`,
      output: { title: 'deploy', summary: 'deploying', text: signRecord(record, recordKey, place) },
    });
    const probot = testProbot(fake);
    await probot.load(testApp({ now: () => NOW, markerKeys: ROTATING }));
    const comment = commentOnPull(fake, `/${verb} production`, { user: 'alice' });
    await probot.receive({
      id: crypto.randomUUID(),
      name: 'issue_comment',
      payload: comment.payload,
    } as Receive);
    fake.assertNoViolations();
    const texts = [...r.checkRuns.values()]
      .filter((c) => c.name === 'rollout / production')
      .map((c) => String((c.output as { text?: string } | undefined)?.text ?? ''));
    const reply = String([...r.comments.values()].at(-1)?.body ?? '');
    return { texts, deploymentId, reply };
  } finally {
    await fake.stop();
  }
}

for (const verb of ['abort', 'pause'] as const)
  test(`during a rotation, a /${verb} of a rollout whose record verifies under the previous key is signed so the job holding that key acts on it`, async () => {
    const runnerKey = stateKey(OLD, REPOSITORY, 'production');
    const { texts, deploymentId, reply } = await requestTextsAfter(runnerKey, verb);
    assert.match(reply, new RegExp(`\\*\\*/${verb}\\*\\* by @alice recorded`), reply);
    assert.equal(texts.length, 1, 'one request written');
    const place = { repository: REPOSITORY, environment: 'production', deploymentId };
    const read = verifyControlText(texts[0], [runnerKey], place);
    assert.equal(read.ok, true, `the runner (the previous key) reads the /${verb}: ${JSON.stringify(read)}`);
  });

test('during a rotation, a request for a rollout whose record verifies under the new key is signed under the new key', async () => {
  const runnerKey = stateKey(NEW, REPOSITORY, 'production');
  const { texts, deploymentId } = await requestTextsAfter(runnerKey, 'abort');
  assert.equal(texts.length, 1, 'one request written');
  const place = { repository: REPOSITORY, environment: 'production', deploymentId };
  assert.equal(verifyControlText(texts[0], [runnerKey], place).ok, true);
});
