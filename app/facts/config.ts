// The config the app decides on: `.github/deploy.yml` from the DEFAULT branch, never the PR's head.
import { parseConfig } from '../../src/config/load.ts';
import { formatConfigError } from '../../src/config/errors.ts';
import type { RawConfig } from '../../src/config/schema.ts';
import { httpStatus } from './github.ts';
import type { Api, Where } from './github.ts';

export const CONFIG_PATH = '.github/deploy.yml';

export class FactsError extends Error {
  readonly code:
    | 'config_missing'
    | 'config_invalid'
    | 'pull_request_closed'
    | 'too_many_comments'
    | 'approvals_ledger_unreadable'
    | 'approvals_ledger_unwritable'
    | 'approvals_ledger_full'
    | 'pushers_unreadable';
  constructor(code: FactsError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * `.github/deploy.yml` from the default branch: named when the event says which it is, else no `ref`, which
 * GitHub reads as the default branch.
 */
export async function loadConfig(api: Api, where: Where, defaultBranch?: string): Promise<RawConfig> {
  let text: string;
  try {
    const res = await api.repos.getContent({
      ...where,
      path: CONFIG_PATH,
      ...(defaultBranch ? { ref: defaultBranch } : {}),
      mediaType: { format: 'raw' },
    });
    text = res.data as unknown as string;
  } catch (error) {
    if (httpStatus(error) === 404)
      throw new FactsError('config_missing', `${CONFIG_PATH} does not exist on the default branch`);
    throw error;
  }
  const parsed = parseConfig(String(text), CONFIG_PATH);
  if (!parsed.ok)
    throw new FactsError(
      'config_invalid',
      `${CONFIG_PATH} on the default branch is invalid:\n${parsed.errors.map(formatConfigError).join('\n')}`,
    );
  return parsed.config;
}

/** loadConfig, as one delivery reads it (configOnce). */
export type ConfigRead = (api: Api, where: Where, defaultBranch?: string) => Promise<RawConfig>;

/**
 * loadConfig once for one delivery (per repository): a command and the protection rules its approval answers
 * decide on the one config read from the default branch. A failed read is not kept: the next caller reads
 * again (a config GitHub has not, or one that is invalid, is an answer and is kept).
 */
export function configOnce(): ConfigRead {
  const read = new Map<string, Promise<RawConfig>>();
  return (api, where, defaultBranch) => {
    const key = `${where.owner}/${where.repo}`.toLowerCase();
    let config = read.get(key);
    if (!config) {
      config = loadConfig(api, where, defaultBranch);
      config.catch((error: unknown) => {
        if (!(error instanceof FactsError)) read.delete(key);
      });
      read.set(key, config);
    }
    return config;
  };
}
