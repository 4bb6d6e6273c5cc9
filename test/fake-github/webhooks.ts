// Webhook payloads for tests, built from GitHub's real examples (@octokit/webhooks-examples), adapted, and
// checked against the community schemas (@octokit/webhooks-schemas) so an adapted payload stays real.
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { keptPieces } from './kept-pieces.ts';
import type { Pieces } from './kept-pieces.ts';
import { keptCodeOptions, keptValidator } from './kept-validators.ts';
import { formatErrors } from './openapi.ts';
import { repoNodeId } from './state.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

interface WebhookDefinition {
  name: string;
  actions: string[];
  examples: Json[];
}

let examples: Pieces<null> | undefined;
let schemas: { definitions: Record<string, Json> } | undefined;
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/**
 * The examples of `event` (undefined: none). The 4 MB file is kept as one piece per event (kept-pieces.ts):
 * a test process parses the two or three events it sends, not all of them.
 */
function eventExamples(event: string): WebhookDefinition | undefined {
  examples ??= keptPieces(
    'webhooks-examples',
    require.resolve('@octokit/webhooks-examples/api.github.com/index.json'),
    () => {
      const pieces = new Map<string, unknown>();
      const all = require('@octokit/webhooks-examples/api.github.com/index.json') as WebhookDefinition[];
      // The first definition of a name is the one a search of the list finds.
      for (const def of all) if (!pieces.has(def.name)) pieces.set(def.name, def);
      return { meta: null, pieces };
    },
  );
  return examples.piece(event) as WebhookDefinition | undefined;
}

// strict: false: the schemas carry TypeScript-generator keywords such as tsAdditionalProperties.
// verbose: errors carry their parentSchema, used to fill missing fields. inlineRefs: false keeps the generated code small: the first compile drops from ~3 s to ~0.6 s.
const OPTIONS = { strict: false, allErrors: true, logger: false, inlineRefs: false, verbose: true } as const;

function webhooksAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ ...OPTIONS, code: keptCodeOptions('FULL_FORMATS') });
    addFormats(ajv);
    ajv.addSchema(webhookSchemas(), 'webhooks');
  }
  return ajv;
}

/** The schemas as @octokit/webhooks-schemas has them (the object given to Ajv). */
function webhookSchemas(): { definitions: Record<string, Json> } {
  schemas ??= require('@octokit/webhooks-schemas') as { definitions: Record<string, Json> };
  return schemas;
}

/**
 * The schemas' definitions, read from the object itself: Ajv's getSchema('webhooks') gave the same object
 * but compiled the whole schema first (1.2 s of CPU in each test process that built a webhook), and with
 * the event validators kept on disk no Ajv instance is needed at all.
 */
function definitions(): Record<string, Json> {
  return webhookSchemas().definitions;
}

function compiled(key: string, definition: string): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    // Kept on disk for the next test process: compiling issue_comment's alone took ~2 s of CPU.
    v = keptValidator(
      webhooksAjv,
      ['webhooks', OPTIONS, require('@octokit/webhooks-schemas/package.json').version],
      { $ref: `webhooks#/definitions/${definition}` },
    );
    validators.set(key, v);
  }
  return v;
}

function validatorFor(event: string): ValidateFunction {
  // Events with actions are unions named `<event>_event`; events without actions (push) are `<event>$event`.
  const name = [`${event}_event`, `${event}$event`].find((n) => definitions()[n]);
  if (!name) throw new Error(`@octokit/webhooks-schemas has no event '${event}'`);
  return compiled(event, name);
}

/** A minimal value for a draft-07 schema: null where allowed, else the first enum value or an empty value. */
function sampleWebhookValue(schema: Json, depth = 0): unknown {
  if (typeof schema.$ref === 'string')
    return sampleWebhookValue(definitions()[schema.$ref.split('/').pop()!]!, depth);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('null')) return null;
  const alternatives = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  if (alternatives) {
    const nullable = alternatives.find((a) => a.type === 'null');
    return nullable ? null : sampleWebhookValue(alternatives[0]!, depth);
  }
  if (Array.isArray(schema.allOf))
    return Object.assign({}, ...schema.allOf.map((s) => sampleWebhookValue(s as Json, depth)));
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (types[0]) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const out: Json = {};
      for (const key of (schema.required as string[] | undefined) ?? []) {
        out[key] = props[key] && depth < 8 ? sampleWebhookValue(props[key], depth + 1) : null;
      }
      return out;
    }
    case 'array':
      return [];
    case 'string':
      return schema.format === 'date-time'
        ? '2024-01-01T00:00:00Z'
        : schema.format === 'uri'
          ? 'https://api.github.com/sample'
          : '';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/**
 * The examples predate fields the schemas now require (repository.custom_properties, comment.reactions...).
 * Fill each missing required field with a minimal valid value, guided by the action's own schema.
 */
