// The strategy names alone, without the config schema: the action's inputs, the deployment payload and the
// CLI's --strategy choices need only the names, and importing them from schema.ts would build every zod
// config schema at start (issue 16).
export const STRATEGY_NAMES = ['direct', 'rolling', 'blue-green', 'canary'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
