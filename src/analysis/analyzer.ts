// The runtime driver the pipeline calls. It samples every interval for the window, asks the pure judge,
// and returns early with rollback as soon as a trigger fires; promote at the end of a window where nothing
// fired and there was enough data. A window that ends undecided (hold) is extended once
// (extend_undecided), then decided on its evidence (deadline.ts). Clock and sleep are injected (tests: fake
// time).
import { checkMetrics, resolveAnalysisConfig, readMetrics, type AnalysisConfig } from './config.ts';
import { concludeWindow, windowIntervals } from './deadline.ts';
import { screenSide } from './domain.ts';
import { createJudgeState, judge, judgedComparisons } from './judge.ts';
import type { Fetch } from './http.ts';
import { createProvider } from './providers/index.ts';
import type { MetricProvider, ProviderRead, ReadRequest } from './providers/provider.ts';
import { RecordingWriter, type RecordedContext } from './recording.ts';
import type { Sleep } from './retry.ts';
import { abortableSleep } from '../util/sleep.ts';
import { stoppedPhrase } from '../util/internal-error-stop.ts';
import type { AnalysisConfigInput } from './schema.ts';
import type {
  AnalysisNote,
  AnalysisWarning,
  Decision,
  MetricValues,
  Sample,
  SampleError,
  Side,
} from './types.ts';
import type { TemplateValues } from '../targets/template.ts';
import type { AnalysisTemplateVariable } from '../config/analysis-template-variables.ts';

export type AnalysisPhase = 'canary-step' | 'pre-switch' | 'post-switch' | 'verify' | 'monitor' | 'staging';

export interface IntervalResult {
  index: number;
  at: number;
  decision: Decision;
  values: Record<string, number | null>;
  /** Warning checks that fired in this interval (on_breach: warn); absent when none did. */
  warnings?: AnalysisWarning[];
  /** What the providers could not judge in this interval (ProviderRead.notes); absent when nothing. */
  notes?: AnalysisNote[];
}

export interface AnalysisContext {
  phase: AnalysisPhase;
  environment: string;
  /** The version under test. */
  version: string;
  /** Give these only while the stable version serves traffic at the same time (canary steps). */
  stableVersion?: string;
  slot?: string;
  stableSlot?: string;
  /**
   * A fresh baseline (canary `baseline: fresh`): the stable version deployed again on this slot at the
   * canary's share. The comparison side is then read with slot = this slot ({{baseline_slot}} in templates).
   */
  baselineSlot?: string;
  weight?: number;
  windowMs: number;
  intervalMs: number;
  signal: AbortSignal;
  /** Pre-deploy baseline values; default: the last captureBaseline() result. */
  baseline?: MetricValues;
  /**
   * A window without a stable side (a canary's 100 % step, verify, monitor): the comparisons that judged this
   * version beside stable in an earlier window of its deployment (AnalysisOutcome.compared of its steps below
   * 100 %). They held there, and cannot compare here: no missing evidence (judge.ts nothingJudged).
   */
  comparedBefore?: string[];
  /**
   * The window began at this time, in the past (a bake that outlived its job, issue 14): the intervals
   * already over are read from the providers' history (`Analyzer.history` must be true) and judged in order,
   * then the rest of the window live, so the decision covers the whole window.
   */
  since?: number;
  /**
   * Judge only the intervals already over and stop: no live interval, no extension, no end-of-window
   * decision. A rollback if a trigger fired, else hold (`window-so-far`): a look at a bake that goes on.
   */
  midway?: boolean;
  onDecision?(interval: IntervalResult): void;
}

export interface AnalysisOutcome {
  decision: Decision;
  intervals: IntervalResult[];
  /** The comparisons that judged at least one interval of the window (a window that ran to its end). */
  compared?: string[];
}

export interface BaselineContext {
  environment: string;
  /** The version serving now (before the deploy). */
  version: string;
  slot?: string;
  signal: AbortSignal;
  /**
   * Read the serving version as it was at this time (a resumed rollout: its start), when every provider can
   * read history; otherwise, or without it, as it is now.
   */
  at?: number;
}

export interface AnalyzerDeps {
  now?: () => number;
  sleep?: Sleep;
  fetch?: Fetch;
  hrnow?: () => number;
  /** Replace configured providers by name (tests, or a custom provider). */
  providers?: Record<string, MetricProvider>;
  /** NDJSON file to record every sample to (see recording.ts). */
  record?: string;
  /** Masks secrets in the texts a recording keeps (recording.ts RecordingWriter), as the job log does. */
  redactRecord?: (text: string) => string;
  /** Where the providers' warnings go (the job log; stderr without it). */
  warn?: (message: string) => void;
}

