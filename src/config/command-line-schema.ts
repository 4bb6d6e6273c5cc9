// The command-line field, shared by the deploy config and the analysis section (which config/schema.ts
// embeds), kept apart so neither schema module has to import the other.
import * as z from 'zod';

/** A command: one string split into argv like a shell would (without running one), or an argv list. */
export const commandLine = z
  .union([
    z.string().min(1, 'must not be empty'),
    z
      .array(z.string())
      .min(1, 'an argv list needs at least the program')
      .refine((argv) => argv.length === 0 || argv[0]!.trim() !== '', {
        message: 'the program (the first item) must not be empty',
        path: [0],
      }),
  ])
  .meta({
    description:
      'A command, as one string ("./deploy.sh {{version}}") or an argv list (["./deploy.sh", "{{version}}"]). ' +
      'Templated values are substituted inside each argument and never reach a shell.',
  });

export type CommandLine = z.output<typeof commandLine>;
