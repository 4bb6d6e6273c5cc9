// The custom gate's section under `gates:`: checks of your own, each a command whose exit code decides (0
// passes). For what no built-in gate knows: someone on call (seeds 01 and 02: "Deploy when on-call person
// unavailable" is an anti-pattern), a fresh database backup, a change ticket approved, a feature flag off.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { commandLine } from '../../config/command-line-schema.ts';
import { DURATION_LIMITS, durationUpTo } from '../../config/duration.ts';
import { visibleName } from '../../config/name-schema.ts';
import { gateCommonFields, gateEnv } from './common.ts';

/** A check's name: it names the finding (`custom.<name>`) and the line in the summary. */
const CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const customCheck = z.strictObject({
  name: visibleName('custom check name').regex(CHECK_NAME, {
    message: 'a check name is 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. "on-call")',
  }),
  run: commandLine.meta({
    description:
      'The command (no shell: a string is split into words as a shell would, without expansions; or a list). ' +
      'Exit 0 passes; any other exit code fails the check. Its last output lines are the finding.',
  }),
  on_failure: z.enum(['block', 'warn']).optional().meta({
    description: 'What a failed check does to the gate: block (default) or warn.',
  }),
  timeout: durationUpTo(DURATION_LIMITS.step)
    .optional()
    .meta({ description: 'The check fails (and blocks, whatever on_failure says) when it has not exited by then.' }),
  env: gateEnv(),
});

export const customConfigSchema = z
  .strictObject({
    ...gateCommonFields,
    checks: z.array(customCheck).min(1).max(50).meta({
      description: 'The checks, run at once; each passes when its command exits 0.',
    }),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.checks.forEach((check, index) => {
      const first = seen.get(check.name);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['checks', index, 'name'],
          message: `check "${check.name}" is already named at checks[${first}]: each check needs its own name`,
        });
      else seen.set(check.name, index);
    });
  });

export type CustomConfig = z.output<typeof customConfigSchema>;
export type CustomCheck = CustomConfig['checks'][number];
