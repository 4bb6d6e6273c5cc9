// Options every gate section accepts, besides its own.
import * as z from 'zod';
import { DURATION_LIMITS, durationUpTo } from '../../config/duration.ts';

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
