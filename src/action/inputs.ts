// Every input the action reads, validated in one place, then merged with what the event says (a
// deployment's payload, workflow_dispatch inputs) into the one description of this run. Every problem is
// reported at once, naming the input.
import * as z from 'zod';
import { STRATEGY_NAMES } from '../config/strategy-names.ts';
import { VERSION_RULE, VERSION_RULE_TEXT, type DeploymentType } from '../github/deployment-payload.ts';
import { forkSubject, type RunContext, type Undeployable } from './context.ts';
import { parseStateKey } from '../state/state-key.ts';
import { quoted } from '../config/errors.ts';
import { didYouMean, oneSlipApart } from '../config/suggest.ts';
import { invisibleNameProblem } from '../config/invisible.ts';
import { tagTemplateProblem } from './tag.ts';
import { secretFormsOf, secretValueRedactor } from '../util/secret-values.ts';

export const MODES = ['full', 'gates', 'deploy', 'rollback', 'reconcile', 'metrics'] as const;
export type Mode = (typeof MODES)[number];
type Strategy = (typeof STRATEGY_NAMES)[number];

export interface ActionInputs {
  environment?: string;
  strategy?: Strategy;
  version?: string;
  mode?: Mode;
  dryRun?: boolean;
  config: string;
  /** Never logged; registered as a secret as soon as it is read. */
  token?: string;
  environmentUrl?: string;
  prComment: boolean;
  checkRuns: boolean;
  /** A preview environment: its GitHub deployment is transient. */
  preview: boolean;
  recordDir: string;
  tag?: string;
  stateDir?: string;
  /** The environment's state key (never logged; registered as a secret as soon as it is read). */
  stateKey?: string;
  /**
   * The state key before a rotation of the App's marker key (never logged; a secret as `stateKey` is): what
   * was signed under it still reads; nothing is signed under it.
   */
  stateKeyPrevious?: string;
  /**
   * The deploy App's id: only its `rollout / <env>` check runs carry /promote, /pause, /resume and /abort
   * (docs/control.md). Unset: learned from the deployment's maker when the App made it.
   */
  controlAppId?: number;
  /**
   * `mode: reconcile` only: adopt what the target's `current` command reports as the record of the one
   * environment named (src/reconcile/adopt.ts, docs/reconcile.md); nothing else is done.
   */
  adoptCurrent?: boolean;
  /** `mode: metrics` only: how far back the report reaches (src/metrics/window.ts parses it). */
  since?: string;
  /**
   * Run the gates of a fork's unmerged pull request on an event that has this repository's token and
   * secrets (pull_request_target, workflow_run): the fork's code runs with them. Off by default.
   */
  allowForkCode: boolean;
}

export class InputError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('; '));
    this.problems = problems;
  }
}

const nameRule = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAME_RULE_TEXT =
  'environment names use letters, digits, ".", "_" and "-", starting with a letter or digit';
