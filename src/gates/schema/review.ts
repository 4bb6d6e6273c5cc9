// The review gate's section under `gates:`: the line rules' levels, where they apply, the approval rule, the
// unresolved review threads rule and the changelog rule.
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
  changelog: ruleLevel.optional().meta({
    description:
      'The change adds or edits a changelog entry (a file matching changelog_paths), unless its pull request ' +
      'carries a skip label. Default: warn when the repository keeps a changelog, else nothing.',
  }),
  changelog_paths: z
    .array(
      z
        .string()
        .min(1)
        // A pattern, not a refinement: the generated JSON Schema carries it to editors.
        .regex(/^(?!\/)/, { message: 'a glob relative to the repository root, without a leading "/"' })
        // "!x" would match every file but x: any change would carry an "entry". "!(x)" is a pattern group.
        .regex(/^(?!!(?!\())/, {
          message:
            'a negated glob ("!...") would count every other changed file as a changelog entry: list the files that are entries',
        }),
    )
    .min(1, { message: 'at least one glob (to turn the rule off, set changelog: off)' })
    .optional()
    .meta({
      description:
        'Globs of the files that count as a changelog entry, matched without regard to case. Default: ' +
        'CHANGELOG, CHANGES, HISTORY or NEWS (.md, .markdown, .rst, .txt, .adoc or none) at any depth, ' +
        '.changeset/*.md but its README, changelog.d/** and newsfragments/** at any depth.',
    }),
  changelog_skip_labels: z
    .array(z.string().trim().min(1).max(50, { message: 'a GitHub label name has at most 50 characters' }))
    .optional()
    .meta({
      description:
        'Labels of a pull request that needs no changelog entry, compared without regard to case; [] for ' +
        'none. Default: ["skip-changelog"].',
    }),
});

export type ReviewConfig = z.infer<typeof reviewConfigSchema>;
