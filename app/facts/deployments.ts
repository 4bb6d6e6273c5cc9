// What already happened to a SHA: its deployments (for idempotency) and its check runs (only when the policy
// requires checks). Not `requires`: deployments and their statuses are anyone's with write permission, so
// that is judged from the required environment's signed state record (prior-environments.ts).
import { checkRunsThroughSuites, TooManyCheckRuns } from '../../src/github/app-check-runs.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import type { DeploymentPayload } from '../../src/github/deployment-payload.ts';
import type { CheckResult, RequiredCheck } from '../../src/policy/index.ts';
import type { Api, Where } from './github.ts';
import type { DeploymentState } from '../../src/github/status-comment.ts';

/** The states a deployment ends in: no status comes after one of them. */
export const FINAL_STATES: readonly DeploymentState[] = ['success', 'failure', 'error', 'inactive'];

/** This App as GitHub names it on what it made: its bot login (`<slug>[bot]`) and, where known, its app id. */
export interface OwnApp {
  login: string;
  id?: number;
}

/** Who made a deployment, in GitHub's words (a signed webhook's deployment, or the REST answer). */
export interface DeploymentMaker {
  creator?: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
}

/**
 * Did this App create the deployment? Only then are its payload's words the App's own (type, pull request,
 * requester, status comment id), and only then does it hold the App's environment lock: anyone with
 * `deployments: write`, or a workflow's token, creates a deployment with any payload. The creator must be the
 * App's bot login (GitHub compares logins without case; only an app's bot account has a `[bot]` login), not
 * a person's account; and where GitHub names the app it was made through and the App's id is known, that app
 * must be this one. No creator: not the App's.
 */
export function createdByApp(deployment: DeploymentMaker | null | undefined, app: OwnApp): boolean {
  const creator = deployment?.creator;
  if (!creator || creator.login.toLowerCase() !== app.login.toLowerCase()) return false;
  if (creator.type !== undefined && creator.type !== 'Bot') return false;
  const via = deployment.performed_via_github_app;
  return via == null || app.id === undefined || via.id === app.id;
}

/** The login of the token a workflow runs with (GITHUB_TOKEN): the Action the App's deployment starts. */
export const WORKFLOW_BOT_LOGIN = 'github-actions[bot]';

/**
 * Pure: whether a deployment status's creator is one of the two that end the App's deployment: the App itself,
 * and the workflow token its run posts with (mayReleaseLock, app/handlers/deployment-status.ts, says why).
 * Anyone else with `deployments: write` posts any state on any deployment: read as what it says, such a
 * status would end a running deployment or bring an ended one back.
 */
export function statusByRunner(
  creator: { login: string; type?: string } | null | undefined,
  appLogin: string,
): boolean {
  if (!creator?.login || creator.type !== 'Bot') return false;
  const login = creator.login.toLowerCase();
  return login === appLogin.toLowerCase() || login === WORKFLOW_BOT_LOGIN;
}

export interface ShaDeployment {
  id: number;
  environment: string;
  sha: string;
  payload: DeploymentPayload | undefined;
  /** Who made it: its payload's dedupe key is the App's word only on a deployment the App created. */
  maker: DeploymentMaker;
}

/** Every deployment of one SHA (newest first, at most 100): for idempotency. */
export async function deploymentsAt(api: Api, where: Where, sha: string): Promise<ShaDeployment[]> {
  const { data } = await api.repos.listDeployments({ ...where, sha, per_page: 100 });
  return data.map((d) => {
    let payload: DeploymentPayload | undefined;
    try {
      payload = parseDeploymentPayload(d.payload);
    } catch {
      payload = undefined;
    }
    return {
      id: d.id,
      environment: d.environment ?? '',
      sha: d.sha,
      payload,
      maker: { creator: d.creator ?? null, performed_via_github_app: d.performed_via_github_app ?? null },
    };
  });
}

/** Check suites holding a required name, and runs of the name, read at most; more are never taken as green. */
const CHECK_SUITES = 50;
const CHECK_RUNS = 500;

/**
 * The check runs at `sha` of each required check's name: every one of them, since every run of the name must
 * pass. Read by name, through the check suites that hold a run of it (one request for the suites, one per
 * suite, per 100): one list of all the commit's runs stops at 100, and anyone whose workflow can write checks
 * could post 100 newer runs to push a failing required one off it, next to a green one of its name; and the
 * commit's check-run list, even by name, covers only its 1000 newest check suites, so a writer who runs enough
 * workflows on the commit pushes the suite of the failing run off it (a run bound to an app nobody else can act
 * as then goes missing, which is not green; an unbound rule, or one bound to GitHub Actions, would be met by a
 * green run of the name in a newer suite). A name with more suites or runs than are read has one still running,
 * per rule.
 */
export async function checksAt(
  api: Api,
  where: Where,
  sha: string,
  required: readonly RequiredCheck[],
): Promise<CheckResult[]> {
  if (required.length === 0) return [];
  const names = [...new Set(required.map((rule) => rule.name))];
  const lists = await Promise.all(
    names.map(async (name) => {
      try {
        const { runs } = await checkRunsThroughSuites<SuiteCheckRun>(api, where, {
          sha,
          name,
          filter: 'latest',
          maxSuites: CHECK_SUITES,
          maxRuns: CHECK_RUNS,
        });
        // The app that posted each run: a required check bound to an app counts only its runs.
        return runs.map((r): CheckResult => ({
          name: r.name,
          status: r.status,
          conclusion: r.conclusion,
          app: r.app?.slug ?? null,
        }));
      } catch (error) {
        if (!(error instanceof TooManyCheckRuns)) throw error;
        // Runs not read may be failing: the check is not green (for whichever app a rule names).
        return required
          .filter((r) => r.name === name)
          .map((rule): CheckResult => ({
            name,
            status: 'in_progress',
            conclusion: null,
            app: rule.app ?? null,
          }));
      }
    }),
  );
  return lists.flat();
}

interface SuiteCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  app: { id: number; slug?: string } | null;
}
