// Hand-built PipelineResult values (success with a canary, rollback, blocked by gates) for the report tests.
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { windowEvidence } from '../../../src/analysis/evidence.ts';
import type { Decision } from '../../../src/analysis/types.ts';
import type { GatesReport } from '../../../src/gates/runner.ts';
import type { GateResult } from '../../../src/gates/types.ts';
import type { PipelineResult, StepRecord, WaitRecord } from '../../../src/pipeline/events.ts';

export const HOSTILE = 'evil | pipe <script>alert(1)</script> --> `tick` **bold**\nsecond line\r\nthird';

export function gate(extra: Partial<GateResult> = {}): GateResult {
  return {
    name: 'tests',
    status: 'pass',
    summary: '120 tests passed',
    findings: [],
    required: true,
    durationMs: 1500,
    ...extra,
  };
}

export function gatesReport(gates: GateResult[]): GatesReport {
  const blocks = gates.filter((g) => g.status === 'block');
  const warns = gates.filter((g) => g.status === 'warn');
  return {
    schema: 1,
    status: blocks.length ? 'BLOCK' : warns.length ? 'WARN' : 'PASS',
    reasons: [...blocks, ...warns].map((g) => `${g.name}: ${g.summary}`),
    gates,
    wallMs: 2500,
    sumMs: 4000,
  };
}

/** The analysis config the fixtures' evidence is judged with: a rule on error_rate, one relative to stable. */
export const FIXTURE_ANALYSIS = resolveAnalysisConfig({
  preset: 'none',
  providers: { p: { type: 'command', run: ['true'] } },
  metrics: { error_rate: { provider: 'p' }, latency_p99: { provider: 'p' } },
  checks: [
    { name: 'error-rate', check: 'error_rate < 1' },
    { name: 'p99-vs-stable', check: 'latency_p99 < 1.5x baseline', baseline: 'stable' },
  ],
});

/**
 * What the judge would have recorded over a step's three one-minute intervals ending on `metrics`: the same
 * values a little higher, then lower, then as given; the window starts `weight` x 6 s after T0, so later
 * steps come later.
 */
export function fixtureEvidence(weight: number, metrics: Record<string, number | null>, ok: boolean) {
  const start = Date.parse(T0) + weight * 6000;
  const scaled = (f: number) =>
    Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v === null ? null : v * f]));
  const values = [scaled(1.1), scaled(0.9), metrics].map((v) => ({
    ...v,
    'p99-vs-stable.baseline': v['stable.latency_p99'] ?? null,
  }));
  const intervals: Array<{ at: number; decision: Decision }> = values.map((v, i) => ({
    at: start + (i + 1) * 60_000,
    decision: { kind: 'promote', code: 'healthy', reason: 'healthy', values: v },
  }));
  const decision: Decision = ok
    ? intervals.at(-1)!.decision
    : {
        kind: 'rollback',
        code: 'threshold-breached',
        rule: 'error-rate',
        reason: 'error_rate 5.2% > 1%',
        values: values.at(-1)!,
      };
  if (!ok) intervals[2]!.decision = decision;
  return windowEvidence(FIXTURE_ANALYSIS, intervals, decision, 60_000);
}

export function analysisStep(
  weight: number,
  metrics: Record<string, number | null>,
  ok = true,
  phase: StepRecord['phase'] = 'production',
): StepRecord {
  const evidence = Object.keys(metrics).length ? fixtureEvidence(weight, metrics, ok) : undefined;
  return {
    environment: 'production',
    phase,
    step: {
      kind: 'analysis',
      phase: 'canary-step',
      slot: 'canary',
      stableSlot: 'stable',
      weight,
      windowMs: 60_000,
    },
    description: `analysis at ${weight}%`,
    result: ok
      ? { ok: true, analysis: 'promote', detail: 'all metrics within bounds', metrics, evidence }
      : { ok: false, reason: 'error_rate 5.2% > 1%', analysis: 'rollback', metrics, evidence },
    durationMs: 60_000,
  };
}

const T0 = '2024-05-01T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

export function succeeded(): PipelineResult {
  return {
    status: 'succeeded',
    code: 'deployed',
    message: 'deployed 1.2.3 to production',
    environment: 'production',
    version: '1.2.3',
    previousVersion: '1.2.2',
    strategy: 'canary',
    dryRun: false,
    phases: [
      {
        phase: 'validate',
        status: 'succeeded',
        startedAt: at(0),
        durationMs: 5000,
        detail: '3 gates passed',
      },
      { phase: 'staging', status: 'skipped', startedAt: at(5), durationMs: 0 },
      { phase: 'production', status: 'succeeded', startedAt: at(5), durationMs: 300_000 },
      { phase: 'verify', status: 'succeeded', startedAt: at(305), durationMs: 30_000 },
      { phase: 'monitor', status: 'succeeded', startedAt: at(335), durationMs: 60_000 },
      { phase: 'finalize', status: 'succeeded', startedAt: at(395), durationMs: 5000 },
    ],
    steps: [
      {
        environment: 'production',
        phase: 'production',
        step: { kind: 'set_weight', slot: 'canary', stableSlot: 'stable', weight: 10 },
        description: 'canary 10%',
        result: { ok: true },
        durationMs: 200,
      },
      analysisStep(10, {
        error_rate: 0.4,
        latency_p99: 180,
        'stable.error_rate': 0.5,
        'stable.latency_p99': 170,
      }),
      analysisStep(50, {
        error_rate: 0.3,
        latency_p99: 190,
        'stable.error_rate': 0.5,
        'stable.latency_p99': 175,
      }),
      analysisStep(100, {
        error_rate: 0.2,
        latency_p99: 200,
        'stable.error_rate': 0.4,
        'stable.latency_p99': 180,
      }),
    ],
    decisions: [
      {
        at: at(300),
        environment: 'production',
        phase: 'production',
        strategy: 'canary',
        state: 'canary 100%',
        decision: { type: 'done', reason: 'all canary steps promoted' },
      },
    ],
    rollbacks: [],
    gates: gatesReport([gate(), gate({ name: 'lint', summary: 'clean', durationMs: 900 })]),
    startedAt: T0,
    durationMs: 400_000,
    exitCode: 0,
  };
}

