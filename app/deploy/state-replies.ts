// What the App says about an environment's state record (src/state/record.ts), and what /rollback takes
// from it. Pure. The record is the one source of truth for what is live, what was live before and what is
// rolling out (issue 13); a record the store refused is shown as refused, with its reason code, and nothing
// in it is shown or acted on. Every value from a record goes through userText: a record signed by the
// Action still carries names and versions someone chose.
import type { EnvironmentRecord, HistoryEntry, RefusalCode, Release } from '../../src/state/record.ts';
import type { StateRead } from '../../src/state/store.ts';
import { linkTarget } from '../../src/github/status-comment.ts';
import { VERSION_RULE, VERSION_RULE_TEXT } from '../../src/github/deployment-payload.ts';
import { userText } from '../../src/github/user-text.ts';
import { describeStep } from '../../src/strategies/sequence.ts';

/** History entries /status shows per environment (the newest). */
export const STATUS_HISTORY = 5;

const code = (value: string | undefined, max = 100): string => userText(value, { as: 'code', max });
const sha12 = (sha: string | undefined): string => (sha ? ` ${code(sha.slice(0, 12))}` : '');
const when = (iso: string): string => code(iso, 40);

function release(r: Release): string {
  const slot = r.slot ? ` on slot ${code(r.slot)}` : '';
  const deployment = r.deploymentId ? ` (deployment ${code(r.deploymentId)})` : '';
  return `**${userText(r.version, { max: 200 })}**${sha12(r.sha)}${slot} since ${when(r.since)}${deployment}`;
}

/** The owning run, linked only when the record names an http(s) URL for it. */
function owner(rollout: NonNullable<EnvironmentRecord['rollout']>): string {
  const o = rollout.owner;
  if (o.kind === 'process') return `process ${code(String(o.pid))} on ${code(o.host)}`;
  const attempt = o.runAttempt ? ` attempt ${code(o.runAttempt, 10)}` : '';
  const url = o.runUrl ? linkTarget(o.runUrl) : undefined;
  return url ? `[run ${code(o.runId, 40)}](${url})${attempt}` : `run ${code(o.runId, 40)}${attempt}`;
}

function rolloutLine(rollout: NonNullable<EnvironmentRecord['rollout']>): string {
  const weight = rollout.weight !== undefined ? `, weight ${rollout.weight} %` : '';
  const step = `step ${Math.max(rollout.step + 1, 0)}/${rollout.steps}`;
  return (
    `- **rollout in progress**: **${userText(rollout.version, { max: 200 })}**${sha12(rollout.sha)} by ` +
    `${code(rollout.strategy, 40)}, phase ${code(rollout.phase, 40)}, ${step}${weight}, owned by ` +
    `${owner(rollout)}, started ${when(rollout.startedAt)}`
  );
}

