// The gates that compute on the main thread over a big input (SARIF results, a plan's resource changes,
// Kubernetes documents, the lines of a changed file) take turns of the event loop as they go: a big input
// still gives its whole verdict, and a cancel that arrives while they scan stops them at their next turn.
//
// How a test sees a turn without timing anything: the abort is queued with setImmediate just before the
// scan starts, and the scan's own code has no I/O. The abort can only run when the scan gives the event loop
// a turn: a scan that kept the thread to its end would finish with a result instead of stopping.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkManifestInTurns,
  infrastructureGate,
  judgePlanInTurns,
} from '../../../src/gates/infrastructure.ts';
import { reviewFile, reviewGate } from '../../../src/gates/review.ts';
import { readSarif, sarifGate } from '../../../src/gates/sarif.ts';
import { Turns } from '../../../src/gates/turns.ts';
import type { ChangedFile, GateContext } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

async function workdir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gate-turns-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const context = (cwd: string, files: ChangedFile[] = []): GateContext => gateContext(cwd, { changed: files });

/** Runs `scan` with a signal aborted at the first turn of the event loop it gives; returns how it ended. */
async function abortedAtFirstTurn(scan: (turns: Turns) => Promise<unknown>): Promise<unknown> {
  const controller = new AbortController();
  const reason = new Error('cancelled by the test');
  setImmediate(() => controller.abort(reason));
  try {
    await scan(new Turns(controller.signal));
  } catch (error) {
    return error;
  }
  return 'finished without stopping';
}

const RESULTS = 20_000;

/** A SARIF log of RESULTS warnings, the last one an error. */
function bigSarif(): string {
  const results = Array.from({ length: RESULTS }, (_, index) => ({
    ruleId: 'style',
    level: index === RESULTS - 1 ? 'error' : 'warning',
    message: { text: `finding ${index}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: `src/file${index % 50}.ts` },
          region: { startLine: index + 1 },
        },
      },
    ],
  }));
  return JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'lint' } }, results }] });
}

test('SARIF: a log of 20 000 results gives its whole verdict, and a cancel stops the scan at its next turn', async (t) => {
  const dir = await workdir(t);
  const text = bigSarif();
  await writeFile(join(dir, 'big.sarif'), text);
  const verdict = await sarifGate.run(sarifGate.schema.parse({ files: 'big.sarif' }), context(dir));
  assert.equal(verdict.status, 'block');
  assert.equal(
    verdict.summary,
    `1 blocking result(s) in 1 SARIF file (${RESULTS - 1} below the thresholds, first 1000 listed)`,
  );

  const stopped = await abortedAtFirstTurn((turns) => readSarif(text, 'big.sarif', dir, turns));
  assert.equal((stopped as Error).message, 'cancelled by the test');
  // Not cancelled, the same scan reads every result.
  const all = await readSarif(text, 'big.sarif', dir, new Turns(new AbortController().signal));
  assert.equal(all.length, RESULTS);
});

test('infrastructure: a plan of 20 000 changes and 3 000 manifests give their whole verdict, and a cancel stops either scan', async (t) => {
  const dir = await workdir(t);
  const plan = {
    format_version: '1.2',
    planned_values: {},
    resource_changes: Array.from({ length: RESULTS }, (_, index) => ({
      address: `aws_s3_object.file[${index}]`,
      change: { actions: index === RESULTS - 1 ? ['delete'] : ['create'] },
    })),
  };
  await writeFile(join(dir, 'plan.json'), JSON.stringify(plan));
  const manifests = Array.from(
    { length: 3000 },
    (_, index) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${index}\ndata:\n  key: value\n`,
  ).join('---\n');
  await writeFile(join(dir, 'all.yaml'), `${manifests}---\napiVersion: v1\nkind: ConfigMap\n`);
  const verdict = await infrastructureGate.run(
    infrastructureGate.schema.parse({
      terraform: { plan: 'plan.json' },
      kubernetes: { manifests: 'all.yaml', dry_run: 'off' },
    }),
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => `${f.rule}: ${f.message}`),
    [
      `infrastructure.delete: aws_s3_object.file[${RESULTS - 1}] will be destroyed: add it to allow_delete if that is intended`,
      'infrastructure.manifest-invalid: manifest without metadata.name',
    ],
  );
  assert.match(
    verdict.summary,
    new RegExp(`plan: ${RESULTS - 1} to create, 0 to update, 1 to delete, 0 to replace`),
  );

  const config = { plan: 'plan.json' };
  const stoppedPlan = await abortedAtFirstTurn((turns) => judgePlanInTurns(plan, config, turns));
  assert.equal((stoppedPlan as Error).message, 'cancelled by the test');
  const stoppedManifests = await abortedAtFirstTurn((turns) =>
    checkManifestInTurns('all.yaml', manifests, { manifests: 'all.yaml' }, turns),
  );
  assert.equal((stoppedManifests as Error).message, 'cancelled by the test');
});

test('review: a changed file of 50 000 lines gives every finding on its added lines, and a cancel stops the scan', async (t) => {
  const dir = await workdir(t);
  const lines = Array.from({ length: 50_000 }, (_, index) => `export const value${index} = ${index};`);
  lines[49_999] = 'console.log(value1);';
  const text = `${lines.join('\n')}\n`;
  await writeFile(join(dir, 'generated.ts'), text);
  const added = Array.from({ length: 50_000 }, (_, index) => index + 1);
  const file: ChangedFile = { path: 'generated.ts', status: 'added', addedLines: added };
  const verdict = await reviewGate.run(
    reviewGate.schema.parse({ approval: 'off', unresolved_threads: 'off' }),
    context(dir, [file]),
  );
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => `${f.line}:${f.rule}`),
    ['50000:review.debug-logging'],
  );

  const config = reviewGate.schema.parse({ approval: 'off', unresolved_threads: 'off' });
  const stopped = await abortedAtFirstTurn((turns) => reviewFile(config, 'generated.ts', added, text, turns));
  assert.equal((stopped as Error).message, 'cancelled by the test');
  // One minified line of 2 MB is read in steps too, not as one.
  const minified = `${'let a=1;'.repeat(250_000)}console.log(a);`;
  const stoppedLine = await abortedAtFirstTurn((turns) => reviewFile(config, 'min.js', [1], minified, turns));
  assert.equal((stoppedLine as Error).message, 'cancelled by the test');
});
