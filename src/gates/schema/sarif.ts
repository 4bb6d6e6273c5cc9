// The sarif gate's section under `gates:`: the SARIF files and the level and security severity that block.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { gateCommonFields } from './common.ts';

export const sarifConfigSchema = z.strictObject({
  ...gateCommonFields,
  files: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).meta({
    description: 'Globs of SARIF 2.1.0 files, relative to the repository. At least one file must match.',
  }),
  level: z
    .enum(['error', 'warning', 'note'])
    .optional()
    .meta({ description: 'Results at or above this level block. Default "error".' }),
  security_severity: z
    .number()
    .min(0)
    .max(10)
    .optional()
    .meta({
      description:
        'Results whose properties["security-severity"] (on the result or its rule) is at or above this block. ' +
        'Default 7.0 (high and critical).',
    }),
});
export type SarifConfig = z.output<typeof sarifConfigSchema>;
