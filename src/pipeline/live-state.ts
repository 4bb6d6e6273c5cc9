// What is live before the deployment: the target's `current` command when configured (the infrastructure
// is the source of truth, cross-checked against the record), else the environment's record.
import type { ResolvedEnvironment } from '../config/resolve.ts';
import type { EnvironmentRecord } from '../state/record.ts';
import type { LiveState } from '../strategies/capabilities.ts';
import { slotsFor } from '../strategies/blue-green.ts';
import { stableVersionUse } from '../config/analysis-templates.ts';
import { formatPath } from '../config/errors.ts';
import { runCommand, type CommandResult, type OutputLine } from '../targets/run-command.ts';

/** The longest slot name the record keeps (recordSchema): a slot is a name to act on, never cut. */
const MAX_SLOT = 100;

export function parseCurrentOutput(stdout: string): LiveState {
  const live = parseAnswer(stdout);
  if (live.slot !== undefined && live.slot.length > MAX_SLOT)
    throw new Error(
      `the current command printed a slot name of ${live.slot.length} characters (${JSON.stringify(live.slot.slice(0, 40))}…); a slot name has at most ${MAX_SLOT}`,
    );
  return live;
}

/** What a finished current command answered (parseCurrentOutput on what it printed). */
export function currentAnswer(result: CommandResult): LiveState {
  // Past what a result keeps, only the answer's usual place is read: the last line.
  return parseCurrentOutput(result.stdoutCut ? result.lastStdoutLine : result.stdout);
}

function parseAnswer(stdout: string): LiveState {
  const text = stdout.trim();
  if (text === '') return {};
  // Scripts often log before answering: the answer is the whole output, or else its last line.
  const answer = isJson(text)
    ? text
    : text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .at(-1)!;
  if (answer.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer);
    } catch {
      throw new Error(`the current command printed invalid JSON: ${answer.slice(0, 200)}`);
    }
    const { slot, version } = parsed as { slot?: unknown; version?: unknown };
    return {
      slot: typeof slot === 'string' && slot ? slot : undefined,
      version: typeof version === 'string' && version ? version : undefined,
    };
  }
  const word = answer.split(/\s+/)[0]!;
  return { slot: word };
}

/**
 * Runs `env`'s `current` command and reads its answer (currentAnswer): what the pipeline, reconcile's
 * cross-check and --adopt-current all ask. Throws when the command fails or its answer is unusable.
 */
export async function askCurrent(
  env: ResolvedEnvironment,
  command: NonNullable<ResolvedEnvironment['target']['current']>,
  options: { signal?: AbortSignal | undefined; onOutput?: (line: OutputLine) => void },
): Promise<LiveState> {
  const result = await runCommand(
    command,
    // The built-ins last, as deploymentValues sets them: a variable never stands in for one.
    { ...env.variables, environment: env.name, strategy: env.strategy.type },
    { signal: options.signal, label: 'current', ...(options.onOutput ? { onOutput: options.onOutput } : {}) },
  );
  return currentAnswer(result);
}

export async function readLiveState(
  env: ResolvedEnvironment,
  record: EnvironmentRecord | undefined,
  options: { signal?: AbortSignal; onOutput?: (line: OutputLine) => void; warn?: (message: string) => void },
): Promise<LiveState> {
  const saved = record?.live;
  if (env.target.current) {
    const live = await askCurrent(env, env.target.current, { signal: options.signal });
    const disagreement = disagreementOf(live, saved);
    if (disagreement)
      options.warn?.(
        `${env.name}: the current command says ${disagreement.current} but the state record says ${disagreement.recorded}; going by the current command`,
      );
    return {
      slot: live.slot,
      // The record's version only for the slot the current command named: printing nothing says nothing serves,
      // even over a record of no slot (a direct or rolling deployment's).
      version:
        live.version ?? (live.slot !== undefined && live.slot === saved?.slot ? saved?.version : undefined),
    };
  }
  return saved ? { slot: saved.slot, version: saved.version } : {};
}

/**
 * What is live for a run, and why it cannot deploy on it. Blue-green and canary pick the idle slot by the live
 * one: with the current command failing, or naming a slot the environment does not have, the idle slot
 * would be a guess, and a guess that is the serving slot replaces production in place (and its rollback
 * tears it down). They are refused before anything runs. Direct and rolling use the live state only for
 * the previous version: a failing current command is a warning there, as it was.
 */
