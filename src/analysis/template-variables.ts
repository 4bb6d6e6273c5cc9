// The variables the analyzer gives every provider's templates (prober URLs, PromQL queries, metric commands):
// the config check refuses any other name, which would have no value at every interval (analyzer.ts sets them).
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
