// The Action refuses a deployment whose analysis needs a variable the step does not set (a provider's
// headers_env) before it makes the GitHub deployment or deploys anything, naming the key and the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionRun } from '../../../src/action/action-run.ts';
import type { RunContext } from '../../../src/action/context.ts';
import type { ActionInputs, RunPlan } from '../../../src/action/inputs.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { cancelOnSignals } from '../../../src/util/signals.ts';
import { EventEmitter } from 'node:events';

/** An ActionRun of `mode` whose analysis names a headers_env variable no step sets; `marker`: its deploy ran. */
function unsetRun(t: { after(fn: () => void): void }, mode: RunPlan['mode'], version: string) {
  const dir = mkdtempSync(join(tmpdir(), 'action-unset-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const marker = join(dir, 'deployed');
  const parsed = parseConfig(
    `target:
  commands:
    deploy: touch ${JSON.stringify(marker)}
analysis:
  providers:
    prom:
      type: prometheus
      url: "http://127.0.0.1:9"
      headers_env: { Authorization: ACTION_UNSET_PROM_AUTH }
  metrics:
    errors: { provider: prom, query: 'sum(errors{version="{{version}}"})' }
  checks: [{ check: "errors < 5" }]
environments:
  production: { monitor: 0 }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok);
  const cancellation = cancelOnSignals(new EventEmitter() as never);
  t.after(() => cancellation.release?.());
  const run = new ActionRun(
    { stateDir: join(dir, 'state') } as ActionInputs,
    { eventName: 'workflow_dispatch', sha: 'a'.repeat(40), owner: 'acme', repo: 'shop' } as RunContext,
    { environment: 'production', mode, version } as RunPlan,
    parsed.config,
    undefined,
    {},
    cancellation,
  );
  return { run, marker };
}

test('deploy: an unset headers_env variable of the analysis refuses the run before anything is deployed', async (t) => {
  const { run, marker } = unsetRun(t, 'deploy', 'v1');
  await assert.rejects(
    run.execute(),
    /analysis\.providers\.prom\.headers_env\.Authorization names ACTION_UNSET_PROM_AUTH, which is not set/,
  );
  assert.equal(existsSync(marker), false, 'nothing was deployed');
});

test('rollback: an unset headers_env variable is a warning, and the rollback goes on', async (t) => {
  const { run, marker } = unsetRun(t, 'rollback', 'v0');
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    out += String(chunk);
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    await run.execute().catch((error: Error) => {
      assert.doesNotMatch(error.message, /nothing was deployed: the analysis needs variables/);
    });
  } finally {
    process.stdout.write = write;
  }
  assert.match(
    out,
    /::warning::the rollback goes on, but its analysis cannot read the provider: .*ACTION_UNSET_PROM_AUTH/,
  );
  assert.equal(existsSync(marker), true, 'the rollback deployed the version it goes back to');
});
