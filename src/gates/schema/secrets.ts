// The secrets gate's section under `gates:`: what is scanned, the entropy threshold, the allowlist, gitleaks
// reports.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { gateCommonFields } from './common.ts';

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export const secretsConfigSchema = z.strictObject({
  ...gateCommonFields,
  scope: z.enum(['changed', 'all']).optional().meta({
    description:
      'Scan the files changed against the base commit (default), or every tracked file. Without a base commit, every file.',
  }),
  max_file_bytes: z
    .number()
    .int()
    .positive()
    .optional()
    .meta({
      description: `Files larger than this are skipped (and counted). Default ${DEFAULT_MAX_FILE_BYTES}.`,
    }),
  entropy: z.number().min(0).max(8).optional().meta({
    description:
      'Shannon entropy (bits per character) a value assigned to a secret-like name needs to be reported. Default 3.5.',
  }),
  allow: z
    .strictObject({
      paths: z
        .array(z.string().min(1))
        .optional()
        .meta({ description: 'Globs (picomatch) of files never reported.' }),
      fingerprints: z
        .array(
          z.string().regex(/^[0-9a-f]{64}$/, 'a fingerprint is the 64 hex characters printed in the finding'),
        )
        .optional(),
    })
    .optional(),
  reports: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .meta({
      description:
        'Globs of gitleaks reports (JSON, or SARIF with .sarif). When set, at least one file must match.',
    }),
});
export type SecretsConfig = z.output<typeof secretsConfigSchema>;
