// check_run.rerequested: "Re-run" on one of the App's own `approval / <env>` gates. GitHub sends it to the App
// that made the check run, and only someone who may write to the repository can ask. The gate is decided
// again for its commit, as after an approval (answerPendingProtectionRules: the default branch's config, the
// approvals, windows and locks as they are now), and updated: still waiting, approved (its run answered), or
// rejected. A gate already answered cannot be: GitHub took its run's answer, so the gate says so and how to
// ask again (re-run the workflow). Another app's check run, or one of the App's that is not a gate, is left.
import type { Probot } from 'probot';
import { fitCheckText } from '../../src/github/write-limits.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { Octokit } from '../facts/github.ts';
import { markerTrust, ownAppId } from '../facts/own-comments.ts';
import type { MarkerTrust } from '../facts/own-comments.ts';
import { answerOnce, answeringRefName, swapOption } from '../facts/answer-once.ts';
import { answerPendingProtectionRules, GATE_PREFIX, gateName, parseGateRef } from './protection-rule.ts';
import type { PendingAnswer } from './protection-rule.ts';
import type { RecordReader } from '../state.ts';

export interface GateRerunPayload {
  check_run: {
    id: number;
    name: string;
    head_sha: string;
    external_id: string | null;
    app: { id: number } | null;
  };
  repository: { name: string; owner: { login: string }; default_branch: string; node_id?: string };
}

export type GateRerunOutcome =
  | { status: 'ignored'; reason: 'not_a_gate' | 'not_our_gate' | 'answered_by_another_delivery' }
  | { status: 'reevaluated'; answers: PendingAnswer[] }
  | { status: 'already_answered'; conclusion: string };

export async function handleGateRerun(
  octokit: Octokit,
  payload: GateRerunPayload,
  markers: MarkerTrust,
  records: RecordReader,
  now: Date,
): Promise<GateRerunOutcome> {
  const { check_run: checkRun, repository } = payload;
  if (!checkRun.name.startsWith(GATE_PREFIX)) return { status: 'ignored', reason: 'not_a_gate' };
  // Made by this App, with a gate reference that names this gate: a check run of another app named like one
  // (any app can name a check run "approval / production") is not decided again, nor written to.
  const appId = await ownAppId(octokit);
  const ref = parseGateRef(checkRun.external_id);
  if (checkRun.app?.id !== appId || !ref || gateName(ref.env) !== checkRun.name)
    return { status: 'ignored', reason: 'not_our_gate' };
  const where = { owner: repository.owner.login, repo: repository.name };
  // As it is now, not as the delivery says: a late delivery may follow its answer.
  const { data: gate } = await octokit.rest.checks.get({ ...where, check_run_id: checkRun.id });
  if (gate.conclusion !== 'action_required') {
    const conclusion = gate.conclusion ?? gate.status;
    await octokit.rest.checks.update({
      ...where,
      check_run_id: checkRun.id,
      output: {
        title: gate.output.title ?? gateName(ref.env),
        summary: gate.output.summary ?? '',
        text: fitCheckText(
          // A gate closed as `cancelled` gave no answer: its run had ended (protection-rule.ts).
          conclusion === 'cancelled'
            ? `Re-run asked at ${now.toISOString()}: workflow run ${ref.run} no longer waits for this protection rule (it ended), so no answer can reach it now. Re-run the workflow run to ask the protection rule again.`
            : `Re-run asked at ${now.toISOString()}: this gate already gave workflow run ${ref.run} its answer (${conclusion}), which GitHub does not let the App change. Re-run the workflow run to ask the protection rule again.`,
        ),
      },
    });
    return { status: 'already_answered', conclusion };
  }
  // One decision at a time for this gate: two deliveries of the re-run (or two replicas) would each answer
  // its run, and the second, refused by GitHub, would close the gate as if its run had ended.
  const once = await answerOnce(
    octokit.rest,
    where,
    markers.keys,
    { ref: answeringRefName('gate-rerun', String(checkRun.id)), sha: checkRun.head_sha },
    () =>
      answerPendingProtectionRules(octokit, {
        where,
        defaultBranch: repository.default_branch,
        sha: checkRun.head_sha,
        environment: ref.env,
        now,
        markers,
        records,
      }),
    { now: () => now, ...swapOption(octokit, where, repository.node_id) },
  );
  return once.claimed
    ? { status: 'reevaluated', answers: once.value }
    : { status: 'ignored', reason: 'answered_by_another_delivery' };
}

/** `now`: the app's clock, the one windows and approval expiry are judged by. */
export function registerGateRerun(
  app: Probot,
  now: () => Date,
  keys: MarkerKeys,
  records: RecordReader,
): void {
  app.on('check_run.rerequested', async (context) => {
    const outcome = await handleGateRerun(
      context.octokit,
      context.payload as unknown as GateRerunPayload,
      markerTrust(keys, context.log),
      records,
      now(),
    );
    context.log.info(
      { delivery: context.id, check_run: context.payload.check_run.id, ...outcome },
      `check_run.rerequested ${outcome.status}`,
    );
  });
}