export interface Analyzer {
  readonly config: AnalysisConfig;
  /** Every provider the checks use can read the past (`since` may be given). */
  readonly history: boolean;
  evaluate(ctx: AnalysisContext): Promise<AnalysisOutcome>;
  /** Reads the metrics of the currently serving version once, as the pre-deploy baseline. */
  captureBaseline(ctx: BaselineContext): Promise<MetricValues>;
}

function varsFor(
  side: Side,
  ctx: Omit<AnalysisContext, 'signal' | 'windowMs' | 'intervalMs'>,
): TemplateValues {
  // Typed by the names the config check allows (config/analysis-template-variables.ts), so the two cannot drift apart.
  const common: Omit<Record<AnalysisTemplateVariable, string | undefined>, 'version' | 'slot'> = {
    environment: ctx.environment,
    phase: ctx.phase,
    stable_version: ctx.stableVersion,
    stable_slot: ctx.stableSlot,
    baseline_slot: ctx.baselineSlot,
    weight: ctx.weight === undefined ? undefined : String(ctx.weight),
  };
  if (side === 'canary') return { ...common, version: ctx.version, slot: ctx.slot };
  return { ...common, version: ctx.stableVersion, slot: ctx.baselineSlot ?? ctx.stableSlot };
}

export function createAnalyzer(input: AnalysisConfigInput | undefined, deps: AnalyzerDeps = {}): Analyzer {
  const config = resolveAnalysisConfig(input);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const providers: Record<string, MetricProvider> = {};
  for (const [name, providerConfig] of Object.entries(config.providers))
    // Own keys only: a provider named "constructor" was otherwise replaced by Object's function.
    providers[name] =
      (deps.providers && Object.hasOwn(deps.providers, name) ? deps.providers[name] : undefined) ??
      createProvider(name, providerConfig, { ...deps, now, sleep });
  for (const [name, provider] of Object.entries(deps.providers ?? {}))
    if (!Object.hasOwn(providers, name)) providers[name] = provider;
  // Without a `warn` of the caller's, a warning goes to stderr (the job log), as the providers' do.
  const recorder = deps.record
    ? new RecordingWriter(
        deps.record,
        input ?? {},
        deps.warn ?? ((message) => process.stderr.write(`warning: ${message}\n`)),
        deps.redactRecord,
      )
    : undefined;
  let capturedBaseline: MetricValues = {};

  // Only metrics some check uses are read (a counted check's request count too); grouped per provider so each
  // provider is asked once per side.
  const usedMetrics = [...new Set(config.checks.flatMap(readMetrics))];
  const byProvider = new Map<string, ReadRequest['metrics']>();
  for (const name of usedMetrics) {
    const metric = config.metrics[name]!;
    const list = byProvider.get(metric.provider) ?? [];
    list.push({ name, config: metric });
    byProvider.set(metric.provider, list);
  }

  /**
   * `evidence`: what providers said of a metric's value beyond the number (ProviderRead.evidence); `notes`:
   * what they could not judge (ProviderRead.notes).
   */
  type SideReading = {
    values: MetricValues;
    errors: SampleError[];
    evidence?: Record<string, string>;
    notes?: AnalysisNote[];
  };

  /** A provider's answer added to a side's reading (its errors named with the side). */
  function addRead(into: SideReading, side: Side, read: ProviderRead): void {
    Object.assign(into.values, read.values);
    if (read.evidence) into.evidence = { ...into.evidence, ...read.evidence };
    if (read.notes?.length) into.notes = [...(into.notes ?? []), ...read.notes];
    for (const e of read.errors)
      into.errors.push({ provider: e.provider, side, code: e.code, message: e.message });
  }

  async function readSide(
    side: Side,
    vars: TemplateValues,
    intervalMs: number,
    signal: AbortSignal,
    continuous: boolean,
    which: Pick<ReadRequest, 'sides' | 'baseline' | 'at'>,
  ): Promise<SideReading> {
    const reading: SideReading = { values: {}, errors: [] };
    await Promise.all(
      [...byProvider].map(async ([providerName, metrics]) => {
        const provider = providers[providerName]!;
        if (Boolean(provider.continuous) !== continuous) return;
        addRead(reading, side, await provider.read({ side, vars, metrics, intervalMs, signal, ...which }));
      }),
    );
    return reading;
  }

  /**
   * A decision's (or warning's) reason with what the providers said of the metrics of the check that gave
   * it (the new error patterns a logs provider counted), so people read what fired, not only a count.
   */
  function withEvidence(rule: string | undefined, reason: string, evidence?: Record<string, string>): string {
    if (!evidence || rule === undefined) return reason;
    const check = config.checks.find((c) => c.name === rule);
    const said = check
      ? checkMetrics(check).flatMap((m) => (Object.hasOwn(evidence, m) ? [evidence[m]!] : []))
      : [];
    return said.length ? `${reason}; ${said.join('; ')}` : reason;
  }

  /** Every interval end in `times`, as readSide would have read it then (providers with history only). */
  async function readSidePast(
    side: Side,
    vars: TemplateValues,
    intervalMs: number,
    times: number[],
    signal: AbortSignal,
  ): Promise<SideReading[]> {
    const out = times.map((): SideReading => ({ values: {}, errors: [] }));
    await Promise.all(
      [...byProvider].map(async ([providerName, metrics]) => {
        const reads = await providers[providerName]!.readPast!({
          side,
          vars,
          metrics,
          intervalMs,
          signal,
          times,
        });
        reads.forEach((read, i) => addRead(out[i]!, side, read));
      }),
    );
    return out;
  }

  /**
   * A side's reading with the values no system gives (an error rate of -0.5, a negative latency, bucket
   * counts falling with le: domain.ts) made no data, each with a provider error of the interval naming the
   * metric and the value: judged as given, an error rate of -0.5 would promote.
   */
  function screened(side: Side, read: SideReading): SideReading {
    const { values, errors } = screenSide(config, side, read.values);
    return errors.length ? { values, errors: [...read.errors, ...errors] } : { ...read, values };
  }

  const history = [...byProvider.keys()].every((name) => typeof providers[name]!.readPast === 'function');

  return {
    config,
    history,

    async captureBaseline(ctx) {
      // The version serving before the deployment is the stable version, alone with all the traffic: a
      // canary's query written with the stable side's names or its share reads it too (docs/analysis.md).
      // No fresh baseline serves yet, so {{baseline_slot}} has no value.
      const vars: TemplateValues = {
        environment: ctx.environment,
        version: ctx.version,
        slot: ctx.slot,
        stable_version: ctx.version,
        stable_slot: ctx.slot,
        weight: '100',
        phase: 'baseline',
      };
      if (ctx.at !== undefined && history) {
        const [then] = await readSidePast('canary', vars, 1000, [ctx.at], ctx.signal);
        capturedBaseline = { ...screened('canary', then!).values };
        return capturedBaseline;
      }
      // Every metric at one instant, as an interval's are.
      const at = now();
      const [a, b] = await Promise.all([
        readSide('canary', vars, 1000, ctx.signal, false, { baseline: true, at }),
        readSide('canary', vars, 1000, ctx.signal, true, { baseline: true, at }),
      ]);
      capturedBaseline = screened('canary', {
        values: { ...a.values, ...b.values },
        errors: [],
      }).values;
      return capturedBaseline;
    },

    async evaluate(ctx) {
      const { intervalMs, windowMs, signal } = ctx;
      if (!(intervalMs > 0) || !(windowMs >= 0))
        throw new Error(
          `analysis: intervalMs must be > 0 and windowMs >= 0 (got ${intervalMs}, ${windowMs})`,
        );
      const baseline = ctx.baseline ?? capturedBaseline;
      if (ctx.since !== undefined && !history)
        throw new Error(
          `analysis: a window that began in the past needs providers that read history; ${[...byProvider.keys()].filter((n) => !providers[n]!.readPast).join(', ')} cannot`,
        );
      const startedAt = ctx.since ?? now();
      // Providers counting over the window so far (the logs provider's patterns) begin anew.
      for (const name of byProvider.keys()) providers[name]!.startWindow?.();
      // Unset fields are undefined here and left out of the JSON line.
      const context: RecordedContext = {
        phase: ctx.phase,
        environment: ctx.environment,
        version: ctx.version,
        stableVersion: ctx.stableVersion,
        slot: ctx.slot,
        stableSlot: ctx.stableSlot,
        baselineSlot: ctx.baselineSlot,
        weight: ctx.weight,
        windowMs,
        intervalMs,
        ...(ctx.comparedBefore?.length ? { comparedBefore: ctx.comparedBefore } : {}),
      };
      recorder?.window(context, baseline, startedAt);
      const { base, extension } = windowIntervals(config, windowMs, intervalMs);
      let state = createJudgeState(config, {
        intervalMs,
        baseline,
        startedAt,
        reference: ctx.baselineSlot === undefined ? 'stable' : 'baseline',
        plannedIntervals: base + extension,
        ...(ctx.comparedBefore?.length ? { comparedBefore: ctx.comparedBefore } : {}),
      });
      const withStable =
        ctx.stableVersion !== undefined || ctx.stableSlot !== undefined || ctx.baselineSlot !== undefined;
      const sides: Side[] = withStable ? ['canary', 'stable'] : ['canary'];
      // The intervals of a window begun in the past that are already over: read from history at once.
      const past = new Map<number, SideReading[]>();
      if (ctx.since !== undefined) {
        const over = Math.min(base + extension, Math.floor((now() - startedAt) / intervalMs));
        const times = Array.from({ length: over }, (_, i) => startedAt + (i + 1) * intervalMs);
        if (times.length > 0) {
          const reads = await Promise.all(
            sides.map((side) => readSidePast(side, varsFor(side, ctx), intervalMs, times, signal)),
          );
          times.forEach((_, i) =>
            past.set(
              i,
              reads.map((r) => r[i]!),
            ),
          );
        }
      }
      /** The canary's evidence of the last interval read (ProviderRead.evidence). */
      let evidence: Record<string, string> | undefined;
      /** Every side's notes of the last interval read (ProviderRead.notes). */
      let notes: AnalysisNote[] = [];
      const sampleOf = (at: number, raw: SideReading[], readAt: number): Sample => {
        evidence = raw[0]!.evidence;
        notes = raw.flatMap((r) => r.notes ?? []);
        const read = raw.map((reading, i) => screened(sides[i]!, reading));
        return {
          at,
          readAt,
          canary: read[0]!.values,
          ...(withStable ? { stable: read[1]!.values } : {}),
          errors: read.flatMap((m) => m.errors),
        };
      };
      /** One live interval: continuous providers (the prober) measure during it, the others at its end. */
      const readLive = async (deadline: number): Promise<Sample | undefined> => {
        const [continuous] = await Promise.all([
          Promise.all(
            sides.map((side) => readSide(side, varsFor(side, ctx), intervalMs, signal, true, { sides })),
          ),
          (async () => {
            const wait = deadline - now();
            if (wait > 0) await sleep(wait, signal);
          })(),
        ]);
        if (signal.aborted) return undefined;
        // Both sides and every metric evaluated at one instant, the interval's end (never one to come): asked
        // each at its own arrival, the canary's errors and requests, and canary and stable, were rates over
        // windows apart. An interval read late still describes its own end, as one read from history does.
        const at = Math.min(deadline, now());
        const atEnd = await Promise.all(
          sides.map((side) => readSide(side, varsFor(side, ctx), intervalMs, signal, false, { sides, at })),
        );
        const merged = sides.map((_, i) => ({
          values: { ...continuous[i]!.values, ...atEnd[i]!.values },
          errors: [...continuous[i]!.errors, ...atEnd[i]!.errors],
          evidence:
            continuous[i]!.evidence || atEnd[i]!.evidence
              ? { ...continuous[i]!.evidence, ...atEnd[i]!.evidence }
              : undefined,
          notes: [...(continuous[i]!.notes ?? []), ...(atEnd[i]!.notes ?? [])],
        }));
        return sampleOf(now(), merged, at);
      };
      let count = ctx.midway ? past.size : base;
      const intervals: IntervalResult[] = [];
      let last: Decision | undefined;

      for (let index = 0; index < count; index++) {
        if (signal.aborted) break;
        const deadline = startedAt + (index + 1) * intervalMs;
        // Intervals already over (a window begun in the past) come from history, the rest are read live.
        const fromHistory = past.get(index);
        const sample = fromHistory ? sampleOf(deadline, fromHistory, deadline) : await readLive(deadline);
        if (!sample) break;
        const judged = judge(state, sample);
        state = judged.state;
        last = {
          ...judged.decision,
          reason: withEvidence(judged.decision.rule, judged.decision.reason, evidence),
        };
        const warnings = judged.warnings.map((w) => ({
          ...w,
          reason: withEvidence(w.rule, w.reason, evidence),
        }));
        recorder?.sample(index, sample, last, notes);
        const interval: IntervalResult = {
          index,
          at: sample.at,
          decision: last,
          values: last.values,
          ...(warnings.length ? { warnings } : {}),
          ...(notes.length ? { notes } : {}),
        };
        intervals.push(interval);
        ctx.onDecision?.(interval);
        if (last.kind === 'rollback') return { decision: last, intervals };
        // Undecided at the deadline: one extension, so the sequential tests see more data before deciding.
        if (!ctx.midway && index === base - 1 && last.kind === 'hold') count = base + extension;
      }

      if (ctx.midway && !signal.aborted)
        return {
          decision: {
            kind: 'hold',
            code: 'window-so-far',
            reason:
              intervals.length === 0
                ? 'no interval of the window is over yet'
                : `nothing fired over the ${intervals.length} interval(s) since ${new Date(startedAt).toISOString()}${last ? ` (last: ${last.reason})` : ''}`,
            values: last?.values ?? {},
          },
          intervals,
        };
      if (signal.aborted)
        return {
          decision: {
            kind: 'hold',
            code: 'aborted',
            reason: `analysis ${stoppedPhrase(signal)} after ${intervals.length} of ${count} intervals`,
            values: last?.values ?? {},
          },
          intervals,
        };
      return { decision: concludeWindow(state, last!), intervals, compared: judgedComparisons(state) };
    },
  };
}
