// The review gate (seed 01, "code review checklist"): on the lines this change adds, no TODO markers in
// critical paths, no debug logging, no commented-out code; on GitHub, an approved pull request with no
// outstanding change requests and no unresolved review thread ("all PR comments addressed"); a changelog
// entry among the changed files (seeds 02 and 05, "CHANGELOG updated").
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { reviewConfigSchema } from './schema/review.ts';
import type { ReviewConfig } from './schema/review.ts';
import {
  debugCall,
  decideApproval,
  languageOf,
  looksLikeCode,
  splitLineSteps,
  todoMarker,
  type RuleLevel,
} from './review-rules.ts';
import { threadFindings } from './review-threads.ts';
import {
  changelogEntries,
  changelogFindings,
  changelogMatcher,
  decideChangelog,
  DEFAULT_CHANGELOG_PATHS,
  DEFAULT_SKIP_LABELS,
  type ChangelogKept,
  type LabelsRead,
} from './review-changelog.ts';
import { runGit } from './git.ts';
import { readReportFile } from './report-file.ts';
import { repositoryRoots } from './repo-path.ts';
import { redactSecrets } from './secret-rules.ts';
import { oneLine } from '../github/user-text.ts';
import { Turns } from './turns.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';

const DEFAULTS = {
  todo: 'block',
  debug_logging: 'block',
  commented_out_code: 'warn',
  unresolved_threads: 'block',
} as const;

function severityOf(level: RuleLevel): Finding['severity'] {
  return level === 'block' ? 'error' : 'warning';
}

async function lineFindings(config: ReviewConfig, ctx: GateContext): Promise<Finding[]> {
  const ignored = config.ignore?.length ? picomatch(config.ignore, { dot: true }) : () => false;
  const turns = new Turns(ctx.signal);
  const findings: Finding[] = [];
  for (const file of await ctx.changedFiles()) {
    if (file.status === 'deleted' || file.addedLines.length === 0 || ignored(file.path)) continue;
    const language = languageOf(file.path);
    if (!language) continue;
    const unreadable = (message: string) =>
      findings.push({ path: file.path, rule: 'review.unreadable', severity: 'error', message });
    try {
      // A symlink's content in git is its target's name, not code; reading it would read whatever file it
      // points to, in the checkout or out of it.
      if ((await lstat(join(ctx.cwd, file.path))).isSymbolicLink()) continue;
    } catch (error) {
      unreadable(`cannot read changed file ${file.path} in ${ctx.cwd}: ${(error as Error).message}`);
      continue;
    }
    // Read as other source files are: bounded, UTF-16 (a Windows editor's) decoded, a byte order mark dropped.
    const read = await readReportFile(ctx.cwd, file.path, repositoryRoots(ctx), 'changed file', {
      source: true,
    });
    if (!read.ok) {
      unreadable(
        read.reason === 'too-large'
          ? `${read.message}; if it is generated, add it to gates.review.ignore`
          : read.message,
      );
      continue;
    }
    findings.push(...(await reviewFile(config, file.path, file.addedLines, read.text, turns)));
  }
  return findings;
}

/**
 * The findings on `addedLines` of one file's `text`, taking turns of the event loop as it goes (a generated
 * or minified file may be megabytes): throws the signal's reason once the gate is cancelled.
 */
export function reviewFile(
  config: ReviewConfig,
  path: string,
  addedLines: readonly number[],
  text: string,
  turns: Turns,
): Promise<Finding[]> {
  return turns.run(reviewSteps(config, path, addedLines, text));
}

