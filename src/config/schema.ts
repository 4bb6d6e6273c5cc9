// The shape of `.github/deploy.yml`. Every object is strict: an unknown key is an error (with a suggestion,
// see errors.ts), never silently ignored. Defaults are not written here but in presets.ts, so that the
// schema describes what a user may write and the preset decides what a missing value means.
import * as z from 'zod';
import {
  DURATION_LIMITS,
  DURATION_PATTERN,
  durationText,
  durationUpTo,
  readDuration,
  suggestDuration,
  unitHint,
} from './duration.ts';
import { describeAnyValue, durationField, misplacedKeys } from './errors.ts';
import { didYouMean } from './suggest.ts';
import { analysisConfigSchema, type AnalysisConfigInput } from '../analysis/schema.ts';
import { gatesConfigSchema } from '../gates/schema/section.ts';
import { commandLine } from './command-line-schema.ts';
import { approvalsSchema } from '../policy/schema.ts';
import { STRATEGY_NAMES } from './strategy-names.ts';
import { HTTP_URL, HTTP_URL_MESSAGE } from './http-url.ts';
import { environmentNotificationsSchema, notificationsSchema } from '../notify/schema.ts';

export { commandLine };

/** Variables a command template may use as `{{name}}`. Anything else is a config error. */
export const TEMPLATE_VARIABLES = [
  'version',
  'previous_version',
  'sha',
  'ref',
  'environment',
  'environment_url',
  'strategy',
  'slot',
  'stable_slot',
  'weight',
  'stable_weight',
  'baseline_slot',
  'baseline_weight',
  'batch',
  'batches',
  'instances',
  'instance_count',
  'surge',
  'run_id',
  'deployment_id',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** `canary.baseline`: `fresh` deploys a new copy of the stable version beside the canary (issue 15). */
export const CANARY_BASELINES = ['none', 'fresh'] as const;
export const DEFAULT_BASELINE_SLOT = 'baseline';

export { STRATEGY_NAMES, type StrategyName } from './strategy-names.ts';

/** The one environment name rule: deploy.yml, the App's commands and the markers it writes all use it. */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** GitHub refuses longer environment names, so a deployment to one could never be created. */
export const ENVIRONMENT_NAME_MAX = 255;

/** What reconcile does with a rollout whose owning run ended before it finished (issue 13). */
export const ON_ORPHAN = ['rollback', 'resume'] as const;
export type OnOrphan = (typeof ON_ORPHAN)[number];

// A blank name, directory or slot is a typo, never a value: refused like an empty one.
const nonEmpty = z
  .string()
  .min(1, 'must not be empty')
  .refine((value) => value === '' || value.trim() !== '', 'must not be only spaces')
  // The refine above, for the JSON Schema.
  .meta({ pattern: '\\S' });

/** Names a command's environment may set: what a shell can read, and no "=" to split a name. */
const envVarName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'an environment variable name is letters, digits and "_", not starting with a digit',
  );
const commandEnv = z.record(envVarName, z.string());

/** A variable is used as {{name}} and exported as DEPLOY_NAME: the template rule (targets/template.ts). */
const variableName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'a variable name is letters, digits and "_", not starting with a digit (it is used as {{name}})',
  );

const checkDuration = durationUpTo(DURATION_LIMITS.check);
const requestTimeout = durationUpTo(DURATION_LIMITS.check, { minMs: 1 });
const stepDuration = durationUpTo(DURATION_LIMITS.step);
const windowDuration = durationUpTo(DURATION_LIMITS.window);

/** `pause: manual`: the rollout waits for a person's /promote rather than for a time (issue 14). */
export const MANUAL = 'manual';

/** A step's pause: a duration (up to a step's maximum) or `manual`; yields milliseconds or "manual". */
const pauseOrManual = durationField(
  z.union([
    z.string().meta({ pattern: `^(?:${DURATION_PATTERN.source.slice(1, -1)}|${MANUAL})$` }),
    z.literal(0),
  ]),
  'a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), 0, or "manual" (wait for /promote)',
  (value) => unitHint(value, { maxMs: DURATION_LIMITS.step }),
)
  .transform((value, ctx): number | typeof MANUAL => {
    if (value === MANUAL) return MANUAL;
    const read = readDuration(value, { maxMs: DURATION_LIMITS.step });
    if (read.ok) return read.ms;
    ctx.addIssue({
      code: 'custom',
      message:
        read.reason === 'format'
          ? `expected a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), 0, or "manual" (wait for /promote), got ${describeAnyValue(value)}${writeDuration(value) ?? didYouMean(String(value), [MANUAL])}`
          : read.message,
    });
    return z.NEVER;
  })
  .meta({ description: 'A duration such as "30s", "5m" or "1h" (up to 1d), 0, or "manual".' });

