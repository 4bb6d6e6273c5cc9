// The commands a pull-request comment can give the app (DESIGN.md §6), as a discriminated union. The parser
// produces these; handlers switch on `kind`. Every value in here has already been validated.

import type { StrategyName } from '../../src/config/schema.ts';
import type { LocalTime } from '../../src/schedule/time.ts';

/** When a /deploy starts: at a local time (`at 2026-12-01 10:00 [zone]`), or when the lock is free (`--queue`). */
export type DeployWhen = { kind: 'at'; local: LocalTime } | { kind: 'queue' };

/** What /lock and /unlock act on: one environment, or the global lock that stops every environment. */
export type LockTarget = { scope: 'environment'; environment: string } | { scope: 'global' };

export type Command =
  | {
      kind: 'deploy';
      environment: string;
      strategy?: StrategyName;
      dryRun: boolean;
      /** Present only for `--hotfix --reason "..."`; the reason is required. */
      hotfix?: { reason: string };
      /** `| key=value` parameters, in the order written. */
      params: Record<string, string>;
      /** Absent: now (the existing behaviour). Scheduled and queued requests: app/schedule/. */
      when?: DeployWhen;
    }
  | { kind: 'approve-deploy'; environment?: string }
  | { kind: 'reject-deploy'; environment?: string; reason?: string }
  | { kind: 'rollback'; environment: string; toSha?: string }
  | { kind: 'lock'; target: LockTarget; reason?: string }
  | { kind: 'unlock'; target: LockTarget; force: boolean }
  /** `--history [--since 90d]`: the delivery metrics too (app/deploy/history.ts). */
  | { kind: 'status'; environment?: string; history?: { since?: string } }
  /** Control a rollout in progress (issue 14): `--full` goes to 100 % after the current step's analysis. */
  | { kind: 'promote'; environment: string; full: boolean }
  | { kind: 'pause'; environment: string }
  | { kind: 'resume'; environment: string }
  | { kind: 'abort'; environment: string; reason?: string }
  /** Cancels the requester's (or, for a deployer, anyone's) scheduled or queued /deploy. */
  | { kind: 'cancel-deploy'; environment?: string }
  | { kind: 'help' };

/** The commands that control a rollout in progress (app/deploy/control.ts). */
export type ControlCommand = Extract<Command, { kind: 'promote' | 'pause' | 'resume' | 'abort' }>;

export type CommandKind = Command['kind'];

/** Stable reason codes for a comment that tried to be a command and was refused. */
export type ParseErrorCode =
  | 'too_long'
  | 'lookalike_characters'
  | 'control_characters'
  | 'shell_metacharacters'
  | 'unbalanced_quotes'
  | 'unknown_command'
  | 'unknown_option'
  | 'missing_option_value'
  | 'invalid_option_value'
  | 'duplicate_option'
  | 'unexpected_argument'
  | 'missing_environment'
  | 'invalid_environment_name'
  | 'conflicting_target'
  | 'conflicting_reason'
  | 'invalid_strategy'
  | 'invalid_sha'
  | 'hotfix_reason_required'
  | 'reason_without_hotfix'
  | 'invalid_reason'
  | 'params_not_allowed'
  | 'invalid_param'
  | 'duplicate_param'
  | 'too_many_params'
  | 'conflicting_schedule'
  | 'schedule_time_malformed'
  | 'schedule_zone_unknown'
  | 'schedule_time_nonexistent';

export interface ParseError {
  kind: 'invalid';
  code: ParseErrorCode;
  /** One sentence for the person who wrote the comment: what was wrong and where. */
  message: string;
  /** The command the comment was aiming at, when it is known (for help on that command). */
  command?: CommandKind;
}

/** `none`: the comment is ordinary conversation, not addressed to the app. */
export type ParseResult = Command | ParseError | { kind: 'none' };
