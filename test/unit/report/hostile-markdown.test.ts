// Every value the product did not write (environment, version, strategy and step names, reasons, details,
// gate names, summaries and findings, check names and rules, wait places and people, commit messages) put
// in every field of every Markdown renderer, one class of attack at a time: what GitHub shows keeps the
// structure it has with plain values, and its text stays inert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { windowEvidence } from '../../../src/analysis/evidence.ts';
import type { PipelineResult } from '../../../src/pipeline/events.ts';
import type { DeploymentPlan } from '../../../src/pipeline/plan.ts';
import { fitSummary, renderJobSummary, renderPlanSummary } from '../../../src/report/job-summary.ts';
import { renderDeploymentRecord } from '../../../src/report/record.ts';
import { renderReconcileSummary } from '../../../src/report/reconcile.ts';
import type { ReconcileSummary } from '../../../src/reconcile/run.ts';
import { gateCheckOutput } from '../../../src/report/github/gate-checks.ts';
import { renderStatusComment } from '../../../src/github/status-comment.ts';
import {
  aborted,
  blocked,
  gate,
  gatesReport,
  rolledBack,
  succeeded,
  waiting,
  waitRecord,
} from './fixtures.ts';
import { assertChartsInert, assertInert, ATTACKS, BENIGN } from './markdown-check.ts';
import { assertTablesIntact } from './table-check.ts';

const SHA = 'e'.repeat(40);
const CTX = {
  sha: SHA,
  runUrl: 'https://github.com/acme/web/actions/runs/1',
  deploymentUrl: 'https://github.com/acme/web/deployments',
  environmentUrl: 'https://example.com',
};

/**
 * Evidence whose check, metric and reference names are `v`: what a config or a PromQL label can name. The
 * name is set on the evidence rather than in the config: the config refuses names with invisible characters,
 * but a recording made before that still carries them (judged under their escaped name) into a summary.
 */
function hostileEvidence(v: string) {
  const analysis = resolveAnalysisConfig({
    preset: 'none',
    providers: { p: { type: 'command', run: ['true'] } },
    metrics: { err: { provider: 'p' } },
    checks: [{ name: 'hostile', check: 'err < 1' }],
  });
  const t0 = Date.parse('2024-05-01T10:00:00Z');
  const intervals = [1, 2, 3].map((i) => ({
    at: t0 + i * 60_000,
    decision: { kind: 'promote' as const, code: 'healthy' as const, reason: 'ok', values: { err: i / 10 } },
  }));
  const w = windowEvidence(analysis, intervals, intervals[2]!.decision, 60_000);
  for (const c of w.checks) {
    c.name = v;
    c.quantity = v;
    c.rule = v;
    for (const s of c.observed) s.label = v;
  }
  w.reference = v;
  return w;
}

/** `base` with `v` in every field a person, a config, a target or a report chose. */
function hostile(base: PipelineResult, v: string): PipelineResult {
  const r = structuredClone(base);
  r.environment = v;
  r.version = v;
  if (r.previousVersion) r.previousVersion = v;
  r.strategy = v;
  r.message = v;
  for (const p of r.phases) if (p.detail !== undefined) p.detail = v;
  for (const s of r.steps) {
    s.environment = v;
    s.description = v;
    if (s.result.ok) {
      if (s.result.detail !== undefined) s.result.detail = v;
    } else s.result.reason = v;
    if (s.result.evidence) s.result.evidence = hostileEvidence(v);
  }
  for (const d of r.decisions) {
    d.environment = v;
    d.state = v;
    if ('reason' in d.decision) d.decision.reason = v;
  }
  for (const rb of r.rollbacks) {
    rb.environment = v;
    rb.reason = v;
    for (const s of rb.steps) {
      s.description = v;
      if (!s.result.ok) s.result.reason = v;
    }
    for (const l of rb.levels) {
      l.name = v;
      l.detail = v;
    }
  }
  if (r.gates)
    for (const g of r.gates.gates) {
      g.name = v;
      g.summary = v;
    }
  for (const w of r.waits ?? []) {
    w.environment = v;
    w.at = v;
    if (w.ended) w.ended.by = w.ended.by.map(() => v);
  }
  return r;
}