/** `: write "5m"` for a duration written another common way ("5 min", "PT5M"). */
function writeDuration(value: string | 0): string | undefined {
  const meant = typeof value === 'string' ? suggestDuration(value) : undefined;
  return meant === undefined ? undefined : `: write "${meant}"`;
}

/** The canary-wide default pause: a duration only, since it is the analysis window of every step. */
const canaryDefaultPause = durationField(z.union([durationText, z.literal(0)]), undefined, (value) =>
  unitHint(value, { maxMs: DURATION_LIMITS.step }),
).transform((value, ctx) => {
  const read = readDuration(value, { maxMs: DURATION_LIMITS.step });
  if (read.ok) return read.ms;
  ctx.addIssue({
    code: 'custom',
    message:
      value === MANUAL
        ? 'the canary-wide pause is the analysis window of every step, so it must be a duration; to wait for a person, write "pause: manual" on a step (steps: [{ weight: 25, pause: manual }])'
        : read.message,
  });
  return z.NEVER;
});

/** Why a step, batch or pre-switch point cannot say both `pause: manual` and `approval: N`. */
export const BOTH_GATES =
  'use either "pause: manual" (one /promote by a deployer) or "approval: N" (N approvers, after the timed pause), not both';

/** `approval: N`: wait for N distinct approvers of the environment to /promote, bound to the SHA. */
const approvalCount = z.number().int().min(1).max(20);

const httpUrlTemplate = z.string().regex(HTTP_URL, HTTP_URL_MESSAGE);

/** Names that identify one thing each: a repeated slot or instance would be deployed over itself. */
function uniqueNames(names: readonly string[], ctx: z.core.$RefinementCtx<readonly string[]>, what: string) {
  const first = new Map<string, number>();
  names.forEach((name, index) => {
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: [index],
        message: `${what} "${name}" is listed twice (also at [${earlier}]): each ${what} needs its own name`,
      });
  });
}

/**
 * A slot's name, by the environment name's rule: {{slot}} and {{baseline_slot}} may pick a file or script
 * (kubectl apply -f k8s/{{slot}}/: targets/placeholder.ts), so a slot may not read as an option ("-rf", "-"),
 * nor climb out of a directory ("..", "a/b"). At most the record's 100 characters.
 */
export const SLOT_NAME = ENVIRONMENT_NAME;
const SLOT_NAME_MAX = 100;
const slotName = z
  .string()
  .min(1, { error: 'must not be empty', abort: true })
  .refine((value) => value.trim() !== '', { error: 'must not be only spaces', abort: true })
  .regex(SLOT_NAME, {
    error: (issue) =>
      `${describeAnyValue(issue.input)} is not a slot name: slot names use letters, digits, ".", "_" and "-", starting with a letter or digit ({{slot}} may pick a file or script)`,
  })
  .max(SLOT_NAME_MAX, `slot names are at most ${SLOT_NAME_MAX} characters`);

const slotPair = z
  .tuple([slotName, slotName])
  .superRefine((slots, ctx) => uniqueNames(slots, ctx, 'slot'))
  .meta({ description: 'The two slots, by name; they must differ.', uniqueItems: true });

/** A percentage such as "25%" (0 to 100) or a number of instances. */
const percentOrCount = z
  .union([
    z.number().int().min(0),
    // The bound is checked only of a percentage: "1000%" was told both that it was none and that it was too big.
    z
      .string()
      .regex(/^\d+%$/, {
        abort: true,
        error: (issue) => {
          const written = typeof issue.input === 'string' ? issue.input.trim() : '';
          const count = /^\d+$/.test(written)
            ? `: write ${written} without quotes for a number of instances, or "${written}%" for a percentage`
            : '';
          return `must be a whole number or a percentage such as "25%"${count}`;
        },
      })
      .refine((value) => Number.parseInt(value, 10) <= 100, 'a percentage must be from 0% to 100%')
      // Both rules above, for the JSON Schema.
      .meta({ pattern: '^0*(?:100|[1-9]?[0-9])%$' }),
  ])
  .meta({ description: 'A number of instances, or a percentage of them such as "25%".' });