function completeFromSchema(event: string, action: string, payload: Json): Json {
  // `push$event` for events without actions.
  const definition = `${event}$${action || 'event'}`;
  if (!definitions()[definition]) return payload;
  const v = compiled(definition, definition);
  for (let round = 0; round < 10 && !v(payload); round++) {
    const missing = (v.errors ?? []).filter((e) => e.keyword === 'required');
    if (!missing.length) break;
    for (const e of missing) {
      const schema = e.parentSchema as Json | undefined;
      const property = (schema?.properties as Record<string, Json> | undefined)?.[
        (e.params as { missingProperty: string }).missingProperty
      ];
      const target = e.instancePath
        .split('/')
        .filter(Boolean)
        .reduce<unknown>((o, k) => (o as Json | undefined)?.[k], payload) as Json | undefined;
      if (!target || !property) continue;
      target[(e.params as { missingProperty: string }).missingProperty] = sampleWebhookValue(property);
    }
  }
  return payload;
}

/** Checks a payload against the schema of its event; returns the problems (empty when valid). */
export function validateWebhook(event: string, payload: unknown): string[] {
  const v = validatorFor(event);
  return v(payload) ? [] : [formatErrors(v.errors, `${event} payload`)];
}

const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge where objects merge, arrays and scalars replace, and `undefined` deletes a key. */
export function mergePayload(base: Json, overrides: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[key];
    else out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergePayload(out[key], value) : value;
  }
  return out;
}

export interface WebhookTarget {
  /** Repository the event happens in; rewrites repository.name/full_name/owner.login. */
  owner?: string;
  repo?: string;
  /** Adds `installation: { id, node_id }` so Probot can authenticate (default 4242, the fake's default). */
  installationId?: number;
  /** The fake's URL: API URLs in the payload (deployment_callback_url...) point at it. */
  baseUrl?: string;
}

function example(event: string, action: string): Json {
  if (event === 'deployment_protection_rule') return protectionRuleExample(action);
  return structuredClone(storedExample(event, action));
}

/** The example for `event.action` as @octokit/webhooks-examples has it: read only, never changed. */
function storedExample(event: string, action: string): Json {
  const def = eventExamples(event);
  if (!def) throw new Error(`@octokit/webhooks-examples has no event '${event}'`);
  // Events without actions (push, workflow_dispatch) are asked for with action ''.
  const found = def.examples.find((e) => (e.action ?? '') === action);
  if (!found) {
    const known = [...new Set(def.examples.map((e) => e.action))].join(', ');
    throw new Error(`no example for ${event}.${action} (examples exist for: ${known})`);
  }
  return found;
}

/** The examples have no deployment_protection_rule payload; build one from a real deployment event. */
function protectionRuleExample(action: string): Json {
  if (action !== 'requested') throw new Error(`deployment_protection_rule has only the 'requested' action`);
  const deployment = example('deployment', 'created');
  return {
    action: 'requested',
    environment: deployment.deployment && (deployment.deployment as Json).environment,
    event: 'push',
    deployment_callback_url: `${(deployment.repository as Json).url as string}/actions/runs/1/deployment_protection_rule`,
    deployment: deployment.deployment,
    pull_requests: [],
    repository: deployment.repository,
    sender: deployment.sender,
  };
}

function retarget(payload: Json, target: WebhookTarget): Json {
  let out = payload;
  if (target.installationId !== undefined || !out.installation) {
    const id = target.installationId ?? 4242;
    out = {
      ...out,
      installation: { id, node_id: Buffer.from(`fake-installation:${id}`).toString('base64url') },
    };
  }
  if (target.owner && target.repo && isPlainObject(out.repository)) {
    const base = target.baseUrl ?? 'https://api.github.com';
    const repository = out.repository;
    out.repository = mergePayload(repository, {
      name: target.repo,
      full_name: `${target.owner}/${target.repo}`,
      node_id: repoNodeId(target.owner, target.repo),
      url: `${base}/repos/${target.owner}/${target.repo}`,
      owner: { login: target.owner },
    });
    if (typeof out.deployment_callback_url === 'string') {
      out.deployment_callback_url = out.deployment_callback_url.replace(
        /^.*\/actions\/runs\//,
        `${base}/repos/${target.owner}/${target.repo}/actions/runs/`,
      );
    }
  }
  return out;
}

const completed = new Map<string, Json>();

