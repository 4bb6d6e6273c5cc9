// The analysis both chart-number tests draw (the unit test's Markdown and the e2e test's rendered picture): an
// error-rate threshold sustained for 3m, and a queue compared with 2x the stable version's.
import { resolveAnalysisConfig } from '../../src/analysis/config.ts';

export const RATE_AND_QUEUE = resolveAnalysisConfig({
  preset: 'none',
  providers: { p: { type: 'command', run: ['true'] } },
  metrics: { error_rate: { provider: 'p' }, queue: { provider: 'p' } },
  checks: [
    { name: 'rate', check: 'error_rate <= 1%', for: '3m' },
    { name: 'queue-x', check: 'queue < 2x baseline', baseline: 'stable' },
  ],
});