/** A regular expression the response body must match, checked here rather than at deploy time. */
const bodyPattern = z.string().superRefine((pattern, ctx) => {
  try {
    new RegExp(pattern);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `is not a valid regular expression: ${(error as Error).message}`,
    });
  }
});

const commandObject = z.strictObject({
  run: commandLine,
  shell: z.boolean().optional().meta({
    description:
      'Run with bash -c (bash on PATH, not /bin/sh). Each {{template}} becomes a reference to its DEPLOY_* variable, never the value itself, so no value is parsed as code; templates in backticks, ${…}, $((…)) (except numeric variables) or quoted here-documents are refused.',
  }),
  timeout: stepDuration.optional(),
  cwd: nonEmpty.optional(),
  env: commandEnv.optional(),
});

export const commandSpec = z.union([commandLine, commandObject]);

export const httpCheck = z.strictObject({
  // Not z.url(): a template such as http://127.0.0.1:{{port}}/health is only a URL once rendered.
  url: httpUrlTemplate,
  method: z.enum(['GET', 'HEAD', 'POST']).optional(),
  expect_status: z
    .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
    .optional(),
  body: bodyPattern.optional().meta({ description: 'A regular expression the response body must match.' }),
  // Not 0: a request given no time to answer fails at once, so every check would fail.
  timeout: requestTimeout.optional(),
  retries: z.number().int().min(0).max(100).optional(),
  interval: checkDuration.optional(),
});

/** A health check: an http(s) URL string, an HTTP check object, or a command (exit 0 is healthy). */
export const healthCheck = z.union([
  z
    .string()
    // Shown only when the command branch fails too, which a string does only when empty (`health: ""`):
    // it said "must match /^https?:\/\//".
    .regex(
      /^https?:\/\//,
      'is empty: write an http(s) URL, an HTTP check { url, ... } or a command (exit 0 is healthy)',
    )
    .meta({ description: 'An http(s) URL that must answer 200.' }),
  httpCheck,
  commandLine,
  // A command check tries again as an HTTP one does: `retries` and the `interval` between them.
  commandObject.extend({
    retries: z.number().int().min(0).max(100).optional(),
    interval: checkDuration.optional(),
  }),
]);
export const healthChecks = z.union([
  healthCheck,
  z
    .array(healthCheck)
    .min(
      1,
      'an empty list of health checks checks nothing: list at least one (an http(s) URL, an HTTP check { url, ... } or a command), or leave "health" out',
    ),
]);

export const targetCommands = z.strictObject({
  deploy: commandSpec.meta({
    description: 'Deploys {{version}} to {{slot}} / {{instances}} (or everywhere).',
  }),
  switch: commandSpec.optional().meta({ description: 'Routes all traffic to {{slot}}.' }),
  set_weight: commandSpec.optional().meta({ description: 'Routes {{weight}} % of traffic to {{slot}}.' }),
  health: healthChecks.optional(),
  smoke: commandSpec
    .optional()
    .meta({ description: 'Smoke tests against {{slot}} before it takes traffic.' }),
  rollback: commandSpec
    .optional()
    .meta({ description: 'Undoes a deploy; default: deploy {{previous_version}}.' }),
  teardown: commandSpec.optional().meta({ description: 'Removes {{slot}} / {{instances}}.' }),
  current: commandSpec.optional().meta({
    description: 'Prints the live state as JSON {"slot": "...", "version": "..."} or a bare slot name.',
  }),
});

export const commandTarget = z.strictObject({
  type: z.literal('command').optional(),
  shell: z.boolean().optional(),
  timeout: stepDuration.optional(),
  cwd: nonEmpty.optional(),
  env: commandEnv.optional(),
  commands: targetCommands,
});
export const target = commandTarget;

export const directParams = z.strictObject({});

