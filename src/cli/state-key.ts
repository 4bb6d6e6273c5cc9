// `deploy-action state-key --repository o/r --environment E`: prints the environment's state key, derived from
// the App's marker key exactly as the App derives it, for the operator to store as the environment's secret
// (the Action's `state-key` input). Only the derived key is printed; the master never reaches any output.
import { readFileSync } from 'node:fs';
import { MarkerKeyError, markerKeys } from '../github/marker-keys.ts';
import { formatStateKey, stateKey } from '../state/state-key.ts';
import { StateKeyUsageError } from './usage.ts';

export interface StateKeyOptions {
  repository: string;
  environment: string;
  privateKeyFile?: string;
}

export { StateKeyUsageError };

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** The line to print; throws StateKeyUsageError with what was wrong (never with a key in it). */
export function stateKeyLine(options: StateKeyOptions, env: NodeJS.ProcessEnv): string {
  if (!REPOSITORY.test(options.repository))
    throw new StateKeyUsageError(
      `--repository must be owner/name, got ${JSON.stringify(options.repository)}`,
    );
  if (!options.environment.trim()) throw new StateKeyUsageError('--environment must not be empty');
  let privateKey: string | undefined;
  if (options.privateKeyFile) {
    try {
      privateKey = readFileSync(options.privateKeyFile, 'utf8');
    } catch (error) {
      throw new StateKeyUsageError(
        `--private-key-file ${options.privateKeyFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  const secret = env.DEPLOY_ACTION_MARKER_KEY || undefined;
  if (!secret && !privateKey)
    throw new StateKeyUsageError(
      'set DEPLOY_ACTION_MARKER_KEY (as the App has it) or pass --private-key-file with the App private key',
    );
  try {
    // The App's own rule: the dedicated secret when set, else its private key.
    const master = markerKeys({ ...(secret ? { secret } : {}), ...(privateKey ? { privateKey } : {}) });
    return `${formatStateKey(stateKey(master.current, options.repository, options.environment))}\n`;
  } catch (error) {
    if (error instanceof MarkerKeyError) throw new StateKeyUsageError(error.message);
    throw error;
  }
}