const RESULTS: Record<string, () => PipelineResult> = {
  succeeded,
  'rolled back': () => {
    const r = rolledBack();
    r.rollbacks[0]!.levels.push({ name: 'code', ok: false, detail: 'x', durationMs: 1 });
    r.rollbacks[0]!.steps.push({ ...r.rollbacks[0]!.steps[0]!, result: { ok: false, reason: 'x' } });
    return r;
  },
  blocked,
  waiting: () => waiting(),
  aborted: () => aborted(),
  'health-only analysis': () => {
    const r = rolledBack();
    for (const s of r.steps) delete s.result.evidence;
    return r;
  },
  'two environments': () => {
    const r = succeeded();
    r.steps.push({ ...structuredClone(r.steps[1]!), environment: 'staging' });
    return r;
  },
};

function plan(v: string): DeploymentPlan {
  return {
    environment: v,
    version: v,
    previousVersion: v,
    strategy: v,
    live: { source: 'none' } as DeploymentPlan['live'],
    phases: [
      { phase: 'production', environment: v, actions: [{ description: v, run: v }, { description: v }] },
    ],
    rollback: [{ description: v, run: v }],
  };
}

for (const [attack, value] of Object.entries(ATTACKS)) {
  test(`job summary, plan and record: ${attack} in every field stays inert`, () => {
    for (const [name, make] of Object.entries(RESULTS)) {
      const md = renderJobSummary(hostile(make(), value), CTX);
      assertInert(md, renderJobSummary(hostile(make(), BENIGN), CTX), `${name} summary`);
      assertChartsInert(md, `${name} summary`);
      assertTablesIntact(md);
      const ctx = (v: string) => ({
        type: 'hotfix' as const,
        sha: SHA,
        deployer: v,
        approvers: [v],
        hotfixReason: v,
        runUrl: CTX.runUrl,
        changes: [{ sha: SHA, message: `${v}\nbody ${v}`, author: v }],
      });
      assertInert(
        renderDeploymentRecord(hostile(make(), value), ctx(value)),
        renderDeploymentRecord(hostile(make(), BENIGN), ctx(BENIGN)),
        `${name} record`,
      );
    }
    assertInert(renderPlanSummary(plan(value)), renderPlanSummary(plan(BENIGN)), 'plan');
    const reconcile = (v: string) =>
      renderReconcileSummary({
        failed: true,
        entries: [
          {
            environment: v,
            code: 'slot_torn_down',
            failed: true,
            message: v,
            steps: hostile(rolledBack(), v).rollbacks[0]!.steps,
            waits: hostile(waiting(), v).waits,
          },
        ],
      } as ReconcileSummary);
    assertInert(reconcile(value), reconcile(BENIGN), 'reconcile summary');
  });

  test(`gate check run and status comment: ${attack} stays inert`, () => {
    const g = (v: string) =>
      gate({
        name: v,
        status: 'block',
        summary: v,
        findings: [
          { path: v, line: 1, rule: v, message: v, severity: 'error' },
          { rule: v, message: v, severity: 'error' },
        ],
      });
    const out = (v: string) => gateCheckOutput(g(v));
    assertInert(out(value).summary, out(BENIGN).summary, 'gate check summary');
    assertInert(out(value).text!, out(BENIGN).text!, 'gate check text');
    const comment = (v: string) =>
      renderStatusComment({
        environment: v,
        state: 'success',
        description: v,
        version: v,
        sha: SHA,
        strategy: v,
        runUrl: CTX.runUrl,
        environmentUrl: CTX.environmentUrl,
        previousSha: SHA,
        commits: [{ sha: SHA, message: v, author: v }],
        wait: {
          kind: 'hold',
          step: 1,
          at: v,
          since: '2024-05-01T10:00:00Z',
          by: v,
          metrics: { at: v, values: [{ name: v, value: 1 }] },
        },
        waits: [
          {
            kind: 'manual',
            step: 1,
            at: v,
            how: 'promoted',
            by: [v],
            endedAt: '2024-05-01T10:00:00Z',
            waitedMs: 1,
          },
        ],
        warnings: {
          latest: [{ check: v, reason: v, phase: 'canary-step', weight: 25, at: '2024-05-01T10:00:00Z' }],
          earlier: 1,
        },
        updatedAt: '2024-05-01T10:00:00Z',
      } as Parameters<typeof renderStatusComment>[0]);
    assertInert(comment(value), comment(BENIGN), 'status comment');
  });
}

test('the record names the deployer and approvers as mentions only when they are logins', () => {
  const md = renderDeploymentRecord(succeeded(), {
    type: 'standard',
    deployer: 'alice',
    approvers: ['bob', 'acme/sre', 'x <b>'],
  });
  assert.match(md, /^- Deployer: @alice$/m);
  assert.match(md, /^- Approver: @bob, @acme\/sre, x &lt;b&gt;$/m);
  void gatesReport;
  void waitRecord;
});