export async function readLiveForRun(
  env: ResolvedEnvironment,
  record: EnvironmentRecord | undefined,
  options: { signal?: AbortSignal; warn: (message: string) => void },
): Promise<{ live: LiveState; problem?: string }> {
  const slots = 'slots' in env.strategy ? env.strategy.slots : undefined;
  try {
    const live = await readLiveState(env, record, options);
    const problem =
      liveSlotProblem(env, live.slot, env.target.current ? 'current' : 'record') ??
      (env.target.current ? nothingLiveProblem(env, live, record?.live) : undefined) ??
      unslottedCanaryProblem(env, live, env.target.current ? 'current' : 'record') ??
      unknownStableProblem(env, live);
    return problem ? { live, problem } : { live };
  } catch (error) {
    // The job was cancelled while the current command ran: nothing is wrong with it, and nothing was deployed.
    // Without a problem the run goes on to its first checkpoint, which ends it cancelled before anything
    // changed; a problem here ended it `state_refused`, exit 1, asking to fix the current command.
    if (options.signal?.aborted) return { live: {} };
    const message = (error as Error).message;
    if (!slots) {
      options.warn(`could not read what is live: ${message}`);
      return { live: {} };
    }
    return {
      live: {},
      problem:
        `could not read what is live on ${env.name}: ${message}. Nothing was deployed: ${picksBy(env)}; fix the ` +
        'current command (it prints the live slot, or nothing when none is) and run again',
    };
  }
}

/**
 * A canary over a live version served from no known slot (a record with a version but no slot, as after a direct
 * or rolling deployment; a current command printing a version alone). The canary deploys on the idle slot and
 * routes the stable share of every step, and all traffic on a rollback, to the stable one: with no live slot
 * slotsFor takes the other slot for stable, a guess that may serve nothing (or the idle pick may be the slot
 * serving). Refused before anything runs, a rollback deployment too, rather than route traffic to a slot not
 * known to serve the stable version. A first deployment (nothing live) routes nothing to stable. Pure.
 */
export function unslottedCanaryProblem(
  env: ResolvedEnvironment,
  live: LiveState,
  from: 'current' | 'record',
): string | undefined {
  const { strategy } = env;
  if (strategy.type !== 'canary' || live.slot !== undefined || live.version === undefined) return undefined;
  const guess = slotsFor(strategy.slots, undefined).from;
  const source =
    from === 'current'
      ? 'the current command printed a version without a slot'
      : 'the state record names its version but no slot, as after a direct or rolling deployment';
  const fix =
    from === 'current'
      ? 'Make the current command print the live slot too'
      : 'Add a current command to the target that prints the live slot and version';
  return (
    `${live.version} serves on ${env.name} from no known slot (${source}). Nothing was deployed: a canary sends ` +
    'the stable share of every step, and all traffic when it rolls back, to the slot serving the stable version, ' +
    `and deploys on the other one; with no slot known both would be a guess (${guess} for stable), which may serve ` +
    `nothing or be the one serving ${live.version}. ${fix} ({"slot": "...", "version": ${JSON.stringify(live.version)}}), and run again`
  );
}

/**
 * A canary whose steps below 100 % are analysed beside a live slot whose version nothing names (a current
 * command printing the slot alone, with no record of it): the stable side read by {{version}} (or a template
 * with {{stable_version}}) has no value in every interval of those steps, which roll a healthy canary back
 * after max_provider_errors. Refused before anything runs, with where the analysis needs it. Pure.
 */
export function unknownStableProblem(env: ResolvedEnvironment, live: LiveState): string | undefined {
  const { strategy, analysis } = env;
  if (strategy.type !== 'canary' || !analysis || live.slot === undefined || live.version !== undefined)
    return undefined;
  if (!strategy.steps.some((step) => step.weight < 100 && step.pauseMs > 0)) return undefined;
  // The field's full path: the environment's own analysis or the shared one, which a fix must edit.
  const shared = env.analysisPath?.[0] === 'analysis';
  const use = stableVersionUse(analysis, env.analysisPath ?? []);
  if (!use) return undefined;
  const field = `${formatPath(use.path)}${shared ? `, in the shared analysis ${env.name} uses` : ''}`;
  const source = env.target.current
    ? 'the current command printed the slot without a version, and the state record names none for it'
    : 'the state record names the slot without a version';
  return (
    `the version serving on slot ${live.slot} of ${env.name} is not known (${source}), and the analysis of each ` +
    `canary step reads the stable version with {{${use.variable}}} (${field}${use.variable === 'version' ? ', for the stable side' : ''}): ` +
    'it would have no value there, fail at every interval and roll the canary back. Nothing was deployed: make ' +
    `${env.target.current ? 'the current command' : 'a current command of the target'} print the version too ` +
    `({"slot": ${JSON.stringify(live.slot)}, "version": "..."}), ` +
    // A metric command has no stable_ field: it runs for each side, {{slot}} then the stable slot.
    (use.path.includes('run')
      ? 'or select by {{slot}} in that command (it runs for the stable side too, {{slot}} then the stable slot)'
      : 'or read the stable side by {{slot}} (a stable_query or stable_url)')
  );
}

