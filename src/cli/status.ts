// `deploy-action status -e ENV [--json]` (issue 14): what the environment's record in the state_dir says: what
// is live, what was before, the rollout in progress and where it waits (with the requests made so far), the
// retired slots and the recent history. --json prints the record itself. Every value from the record is
// printed on one line with control characters escaped: it carries names people chose.
import { oneLine } from '../config/errors.ts';
import { resolveEnvironment } from '../config/resolve.ts';
import type { RawConfig } from '../config/schema.ts';
import { FileControlChannel } from '../control/file-channel.ts';
import type { ControlRequest } from '../control/request.ts';
import { FileStateStore } from '../state/file-store.ts';
import { waitsHandedOff, type EnvironmentRecord, type Release, type Rollout } from '../state/record.ts';
import { EXIT_CODES } from '../util/exit-codes.ts';
import { position, waitText } from './control.ts';
import { levelsUndoneAdvice } from '../pipeline/rollback-levels.ts';
import { describeStep } from '../strategies/sequence.ts';
import type { OwnerStatus } from '../reconcile/decide.ts';
import { commandWaitMs, processStatus } from '../reconcile/owner.ts';

export interface StatusCliOptions {
  environment: string;
  config: string;
  stateDir?: string;
  json?: boolean;
}

export interface StatusCliDeps {
  out(text: string): void;
  err(text: string): void;
  loadConfig(path: string, json: boolean): Promise<RawConfig | undefined>;
  /** Whether a process that owns a rollout still runs (default: this host's processes). */
  ownerStatus?: (owner: { pid: number; host: string; started?: string; pidns?: unknown }) => OwnerStatus;
}

/** History entries shown (the newest); --json has them all. */
export const STATUS_HISTORY = 10;

export async function statusCli(opts: StatusCliOptions, deps: StatusCliDeps): Promise<number> {
  const config = await deps.loadConfig(opts.config, !!opts.json);
  if (!config) return EXIT_CODES.invalidOrBlocked;
  const env = resolveEnvironment(config, opts.environment, { stateDir: opts.stateDir });
  const store = new FileStateStore(env.stateDir);
  const read = await store.read(env.name);
  if (!read.ok) {
    if (opts.json)
      deps.out(`${JSON.stringify({ type: 'status', ok: false, code: read.code, message: read.message })}\n`);
    else deps.err(`error: ${read.code}: ${oneLine(read.message)}\n`);
    return EXIT_CODES.invalidOrBlocked;
  }
  const record = read.record;
  const rollout = record?.rollout;
  const polled = rollout
    ? await new FileControlChannel(env.stateDir, env.name).poll(rollout.deploymentId)
    : undefined;
  const requests = polled?.requests ?? [];
  // Requests that cannot be read, or are not trusted, are not acted on: say so rather than show none.
  const requestsError = polled?.error;
  // Whether its owner still runs, where this host can tell (a process of its own): a rollout in phase
  // rollback is being rolled back, or was left for a reconcile. A workflow's run is asked of GitHub by
  // reconcile, not here. A handed-off rollout whose rollback began is the process's rolling it back, as
  // reconcile reads it (waitsHandedOff): only one still waiting is no process's.
  const owner =
    rollout && rollout.owner.kind === 'process' && !waitsHandedOff(rollout)
      ? (deps.ownerStatus ?? ((o) => processStatus(o, undefined, commandWaitMs(env))))(rollout.owner)
      : undefined;
  if (opts.json)
    deps.out(
      `${JSON.stringify({ type: 'status', ok: true, environment: env.name, record: record ?? null, requests, ...(owner ? { owner } : {}), ...(requestsError ? { requestsError } : {}) })}\n`,
    );
  else {
    deps.out(formatStatus(env.name, record, requests, owner));
    if (requestsError) deps.err(`warning: control_unreadable: ${oneLine(requestsError)}\n`);
  }
  return EXIT_CODES.success;
}

const t = (value: string | number | undefined): string => oneLine(String(value ?? ''));

function release(r: Release): string {
  return (
    `${t(r.version)}${r.sha ? ` (${t(r.sha.slice(0, 12))})` : ''}${r.slot ? ` on ${t(r.slot)}` : ''}` +
    ` since ${t(r.since)}${r.deploymentId ? `, deployment ${t(r.deploymentId)}` : ''}`
  );
}

