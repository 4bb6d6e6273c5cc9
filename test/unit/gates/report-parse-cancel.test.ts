// Big JSON reports (an npm audit report, a gitleaks report in JSON or SARIF, an istanbul json-summary) are
// parsed in steps (json-steps.ts), so a cancel that arrives while one is parsed stops the gate at the next
// step instead of after the whole report.
//
// How a test sees it without timing anything: JSON.parse is watched; the first time it is handed the text of
// the report's first entry, the gate's signal is aborted. Parsed in one step (the whole report in one
// JSON.parse), the report is read to its last entry before anything can act on the abort and the gate gives
// a verdict; parsed in steps, the gate stops with the signal's reason before the last entry is parsed.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { auditGate, readAuditReport } from '../../../src/gates/audit.ts';
import { readIstanbulSummary } from '../../../src/gates/coverage/istanbul-summary.ts';
import { secretsGate } from '../../../src/gates/secrets.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import { Turns } from '../../../src/gates/turns.ts';
import type { Gate, GateContext, GateVerdict } from '../../../src/gates/types.ts';

const ENTRIES = 20_000;
const FIRST = 'FIRST-ENTRY-MARK';
const LAST = 'LAST-ENTRY-MARK';
const mark = (index: number) => (index === 0 ? FIRST : index === ENTRIES - 1 ? LAST : `entry ${index}`);

function npmAudit(): string {
  const vulnerabilities: Record<string, unknown> = {};
  for (let index = 0; index < ENTRIES; index++) {
    const name = `package-${index}`;
    vulnerabilities[name] = {
      name,
      severity: 'low',
      via: [
        {
          source: 1_000_000 + index,
          name,
          title: mark(index),
          url: `https://github.com/advisories/GHSA-0000-0000-${String(index).padStart(4, '0')}`,
          severity: 'low',
          range: '<1.0.0',
        },
      ],
      fixAvailable: false,
    };
  }
  const metadata = {
    vulnerabilities: { info: 0, low: ENTRIES, moderate: 0, high: 0, critical: 0, total: ENTRIES },
  };
  return JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata });
}

function gitleaksJson(): string {
  return JSON.stringify(
    Array.from({ length: ENTRIES }, (_, index) => ({
      RuleID: 'generic-api-key',
      Description: mark(index),
      File: `config/file-${index}.env`,
      StartLine: 1,
      StartColumn: 1,
      Secret: `not-a-real-value-${index}`,
      Match: `KEY=not-a-real-value-${index}`,
    })),
  );
}

function gitleaksSarif(): string {
  const results = Array.from({ length: ENTRIES }, (_, index) => ({
    ruleId: 'generic-api-key',
    message: { text: mark(index) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: `config/file-${index}.env` },
          region: { startLine: 1, startColumn: 1, snippet: { text: 'REDACTED' } },
        },
      },
    ],
  }));
  return JSON.stringify({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'gitleaks', rules: [{ id: 'generic-api-key' }] } }, results }],
  });
}

function istanbulSummary(): string {
  const counts = (covered: number) => ({ total: 10, covered, skipped: 0, pct: covered * 10 });
  const summary: Record<string, unknown> = {
    total: {
      lines: { total: 10 * ENTRIES, covered: 9 * ENTRIES, skipped: 0, pct: 90 },
      statements: { total: 10 * ENTRIES, covered: 9 * ENTRIES, skipped: 0, pct: 90 },
      functions: { total: 10 * ENTRIES, covered: 9 * ENTRIES, skipped: 0, pct: 90 },
      branches: { total: 10 * ENTRIES, covered: 9 * ENTRIES, skipped: 0, pct: 90 },
    },
  };
  for (let index = 0; index < ENTRIES; index++) {
    summary[`/work/app/src/${mark(index)}.js`] = {
      lines: counts(9),
      statements: counts(9),
      functions: counts(9),
      branches: counts(9),
    };
  }
  return JSON.stringify(summary);
}

interface Watched {
  /** The gate's verdict, or the error it stopped with. */
  outcome: GateVerdict | unknown;
  /** Whether JSON.parse was handed the report's last entry after the abort. */
  lastParsedAfterAbort: boolean;
  /** Whether JSON.parse was ever handed the first and the last entry at once: the report in one step. */
  wholeInOneStep: boolean;
}