export const rollingParams = z.strictObject({
  instances: z
    .union([
      z
        .array(nonEmpty)
        .min(1)
        .superRefine((names, ctx) => uniqueNames(names, ctx, 'instance'))
        .meta({ uniqueItems: true }),
      z.number().int().min(1).max(10_000),
    ])
    .optional()
    .meta({ description: 'Instance names, or a count (instances are then named 1..N).' }),
  max_surge: percentOrCount.optional(),
  max_unavailable: percentOrCount.optional(),
  pause: pauseOrManual.optional().meta({
    description:
      'Watch each batch (but the last) for this long before the next (default: one monitor_interval with preset seeds, 0 with fast; 0: health checks only). "manual": no timed window; after each batch but the last, health checks only, then wait for one /promote by a deployer.',
  }),
  approval: approvalCount.optional().meta({
    description:
      "After each batch but the last (and its pause), wait for /promote by this many of the environment's approvers (1 to 20), bound to the commit.",
  }),
  on_failure: z.enum(['rollback', 'pause']).optional(),
});

export const blueGreenParams = z.strictObject({
  slots: slotPair.optional(),
  scale_down_delay: windowDuration.optional(),
  warmup: z
    .strictObject({
      url: httpUrlTemplate
        .optional()
        .meta({ description: 'URL of the idle slot to warm, templated ({{slot}}).' }),
      requests: z.number().int().min(0).max(100_000).optional(),
      interval: checkDuration.optional(),
    })
    .optional(),
  analysis_before_switch: stepDuration.optional().meta({
    description:
      'Analyse the idle slot for this long before the switch (with the HTTP prober, which sends its own traffic). Default 0: health checks only.',
  }),
  verify_after_switch: stepDuration
    .optional()
    .meta({ description: 'How long the live slot is watched after the switch.' }),
  pre_switch: z
    .union([
      z.literal(MANUAL),
      z.strictObject({
        approval: approvalCount.meta({
          description:
            "How many of the environment's approvers must /promote (1 to 20), bound to the commit.",
        }),
      }),
    ])
    .optional()
    .meta({
      description:
        'Wait for people after the checks, analysis and warm-up of the idle slot, before the switch: "manual" for one /promote by a deployer, { approval: N } for N approvers.',
    }),
});

export const canaryStep = z
  .union([
    z.number().min(0).max(100),
    z
      .strictObject({
        weight: z.number().min(0).max(100),
        pause: pauseOrManual.optional().meta({
          description:
            'How long the step is analysed before the next; "manual": analyse for the default pause, then wait for one /promote by a deployer.',
        }),
        approval: approvalCount.optional().meta({
          description:
            "After the step's analysis, wait for /promote by this many of the environment's approvers (1 to 20), bound to the commit.",
        }),
      })
      .superRefine((step, ctx) => {
        if (step.pause === MANUAL && step.approval !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['approval'],
            message: BOTH_GATES,
          });
          return;
        }
        const gate = step.pause === MANUAL ? 'pause' : step.approval !== undefined ? 'approval' : undefined;
        if (gate && step.weight >= 100) {
          ctx.addIssue({
            code: 'custom',
            path: [gate],
            message: `a step at weight 100 cannot wait for people: all traffic is already on the new version, so there is nothing left to promote to (put the ${gate === 'pause' ? '"pause: manual"' : '"approval"'} on an earlier step)`,
          });
        }
      }),
  ])
  .meta({
    description: 'A traffic weight in percent, as a number (25, not "25%"), or { weight, pause, approval }.',
  });