function* reviewSteps(
  config: ReviewConfig,
  path: string,
  addedLines: readonly number[],
  text: string,
): Generator<void, Finding[]> {
  const levels = {
    todo: config.todo ?? DEFAULTS.todo,
    debug: config.debug_logging ?? DEFAULTS.debug_logging,
    commented: config.commented_out_code ?? DEFAULTS.commented_out_code,
  };
  const critical = config.critical_paths?.length
    ? picomatch.isMatch(path, config.critical_paths, { dot: true })
    : true;
  const language = languageOf(path);
  const findings: Finding[] = [];
  if (!language) return findings;
  const lines = yield* splitLineSteps(text, language);
  for (const lineNumber of addedLines) {
    yield;
    const line = lines[lineNumber - 1];
    if (!line) continue;
    const at = { path, line: lineNumber };
    const marker = line.comment === undefined ? undefined : todoMarker(line.comment);
    if (marker && levels.todo !== 'off' && critical) {
      findings.push({
        ...at,
        rule: 'review.todo',
        severity: severityOf(levels.todo),
        message: `${marker} comment in a critical path: finish it or track it in an issue`,
      });
    }
    const call = levels.debug === 'off' ? undefined : debugCall(line.code, language);
    if (call) {
      findings.push({
        ...at,
        rule: 'review.debug-logging',
        severity: severityOf(levels.debug),
        message: `debug logging left in ${language.name} code: ${call}`,
      });
    }
    if (
      levels.commented !== 'off' &&
      line.code.trim() === '' &&
      line.comment &&
      looksLikeCode(line.comment)
    ) {
      findings.push({
        ...at,
        rule: 'review.commented-out-code',
        severity: severityOf(levels.commented),
        // Redacted before it is cut: a commented-out line may hold a key, and a cut one is not recognised.
        message: `commented-out code: ${redactSecrets(line.comment.trim()).slice(0, 80)}`,
      });
    }
  }
  return findings;
}

async function approvalFindings(config: ReviewConfig, ctx: GateContext): Promise<Finding[]> {
  if ((config.approval ?? 'required') === 'off') return [];
  if (!ctx.pullRequest) {
    return [
      {
        rule: 'review.approval-skipped',
        severity: 'notice',
        message: 'no pull request in this run: the approval check was skipped',
      },
    ];
  }
  let reviews;
  try {
    reviews = await ctx.pullRequest.reviews(ctx.signal);
  } catch (error) {
    return [
      {
        rule: 'review.approval-unknown',
        severity: 'error',
        message: `cannot read the reviews of pull request #${ctx.pullRequest.number}: ${(error as Error).message}`,
      },
    ];
  }
  const pr = `pull request #${ctx.pullRequest.number}`;
  // Reviews are on the pull request's head; a merged one's run is about its merge commit.
  const head = ctx.pullRequest.headSha ?? ctx.headSha;
  const decision = decideApproval(reviews, head, config.min_approvals ?? 1);
  if (decision.ok) return [];
  const message =
    decision.reason === 'changes-requested'
      ? `${pr}: changes requested by ${decision.users.join(', ')} and not yet approved by them`
      : decision.reason === 'stale-approval'
        ? `${pr}: approved by ${decision.approvers.join(', ')} on an earlier commit, not on ${head?.slice(0, 12)}` +
          (decision.current.length
            ? ` (${decision.current.length} approval(s) on it, by ${decision.current.join(', ')}; ${decision.needed} needed)`
            : '')
        : `${pr}: ${decision.approvers.length} approval(s) on the head commit, ${decision.needed} needed` +
          (decision.outsiders.length
            ? ` (approved by ${decision.outsiders.join(', ')}, who ${decision.outsiders.length > 1 ? 'are' : 'is'} not an owner, member or collaborator of the repository)`
            : '');
  return [{ rule: `review.${decision.reason}`, severity: 'error', message }];
}

