// The review gate's section under `gates:`: the line rules' levels, where they apply, the approval rule and
// the unresolved review threads rule.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { gateCommonFields } from './common.ts';

const ruleLevel = z.enum(['block', 'warn', 'off']);

export const reviewConfigSchema = z.strictObject({
  ...gateCommonFields,
  critical_paths: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: 'Globs where TODO/FIXME/XXX/HACK markers are not allowed. Default: every file.' }),
  ignore: z.array(z.string().min(1)).optional().meta({
    description: 'Globs of files the line rules skip (generated code, scripts that print on purpose).',
  }),
  todo: ruleLevel.optional().meta({ description: 'TODO markers in critical paths. Default: block.' }),
  debug_logging: ruleLevel.optional().meta({ description: 'console.log, print(, dbg!, ... Default: block.' }),
  commented_out_code: ruleLevel
    .optional()
    .meta({ description: 'Comments that read as code. Default: warn.' }),
  approval: z.enum(['required', 'off']).optional().meta({
    description:
      'On a pull request: an approval on the head commit, no changes requested. Default: required.',
  }),
  min_approvals: z.number().int().min(1).max(20).optional().meta({ description: 'Default: 1.' }),
  unresolved_threads: ruleLevel.optional().meta({
    description:
      'On a pull request: its unresolved review threads (outdated ones too), one finding each. Default: block.',
  }),
});

export type ReviewConfig = z.infer<typeof reviewConfigSchema>;
