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
  )
  // Most of the rule above, for the JSON Schema (a month 13 or a day 32; the days of each month are the loader's).
  .meta({ pattern: '^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])$' });

/**
 * A CWE names a class of weakness (CWE-400, uncontrolled resource consumption), shared by unrelated
 * advisories: an entry for one would let through every advisory of that class, found now or later.
 */
const NOT_CWE = /^(?!\s*[Cc][Ww][Ee]-)/;

export const allowEntrySchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .regex(NOT_CWE, {
      error: (issue) =>
        `${JSON.stringify(String(issue.input).trim())} is a CWE id, which names a class of weakness, not an advisory: an entry for it would let through every advisory of that class; write the advisory's own id (GHSA-…, CVE-…, the npm advisory number or the scanner's id such as SNYK-JS-…)`,
    })
    .meta({
      description:
        "The advisory's id, any the report names it by: a GHSA id (GHSA-xxxx-xxxx-xxxx), a CVE id (CVE-2021-23337), the npm advisory number, the scanner's own id (SNYK-JS-…), or the advisory URL; matched whole, case-insensitively. Not a CWE id (a class of weakness, not an advisory).",
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