/** What the owner's state says of the rollout, after "owned by ...". */
function ownerState(rollout: Rollout, status: OwnerStatus | undefined): string {
  if (!status) return '';
  if (status.state === 'running')
    return rollout.phase === 'rollback' ? ' (running: it is rolling back now)' : ' (running)';
  if (status.state === 'ended')
    return rollout.phase === 'rollback'
      ? ' (ended: its rollback stopped there, and a reconcile finishes it)'
      : ' (ended without finishing it: a reconcile takes it over, as on_orphan says)';
  return ` (whether it runs is not known here: ${t(status.reason)})`;
}

function rolloutLines(
  environment: string,
  rollout: Rollout,
  requests: readonly ControlRequest[],
  status?: OwnerStatus,
): string[] {
  const owner =
    (rollout.owner.kind === 'process'
      ? `process ${rollout.owner.pid} on ${t(rollout.owner.host)}`
      : `workflow run ${t(rollout.owner.runId)}`) + ownerState(rollout, status);
  const lines = [
    `  rollout:  ${t(rollout.version)} by ${t(rollout.strategy)}, phase ${t(rollout.phase)}, ` +
      `${t(position(rollout))}, deployment ${t(rollout.deploymentId)}, started ${t(rollout.startedAt)}, owned by ${owner}`,
  ];
  // A rollback begun on it that did not complete: its recovery holds only the steps still to undo (the
  // switches back, teardowns), which a reconcile runs before the on_rollback levels.
  if (rollout.phase === 'rollback' && rollout.recovery.length)
    lines.push(
      `  left:     ${rollout.recovery.map((step) => t(describeStep(step))).join(', ')} of its rollback: a ` +
        "reconcile runs them once the deployment's run has ended (the App starts one then; or " +
        `\`deploy-action reconcile -e ${t(environment)}\`, \`mode: reconcile\`); until then a deployment of ` +
        `${t(environment)} is refused (rollout_unfinished)`,
    );
  if (rollout.levelsUndone?.length)
    lines.push(
      `  undone:   ${rollout.levelsUndone.map(t).join(', ')} of its rollback: ${t(levelsUndoneAdvice(environment))}`,
    );
  // A rollout being rolled back waits for nothing, though its record keeps the wait it was at.
  const wait = rollout.phase === 'rollback' ? undefined : rollout.wait;
  if (wait) {
    const handedOff = wait.handedOff ? ' (handed off: no process waits)' : '';
    lines.push(`  waiting:  since ${t(wait.since)}${handedOff}, ${t(waitText(rollout, requests))}`);
    if (wait.looks)
      lines.push(
        `  looks:    ${wait.looks} at the bake's metrics` +
          (wait.lastLook
            ? `, the last at ${t(wait.lastLook.at)}: ${t(wait.lastLook.decision)}${wait.lastLook.detail ? ` (${t(wait.lastLook.detail)})` : ''}`
            : ''),
      );
  }
  for (const r of requests)
    lines.push(
      `  request:  ${t(r.verb)} by ${t(r.by)} at ${t(r.at)} for step ${r.step + 1}` +
        `${r.full ? ' --full' : ''}${r.reason ? `: ${t(r.reason)}` : ''}`,
    );
  return lines;
}

export function formatStatus(
  environment: string,
  record: EnvironmentRecord | undefined,
  requests: readonly ControlRequest[] = [],
  owner?: OwnerStatus,
): string {
  const lines = [`${t(environment)}:`];
  if (!record) return `${lines[0]}\n  no deployment recorded yet\n`;
  lines.push(`  live:     ${record.live ? release(record.live) : 'nothing recorded'}`);
  lines.push(`  previous: ${record.previous ? release(record.previous) : 'none'}`);
  if (record.rollout) lines.push(...rolloutLines(environment, record.rollout, requests, owner));
  else lines.push('  rollout:  none in progress');
  for (const slot of record.retired)
    lines.push(
      `  retired:  ${t(slot.slot)}${slot.version ? ` (${t(slot.version)})` : ''}, torn down after ${t(slot.dueAt)}` +
        // Its teardown claimed by a reconcile: a deployment into it is refused until that one is done.
        (slot.teardown
          ? `; being torn down by ${t(slot.teardown.by)} since ${t(slot.teardown.startedAt)}`
          : ''),
    );
  const history = record.history.slice(-STATUS_HISTORY);
  if (history.length) {
    lines.push(`  history (newest last, ${history.length} of ${record.history.length}):`);
    for (const h of history)
      lines.push(
        `    ${t(h.at)}  ${t(h.event)} [${t(h.code)}] by ${t(h.by)}` +
          `${h.version ? `, ${t(h.version)}` : ''}${h.detail ? `: ${t(h.detail)}` : ''}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