export const canaryParams = z.strictObject({
  slots: slotPair.optional(),
  steps: z.array(canaryStep).min(1).optional().meta({
    description:
      'Traffic weights in % (0 to 100, strictly increasing, at least one between 0 and 100), each a number or { weight, pause, approval }. A list that stops short of 100 ends with promotion: a last step at 100 is added, so one step ([5]) is a canary.',
  }),
  pause: canaryDefaultPause.optional().meta({
    description:
      'How long each step is analysed unless the step sets its own pause (also the analysis of a "pause: manual" step). A duration up to 1d, 0 for none.',
  }),
  max_holds: z.number().int().min(0).max(1000).optional(),
  scale_down_delay: windowDuration.optional(),
  baseline: z.enum(CANARY_BASELINES).optional().meta({
    description:
      'fresh: before the first step, deploy the stable version again to baseline_slot and give it the same share of traffic as the canary at every step (stable gets the rest), so the analysis compares two fresh processes (canary vs baseline) rather than a fresh one against a warm one; torn down at promotion and on every rollback. Needs set_weight to use {{baseline_slot}} and {{baseline_weight}}, a teardown command, and every step but the last at most 50. Default none.',
  }),
  baseline_slot: slotName.optional().meta({
    description:
      'The slot the fresh baseline runs on (default "baseline"); it must differ from the two canary slots.',
  }),
});

export const strategyParams = z.strictObject({
  direct: directParams.optional(),
  rolling: rollingParams.optional(),
  'blue-green': blueGreenParams.optional(),
  canary: canaryParams.optional(),
});

export const strategyRef = z.union([
  z.enum(STRATEGY_NAMES),
  z.discriminatedUnion('type', [
    directParams.extend({ type: z.literal('direct') }),
    rollingParams.extend({ type: z.literal('rolling') }),
    blueGreenParams.extend({ type: z.literal('blue-green') }),
    canaryParams.extend({ type: z.literal('canary') }),
  ]),
]);

/** Control from the PR (issue 14): how long the job waits for people, and how often it asks. */
export const controlConfig = z.strictObject({
  max_wait_in_job: durationUpTo(DURATION_LIMITS.job).optional().meta({
    description:
      'How long the job itself waits at a manual step, an approval or a pause before it hands the rollout off (the job ends; a /promote or the reconcile run starts a new run). Default 5m, at most 6h; 0 hands off at once.',
  }),
  poll_interval: durationUpTo(DURATION_LIMITS.poll, { minMs: DURATION_LIMITS.pollMin }).optional().meta({
    description:
      'How often a waiting job checks for /promote, /pause, /resume and /abort (conditional requests: no API cost while nothing changed). Default 10s, from 2s to 10m.',
  }),
});

/**
 * One rollback level (seed 04: feature flag, then config, then code). `verify` says whether the level was
 * enough: when it passes, the later levels are not run; when it fails, or the run fails, the next one runs.
 * The literal "health" is the environment's health checks (a program named health: `./health` or `[health]`).
 */
export const rollbackLevel = misplacedKeys(
  z.strictObject({
    name: nonEmpty,
    run: commandSpec.meta({
      description: "The level's command; its time limit is the command's own timeout ({ run, timeout }).",
    }),
    verify: z
      .union([z.literal('health'), commandSpec])
      .optional()
      .meta({
        description:
          'Whether this level was enough, checked after its run succeeds: a command (exit 0: enough; its own timeout as { run, timeout }), or "health" for the environment\'s health checks. Enough: the later levels are skipped. Not enough: the next level runs. Without verify, the next level always runs.',
      }),
  }),
  {
    timeout:
      'a level\'s time limit is its command\'s own: write run: { run: "...", timeout: 5m } (and the same on verify)',
    command: 'a level\'s command is written run: (run: "./flags off new-checkout")',
  },
);

/** `hooks.after_success.after`: a time compared with the record's, never a timer (so past Node's 24.8 days). */
export const AFTER_SUCCESS_LIMITS = { minMs: 60_000, maxMs: 30 * 24 * 3_600_000 } as const;

/**
 * The delayed hook (seed 01's phase 2 migrations, the contract step of expand/contract): run by reconcile once
 * the live release has served for `after` since its deployment succeeded, at most once per release. The
 * command is written as the other hooks' object form, `run` beside `after`.
 */
