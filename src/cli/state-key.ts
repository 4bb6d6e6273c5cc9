// `deploy-action state-key --repository o/r --environment E`: prints the environment's state key, derived from
// the App's marker key exactly as the App derives it, for the operator to store as the environment's secret
// (the Action's `state-key` input). Only the derived key is printed; the master never reaches any output.
import { MarkerKeyError, markerKeys } from '../github/marker-keys.ts';
import { formatStateKey, stateKey } from '../state/state-key.ts';
import { StateKeyUsageError } from './usage.ts';
import { readRegularFileSync } from '../util/regular-file.ts';

export interface StateKeyOptions {
  repository: string;
  environment: string;
  privateKeyFile?: string;
}

export { StateKeyUsageError };

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The line to print; throws StateKeyUsageError with what was wrong (never with a key in it). */
export function stateKeyLine(options: StateKeyOptions, env: NodeJS.ProcessEnv): string {
  if (!REPOSITORY.test(options.repository))
    throw new StateKeyUsageError(
      `--repository must be owner/name, got ${JSON.stringify(options.repository)}`,
    );
  if (!options.environment.trim()) throw new StateKeyUsageError('--environment must not be empty');
  // The Action's rule for an environment's name (src/action/inputs.ts): a key for " production" or
  // "prod/eu" would be printed and stored, and never match the record of any environment it deploys.
  if (!ENVIRONMENT.test(options.environment))
    throw new StateKeyUsageError(
      `--environment must be an environment's name as the Action takes it (letters, digits, ".", "_" and "-", ` +
        `starting with a letter or digit), got ${JSON.stringify(options.environment)}`,
    );
  const secret = env.DEPLOY_ACTION_MARKER_KEY || undefined;
  // The App derives from DEPLOY_ACTION_MARKER_KEY when it has one: a private key file named as well was
  // silently not used, so the key printed was not the one asked for.
  if (secret && options.privateKeyFile)
    throw new StateKeyUsageError(
      'DEPLOY_ACTION_MARKER_KEY is set and --private-key-file is given: the key comes from one of them, as ' +
        "the App's does (from DEPLOY_ACTION_MARKER_KEY when it has one): unset it, or leave out --private-key-file",
    );
  let privateKey: string | undefined;
  if (options.privateKeyFile) {
    // A regular file only: a named pipe there hung the command, a directory gave a bare EISDIR.
    const read = readRegularFileSync(options.privateKeyFile);
    if (!read.ok)
      throw new StateKeyUsageError(
        `--private-key-file ${options.privateKeyFile} cannot be read: ${read.problem}`,
      );
    privateKey = read.text;
    // Any other file (the App's public key, its id, a certificate) made a key the App never derives.
    if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(privateKey))
      throw new StateKeyUsageError(
        `--private-key-file ${options.privateKeyFile} holds no PEM private key ("-----BEGIN RSA PRIVATE KEY-----" ` +
          'or "-----BEGIN PRIVATE KEY-----"): give the App\'s private key file, as generated on its settings page',
      );
  }
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