async function reviewThreadFindings(config: ReviewConfig, ctx: GateContext): Promise<Finding[]> {
  const level = config.unresolved_threads ?? DEFAULTS.unresolved_threads;
  if (level === 'off') return [];
  if (!ctx.pullRequest) {
    return [
      {
        rule: 'review.threads-skipped',
        severity: 'notice',
        message: 'no pull request in this run: the unresolved review threads check was skipped',
      },
    ];
  }
  let read;
  try {
    read = await ctx.pullRequest.reviewThreads(ctx.signal);
  } catch (error) {
    const reason = oneLine((error as Error).message)
      .trim()
      .slice(0, 500);
    return [
      {
        rule: 'review.threads-unknown',
        severity: severityOf(level),
        message:
          `cannot read the review threads of pull request #${ctx.pullRequest.number} through GitHub's GraphQL ` +
          `API (the token needs pull-requests: read): ${reason}`,
      },
    ];
  }
  return threadFindings(read, level, ctx.pullRequest.number);
}

/** Whether a file of the checkout's HEAD (under cwd, as the changed files are) matches the changelog paths. */
async function changelogKept(ctx: GateContext, matches: (path: string) => boolean): Promise<ChangelogKept> {
  const result = await runGit(['ls-tree', '-r', '-z', '--name-only', '--end-of-options', 'HEAD'], {
    cwd: ctx.cwd,
    signal: ctx.signal,
  });
  ctx.signal.throwIfAborted();
  if (result.exitCode !== 0) return { unknown: `git ls-tree HEAD failed in ${ctx.cwd}: ${result.why}` };
  return result.stdout.split('\0').some((path) => path !== '' && matches(path));
}

async function changelogRuleFindings(config: ReviewConfig, ctx: GateContext): Promise<Finding[]> {
  const written = config.changelog;
  if (written === 'off') return [];
  const paths = config.changelog_paths ?? DEFAULT_CHANGELOG_PATHS;
  const skipLabels = config.changelog_skip_labels ?? DEFAULT_SKIP_LABELS;
  const matches = changelogMatcher(paths);
  const kept = await changelogKept(ctx, matches);
  // Each read only when the decision still depends on it: no diff without a base, no labels once an entry
  // is found or when no skip label is configured.
  const hasBase = ctx.baseRef !== undefined;
  const applies = written !== undefined || kept === true;
  const entries = applies && hasBase ? changelogEntries(await ctx.changedFiles(), matches) : [];
  let labels: LabelsRead = { kind: 'none' };
  if (applies && hasBase && entries.length === 0 && skipLabels.length > 0 && ctx.pullRequest) {
    try {
      labels = { kind: 'read', names: await ctx.pullRequest.labels(ctx.signal) };
    } catch (error) {
      ctx.signal.throwIfAborted();
      labels = { kind: 'failed', message: (error as Error).message };
    }
  }
  const decision = decideChangelog({ written, kept, hasBase, entries, labels, skipLabels });
  return changelogFindings(decision, {
    level: written ?? 'warn',
    paths,
    skipLabels,
    pullRequest: ctx.pullRequest?.number,
  });
}

function verdictFrom(findings: Finding[]): GateVerdict {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  if (errors > 0) {
    const first = findings.find((f) => f.severity === 'error')!;
    return { status: 'block', summary: `${errors} blocking issue(s), first: ${first.message}`, findings };
  }
  if (warnings > 0) {
    // Not only changed lines warn: an unresolved review thread or an unreadable one can, too.
    const first = findings.find((f) => f.severity === 'warning')!;
    return { status: 'warn', summary: `${warnings} warning(s), first: ${first.message}`, findings };
  }
  return {
    status: 'pass',
    summary: 'changed lines are clean' + (findings.length ? ' (see notices)' : ''),
    findings,
  };
}

export const reviewGate: Gate<ReviewConfig> = {
  name: 'review',
  schema: reviewConfigSchema,
  async run(config, ctx) {
    // The GitHub reads wait on the network while the changed lines are read.
    const found = await Promise.all([
      lineFindings(config, ctx),
      approvalFindings(config, ctx),
      reviewThreadFindings(config, ctx),
      changelogRuleFindings(config, ctx),
    ]);
    return verdictFrom(found.flat());
  },
};
