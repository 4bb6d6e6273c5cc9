// The dependencies gate's section under `gates:` (seed 03: "Dependencies up to date"): the outdated command or
// the report it wrote, its format, and how far behind a package may be.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { commandLine } from '../../config/command-line-schema.ts';
import { gateCommonFields, gateEnv } from './common.ts';

const level = (what: string) =>
  z
    .enum(['block', 'warn', 'off'])
    .optional()
    .meta({ description: `What a package ${what} does to the verdict. Default: warn.` });

export const dependenciesConfigSchema = z
  .strictObject({
    ...gateCommonFields,
    command: commandLine.optional().meta({
      description:
        'The outdated command, e.g. "npm outdated --json", "pnpm outdated --format json", "yarn outdated --json", ' +
        '"pip list --outdated --format=json" or "go list -m -u -json all". Without `report`, what it prints is ' +
        'the report; exit code 1 with outdated packages listed is how npm, pnpm and yarn say some are.',
    }),
    env: gateEnv(),
    report: z.string().min(1).optional().meta({
      description:
        'The report file to read: what an earlier step saved, or what `command` writes (then it must be newer ' +
        'than the run).',
    }),
    format: z.enum(['auto', 'npm', 'pnpm', 'yarn', 'pip', 'go']).optional().meta({
      description:
        'The tool that wrote the report. Default "auto": told from the content. "yarn" is needed for yarn 1 ' +
        'run as the command when nothing is outdated: it prints nothing then.',
    }),
    major: level('a major version behind (1.x → 2.x)'),
    minor: level('a minor version behind (1.2 → 1.3)'),
    patch: level('a patch (or a prerelease, post release or fourth number) behind (1.2.3 → 1.2.4)'),
    incomparable: level(
      'whose versions cannot be compared (not semver or PEP 440, not installed, no latest named, a lookup error)',
    ),
    deprecated: z
      .enum(['block', 'warn', 'off'])
      .optional()
      .meta({
        description:
          'What a package deprecated by its author does to the verdict (pnpm: its latest version is deprecated; ' +
          'Go: the module), whether behind or not. Default: warn.',
      }),
    retracted: z
      .enum(['block', 'warn', 'off'])
      .optional()
      .meta({
        description:
          'What a Go module whose version in use its author retracted (a retract directive) does to the ' +
          'verdict. Default: block.',
      }),
    ignore: z.array(z.string().min(1)).optional().meta({
      description:
        'Globs of package names left out ("@types/*", "golang.org/x/**"); pip names match by their normalised ' +
        'form (case and -_. alike).',
    }),
  })
  .refine((c) => c.command !== undefined || c.report !== undefined, {
    message: 'give a command (e.g. "npm outdated --json"), a report file, or both',
  })
  .refine((c) => c.env === undefined || c.command !== undefined, {
    message: 'env needs a command to give it to',
    path: ['env'],
  });

export type DependenciesConfig = z.output<typeof dependenciesConfigSchema>;
export type LevelAction = 'block' | 'warn' | 'off';
