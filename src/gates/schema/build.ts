// The build gate's section under `gates:`: the build command, warnings, size budgets ("250kB") and expected
// files.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { commandLine } from '../../config/command-line-schema.ts';
import { gateCommonFields, gateEnv } from './common.ts';

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  kB: 1000,
  KB: 1000,
  KiB: 1024,
  MB: 1e6,
  MiB: 1024 ** 2,
  GB: 1e9,
};
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(B|kB|KB|KiB|MB|MiB|GB)$/;

/** "250kB" → 250000 bytes. kB and KB are 1000 bytes, KiB is 1024; a bare number is bytes. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const match = SIZE_PATTERN.exec(text.trim());
  return match ? Math.round(Number(match[1]) * SIZE_UNITS[match[2]!]!) : undefined;
}

const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid size ${JSON.stringify(value)}: use a number of bytes or a number with B, kB, KiB, MB or MiB ("250kB")`,
    });
    return z.NEVER;
  }
  return bytes;
});

const budget = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .meta({ description: 'Glob of the files this budget covers, e.g. "dist/**/*.js".' }),
    max: size.optional().meta({ description: 'Largest allowed raw size, e.g. "250kB".' }),
    max_gzip: size.optional().meta({ description: 'Largest allowed gzip size (level 9), e.g. "80kB".' }),
    per: z
      .enum(['file', 'total'])
      .optional()
      .meta({ description: 'Whether the limits apply to each matching file (default) or to their sum.' }),
  })
  .refine((b) => b.max !== undefined || b.max_gzip !== undefined, {
    message: 'a budget needs max or max_gzip',
  });

export const buildConfigSchema = z
  .strictObject({
    ...gateCommonFields,
    command: commandLine.optional().meta({ description: 'The build command, e.g. "npm run build".' }),
    env: gateEnv(),
    warnings: z
      .union([z.string().min(1).refine(isValidRegex, { message: 'not a valid regular expression' }), z.literal(false)])
      .optional()
      .meta({
        description:
          'A regular expression (case-insensitive) whose matches in the output are warnings (the gate warns). ' +
          'Default: the warning lines of common compilers and bundlers (gcc/clang, rustc/cargo, javac, Maven, ' +
          'MSBuild, Kotlin, webpack, esbuild, Rollup/Vite, ESLint); false: do not look for warnings.',
      }),
    on_warnings: z
      .enum(['warn', 'block'])
      .optional()
      .meta({
        description:
          'What warning lines in the build output do to the verdict: warn (default) or block, for a build that ' +
          'must have none (seed 03: "Verify build output (no warnings)").',
      }),
    budgets: z.array(budget).optional(),
    expect: z.array(z.string().min(1)).optional().meta({
      description: 'Files or globs that must exist after the build (e.g. "dist/index.js", "dist/**/*.map").',
    }),
    source_maps: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({
        description:
          'Globs of generated files (e.g. "dist/**/*.js") whose source maps must be valid (seed 01: "Validate ' +
          'source maps"): the map their sourceMappingURL comment names (inline or a file), else <file>.map, ' +
          'must be a Source Map revision 3; each glob must match a file.',
      }),
  })
  .refine(
    (c) => c.command !== undefined || c.budgets?.length || c.expect?.length || c.source_maps?.length,
    { message: 'the build gate needs a command, budgets, expect or source_maps' },
  )
  .refine((c) => !(c.on_warnings === 'block' && (c.warnings === false || c.command === undefined)), {
    message:
      'block needs warning lines to look for: a command, whose output is read, and warnings not false',
    path: ['on_warnings'],
  });

export type BuildConfig = z.output<typeof buildConfigSchema>;

/**
 * The warning lines of common build tools, for a build gate without its own `warnings` (seed 01: "Check
 * for build warnings"; seed 03: "no warnings"): Maven `[WARNING]`, webpack `WARNING in`, rustc / cargo
 * `warning:` and `warning[E…]:`, esbuild `▲ [WARNING]`, Rollup / Vite `(!)`, Kotlin `w:`, and a warning
 * at a place in a file as gcc, clang, javac (`a.c:3:5: warning:`) and MSBuild (`A.cs(12,5): warning
 * CS0168`) write it, and ESLint's `3:5  warning  …`. Not a package manager's `npm WARN`, pnpm's `WARN`
 * or yarn's `warning package.json: …` (an install's notices, no build's).
 */
export const DEFAULT_BUILD_WARNINGS =
  String.raw`^\s*(?:\[WARN(?:ING)?\]|WARNING in |warning(?:\[[\w:-]+\])?:|▲ \[WARNING\]|\(!\) |w: )` +
  String.raw`|:\d+(?::\d+)?:\s*warning\b|\(\d+(?:,\d+)*\):\s*warning\b|^\s*\d+:\d+\s+warning\s`;

function isValidRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