export const afterSuccessHook = misplacedKeys(
  z.strictObject(
    {
      after: durationUpTo(AFTER_SUCCESS_LIMITS.maxMs, {
        minMs: AFTER_SUCCESS_LIMITS.minMs,
        timer: false,
      }).meta({
        description:
          'How long the release must have been live (since its deployment succeeded) before reconcile runs the command: from 1m to 30d, e.g. "24h".',
      }),
      run: commandLine.meta({
        description:
          'The command (argv list or a line, with {{templates}}), run once per release by reconcile; it is never retried automatically when it fails.',
      }),
      shell: z.boolean().optional().meta({
        description:
          "Run with bash -c, as the other commands' shell option (templates become DEPLOY_* references).",
      }),
      timeout: stepDuration.optional(),
      cwd: nonEmpty.optional(),
      env: commandEnv.optional(),
    },
    {
      // A bare command (`after_success: ./cleanup.sh`) has no delay: say what the mapping holds.
      error: (issue) =>
        issue.code === 'invalid_type' && typeof issue.input !== 'object'
          ? `expected a mapping with the delay and the command, such as { after: 24h, run: "npm run migrate:cleanup" }, got ${describeAnyValue(issue.input)}`
          : undefined,
    },
  ),
  {
    delay: 'the delay is written after: (after: 24h)',
    command: 'the command is written run: (run: "npm run migrate:cleanup -- --env={{environment}}")',
  },
);

export const hooks = z.strictObject({
  backup: commandSpec.optional().meta({ description: 'Runs before anything changes in this environment.' }),
  migrate: commandSpec.optional().meta({ description: 'Runs after the backup, before the strategy.' }),
  on_rollback: z.array(rollbackLevel).optional().meta({
    description:
      'Rollback levels (feature flag, config, code, ...), run in order after traffic is back on stable. A level with a verify that passes after its run stops the escalation: the later levels are skipped. Without verify, every level runs.',
  }),
  on_success: commandSpec.optional(),
  after_success: afterSuccessHook.optional().meta({
    description:
      'Runs once the release has been live for `after` since its deployment succeeded (the contract step of expand/contract migrations): reconcile runs it once per release, never after the release was rolled back or replaced, and does not retry it when it fails.',
  }),
});

