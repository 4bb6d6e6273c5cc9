// Every input the action reads, validated in one place.
import * as core from '@actions/core';

export interface ActionInputs {
  environment: string;
  version: string;
  config: string;
  sha?: string;
  /** Used to read the pull request's reviews for the review gate; never logged. */
  token?: string;
}

export class InputError extends Error {}

export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const environment = core.getInput('environment').trim();
  if (!environment) throw new InputError('input "environment" is required (for example: production)');
  const sha = env.GITHUB_SHA;
  const version = core.getInput('version').trim() || sha?.slice(0, 12);
  if (!version) throw new InputError('input "version" is required when GITHUB_SHA is not set');
  const token = core.getInput('github-token').trim() || undefined;
  if (token) core.setSecret(token);
  return { environment, version, config: core.getInput('config').trim() || '.github/deploy.yml', sha, token };
}
