// After a big JSON report is parsed in steps (report-parse-cancel.test.ts), its entries are checked against
// the report's schema one at a time, with turns of the event loop between: a cancel that arrives while they are
// checked stops the gate at the next entry, not after the last one (a report of a million findings held the
// event loop for seconds in one schema check).
//
// How a test sees it without timing anything: JSON.parse is watched, and each entry it gives back has a field
// the schema reads replaced by a getter. The first read of it (the check has begun) aborts the gate's signal;
// every entry whose field is read is counted. Checked in one step, every entry is read before anything can act
// on the abort and the gate gives a verdict; checked in steps, the gate stops with the signal's reason after a
// few entries.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { auditGate, readAuditReport } from '../../../src/gates/audit.ts';
import { Turns } from '../../../src/gates/turns.ts';
import { JSON_CHUNK } from '../../../src/gates/json-steps.ts';
import { secretsGate } from '../../../src/gates/secrets.ts';
import type { Gate, GateContext } from '../../../src/gates/types.ts';

const ENTRIES = 20_000;
const ghsa = (index: number) =>
  `https://github.com/advisories/GHSA-0000-0000-${String(index).padStart(4, '0')}`;

function npmV2(): string {
  const vulnerabilities: Record<string, unknown> = {};
  for (let index = 0; index < ENTRIES; index++) {
    const name = `package-${index}`;
    vulnerabilities[name] = {
      name,
      severity: 'low',
      via: [{ source: index, name, title: `advisory ${index}`, url: ghsa(index), severity: 'low' }],
      fixAvailable: false,
    };
  }
  const counts = { info: 0, low: ENTRIES, moderate: 0, high: 0, critical: 0, total: ENTRIES };
  return JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: { vulnerabilities: counts } });
}

function npmV1(): string {
  const advisories: Record<string, unknown> = {};
  for (let index = 0; index < ENTRIES; index++) {
    advisories[String(index)] = {
      id: index,
      module_name: `package-${index}`,
      severity: 'low',
      title: `advisory ${index}`,
      url: ghsa(index),
      vulnerable_versions: '<1.0.0',
      patched_versions: '>=1.0.0',
    };
  }
  return JSON.stringify({ advisories, metadata: {} });
}

function yarnBulk(): string {
  const answer: Record<string, unknown> = {};
  for (let index = 0; index < ENTRIES; index++) {
    answer[`package-${index}`] = [
      { id: index, url: ghsa(index), title: `advisory ${index}`, severity: 'low', vulnerable_versions: '<1' },
    ];
  }
  return JSON.stringify(answer);
}

function gitleaks(): string {
  return JSON.stringify(
    Array.from({ length: ENTRIES }, (_, index) => ({
      RuleID: 'generic-api-key',
      Description: `finding ${index}`,
      File: `config/file-${index}.env`,
      StartLine: 1,
      StartColumn: 1,
      Secret: `not-a-real-value-${index}`,
      Match: `KEY=not-a-real-value-${index}`,
    })),
  );
}

interface Watched {
  /** The gate's verdict, or the error it stopped with. */
  outcome: unknown;
  /** Entries whose watched field the check read. */
  checked: number;
}

/**
 * Runs `gate` on `file` (holding `text`), each entry JSON.parse gives back (an object, or an array's objects)
 * that has `field` watched: the check's first read of it aborts the signal.
 */
async function runWatched(
  t: { after(fn: () => Promise<void>): void },
  gate: Gate<unknown>,
  config: object,
  file: string,
  text: string,
  field: string,
): Promise<Watched> {
  assert.ok(text.length > 2 * JSON_CHUNK, 'big enough to be parsed in steps, entry by entry');
  const cwd = await mkdtemp(join(tmpdir(), 'report-check-cancel-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  await writeFile(join(cwd, file), text);
  const controller = new AbortController();
  const reason = new Error('cancelled by the test');
  const ctx: GateContext = {
    cwd,
    baseRef: 'base',
    changedFiles: async () => [],
    signal: controller.signal,
    log: () => {},
    env: {},
  };
  const seen = new WeakSet<object>();
  let checked = 0;
  const watch = (entry: unknown) => {
    if (entry === null || typeof entry !== 'object' || !Object.hasOwn(entry, field)) return;
    const value = (entry as Record<string, unknown>)[field];
    Object.defineProperty(entry, field, {
      enumerable: true,
      configurable: true,
      get() {
        if (!seen.has(entry)) {
          seen.add(entry);
          checked++;
        }
        if (!controller.signal.aborted) controller.abort(reason);
        return value;
      },
    });
  };
  const parse = JSON.parse;
  JSON.parse = function watchedParse(this: unknown, source: string, reviver?: Parameters<typeof parse>[1]) {
    const value = parse.call(JSON, source, reviver) as unknown;
    if (Array.isArray(value)) value.forEach(watch);
    else watch(value);
    return value;
  } as typeof JSON.parse;
  let outcome: unknown;
  try {
    outcome = await gate.run(gate.schema.parse(config), ctx);
  } catch (error) {
    outcome = error;
  } finally {
    JSON.parse = parse;
  }
  assert.ok(controller.signal.aborted, 'the check read an entry');
  return { outcome, checked };
}

function assertStopped(watched: Watched, what: string): void {
  assert.equal(
    (watched.outcome as Error).message,
    'cancelled by the test',
    `${what}: ${JSON.stringify(watched.outcome)?.slice(0, 300)}`,
  );
  assert.ok(watched.checked < ENTRIES, `${what}: all ${ENTRIES} entries were checked after the cancel`);
}

test('audit: a cancel while the entries of a big report are checked stops the gate before the last one', async (t) => {
  const audit = auditGate as Gate<unknown>;
  const config = { report: 'audit.json' };
  assertStopped(await runWatched(t, audit, config, 'audit.json', npmV2(), 'severity'), 'npm v2');
  assertStopped(await runWatched(t, audit, config, 'audit.json', npmV1(), 'module_name'), 'npm v1');
  assertStopped(await runWatched(t, audit, config, 'audit.json', yarnBulk(), 'severity'), 'yarn bulk');
});

test('secrets: a cancel while the entries of a big gitleaks JSON report are checked stops the gate before the last one', async (t) => {
  const config = { scope: 'changed', reports: 'gitleaks.json' };
  assertStopped(
    await runWatched(t, secretsGate as Gate<unknown>, config, 'gitleaks.json', gitleaks(), 'RuleID'),
    'gitleaks JSON',
  );
});

test('uncancelled, every entry of the big reports is read', async () => {
  const turns = () => new Turns(new AbortController().signal);
  for (const [what, text] of [
    ['npm v2', npmV2()],
    ['npm v1', npmV1()],
    ['yarn bulk', yarnBulk()],
  ] as const) {
    const advisories = await readAuditReport(text, 'audit.json', turns());
    assert.equal(advisories.length, ENTRIES, what);
    assert.equal(advisories.at(-1)!.title, `advisory ${ENTRIES - 1}`, what);
  }
});
