// Which commit the workspace holds, against the commit this run is about. The deployment, its check runs and
// its record name context.sha, and an authorization (an approval, a /deploy) is bound to that SHA; the gates
// and the commands run the workspace's code. On pull_request_target, issue_comment and workflow_run the
// commit actions/checkout takes by default (GITHUB_SHA, the base or default branch's) is not the event's,
// so the two can differ without anyone noticing: such a run is refused, naming both commits and how to
// check out the right one. A fork's pull request on an event with this repository's token and secrets gets
// only the base's code for what is not the fork's deployment (a rollback, reconcile).
import { dirname, resolve } from 'node:path';
import { runGit } from '../gates/git.ts';
import { forkSubject, type RunContext } from './context.ts';
import type { Mode } from './inputs.ts';

export class CheckoutError extends Error {}

export interface Checkout {
  /** `git rev-parse HEAD`. */
  head: string;
  /** HEAD's parents as its commit object names them (a shallow clone keeps them there). */
  parents: string[];
}

export type CheckoutRead =
  | { ok: true; checkout: Checkout }
  /** `notCheckout`: the directory is no git work tree (or there is no git): nothing of a commit to compare. */
  | { ok: false; why: string; notCheckout: boolean };

/** The commit `dir` holds. Never throws. */
export async function readCheckout(dir: string, signal?: AbortSignal): Promise<CheckoutRead> {
  const head = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
    cwd: dir,
    signal,
  });
  if (head.exitCode !== 0)
    return {
      ok: false,
      why: head.why || `git exited with ${head.exitCode}`,
      notCheckout: /not a git repository|ENOENT/i.test(`${head.stderr} ${head.why}`),
    };
  // Not `rev-list --parents`: in a shallow clone (actions/checkout's depth 1) a commit's parents are cut off
  // from history, but its object still names them.
  const object = await runGit(['cat-file', 'commit', head.stdout.trim()], { cwd: dir, signal });
  if (object.exitCode !== 0) return { ok: false, why: object.why, notCheckout: false };
  const headers = object.stdout.split('\n\n')[0] ?? '';
  const parents = [...headers.matchAll(/^parent ([0-9a-f]{40,64})$/gm)].map((m) => m[1]!);
  return { ok: true, checkout: { head: head.stdout.trim().toLowerCase(), parents } };
}

const PULL_HEAD = 'github.event.pull_request.head.sha';

/**
 * Where to read the commit the run's code is: the config file's directory when it exists (a repository
 * checked out below the workspace, actions/checkout with \`path:\`, is found from there), else the workspace.
 */
export function checkoutDir(
  config: string,
  { cwd, workspace }: { cwd: string; workspace: string },
  isDirectory: (dir: string) => boolean,
): string {
  // The config is read relative to the working directory (config/load.ts), as here.
  const dir = dirname(resolve(cwd, config));
  return isDirectory(dir) ? dir : workspace;
}

/**
 * Why a run of `mode` at context.sha may not run on this checkout, or undefined. GitHub's merge commit of a
 * pull request's head into its base (refs/pull/N/merge, what pull_request checks out by default) is that
 * head's code merged: its second parent is the head.
 */
export function commitProblem(context: RunContext, checkout: Checkout, mode: Mode): string | undefined {
  const { sha } = context;
  if (checkout.head === sha) return undefined;
  const pullHead = context.shaFrom === PULL_HEAD;
  if (pullHead && checkout.parents.length === 2 && checkout.parents[1] === sha) return undefined;
  const from = context.shaFrom ?? 'github.sha';
  const doing =
    mode === 'gates'
      ? `the gates would run the code of ${checkout.head} and pass or block ${sha} with it`
      : `the deployment would run the code of ${checkout.head} and record ${sha} as deployed, ` +
        `and an approval of ${sha} would cover code it never saw`;
  const defaultNote =
    context.defaultCheckout && context.defaultCheckout !== sha && checkout.head === context.defaultCheckout
      ? ` The workspace is GITHUB_SHA, what actions/checkout takes without a ref; on ${context.eventName} that is not the event's commit.`
      : '';
  const how =
    context.eventName === 'issue_comment'
      ? ' A comment names no commit: this run is about GITHUB_SHA, the default branch\'s latest commit; check that out (actions/checkout without "ref"), or deploy a pull request with the App\'s /deploy, whose deployment event names its head.'
      : ` Check out ${sha} before this step: actions/checkout with "ref: \${{ ${from} }}"` +
        (pullHead ? ` (or refs/pull/${context.pullNumber ?? 'N'}/merge, its merge commit)` : '') +
        '.';
  return (
    `the workspace holds commit ${checkout.head}, but this ${context.eventName} run is about commit ${sha} ` +
    `(${from}): ${doing}.${defaultNote}${how}`
  );
}