/** `mode: reconcile` takes one environment or a comma-separated list. */
const nameListRule = /^[A-Za-z0-9][A-Za-z0-9._-]*(\s*,\s*[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** The environments a reconcile input names (none: every environment in the config). */
export function environmentList(value: string | undefined): string[] | undefined {
  return value?.split(',').map((name) => name.trim());
}

/** A yes/no the way the inputs take it (true/false, yes/no, on/off, 1/0, any case); undefined for anything else. */
function booleanValue(value: string): boolean | undefined {
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  return undefined;
}

/**
 * Why a URL cannot be the environment's URL, or undefined. It is shown on the Deployments tab, in the PR
 * comment, the job summary and the `environment-url` output: a user name or password in it would be shown
 * to everyone who reads those, and a line break or space (which URL parsers drop silently) is not part of
 * any address.
 */
function environmentUrlProblem(url: string): string | undefined {
  if (!z.url({ protocol: /^https?$/ }).safeParse(url).success) return 'not an http:// or https:// URL';
  if (/[\s\p{Cc}]/u.test(url)) return 'not one URL: it has a space or a line break';
  const parsed = new URL(url);
  if (parsed.username || parsed.password)
    return 'a URL with a user name or password: GitHub shows this URL to everyone who can read the repository; give it without credentials';
  return undefined;
}

/** The inputs that hold secrets: registered with the runner before any input is checked, and never shown. */
export const SECRET_INPUTS = ['github-token', 'state-key', 'state-key-previous'] as const;

/** Every other input of action.yml (test/unit/action/secret-inputs.test.ts keeps the two lists whole). */
export const PLAIN_INPUTS = [
  'environment',
  'mode',
  'strategy',
  'version',
  'dry-run',
  'config',
  'environment-url',
  'preview',
  'pr-comment',
  'check-runs',
  'record-dir',
  'tag',
  'state-dir',
  'since',
  'adopt-current',
  'allow-fork-code',
  'control-app-id',
] as const;

/**
 * What to register as secret (core.setSecret) before the inputs are read, so that no problem found in them,
 * nor a crash, shows a secret input's value: each secret input's value in every form it may be written in
 * (each line of a multi-line one, URL-encoded; src/util/secret-values.ts).
 */
export function secretInputForms(getInput: (name: string) => string): string[] {
  return secretFormsOf(SECRET_INPUTS.map((name) => getInput(name)));
}

/** Every input of action.yml. */
const ALL_INPUTS: readonly string[] = [...SECRET_INPUTS, ...PLAIN_INPUTS];

/** An input's variable as the runner names it (and @actions/core reads it): INPUT_, the name in upper case. */
const inputVariable = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/**
 * The inputs a workflow gave that action.yml does not have, from the names of the process's variables: the
 * runner only warns of them and passes them on, and nothing reads them, so `dry_run: true` (for `dry-run`)
 * deployed for real and `mode: gates` misspelt ran the whole rollout. One that is a near name of an input
 * (`dry_run`, `mdoe`) is a problem, refused before anything runs; any other (a variable a job's `env:` named
 * `INPUT_...`, an input of another version) a warning, as the runner gives. Each by its name, never its value
 * (a misspelt `github_token` holds a secret).
 */
export function unknownInputs(variables: readonly string[]): { problems: string[]; warnings: string[] } {
  const known = new Set(ALL_INPUTS.map(inputVariable));
  const problems: string[] = [];
  const warnings: string[] = [];
  // Upper case only, as the runner names them: a variable of another case is no `with:` key.
  for (const variable of variables) {
    if (!variable.startsWith('INPUT_') || variable !== variable.toUpperCase() || known.has(variable))
      continue;
    const name = variable.slice('INPUT_'.length).toLowerCase();
    // `dry_run`, `Dry Run`: the name with hyphens is one.
    const hyphens = name.replace(/[_\s]+/g, '-');
    // A slip of one input's name (another separator, one letter, two swapped: `dry_run`, `mdoe`) is refused; a
    // name further off (`stage`, two edits from `tag`) is more likely an input of something else, warned of with
    // the suggestion.
    const slip = ALL_INPUTS.includes(hyphens)
      ? hyphens
      : ALL_INPUTS.find((input) => oneSlipApart(hyphens, input));
    if (slip)
      problems.push(
        `input ${quoted(name)} is not an input of this action, and would be ignored: did you mean "${slip}"?`,
      );
    else
      warnings.push(
        `input ${quoted(name)} is not an input of this action and is ignored${didYouMean(hyphens, ALL_INPUTS)}; the inputs are ${ALL_INPUTS.join(', ')}`,
      );
  }
  return { problems, warnings };
}

/**
 * `getInput(name)` as @actions/core reads it (INPUT_<NAME>, trimmed). `variables`: the names of the process's
 * environment variables, where an input action.yml does not have is found (unknownInputs: a near name is refused).
 */
export function readInputs(
  getInput: (name: string) => string,
  variables: readonly string[] = [],
): ActionInputs {
  const problems: string[] = unknownInputs(variables).problems;
  const text = (name: string) => getInput(name).trim() || undefined;
  // A secret input's value is never quoted in a problem, wherever it was pasted: the runner masks the whole
  // value only, and a problem cuts a value to 40 characters, so a cut secret would have gone unmasked.
  const secrets = SECRET_INPUTS.map((name) => getInput(name));
  const hide = secretValueRedactor(secrets);
  const shown = (value: string) => quoted(hide(value));
  // Nor may another input carry one: its value goes to the log, the job summary, the outputs and GitHub (an
  // environment-url with the key in its query is a link on the Deployments tab), where nothing masks it.
  for (const name of PLAIN_INPUTS) {
    const value = getInput(name);
    const secret = SECRET_INPUTS.find((s, i) => secretFormsOf([secrets[i]]).some((f) => value.includes(f)));
    if (secret)
      problems.push(
        `input "${name}" holds the value of input "${secret}", a secret: it would be shown in the log, the job ` +
          `summary and on GitHub; give the secret in "${secret}" only (the value is not shown)`,
      );
  }
  const bool = (name: string, fallback: boolean) => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = booleanValue(value);
    if (parsed !== undefined) return parsed;
    problems.push(`input "${name}" is ${shown(value)}; use true or false`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(
      `input "${name}" is ${shown(value)}; allowed: ${allowed.join(', ')}${didYouMean(value, allowed)}`,
    );
    return undefined;
  };
  const matching = (name: string, rule: RegExp, what: string) => {
    const value = text(name);
    if (value !== undefined && !rule.test(value))
      problems.push(`input "${name}" is ${shown(value)}; ${what}`);
    return value;
  };
  /** An input naming environments: one holding an invisible character (copied from a job summary) says so. */
  const environmentNames = (name: string, rule: RegExp, what: string) => {
    const value = text(name);
    const invisible = value
      ?.split(',')
      .map((one) => invisibleNameProblem(one.trim(), 'environment name'))
      .find(Boolean);
    if (!invisible) return matching(name, rule, what);
    problems.push(`input "${name}": ${hide(invisible)}`);
    return value;
  };

  // A GitHub App's id: a positive integer.
  const appId = (name: string): number | undefined => {
    const value = matching(name, /^[1-9][0-9]{0,15}$/, "a GitHub App's id is a positive whole number");
    return value === undefined || !/^[1-9][0-9]{0,15}$/.test(value) ? undefined : Number(value);
  };

  const inputs: ActionInputs = {
    // With the mode input empty, the mode may be the workflow's (a dispatch input `mode: reconcile` with a
    // list here): a list is let through, and refused by planRun for a deployment.
    environment:
      text('mode') === undefined || text('mode') === 'reconcile' || text('mode') === 'metrics'
        ? environmentNames(
            'environment',
            nameListRule,
            'name one environment or a comma-separated list; names use letters, digits, ".", "_" and "-", starting with a letter or digit',
          )
        : environmentNames('environment', nameRule, NAME_RULE_TEXT),
    strategy: oneOf('strategy', STRATEGY_NAMES),
    version: matching('version', VERSION_RULE, VERSION_RULE_TEXT),
    mode: oneOf('mode', MODES),
    dryRun: text('dry-run') === undefined ? undefined : bool('dry-run', false),
    config: text('config') ?? '.github/deploy.yml',
    token: text('github-token'),
    environmentUrl: text('environment-url'),
    prComment: bool('pr-comment', true),
    checkRuns: bool('check-runs', true),
    preview: bool('preview', false),
    recordDir: text('record-dir') ?? 'deploy-records',
    tag: text('tag'),
    stateDir: text('state-dir'),
    stateKey: text('state-key'),
    stateKeyPrevious: text('state-key-previous'),
    controlAppId: appId('control-app-id'),
    adoptCurrent: bool('adopt-current', false),
    since: text('since'),
    allowForkCode: bool('allow-fork-code', false),
  };
  // Adopting is a reconcile of its own; with another mode it would be ignored without a word.
  if (inputs.adoptCurrent && inputs.mode !== undefined && inputs.mode !== 'reconcile')
    problems.push(
      `input "adopt-current" is true, but input "mode" is ${shown(inputs.mode)}: adopting is done by mode "reconcile" only`,
    );
  // Sent as a header: one with a space or a line break inside (two tokens pasted, a quoted heredoc) fails
  // every request, and the HTTP client's error quotes the header, token and all. Never shown here.
  if (inputs.token !== undefined && /[\s\p{Cc}]/u.test(inputs.token))
    problems.push(
      'input "github-token" has a space or a line break inside it: give exactly one token (its value is not shown)',
    );
  if (inputs.stateKey !== undefined)
    try {
      parseStateKey(inputs.stateKey, 'input "state-key"');
    } catch (error) {
      problems.push((error as Error).message);
    }
  if (inputs.stateKeyPrevious !== undefined)
    try {
      parseStateKey(inputs.stateKeyPrevious, 'input "state-key-previous"');
    } catch (error) {
      problems.push((error as Error).message);
    }
  // The key before a rotation is read beside the key now, never alone: without state-key the record is kept
  // in state-dir, and the previous key would be ignored without a word.
  if (inputs.stateKeyPrevious !== undefined && inputs.stateKey === undefined)
    problems.push(
      'input "state-key-previous" is set but input "state-key" is not: state-key-previous is the key before a rotation, read beside state-key (the key now); give state-key too',
    );
  // http(s) only, as the config's environment url: GitHub shows it as a link on the Deployments page.
  const urlProblem =
    inputs.environmentUrl === undefined ? undefined : environmentUrlProblem(inputs.environmentUrl);
  if (urlProblem) problems.push(`input "environment-url" is ${shown(inputs.environmentUrl!)}, ${urlProblem}`);
  // A path is one line: a second line (a YAML block scalar, two paths pasted) named no file, and was only
  // found missing later, its name broken over the error's lines.
  for (const name of ['config', 'record-dir', 'state-dir'] as const) {
    const value = text(name);
    if (value !== undefined && /[\p{Cc}\u2028\u2029]/u.test(value))
      problems.push(`input "${name}" is ${shown(value)}; a path is one line, without control characters`);
  }
  const tagProblem = inputs.tag === undefined ? undefined : tagTemplateProblem(inputs.tag);
  if (tagProblem) problems.push(`input "tag" is ${shown(inputs.tag!)}: ${tagProblem}`);
  if (problems.length) throw new InputError(problems.map(hide));
  return inputs;
}

/**
 * This run, decided from the inputs and the event. Inputs win over workflow_dispatch inputs and the event's
 * tag; one that contradicts a deployment event's deployment is an error (deploymentContradictions).
 */
export interface RunPlan {
  environment: string;
  mode: Mode;
  version: string;
  strategy?: Strategy;
  dryRun: boolean;
  type: DeploymentType;
  skipStaging: boolean;
  params?: Record<string, string>;
  deployer?: string;
  approvers?: string[];
  hotfixReason?: string;
}

export function planRun(inputs: ActionInputs, context: RunContext): RunPlan {
  const problems: string[] = [];
  const payload = context.deployment?.payload;
  const dispatch = context.dispatch ?? {};

  const environment = inputs.environment ?? context.deployment?.environment ?? dispatch.environment;
  const source =
    inputs.environment !== undefined
      ? 'input "environment"'
      : context.deployment
        ? `the environment of deployment ${context.deployment.id}`
        : 'workflow input "environment"';
  // A name typed into the "Run workflow" form from a job summary may hold its invisible wrapping character.
  const invisible = environment && invisibleNameProblem(environment, 'environment name');
  if (!environment) problems.push('input "environment" is required (for example: production)');
  else if (invisible) problems.push(`${source}: ${invisible}`);
  else if (!nameRule.test(environment))
    problems.push(
      `${source} is ${quoted(environment)}; ${inputs.environment?.includes(',') ? `a deployment goes to one environment (a list is for mode "reconcile" or "metrics"); ${NAME_RULE_TEXT}` : NAME_RULE_TEXT}`,
    );
  if (inputs.environment && context.deployment && inputs.environment !== context.deployment.environment)
    problems.push(
      `input "environment" is ${quoted(inputs.environment)} but deployment ${context.deployment.id} is for ` +
        `${quoted(context.deployment.environment)}; leave the input empty to use the deployment's`,
    );

  const type: DeploymentType =
    payload?.type ?? (inputs.mode === 'rollback' || dispatch.mode === 'rollback' ? 'rollback' : 'standard');
  const dispatchMode = dispatch.mode as Mode | undefined;
  if (dispatchMode && !(MODES as readonly string[]).includes(dispatchMode))
    problems.push(
      `workflow input "mode" is ${quoted(dispatchMode)}; allowed: ${MODES.join(', ')}${didYouMean(dispatchMode, MODES)}`,
    );
  // A job that carries out deployments (`mode: deploy`, or `full`) carries out a rollback deployment as the
  // rollback it is (no gates, no staging), as an empty input does: refusing it failed every /rollback of a
  // workflow written for deploy jobs, when it is needed most. rollbackModeNotice says so in the log.
  const rollbackByInput = type === 'rollback' && payload?.type === 'rollback' && takenAsRollback(inputs.mode);
  const mode: Mode = rollbackByInput
    ? 'rollback'
    : (inputs.mode ?? (type === 'rollback' ? 'rollback' : (dispatchMode ?? 'full')));

  const dispatchStrategy = dispatch.strategy || undefined;
  if (dispatchStrategy && !(STRATEGY_NAMES as readonly string[]).includes(dispatchStrategy))
    problems.push(
      `workflow input "strategy" is ${quoted(dispatchStrategy)}; allowed: ${STRATEGY_NAMES.join(', ')}${didYouMean(dispatchStrategy, STRATEGY_NAMES)}`,
    );
  const strategy = inputs.strategy ?? payload?.strategy ?? (dispatchStrategy as Strategy | undefined);

  const dispatchVersion = dispatch.version || undefined;
  if (dispatchVersion && !VERSION_RULE.test(dispatchVersion))
    problems.push(`workflow input "version" is ${quoted(dispatchVersion)}; ${VERSION_RULE_TEXT}`);
  if (mode === 'rollback' && !inputs.version && !payload?.version && !dispatchVersion && !context.deployment)
    problems.push(
      'mode "rollback" needs the version to go back to: set input "version", or start it from a rollback deployment (/rollback)',
    );
  // A release, a tag's create, a push to a tag or a dispatch on one: the tag is the version, as its name says.
  const tagVersion = (inputs.version ?? payload?.version ?? dispatchVersion) ? undefined : context.tag?.name;
  if (tagVersion !== undefined && !VERSION_RULE.test(tagVersion))
    problems.push(
      `the ${context.tag!.event} event's tag ${quoted(tagVersion)} is the version by default, and it is not one: ` +
        `${VERSION_RULE_TEXT}; set input "version" (the tag without its prefix, or \${{ github.sha }} for the commit)`,
    );
  const version =
    inputs.version ??
    payload?.version ??
    dispatchVersion ??
    tagVersion ??
    context.statusOf?.version ??
    context.sha.slice(0, 12);

  // Read as the input is: a dry run asked as "True" or "yes" must not deploy for real, and a value that is
  // neither yes nor no is refused rather than taken as no.
  const dispatchDryRunName = dispatch['dry-run'] !== undefined ? 'dry-run' : 'dry_run';
  const dispatchDryRunText = dispatch[dispatchDryRunName]?.trim() || undefined;
  const dispatchDryRun = dispatchDryRunText === undefined ? undefined : booleanValue(dispatchDryRunText);
  if (dispatchDryRunText !== undefined && dispatchDryRun === undefined)
    problems.push(
      `workflow input "${dispatchDryRunName}" is ${quoted(dispatchDryRunText)}; use true or false`,
    );
  const dryRun = inputs.dryRun ?? payload?.dry_run ?? dispatchDryRun ?? false;

  if (inputs.adoptCurrent)
    problems.push(
      `input "adopt-current" is true, but this run is mode ${quoted(mode)}: adopting is done by mode "reconcile" only`,
    );
  // A fork's pull request is never deployed (as the App refuses /deploy on one): its code is not this
  // repository's, whoever opened it can start the workflow, and on pull_request its token is read-only.
  // A rollback deploys an earlier version, not the fork's code: not affected, as in the App's policy.
  const fork = context.fork;
  const forkSource = fork
    ? `${forkSubject(context)} comes from ${fork.repository === 'a deleted fork' ? 'a deleted fork' : `the fork ${quoted(fork.repository)}`}`
    : '';
  if (fork && !fork.merged && (mode === 'full' || mode === 'deploy') && !dryRun)
    problems.push(
      `${forkSource}: a fork's code is never deployed (mode ${quoted(mode)}); run mode "gates" or a dry run on it, ` +
        'or deploy once it is merged',
    );
  // Its gates run the fork's code (the workspace must hold the commit they pass or block, checkout.ts): on
  // pull_request that run has a read-only token and no secrets; on pull_request_target and workflow_run it
  // has this repository's, which the fork's code could send anywhere. Only when asked for by name.
  if (fork && !fork.merged && !fork.readOnlyToken && mode === 'gates' && !dryRun && !inputs.allowForkCode)
    problems.push(
      `${forkSource}, and this ${context.eventName} run has this repository's token and secrets: its gates ` +
        "would run the fork's code with them. Run the gates on pull_request (read-only token, no secrets), " +
        'or set input "allow-fork-code" to true to run them here anyway',
    );
  // The event itself says its commit is not one to deploy: refused with what to add to the workflow, so a
  // job without the filter fails once, visibly, instead of deploying a failed build or a deleted tag.
  const deploys = (mode === 'full' || mode === 'deploy') && !dryRun;
  if (deploys && context.undeployable)
    problems.push(undeployableProblem(context.undeployable, mode, context));
  // A deployment_status run deploying to the environment whose status it reports would deploy that commit
  // there again, and with a token other than GITHUB_TOKEN its own statuses start this workflow again.
  if (deploys && context.statusOf && context.statusOf.environment === environment)
    problems.push(
      `this deployment_status event reports on deployment ${context.statusOf.id} to ${quoted(environment)}, and ` +
        `this run would deploy to ${quoted(environment)} again (mode ${quoted(mode)}): run that deployment's job ` +
        'on the deployment event, or name another environment here (a promotion: staging succeeded, deploy production)',
    );
  // GitHub's deployment task names the job a deployment asks for ("deploy", "deploy:migrations"); the App's are
  // "deploy". Another tool's task on the same repository is not ours to run as a whole deployment.
  const task = context.deployment?.task;
  if (deploys && task !== undefined && task !== 'deploy')
    problems.push(
      `deployment ${context.deployment!.id} asks for the task ${quoted(task)}, and this action runs only the task ` +
        '"deploy" (a whole deployment): run that task\'s own job on it, or add ' +
        "`if: github.event.deployment.task == 'deploy'` to this job",
    );
  // The deployment says what to deploy and how (the App's /deploy, approved as asked): an input that says
  // otherwise was taken over it without a word, so a run deployed v2 on a deployment of v1, or for real on
  // one asked as a dry run. Refused, as a contradicting environment is; only what truly differs.
  if (context.deployment && payload)
    problems.push(...deploymentContradictions(inputs, context.deployment, mode));
  if (type === 'hotfix' && !payload?.hotfix_reason)
    problems.push(
      'a hotfix deployment needs a reason (payload.hotfix_reason); the App sets it from --reason',
    );
  if (problems.length) throw new InputError(problems);
  return {
    environment: environment!,
    mode,
    version,
    strategy,
    dryRun,
    type,
    // A hotfix is expedited (seed 05): it skips staging; a rollback goes straight back too.
    skipStaging: type === 'hotfix' || mode === 'rollback',
    params: payload?.params,
    deployer: payload?.requested_by ?? context.deployment?.creator ?? context.actor,
    approvers: payload?.approved_by,
    hotfixReason: payload?.hotfix_reason,
  };
}

/**
 * The inputs this run's mode does not read, each as a warning naming the input and the mode: given, they were
 * dropped without a word (a version on a gates run, a window on a deployment). Warnings, not errors: one step
 * may serve several modes (the mode an expression of the event), its other inputs written for the others.
 */
export function ignoredInputWarnings(inputs: ActionInputs, mode: Mode): string[] {
  const warnings: string[] = [];
  const deploysNothing = mode === 'gates' || mode === 'metrics' || mode === 'reconcile';
  // A tag and an environment URL are a deployment's: gates, metrics and reconcile make none.
  for (const [name, value] of [
    ['version', inputs.version],
    ['strategy', inputs.strategy],
    ['environment-url', inputs.environmentUrl],
    ['tag', inputs.tag],
  ] as const)
    if (deploysNothing && value !== undefined)
      warnings.push(
        `input "${name}" is ${quoted(value)}, but mode ${quoted(mode)} deploys nothing: the input is not used`,
      );
  // The PR comment is a deployment's status comment. Only `false` says the input was written: action.yml
  // gives `true` to every run that does not set it.
  if (deploysNothing && !inputs.prComment)
    warnings.push(
      `input "pr-comment" is "false", but mode ${quoted(mode)} writes no PR comment (only a deployment does): ` +
        'the input is not used',
    );
  if (inputs.since !== undefined && mode !== 'metrics')
    warnings.push(
      `input "since" is ${quoted(inputs.since)}, but only mode "metrics" reads it (this run is mode ${quoted(mode)}): ` +
        'the input is not used',
    );
  return warnings;
}

/** A mode input a rollback deployment is carried out with as a rollback: those of a job that deploys. */
function takenAsRollback(mode: Mode | undefined): boolean {
  return mode === 'deploy' || mode === 'full';
}

/**
 * What the run says when its mode input was taken as the rollback deployment's rollback (planRun), or
 * undefined. A notice, not a warning: the deployment was carried out as asked.
 */
export function rollbackModeNotice(inputs: ActionInputs, context: RunContext): string | undefined {
  const deployment = context.deployment;
  if (deployment?.payload.type !== 'rollback' || !takenAsRollback(inputs.mode)) return undefined;
  return (
    `deployment ${deployment.id} is a rollback (payload.type "rollback"): carried out as mode "rollback" ` +
    `(no gates, no staging), although input "mode" is ${quoted(inputs.mode!)}`
  );
}

/**
 * Two versions that name the same release: the same text, the deployment's commit in two lengths (the full
 * SHA of \`github.sha\` and the 12 characters a version defaults to), or a tag's "v" before a number
 * ("v1.2.3" and "1.2.3"). The input's form is used, as before such inputs were checked: the workflow's
 * commands were written for it.
 */
export function sameRelease(input: string, theirs: string, sha: string): boolean {
  if (input === theirs) return true;
  const ofCommit = (v: string) =>
    /^[0-9a-f]{7,40}$/i.test(v) && sha.toLowerCase().startsWith(v.toLowerCase());
  if (ofCommit(input) && ofCommit(theirs)) return true;
  const unprefixed = (v: string) => (/^v[0-9]/i.test(v) ? v.slice(1) : v);
  return unprefixed(input) === unprefixed(theirs);
}

/**
 * Each input that contradicts the deployment the event is about, naming the input, the payload's field and
 * what to do. `mode`: the run's (a deploy job's mode input is already taken as a rollback deployment's).
 */
function deploymentContradictions(
  inputs: ActionInputs,
  deployment: NonNullable<RunContext['deployment']>,
  mode: Mode,
): string[] {
  const { payload, id } = deployment;
  const problems: string[] = [];
  const fix =
    "leave the input empty on deployment events to use the deployment's (an expression can give it on other " +
    'events only)';
  if (
    inputs.version !== undefined &&
    payload.version !== undefined &&
    !sameRelease(inputs.version, payload.version, deployment.sha)
  )
    problems.push(
      `input "version" is ${quoted(inputs.version)} but deployment ${id} is of version ${quoted(payload.version)} ` +
        `(payload.version): ${fix}`,
    );
  if (inputs.strategy !== undefined && payload.strategy !== undefined && inputs.strategy !== payload.strategy)
    problems.push(
      `input "strategy" is ${quoted(inputs.strategy)} but deployment ${id} asks for ${quoted(payload.strategy)} ` +
        `(payload.strategy): ${fix}`,
    );
  if (inputs.dryRun !== undefined && payload.dry_run !== undefined && inputs.dryRun !== payload.dry_run)
    problems.push(
      payload.dry_run
        ? `input "dry-run" is false but deployment ${id} was asked as a dry run (payload.dry_run true): it is not ` +
            'carried out for real; leave the input empty, and ask for a deployment that is not a dry run to deploy'
        : `input "dry-run" is true but deployment ${id} is not a dry run (payload.dry_run false): ${fix}`,
    );
  if (payload.type === 'rollback' && inputs.mode !== undefined && mode !== 'rollback')
    problems.push(
      `input "mode" is ${quoted(inputs.mode)} but deployment ${id} is a rollback (payload.type "rollback"), which ` +
        `mode ${quoted(inputs.mode)} does not carry out: leave the input empty on deployment events (the ` +
        'deployment decides), or set it to "rollback"',
    );
  // The other way round: a standard or hotfix deployment carried out as a rollback skipped the gates and the
  // staging the App approved it with.
  if (inputs.mode === 'rollback' && payload.type !== undefined && payload.type !== 'rollback')
    problems.push(
      `input "mode" is "rollback" but deployment ${id} is a ${payload.type} deployment (payload.type ` +
        `${quoted(payload.type)}), which a rollback would carry out without its gates and staging: leave the input ` +
        "empty on deployment events, or run this job on rollback deployments only (`if: github.event.deployment.payload.type == 'rollback'`)",
    );
  return problems;
}

/** Why the event's commit is not deployed, and what to put in the workflow so such events start no deployment. */
function undeployableProblem(
  u: Undeployable,
  mode: Mode,
  { eventName, sha }: Pick<RunContext, 'eventName' | 'sha'>,
): string {
  const refused = `nothing is deployed (mode ${quoted(mode)})`;
  switch (u.reason) {
    case 'ref_deleted':
      return (
        `this push event deleted ${quoted(u.ref)}: there is no commit to deploy, ${refused}; ` +
        'add `if: ${{ !github.event.deleted }}` to the job'
      );
    case 'pull_request_closed':
      return (
        `pull request #${u.pullNumber} was closed without being merged: its head is not deployed, ${refused}; ` +
        'run the job on merged pull requests only (`if: github.event.pull_request.merged`), or on push'
      );
    case 'event_commit_elsewhere':
      return (
        `this ${eventName} event is about commit ${u.commit} (${u.field}), but the run is about GITHUB_SHA ` +
        `${sha}, the default branch's latest commit, which it says nothing of: ${refused}; deploy on push or ` +
        `workflow_run (whose commit is taken), or run the job only for that commit: \`if: ${u.field} == github.sha\``
      );
    case 'release_not_published':
      return (
        `release ${quoted(u.tag)} is ${u.draft ? 'a draft' : u.action === 'deleted' ? 'deleted' : 'unpublished'} ` +
        `(release event ${quoted(u.action)}): ${refused}; run the job on published releases only ` +
        '(on: release: types: [published])'
      );
    case 'run_not_succeeded':
      return (
        `this workflow_run event is about run ${u.runId ?? '(no id)'} of ${u.workflow ? quoted(u.workflow) : 'another workflow'}, ` +
        `which ${u.conclusion ? `concluded ${quoted(u.conclusion)}` : 'has not finished'}, not "success": ${refused}; ` +
        'run the job only when it succeeded: ' +
        "`if: github.event.workflow_run.conclusion == 'success'` (and on: workflow_run: types: [completed])"
      );
    case 'deployment_not_succeeded':
      return (
        `this deployment_status event says deployment ${u.deploymentId} to ${quoted(u.environment)} is ` +
        `${quoted(u.state)}, not "success": ${refused}; run the job only when it succeeded: ` +
        "`if: github.event.deployment_status.state == 'success'`"
      );
  }
}

/**
 * A dry run asked of reconcile, which has none: it rolls back, tears down and runs hooks for real, so "show me
 * what it would do" is refused rather than done. From the input or the workflow_dispatch input, as a
 * deployment reads them.
 */
export function reconcileDryRunProblem(inputs: ActionInputs, context: RunContext): string | undefined {
  const dispatch = context.dispatch ?? {};
  const name =
    inputs.dryRun !== undefined ? 'dry-run' : dispatch['dry-run'] !== undefined ? 'dry-run' : 'dry_run';
  const asked =
    inputs.dryRun ?? (dispatch[name] === undefined ? undefined : booleanValue(dispatch[name].trim()));
  if (!asked) return undefined;
  return (
    `${inputs.dryRun !== undefined ? 'input' : 'workflow input'} "${name}" is true, but mode "reconcile" has no dry ` +
    'run: it would roll back, tear down and run hooks for real; leave it unset for a reconcile (what each ' +
    "environment's reconcile does is in docs/reconcile.md)"
  );
}

/** Reconcile, asked by the `mode` input, or by the workflow_dispatch input `mode` when the input is empty. */
export function reconcileRequested(inputs: ActionInputs, context: RunContext): boolean {
  return (inputs.mode ?? context.dispatch?.mode) === 'reconcile';
}

/**
 * The keys a record or a control request read may verify under: `state-key`, then `state-key-previous` during
 * a rotation of the App's marker key (docs/state.md). Writes are signed under the first alone.
 */
export function stateKeysOf(inputs: Pick<ActionInputs, 'stateKey' | 'stateKeyPrevious'>): Buffer[] {
  if (inputs.stateKey === undefined) return [];
  return [
    parseStateKey(inputs.stateKey, 'input "state-key"'),
    ...(inputs.stateKeyPrevious !== undefined
      ? [parseStateKey(inputs.stateKeyPrevious, 'input "state-key-previous"')]
      : []),
  ];
}
