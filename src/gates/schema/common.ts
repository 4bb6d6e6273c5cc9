// Options every gate section accepts, besides its own.
import * as z from 'zod';
import { DURATION_LIMITS, durationUpTo } from '../../config/duration.ts';
import { ENV_NAME, ENV_NAME_RULE } from '../../config/analysis-request-fields.ts';

export const gateCommonFields = {
  required: z
    .boolean()
    .optional()
    .meta({ description: 'A required gate blocks the deployment; an advisory one (false) only warns.' }),
  timeout: durationUpTo(DURATION_LIMITS.step)
    .optional()
    .meta({ description: 'The gate blocks when it has not decided by then.' }),
};

export const DEFAULT_GATE_TIMEOUT_MS = 10 * 60_000;

/**
 * Extra environment for a gate's command: a name with "=", a space or nothing in it cannot be an environment
 * variable (the command would start without it, or not at all), so it is refused at its key.
 */
export const gateEnv = (description = 'Extra environment for the command.') =>
  z
    .record(z.string().regex(ENV_NAME, { message: ENV_NAME_RULE }), z.string())
    .optional()
    .meta({ description });