export const environment = z.strictObject({
  url: z
    .url({
      protocol: /^https?$/,
      error: (issue) => (issue.code === 'invalid_format' ? 'must be an http:// or https:// URL' : undefined),
    })
    // The protocol rule, for the JSON Schema (whose "uri" format takes any scheme).
    .meta({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?:' })
    .optional()
    .meta({ description: "The environment's address, shown on GitHub's Deployments page." }),
  production: z.boolean().optional(),
  strategy: strategyRef.optional(),
  staging: nonEmpty
    .optional()
    .meta({ description: 'An environment deployed and validated first, in the same run.' }),
  target: target.optional(),
  health: healthChecks
    .optional()
    .meta({ description: 'Checks for the verify phase and the monitor window.' }),
  smoke: commandSpec.optional(),
  ready_timeout: checkDuration.optional().meta({
    description:
      'How long a new version (a slot, a batch, a redeployed previous version) may take to become ready: its ' +
      'health checks after the deploy are tried again until they pass or this has passed (seed 01: ' +
      '`kubectl wait --for=condition=ready --timeout=300s`). 0: each check once, with its own retries. ' +
      'Default 5m (`preset: fast`: 0).',
  }),
  pre_deploy_health: z
    .enum(['block', 'warn', 'off'])
    .optional()
    .meta({
      description:
        'Once the gates passed, before anything is touched, the health checks are run once against what is live (seed 02: "verify ' +
        'current system is healthy" before a deployment): block refuses the run when it is ' +
        'unhealthy, except a hotfix or a rollback, which go on with a warning (as does a slot named live with no ' +
        'version known for it, which may hold nothing yet); warn only warns; off skips it. Not written: warn, with ' +
        'the HTTP GET/HEAD checks alone (no health command runs before the deployment unless asked for).',
    }),
  validation_window: windowDuration.optional(),
  monitor: windowDuration.optional(),
  monitor_interval: checkDuration.optional(),
  hooks: hooks.optional(),
  variables: z.record(variableName, z.string()).optional(),
  gates: gatesConfigSchema.optional(),
  analysis: analysisConfigSchema.optional(),
  approvals: approvalsSchema.optional(),
  control: controlConfig.optional().meta({
    description:
      'Waiting for people (pause: manual, approval, /pause): how long in the job, and how often it polls.',
  }),
  on_orphan: z.enum(ON_ORPHAN).optional().meta({
    description:
      'What reconcile does with a rollout whose workflow run ended before it finished: rollback (default) puts all traffic back on the stable version; resume goes on from the step the record reached (that step again), then verify, monitor and finalize, rolling back on failure. A rollout that cannot be resumed is rolled back.',
  }),
  notifications: environmentNotificationsSchema.optional().meta({
    description:
      "This environment's notifications: channels add to or replace the top level's by name (false turns one off), events and templates override (docs/notifications.md).",
  }),
});

/**
 * Reconcile (issue 13): the workflow the GitHub App starts (workflow_dispatch) when the run that owns a
 * rollout completes, so an orphan is handled within a minute rather than at the next scheduled run.
 */
export const reconcileConfig = z.strictObject({
  workflow: z
    .string()
    .regex(
      /^[A-Za-z0-9._-]+\.ya?ml$/,
      'must be a workflow file name in .github/workflows, e.g. deploy-reconcile.yml',
    )
    .optional()
    .meta({ description: 'The reconcile workflow file the App dispatches (default deploy-reconcile.yml).' }),
});

export const PRESET_NAMES = ['seeds', 'fast'] as const;

/**
 * Top-level keys starting with "x-" are the author's own (the docker-compose convention): most often one that
 * holds a YAML anchor (`x-target: &target { ... }`) for aliases below. The loader leaves them out before
 * this schema reads the file; nowhere else is such a key allowed.
 */
export const EXTENSION_KEY = /^x-/;

export const deployConfig = z.strictObject({
  version: z.literal(1).optional(),
  preset: z.enum(PRESET_NAMES).optional(),
  state_dir: nonEmpty.optional(),
  target: target.optional(),
  strategies: strategyParams.optional(),
  environments: z
    .record(
      z
        .string()
        .regex(
          ENVIRONMENT_NAME,
          'environment names use letters, digits, ".", "_" and "-", starting with a letter or digit',
        )
        .max(
          ENVIRONMENT_NAME_MAX,
          `environment names are at most ${ENVIRONMENT_NAME_MAX} characters (GitHub's limit)`,
        ),
      environment,
    )
    .refine(
      (environments) => Object.keys(environments).length > 0,
      'defines no environment: add one, for example "production: {}", so there is something to deploy to',
    )
    // The refine above, for the JSON Schema.
    .meta({ minProperties: 1 }),
  gates: gatesConfigSchema.optional(),
  analysis: analysisConfigSchema.optional(),
  approvals: approvalsSchema.optional(),
  reconcile: reconcileConfig.optional(),
  notifications: notificationsSchema.optional().meta({
    description:
      'Slack, Microsoft Teams and signed webhook notifications of every environment (docs/notifications.md).',
  }),
});

/** For editors (scripts/gen-schema.ts adds it to the JSON Schema's top level): the keys EXTENSION_KEY allows. */
export const EXTENSION_KEYS_JSON_SCHEMA = {
  patternProperties: {
    [EXTENSION_KEY.source]: {
      description:
        'Your own key, ignored by deploy-action: a place to hold a YAML anchor (x-target: &target {...}) that values below reuse as an alias (*target). Allowed only at the top level.',
    },
  },
};

/**
 * A validated config. The analysis sections stay as written (durations as "5m", not milliseconds): the
 * analysis module builds its judge from them and records them verbatim for offline replay.
 */
export type RawConfig = Omit<z.output<typeof deployConfig>, 'analysis' | 'environments'> & {
  analysis?: AnalysisConfigInput;
  environments: Record<string, RawEnvironment>;
};
export type RawEnvironment = Omit<z.output<typeof environment>, 'analysis'> & {
  analysis?: AnalysisConfigInput;
};
export type CommandSpec = z.output<typeof commandSpec>;
export type CommandLine = z.output<typeof commandLine>;
export type HealthCheck = z.output<typeof healthCheck>;
export type HttpCheck = z.output<typeof httpCheck>;
export type CommandTargetConfig = z.output<typeof commandTarget>;
export type RollingParams = z.output<typeof rollingParams>;
export type BlueGreenParams = z.output<typeof blueGreenParams>;
export type CanaryParams = z.output<typeof canaryParams>;
export type Hooks = z.output<typeof hooks>;
export type AfterSuccessHook = z.output<typeof afterSuccessHook>;
export type ControlConfig = z.output<typeof controlConfig>;
