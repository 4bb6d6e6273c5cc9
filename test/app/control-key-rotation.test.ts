// A control request during a rotation of the App's marker key (docs/control.md, docs/state.md): the App
// accepts the previous key's records, but the deploy job (and reconcile) hold ONE state key, the
// environment's `DEPLOY_STATE_KEY`, and verify requests under it alone. A request the App signed under a key
// the runner does not hold is refused there as `control_forged`: an /abort the App answered "rolls back"
// would never be acted on. So the App signs under the key the rollout's own record verified under: the key
// of whoever wrote it, the reader of the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PR, testMarkerKeys } from './helpers.ts';
import { REPOSITORY, controlConfig, rolloutWorld } from './rollout-world.ts';
import { stateKey } from '../../src/state/state-key.ts';
import { verifyControlText } from '../../src/control/signed.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';

// The key rotated out is the one every environment's secret was derived from; the new one is the App's now.
const OLD = testMarkerKeys().current;
const NEW = Buffer.alloc(32, 7);
const ROTATING: MarkerKeys = { current: NEW, accepted: [NEW, OLD] };

async function requestTextsAfter(
  recordKey: Buffer,
  verb: 'abort' | 'pause',
): Promise<{ texts: string[]; deploymentId: string; reply: string }> {
  let result: { texts: string[]; deploymentId: string; reply: string } | undefined;
  await rolloutWorld(
    {
      config: controlConfig({ approvers: ['carol'], reconcile: false }),
      writers: ['alice', 'carol'],
      payload: { type: 'standard', pr: PR },
      markerKeys: ROTATING,
    },
    async (w) => {
      await w.write({}, { key: recordKey });
      const reply = await w.comment(`/${verb} production`);
      const texts = [...w.r.checkRuns.values()]
        .filter((c) => c.name === 'rollout / production')
        .map((c) => String((c.output as { text?: string } | undefined)?.text ?? ''));
      result = { texts, deploymentId: w.deploymentId, reply };
    },
  );
  return result!;
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