export function rolledBack(): PipelineResult {
  const base = succeeded();
  return {
    ...base,
    status: 'rolled_back',
    code: 'strategy_failed',
    message: 'canary analysis failed at 50%: error_rate 5.2% > 1%',
    phases: [
      base.phases[0]!,
      base.phases[1]!,
      {
        phase: 'production',
        status: 'failed',
        startedAt: at(5),
        durationMs: 120_000,
        detail: 'analysis failed at 50%',
      },
    ],
    steps: [base.steps[1]!, analysisStep(50, { error_rate: 5.2, 'stable.error_rate': 0.5 }, false)],
    decisions: [
      {
        at: at(125),
        environment: 'production',
        phase: 'production',
        strategy: 'canary',
        state: 'canary 50%',
        decision: { type: 'fail', code: 'analysis_rollback', reason: 'error_rate 5.2% > 1% at 50%' },
      },
    ],
    rollbacks: [
      {
        reason: 'error_rate 5.2% > 1% at 50%',
        environment: 'production',
        steps: [
          {
            environment: 'production',
            phase: 'rollback',
            step: { kind: 'set_weight', slot: 'canary', stableSlot: 'stable', weight: 0 },
            description: 'all traffic to stable',
            result: { ok: true },
            durationMs: 800,
          },
        ],
        levels: [{ name: 'traffic', ok: true, detail: 'weight 0', durationMs: 800 }],
        ok: true,
        trafficRestoredMs: 1200,
        durationMs: 3000,
      },
    ],
    durationMs: 130_000,
    exitCode: 1,
  };
}

export function blocked(): PipelineResult {
  const base = succeeded();
  return {
    ...base,
    status: 'blocked',
    code: 'gates_blocked',
    message: 'quality gates blocked the deployment: secrets',
    phases: [
      { phase: 'validate', status: 'failed', startedAt: T0, durationMs: 4000, detail: '1 gate blocked' },
    ],
    steps: [],
    decisions: [],
    rollbacks: [],
    gates: gatesReport([
      gate(),
      gate({
        name: 'secrets',
        status: 'block',
        summary: '1 secret found',
        findings: [{ path: 'src/a.ts', line: 3, rule: 'secrets.aws', message: 'AWS key', severity: 'error' }],
      }),
    ]),
    durationMs: 4000,
    exitCode: 1,
  };
}

export function waitRecord(extra: Partial<WaitRecord> = {}): WaitRecord {
  return {
    environment: 'production',
    kind: 'manual',
    step: 3,
    at: 'canary 25 %',
    weight: 25,
    since: at(60),
    waitedMs: 300_000,
    ...extra,
  };
}

/** A canary that waited once for a /promote (alice) and is handed off at its second, an approval. */
export function waiting(extra: Partial<WaitRecord> = {}): PipelineResult {
  const base = succeeded();
  return {
    ...base,
    status: 'waiting',
    code: 'rollout_waiting',
    message: 'the rollout waits at canary 50 % for 2 approvals; the job ends here',
    phases: [base.phases[0]!, base.phases[1]!, { ...base.phases[2]!, durationMs: 700_000 }],
    steps: base.steps.slice(0, 3),
    waits: [
      waitRecord({ ended: { at: at(360), how: 'promoted', by: ['alice'] } }),
      waitRecord({
        kind: 'approval',
        approvals: 2,
        step: 5,
        at: 'canary 50 %',
        weight: 50,
        since: at(600),
        waitedMs: 105_000,
        ended: { at: at(705), how: 'handed_off', by: [] },
        ...extra,
      }),
    ],
    durationMs: 705_000,
    exitCode: 0,
  };
}

/** A canary a person aborted (with a reason) while it waited at 25 %. */
export function aborted(by = 'bob'): PipelineResult {
  const base = rolledBack();
  return {
    ...base,
    code: 'rollout_aborted',
    message: 'aborted by bob: error budget burning',
    decisions: [],
    waits: [waitRecord({ ended: { at: at(200), how: 'aborted', by: [by] }, waitedMs: 140_000 })],
  };
}