/**
 * A fork's unmerged pull request on an event with this repository's token and secrets (pull_request_target,
 * workflow_run): `what` (a rollback, reconcile) runs the config's commands, which must be the base's, not
 * the fork's. Why not, or undefined.
 */
export function forkCheckoutProblem(
  context: RunContext,
  read: CheckoutRead,
  what: string,
): string | undefined {
  const base = context.defaultCheckout;
  if (read.ok && base && read.checkout.head === base) return undefined;
  const held = read.ok
    ? `the workspace holds commit ${read.checkout.head}`
    : `which commit the workspace holds cannot be told (${read.why})`;
  return (
    `${forkSubject(context)} comes from ${forkName(context)}, and this ${context.eventName} run has this ` +
    `repository's token and secrets: ${what} runs the commands of the base's config, and ${held}, not the ` +
    `base's ${base ?? '(GITHUB_SHA is not set)'}. Check out the base (actions/checkout without "ref") for ${what}.`
  );
}

/**
 * Reconcile on a fork's pull request with a read-only token (pull_request): it writes the records and the
 * deployment statuses and may roll back, none of which that token may do, and the workspace is the fork's.
 */
export function reconcileForkProblem(context: RunContext): string | undefined {
  if (!context.fork?.readOnlyToken) return undefined;
  return (
    `${forkSubject(context)} comes from ${forkName(context)}: GitHub gives this ${context.eventName} run a ` +
    'read-only token and no secrets, and mode "reconcile" writes records and deployment statuses and may ' +
    "roll back, with commands from the fork's checkout; run reconcile on schedule, workflow_dispatch or push"
  );
}

function forkName(context: RunContext): string {
  if (context.fork?.unknown !== undefined)
    return 'a head repository that could not be read (taken as a fork)';
  const repository = context.fork?.repository ?? 'a fork';
  return repository === 'a deleted fork' ? repository : `the fork "${repository}"`;
}

/**
 * Checks the workspace for `mode` before anything runs; throws a CheckoutError saying why not. `log`
 * receives what could not be checked (no git work tree: nothing of a commit runs from it).
 */
export async function verifyCheckout(
  context: RunContext,
  run: { mode: Mode; dryRun: boolean },
  dir: string,
  log: (level: 'info' | 'warn', message: string) => void,
  read: (dir: string) => Promise<CheckoutRead> = readCheckout,
): Promise<void> {
  // A dry run runs nothing; metrics reads the Deployments tab and writes only the job summary, runs no
  // command of the workspace and writes nothing to GitHub, so it is the same on any event, a fork's too.
  if (run.dryRun || run.mode === 'metrics') return;
  if (run.mode === 'reconcile') {
    const problem = reconcileForkProblem(context);
    if (problem) throw new CheckoutError(problem);
  }
  const fork = context.fork;
  if (run.mode === 'reconcile' || run.mode === 'rollback') {
    // Not the fork's deployment: its commit does not matter, only that the fork's code does not run.
    if (!fork || fork.merged || fork.readOnlyToken) return;
    const problem = forkCheckoutProblem(
      context,
      await read(dir),
      run.mode === 'reconcile' ? 'mode "reconcile"' : 'a rollback',
    );
    if (problem) throw new CheckoutError(problem);
    return;
  }
  const found = await read(dir);
  if (!found.ok) {
    if (found.notCheckout)
      log(
        'info',
        `the workspace (${dir}) is not a git checkout: which commit it holds is not compared with ${context.sha}`,
      );
    else
      log(
        'warn',
        `which commit the workspace (${dir}) holds could not be read (${found.why}): it is not compared with ${context.sha}`,
      );
    return;
  }
  const problem = commitProblem(context, found.checkout, run.mode);
  if (problem) throw new CheckoutError(problem);
}