/** One environment's section of the /status reply, from what its store read. */
export function recordStatus(environment: string, read: StateRead, now: Date): string {
  const head = `#### ${code(environment, 255)}`;
  if (!read.ok)
    return [
      head,
      `- **state not trusted** (\`${read.code}\`): ${userText(read.message, { max: 300 })}. Nothing in it is shown or acted on.`,
    ].join('\n');
  const r = read.record;
  if (!r) return [head, '- no deployment recorded yet'].join('\n');
  const lines = [head];
  lines.push(r.live ? `- **live**: ${release(r.live)}` : '- **live**: nothing recorded');
  lines.push(r.previous ? `- **previous**: ${release(r.previous)}` : '- **previous**: none');
  if (r.rollout) lines.push(rolloutLine(r.rollout));
  // A rollback begun on it that did not complete: its recovery holds only the steps still to undo (slot names
  // in them are someone's choice), which a reconcile runs before the on_rollback levels.
  if (r.rollout?.phase === 'rollback' && r.rollout.recovery.length)
    lines.push(
      `- **rollback steps left**: ${r.rollout.recovery.map((step) => userText(describeStep(step), { max: 300 })).join(', ')}. ` +
        'A reconcile runs them once the deployment’s run has ended (started then, or by `mode: reconcile`); ' +
        `until then a deployment of ${code(environment, 255)} is refused (\`rollout_unfinished\`).`,
    );
  // Kept for on_rollback levels left undone (the run's or reconcile's rollback): it refuses deployments
  // until reconcile has run them, which runs the config's levels: the way out of one that cannot succeed.
  if (r.rollout?.levelsUndone?.length)
    lines.push(
      `- **rollback left undone**: ${r.rollout.levelsUndone.map((l) => userText(l, { max: 300 })).join(', ')}. ` +
        'A reconcile runs the `on_rollback` levels again (started when the deployment’s run ends, or by ' +
        '`mode: reconcile`) and drops the rollout once none is left undone; until then a deployment of ' +
        `${code(environment, 255)} is refused (\`rollout_unfinished\`). A level that cannot succeed: fix its ` +
        '`run` or `verify` in deploy.yml (reconcile runs the config’s levels), or take it out of `on_rollback` ' +
        'once what it undoes is done by hand.',
    );
  for (const slot of r.retired) {
    const due = Date.parse(slot.dueAt) <= now.getTime() ? ' (due now)' : '';
    const version = slot.version ? ` (${userText(slot.version, { max: 200 })})` : '';
    // A teardown claimed (under way, or left by a run that died): deployments into that slot are refused.
    const tearing = slot.teardown
      ? `; being torn down by ${code(slot.teardown.by, 200)} since ${when(slot.teardown.startedAt)}`
      : '';
    lines.push(
      `- **retired slot** ${code(slot.slot)}${version}: teardown at ${when(slot.dueAt)}${due}${tearing}`,
    );
  }
  const recent = r.history.slice(-STATUS_HISTORY).reverse();
  if (recent.length) {
    // The record's number as text, not `#7`: GitHub would link issue 7 of the repository (and list the pull
    // request in its timeline).
    lines.push(`- **recent history** (newest first, record ${userText(`#${r.seq}`)}):`);
    for (const h of recent) {
      const version = h.version ? ` ${userText(h.version, { max: 200 })}` : '';
      const detail = h.detail ? `: ${userText(h.detail, { max: 200 })}` : '';
      lines.push(
        `  - ${when(h.at)} ${code(h.event, 60)} (${code(h.code, 60)})${version} by ${code(h.by, 200)}${detail}`,
      );
    }
  }
  return lines.join('\n');
}

/** Why /rollback has no target (besides the store's refusal codes). */
export type NoTargetCode =
  RefusalCode | 'no_previous_version' | 'not_previous_version' | 'rollback_live_changed';

export type RollbackTarget =
  { ok: true; version: string; sha: string } | { ok: false; code: NoTargetCode; message: string };

/**
 * A comment this close before a release went live is not judged as written before it: GitHub writes a
 * comment's created_at to the second, and the record's times come from the runner's clock. A /rollback written
 * just after a deployment ended (the same second) was refused as rollback_live_changed. The race the refusal is
 * for puts a deployment between a comment and its handling, which takes longer than this.
 */
const SAME_MOMENT_MS = 30_000;

/**
 * Whether the release live now was live when the comment was written, only deployed again since (its version
 * and commit): a deployment of the same version keeps the previous release (finalize.ts previousRelease), so
 * the rollback still puts back what its author meant, though `live.since` moved. Read in the record's history
 * (its `succeeded` entries): one that does not reach back to the comment's time says nothing, and is no.
 */
function onlyRedeployedSince(record: EnvironmentRecord, written: number): boolean {
  const live = record.live!;
  const isLive = (e: HistoryEntry) =>
    e.version === live.version && (!e.sha || !live.sha || e.sha.toLowerCase() === live.sha.toLowerCase());
  const succeeded = record.history.filter(
    (e) => e.event === 'succeeded' && Number.isFinite(Date.parse(e.at)),
  );
  const before = succeeded.filter((e) => Date.parse(e.at) <= written).at(-1);
  const since = succeeded.filter((e) => Date.parse(e.at) > written);
  return before !== undefined && isLive(before) && since.length > 0 && since.every(isLive);
}

/** Whether the record's history shows a release going live at or before `written` (ms). */
function succeededBy(record: EnvironmentRecord, written: number): boolean {
  return record.history.some((e) => e.event === 'succeeded' && Date.parse(e.at) <= written);
}

/**
 * What /rollback deploys: the record's previous release (version and commit). `toSha`, when given, must be
 * that release's commit (a prefix of it): the record keeps no other good version, and an older commit is
 * not to be taken from deployments anyone with write access could have created.
 */
export function rollbackTarget(
  environment: string,
  read: StateRead,
  toSha?: string,
  writtenAt?: string,
): RollbackTarget {
  const name = code(environment, 255);
  if (!read.ok)
    return {
      ok: false,
      code: read.code,
      message: `the state of ${name} is not trusted (${userText(read.message, { max: 300 })}); no rollback target is taken from it.`,
    };
  const previous = read.record?.previous;
  if (!previous)
    return {
      ok: false,
      code: 'no_previous_version',
      message: read.record
        ? `the state of ${name} records no previous version to go back to.`
        : `${name} has no recorded deployment yet, so no previous version to go back to.`,
    };
  if (!previous.sha || !/^[0-9a-f]{40}$/i.test(previous.sha))
    return {
      ok: false,
      code: 'no_previous_version',
      message: `the previous version of ${name} (${userText(previous.version, { max: 200 })}) is recorded without its commit; it cannot be deployed from here.`,
    };
  if (!VERSION_RULE.test(previous.version))
    return {
      ok: false,
      code: 'no_previous_version',
      message: `the previous version of ${name} is recorded as ${userText(previous.version, { max: 200 })}, which cannot be deployed (${VERSION_RULE_TEXT}).`,
    };
  const sha = previous.sha.toLowerCase();
  // "/rollback" undoes what is live. Written before the live release changed and handled after (a delivery
  // that waited, a redelivery, another replica), it would undo a release its author never saw and put back
  // the one they meant to leave. `to <sha>` names the target itself, so it is judged by that alone.
  const live = read.record?.live;
  const written = writtenAt === undefined ? NaN : Date.parse(writtenAt);
  // Dated before even the previous release went live, and before every release the history shows going live, the
  // comment says nothing of what its author saw: what such a date says is a clock far off, or a payload made from
  // an old example. Judged as before: it undoes what is live. Where the history shows a release live when it was
  // written, two deployments since (a redelivery hours later) are that race as much as one is.
  const dateSaysNothing = Date.parse(previous.since) > written && !succeededBy(read.record!, written);
  if (
    !toSha &&
    live &&
    Date.parse(live.since) > written + SAME_MOMENT_MS &&
    !dateSaysNothing &&
    !onlyRedeployedSince(read.record!, written)
  )
    return {
      ok: false,
      code: 'rollback_live_changed',
      message: `the live version of ${name} changed after this comment was written: ${userText(live.version, { max: 200 })}${sha12(live.sha)} serves since ${code(live.since, 40)}, so a rollback now would put back ${userText(previous.version, { max: 200 })}${sha12(sha)}, not the version before the one live when you wrote it. Ask again if that is still meant, or name it: ${userText(`/rollback ${environment} to ${sha.slice(0, 12)}`, { as: 'command' })}.`,
    };
  if (toSha && !sha.startsWith(toSha.toLowerCase()))
    return {
      ok: false,
      code: 'not_previous_version',
      message: `${code(toSha, 40)} is not the previous version of ${name}: that is ${userText(previous.version, { max: 200 })}${sha12(sha)}.`,
    };
  return { ok: true, version: previous.version, sha };
}
