// Public API of the analysis module.
export { analysisConfigSchema, parseCheckExpression } from './schema.ts';
export type { AnalysisConfigInput, CheckConfig, MetricConfig, ProviderConfig } from './schema.ts';
export { resolveAnalysisConfig, SEEDS_PRESET_CHECKS, ANALYSIS_DEFAULTS } from './config.ts';
export type { AnalysisConfig, ResolvedCheck } from './config.ts';
export { createJudgeState, judge } from './judge.ts';
export type { JudgeState, JudgeOptions } from './judge.ts';
export { createAnalyzer } from './analyzer.ts';
export { concludeWindow, decideAtDeadline, windowIntervals } from './deadline.ts';
export type {
  Analyzer,
  AnalyzerDeps,
  AnalysisContext,
  AnalysisOutcome,
  AnalysisPhase,
  BaselineContext,
  IntervalResult,
} from './analyzer.ts';
export { analyzeRecording, runAnalyzeCommand } from './replay.ts';
export type { ReplayResult, ReplayedWindow, AnalyzeCommandOptions } from './replay.ts';
export { readRecording, RECORDING_FORMAT, RECORDING_VERSION } from './recording.ts';
export type { Decision, DecisionKind, ReasonCode, Sample, MetricValues, ProviderError } from './types.ts';
export type { MetricProvider, ReadRequest, ProviderRead } from './providers/provider.ts';
