// The contract between the App (which creates a GitHub deployment) and the Action (which runs it): what the
// App puts in the deployment's `payload`. Validated on both sides, so a hand-made deployment with a bad
// payload fails with a clear error instead of deploying something unexpected.
import * as z from 'zod';
import { STRATEGY_NAMES } from '../config/strategy-names.ts';
import { VERSION_RULE, VERSION_RULE_TEXT } from './version-rule.ts';

// The version rule is in version-rule.ts (the CLI needs it without this file's schema); still exported here.
export { VERSION_RULE, VERSION_RULE_TEXT };

/** The kinds of deployment: the payload carries one, the policy decides on it. */
export const DEPLOYMENT_TYPES = ['standard', 'hotfix', 'rollback'] as const;
export type DeploymentType = (typeof DEPLOYMENT_TYPES)[number];

/**
 * The one parameter name rule (`/deploy ... | key=value`, the payload, the App's pending request). Not
 * `__proto__`: a JavaScript object read from JSON drops that key (zod's record, any `obj[key] = value`), so the
 * parameter would vanish between the request and the deployment without a word.
 */
export const PARAMETER_NAME = /^(?!__proto__$)[a-z_][a-z0-9_]*$/;
const parameterName = z
  .string()
  .regex(PARAMETER_NAME, 'parameter names are lower_snake_case, and not __proto__');
// Printable text only: parameters become template values, which never reach a shell unquoted anyway. Not
// starting with "-": a command given the value as an argument would read it as an option.
const parameterValue = z
  .string()
  .max(500, 'parameter values are at most 500 characters')
  .regex(/^[^\p{Cc}]*$/u, 'parameter values may not contain control characters')
  .regex(/^(?!-)/, 'parameter values may not start with "-" (a command would read them as options)');

/** Why a deployment parameter's value is refused, or undefined: the App's parser and the payload share it. */
export function parameterValueProblem(value: string): string | undefined {
  const parsed = parameterValue.safeParse(value);
  return parsed.success ? undefined : parsed.error.issues[0]!.message;
}

export const deploymentPayloadSchema = z
  .object({
    strategy: z.enum(STRATEGY_NAMES).optional(),
    version: z.string().regex(VERSION_RULE, VERSION_RULE_TEXT).optional(),
    params: z.record(parameterName, parameterValue).optional(),
    type: z.enum(DEPLOYMENT_TYPES).optional(),
    /** The pull request the deployment was asked for in; its status comment is updated. */
    pr: z.number().int().positive().optional(),
    /** The status comment's id, when the App already wrote it (saves a search). */
    comment_id: z.number().int().positive().optional(),
    requested_by: z.string().optional(),
    approved_by: z.array(z.string()).optional(),
    hotfix_reason: z.string().max(500).optional(),
    dry_run: z.boolean().optional(),
    /** The PR comment that asked for the deployment (its link in replies and records). */
    source_comment_id: z.number().int().positive().optional(),
    /**
     * The one de-duplication key (deployments.ts createDeploymentOnce): what asked for the deployment, so a
     * redelivered webhook, a comment handled twice or a create whose answer was lost never makes a second.
     * `comment:<id>` when the App made it, `run:<run id>-<attempt>-<environment>` when the Action did.
     */
    dedupe_key: z.string().max(200).optional(),
    /**
     * Random, made by the Action's create (deployments.ts createDeploymentOnce): after a lost answer, the
     * deployment carrying it is the one that create made, not another workflow's carrying the same key.
     */
    create_nonce: z.string().max(64).optional(),
    /**
     * The staging environment the run deploys first (`staging:` of its environment), written by the App, which
     * holds that environment's lock for the deployment too: the deployment's final status releases it with its
     * own, and a refusal names the deployment as its holder (app/deploy/start.ts). The Action does not read it.
     */
    staging: z.string().max(255).optional(),
  })
  // Other tools may add their own keys; only ours are read.
  .loose();

export type DeploymentPayload = z.infer<typeof deploymentPayloadSchema>;

export class PayloadError extends Error {}

/** GitHub stores the payload as an object or, for some clients, a JSON string. */
export function parseDeploymentPayload(raw: unknown): DeploymentPayload {
  let value = raw ?? {};
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    try {
      value = JSON.parse(value);
    } catch {
      throw new PayloadError('the deployment payload is a string that is not JSON');
    }
  }
  // The schema's record drops a `__proto__` key before its key rule sees it: refused here, never lost.
  const params = (value as { params?: unknown } | null)?.params;
  if (typeof params === 'object' && params !== null && Object.hasOwn(params, '__proto__'))
    throw new PayloadError(
      'invalid deployment payload: payload.params.__proto__: parameter names are lower_snake_case, and not __proto__',
    );
  const parsed = deploymentPayloadSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `payload.${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PayloadError(`invalid deployment payload: ${issues.join('; ')}`);
  }
  return parsed.data;
}