/** Runs `gate` on `file` (holding `text`), its signal aborted when JSON.parse first sees the first entry. */
async function runWatched(
  t: { after(fn: () => Promise<void>): void },
  gate: Gate<unknown>,
  config: object,
  file: string,
  text: string,
): Promise<Watched> {
  const cwd = await mkdtemp(join(tmpdir(), 'report-parse-cancel-'));
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
  const parse = JSON.parse;
  let lastParsedAfterAbort = false;
  let wholeInOneStep = false;
  JSON.parse = function watchedParse(this: unknown, source: string, reviver?: Parameters<typeof parse>[1]) {
    if (typeof source === 'string') {
      if (source.includes(FIRST) && source.includes(LAST)) wholeInOneStep = true;
      if (!controller.signal.aborted && source.includes(FIRST)) controller.abort(reason);
      else if (controller.signal.aborted && source.includes(LAST)) lastParsedAfterAbort = true;
    }
    return parse.call(JSON, source, reviver) as unknown;
  } as typeof JSON.parse;
  let outcome: GateVerdict | unknown;
  try {
    outcome = await gate.run(gate.schema.parse(config), ctx);
  } catch (error) {
    outcome = error;
  } finally {
    JSON.parse = parse;
  }
  assert.ok(controller.signal.aborted, 'the first entry was parsed');
  return { outcome, lastParsedAfterAbort, wholeInOneStep };
}

function assertStopped(watched: Watched, what: string): void {
  assert.equal(
    (watched.outcome as Error).message,
    'cancelled by the test',
    `${what}: ${JSON.stringify(watched.outcome)}`,
  );
  assert.equal(watched.lastParsedAfterAbort, false, `${what}: parsed to its last entry after the abort`);
  assert.equal(watched.wholeInOneStep, false, `${what}: the whole report went to JSON.parse in one step`);
}

test('audit: a cancel while a big npm report is parsed stops the gate before its last entry', async (t) => {
  const text = npmAudit();
  assert.ok(text.length > 2 * 1024 * 1024);
  assertStopped(
    await runWatched(t, auditGate as Gate<unknown>, { report: 'audit.json' }, 'audit.json', text),
    'audit',
  );
});

test('secrets: a cancel while a big gitleaks report (JSON or SARIF) is parsed stops the gate before its last entry', async (t) => {
  const json = gitleaksJson();
  assert.ok(json.length > 2 * 1024 * 1024);
  assertStopped(
    await runWatched(
      t,
      secretsGate as Gate<unknown>,
      { scope: 'changed', reports: 'gitleaks.json' },
      'gitleaks.json',
      json,
    ),
    'gitleaks JSON',
  );
  const sarif = gitleaksSarif();
  assert.ok(sarif.length > 2 * 1024 * 1024);
  assertStopped(
    await runWatched(
      t,
      secretsGate as Gate<unknown>,
      { scope: 'changed', reports: 'gitleaks.sarif' },
      'gitleaks.sarif',
      sarif,
    ),
    'gitleaks SARIF',
  );
});

test('tests: a cancel while a big istanbul json-summary is parsed stops the gate before its last entry', async (t) => {
  const text = istanbulSummary();
  assert.ok(text.length > 2 * 1024 * 1024);
  assertStopped(
    await runWatched(
      t,
      testsGate as Gate<unknown>,
      { coverage: 'coverage-summary.json', thresholds: { lines: 80 } },
      'coverage-summary.json',
      text,
    ),
    'istanbul json-summary',
  );
});

test('uncancelled, the big reports give their whole verdicts', async () => {
  const never = () => new Turns(new AbortController().signal);
  const advisories = await readAuditReport(npmAudit(), 'audit.json', never());
  assert.equal(advisories.length, ENTRIES);
  assert.equal(advisories.at(-1)!.title, LAST);
  const summary = await readIstanbulSummary(istanbulSummary(), 'coverage-summary.json', never());
  assert.deepEqual(summary.totals.lines, { covered: 9 * ENTRIES, total: 10 * ENTRIES });
});

test('parsed with no I/O, a report stops at the first turn of the event loop it gives once cancelled', async () => {
  for (const read of [
    (turns: Turns) => readAuditReport(npmAudit(), 'audit.json', turns),
    (turns: Turns) => readIstanbulSummary(istanbulSummary(), 'coverage-summary.json', turns),
  ]) {
    const controller = new AbortController();
    const reason = new Error('cancelled at the first turn');
    // Runs only when the parse gives the event loop a turn: a parse in one step would finish first.
    setImmediate(() => controller.abort(reason));
    await assert.rejects(read(new Turns(controller.signal)), reason);
  }
});
