// The `gates:` section of deploy.yml: the runner's own options and one schema per gate. src/config imports
// this file, so it (and everything it imports) holds schemas only: the gates' run code, and what it pulls
// in (execa, pg, parsers), stays out of whatever only loads a config (the App).
import * as z from 'zod';
import { DURATION_LIMITS, durationUpTo } from '../../config/duration.ts';
import { auditConfigSchema } from './audit.ts';
import { buildConfigSchema } from './build.ts';
import { customConfigSchema } from './custom.ts';
import { dependenciesConfigSchema } from './dependencies.ts';
import { infrastructureConfigSchema } from './infrastructure.ts';
import { migrationsConfigSchema } from './migrations.ts';
import { performanceConfigSchema } from './performance.ts';
import { reviewConfigSchema } from './review.ts';
import { sarifConfigSchema } from './sarif.ts';
import { secretsConfigSchema } from './secrets.ts';
import { testsConfigSchema } from './tests.ts';

export const gatesConfigSchema = z.strictObject({
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(32)
    .optional()
    .meta({ description: 'How many gates run at once (default: all of them).' }),
  // Every gate's default timeout, so bounded as a gate's own.
  timeout: durationUpTo(DURATION_LIMITS.step)
    .optional()
    .meta({ description: 'Default time limit of each gate (default 10m).' }),
  tests: testsConfigSchema.optional(),
  audit: auditConfigSchema.optional(),
  secrets: secretsConfigSchema.optional(),
  sarif: sarifConfigSchema.optional(),
  review: reviewConfigSchema.optional(),
  build: buildConfigSchema.optional(),
  migrations: migrationsConfigSchema.optional(),
  infrastructure: infrastructureConfigSchema.optional(),
  performance: performanceConfigSchema.optional(),
  dependencies: dependenciesConfigSchema.optional(),
  custom: customConfigSchema.optional(),
});

export type GatesConfig = z.output<typeof gatesConfigSchema>;

/** The keys of the section that name a gate (the others are the runner's options). */
export type GateName = Exclude<keyof GatesConfig, 'concurrency' | 'timeout'>;