test('huge values: the summary stays within GitHub 1 MiB per step and keeps the decision and the deciding evidence', () => {
  const huge = (c: string) => `${c} `.repeat(20_000);
  const r = rolledBack();
  r.message = huge('msg|<');
  r.decisions = Array.from({ length: 300 }, (_, i) => ({
    ...r.decisions[0]!,
    environment: `env${i}`,
    decision: { type: 'fail' as const, code: 'analysis_rollback', reason: huge('why&') },
  }));
  r.phases[2]!.detail = huge('detail');
  r.rollbacks[0]!.reason = huge('rb');
  r.rollbacks[0]!.steps = Array.from({ length: 300 }, () => ({
    ...r.rollbacks[0]!.steps[0]!,
    description: huge('step'),
    result: { ok: false as const, reason: huge('r') },
  }));
  r.rollbacks[0]!.levels[0]!.name = huge('level');
  r.gates = gatesReport(
    Array.from({ length: 60 }, (_, i) => gate({ name: `${huge('gate')}${i}`, summary: huge('sum') })),
  );
  r.waits = Array.from({ length: 300 }, () =>
    waitRecord({
      at: huge('at'),
      ended: { at: '2024-05-01T10:01:00.000Z', how: 'promoted', by: [huge('by')] },
    }),
  );
  const md = renderJobSummary(r, CTX);
  assert.ok(Buffer.byteLength(md) <= 1024 * 1024, `${Buffer.byteLength(md)} bytes`);
  assert.match(md, /^### Decision$/m);
  assert.match(md, /^\*\*strategy\\_failed\*\*: msg/m);
  assert.match(
    md,
    /^\| check \| canary \| stable \| rule or test \| threshold \| verdict \|$/m,
    'the evidence table',
  );
  assert.match(md, /^Why: error\\_rate 5\.2% &gt; 1%$/m);
  assert.match(md, /```mermaid\n/, 'the chart');
  assert.match(md, /^### ↩️ Rolled back|^### 🚨 Rollback INCOMPLETE/m);
  assertTablesIntact(md);
  // Whatever was cut, every code fence that opens closes.
  assert.equal(md.split('\n').filter((l) => l.startsWith('```')).length % 2, 0);
  // And the plan summary of a huge plan too.
  const p = plan(huge('plan'));
  p.phases[0]!.actions = Array.from({ length: 300 }, () => ({ description: huge('a'), run: huge('run') }));
  assert.ok(Buffer.byteLength(renderPlanSummary(p)) <= 1024 * 1024);
});

test('fitSummary cuts after a whole line within the bytes, closes a fence it cut into, and says so', () => {
  assert.equal(fitSummary('short', 100), 'short');
  const md = [
    '## ✅ Deploy',
    '',
    '```mermaid',
    ...Array.from({ length: 200 }, () => '    line "é🚀" [1, 2]'),
    '```',
  ].join('\n');
  const cut = fitSummary(md, 1000);
  assert.ok(Buffer.byteLength(cut) <= 1000, `${Buffer.byteLength(cut)} bytes`);
  assert.ok(!cut.includes('\uFFFD'), 'no character cut in half');
  const lines = cut.split('\n');
  assert.equal(lines.filter((l) => l.startsWith('```')).length, 2, 'the fence it cut into is closed');
  assert.ok(
    lines.slice(3, -4).every((l) => l === '    line "é🚀" [1, 2]'),
    'only whole lines kept',
  );
  assert.match(cut, /left out: it is longer than GitHub keeps for a step\.\n$/);
});

test('a gate check run keeps its verdict and finding count however long the summary, within 65,535', () => {
  const out = gateCheckOutput(
    gate({
      status: 'block',
      summary: '<&|'.repeat(100_000),
      findings: Array.from({ length: 300 }, () => ({
        rule: 'r'.repeat(5000),
        message: '&'.repeat(100_000),
        severity: 'error' as const,
      })),
    }),
  );
  assert.ok(out.summary.length <= 65_535 && out.text!.length <= 65_535);
  assert.match(out.summary, /^\*\*BLOCK\*\* \(required\)/);
  assert.match(out.summary, /\n\n300 finding\(s\)\.$/, 'the count is not cut off by the summary');
});