/**
 * The example for `event.action`, retargeted and completed from the schema: the same for the same event,
 * action and target, so made once per process (completing ran the event's validator up to ten times, for
 * every comment a test sends) and handed out as a copy.
 */
function completedExample(event: string, action: string, target: WebhookTarget): Json {
  const { owner, repo, installationId, baseUrl } = target;
  const key = JSON.stringify([event, action, owner, repo, installationId, baseUrl]);
  let base = completed.get(key);
  if (!base) {
    base = completeFromSchema(event, action, retarget(example(event, action), target));
    completed.set(key, base);
  }
  return structuredClone(base);
}

/**
 * A real example payload for `event.action`, retargeted and with `overrides` deep-merged over it, then
 * validated: throws listing the problems when the adapted payload no longer matches GitHub's schema.
 */
export function webhookPayload(
  event: string,
  action: string,
  overrides: Json = {},
  target: WebhookTarget = {},
): Json {
  const payload = mergePayload(completedExample(event, action, target), overrides);
  const problems = validateWebhook(event, payload);
  if (problems.length)
    throw new Error(`webhookPayload(${event}.${action}) is not a valid payload: ${problems.join('; ')}`);
  return payload;
}

/** issue_comment.created on a pull request (an issue with `pull_request` links), e.g. a `/deploy` command. */
export function pullRequestCommentPayload(opts: {
  owner: string;
  repo: string;
  number: number;
  body: string;
  user: string;
  commentId?: number;
  baseUrl?: string;
  installationId?: number;
  action?: 'created' | 'edited' | 'deleted';
  /** The repository's default branch as the payload names it (the fake's repositories default to main). */
  defaultBranch?: string;
}): Json {
  const base = opts.baseUrl ?? 'https://api.github.com';
  const repoApi = `${base}/repos/${opts.owner}/${opts.repo}`;
  const html = `${base}/_html/${opts.owner}/${opts.repo}/pull/${opts.number}`;
  // Only read (mergePayload makes a new user): not copied whole for every comment a test sends.
  const sample = storedExample('issue_comment', opts.action ?? 'created');
  const user = mergePayload((sample.comment as Json).user as Json, {
    login: opts.user,
    id: 1000 + opts.user.length,
    type: 'User',
  });
  return webhookPayload(
    'issue_comment',
    opts.action ?? 'created',
    {
      issue: {
        number: opts.number,
        url: `${repoApi}/issues/${opts.number}`,
        html_url: html,
        pull_request: {
          url: `${repoApi}/pulls/${opts.number}`,
          html_url: html,
          diff_url: `${html}.diff`,
          patch_url: `${html}.patch`,
        },
      },
      comment: {
        id: opts.commentId ?? (sample.comment as Json).id,
        body: opts.body,
        user,
        issue_url: `${repoApi}/issues/${opts.number}`,
      },
      sender: user,
      repository: { default_branch: opts.defaultBranch ?? 'main' },
    },
    { owner: opts.owner, repo: opts.repo, baseUrl: opts.baseUrl, installationId: opts.installationId },
  );
}

/**
 * workflow_run (`completed` by default) for a run as the Actions API shows it (the fake's GET
 * /actions/runs/{id}): GitHub's real example with the run's identity, commit, state and URLs laid over it.
 */
export function workflowRunPayload(
  run: Json,
  opts: WebhookTarget & {
    owner: string;
    repo: string;
    action?: 'completed' | 'in_progress' | 'requested';
    defaultBranch?: string;
  },
): Json {
  const action = opts.action ?? 'completed';
  const pick = (keys: string[]): Json => Object.fromEntries(keys.map((k) => [k, run[k]]));
  return webhookPayload(
    'workflow_run',
    action,
    {
      workflow_run: {
        ...pick([
          'id',
          'name',
          'node_id',
          'head_branch',
          'head_sha',
          'path',
          'display_title',
          'run_number',
          'run_attempt',
          'event',
          'status',
          'conclusion',
          'workflow_id',
          'url',
          'html_url',
          'created_at',
          'updated_at',
          'run_started_at',
          'jobs_url',
          'logs_url',
          'check_suite_url',
          'artifacts_url',
          'cancel_url',
          'rerun_url',
          'previous_attempt_url',
          'workflow_url',
        ]),
        // Who started the run and this attempt (the App's bot for its deployment event's run): the webhook's
        // user has a string gravatar_id where the REST answer may have null.
        actor: { ...(run.actor as Json), gravatar_id: '' },
        triggering_actor: { ...(run.triggering_actor as Json), gravatar_id: '' },
      },
      workflow: { path: run.path, name: run.name, id: run.workflow_id },
      repository: { default_branch: opts.defaultBranch ?? 'main' },
    },
    opts,
  );
}