function picksBy(env: ResolvedEnvironment): string {
  return `${env.strategy.type} picks the slot to deploy on by the live one, and deploying on a slot that may be serving would replace ${env.name} in place`;
}

/**
 * Why a blue-green or canary run cannot deploy on the live slot it was told of (by the current command, or by
 * the record without one): a name that is not one of the environment's slots (renamed since), or undefined.
 * Pure: the run (readLiveForRun) and `plan` ask the same question.
 */
export function liveSlotProblem(
  env: ResolvedEnvironment,
  slot: string | undefined,
  from: 'current' | 'record',
): string | undefined {
  const slots = 'slots' in env.strategy ? env.strategy.slots : undefined;
  if (!slots || slot === undefined || slots.includes(slot)) return undefined;
  const says = `says slot ${JSON.stringify(slot)} is live, which is not one of its slots (${slots.join(', ')}). Nothing was deployed: ${picksBy(env)}`;
  return from === 'current'
    ? `the current command of ${env.name} ${says}; make it print the live slot (or nothing when none ` +
        'is), or set the slots to the names it prints'
    : `the state record of ${env.name} ${says}; set the slots to the names the record keeps, or add a ` +
        `current command that prints the live slot and run deploy-action reconcile -e ${env.name} --adopt-current`;
}

/**
 * Why a blue-green or canary run cannot go on when the current command prints nothing (nothing serves, such as
 * a router with every weight at 0) while the record names a live slot of the environment. As a first
 * deployment it would pick the slot to deploy on without knowing the live one: the pick may be the record's
 * slot, whose release (the one to go back to, which a router drained for maintenance still runs) would be
 * replaced in place and torn down by the rollback. Pure.
 */
export function nothingLiveProblem(
  env: ResolvedEnvironment,
  current: LiveState,
  recorded: { slot?: string; version?: string } | undefined,
): string | undefined {
  const slots = 'slots' in env.strategy ? env.strategy.slots : undefined;
  const slot = recorded?.slot;
  if (!slots || current.slot || current.version || !slot || !slots.includes(slot)) return undefined;
  const release = recorded.version ? `${recorded.version} on slot ${slot}` : `slot ${slot}`;
  return (
    `the current command of ${env.name} prints nothing (nothing serves), but the state record says ` +
    `${release} is live. Nothing was deployed: ${picksBy(env)}, and with nothing live it would pick as for a ` +
    `first deployment, which may be ${slot}: that release, the one to go back to, would be replaced and torn ` +
    `down by a rollback. If ${slot} is to serve (a router drained by hand, every weight at 0), give it its ` +
    'traffic back and run again; if that release is gone, deploy it there again and give it traffic, so the ' +
    'current command prints what serves'
  );
}

/**
 * Where the infrastructure and the record differ on what is live (only what both say is compared), or the
 * infrastructure serves nothing where the record names a release (a router with every weight at 0): the run
 * then deploys as a first deployment, with no previous version to return to, which the log must say.
 */
export function disagreementOf(
  current: LiveState,
  recorded: { slot?: string; version?: string } | undefined,
): { current: string; recorded: string } | undefined {
  if (!recorded) return undefined;
  const say = (l: { slot?: string; version?: string }) =>
    [l.version && `version ${l.version}`, l.slot && `slot ${l.slot}`].filter(Boolean).join(' on ');
  if (!current.slot && !current.version)
    return recorded.slot || recorded.version
      ? { current: 'nothing live', recorded: say(recorded) }
      : undefined;
  const slot = current.slot && recorded.slot && current.slot !== recorded.slot;
  const version = current.version && recorded.version && current.version !== recorded.version;
  if (!slot && !version) return undefined;
  return { current: say(current), recorded: say(recorded) };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
