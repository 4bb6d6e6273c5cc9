// The audit gate's section under `gates:`: the audit command or saved report, the severity that blocks, and
// the allowlist (each entry with a reason and an expiry date).
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { commandLine } from '../../config/command-line-schema.ts';
import { gateCommonFields } from './common.ts';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  .refine(
    (text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(text).toISOString().startsWith(text),
    {
      message: 'not a calendar date',
    },
  );

export const allowEntrySchema = z.strictObject({
  id: z.string().min(1).meta({
    description: 'A GHSA id (GHSA-xxxx-xxxx-xxxx), an advisory URL, or an npm advisory number.',
  }),
  reason: z.string().trim().min(1, 'say why this advisory is accepted'),
  expires: isoDate.meta({ description: 'YYYY-MM-DD; from that day on the advisory blocks again.' }),
});
export type AllowEntry = z.output<typeof allowEntrySchema>;

export const auditConfigSchema = z.strictObject({
  ...gateCommonFields,
  command: commandLine.optional().meta({ description: 'The audit command. Default "npm audit --json".' }),
  report: z.string().min(1).optional().meta({
    description:
      'Read this saved audit report (npm, pnpm, yarn or `snyk test --json`) instead of running a command.',
  }),
  severity: z.enum(['low', 'moderate', 'high', 'critical']).optional().meta({
    description: 'Advisories at or above this severity block. Default "moderate".',
  }),
  allow: z.array(allowEntrySchema).optional(),
});
export type AuditConfig = z.output<typeof auditConfigSchema>;
