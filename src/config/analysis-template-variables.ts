// The variables the analyzer gives every provider's templates (prober URLs, PromQL queries, metric commands):
// the config check refuses any other name, which would have no value at every interval (analysis/analyzer.ts
// sets them). Here, beside the config, so the CLI loads no analysis code at start (test/unit/build/start-graph).
export const ANALYSIS_TEMPLATE_VARIABLES = [
  'version',
  'stable_version',
  'slot',
  'stable_slot',
  'environment',
  'weight',
  'phase',
  'baseline_slot',
] as const;

export type AnalysisTemplateVariable = (typeof ANALYSIS_TEMPLATE_VARIABLES)[number];
