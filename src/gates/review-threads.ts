// The review gate's "all PR comments addressed" rule (seed 01): every unresolved review thread of the pull
// request is a finding, outdated ones too (GitHub still shows them unresolved), up to a bound; the rest are
// counted. Pure: the threads come from src/github/review-threads.ts.
import { oneLine } from '../github/user-text.ts';
import type { ReviewThread, ReviewThreadsRead } from '../github/review-threads.ts';
import type { Finding } from './types.ts';

/** Threads listed one finding each; more are counted in one finding, not listed. */
export const MAX_THREAD_FINDINGS = 20;

/**
 * A path or login as one line of bounded text: no line break, control or invisible character. The finding's
 * readers (check run, job summary, terminal) escape what remains for where they show it.
 */
function shown(text: string, max: number): string {
  const chars = [...oneLine(text).trim()];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

/** A web address as GitHub gave it, when it is one (http or https); nothing else is shown. */
function address(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

// A path a file annotation can carry as is: one plain line, no `..` segment.
const PLACEABLE = /^(?!.*(?:^|\/)\.\.(?:\/|$))[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

function threadFinding(thread: ReviewThread, severity: Finding['severity'], pr: string): Finding {
  const where = shown(thread.path, 200) + (thread.line !== undefined ? `:${thread.line}` : '');
  const who = thread.author ? shown(thread.author, 60) : 'a deleted account';
  const url = address(thread.url);
  const message =
    `${pr}: unresolved ${thread.outdated ? 'outdated ' : ''}review thread on ${where} started by ${who}` +
    (thread.outdated ? ' (outdated: the lines it is on changed since; resolve it if it was addressed)' : '') +
    (url ? `: ${url}` : '');
  // An outdated thread's lines are gone from the head version: it is not placed on a line there.
  const placed = !thread.outdated && PLACEABLE.test(thread.path);
  return {
    ...(placed ? { path: thread.path, ...(thread.line !== undefined ? { line: thread.line } : {}) } : {}),
    rule: 'review.unresolved-thread',
    severity,
    message,
  };
}

/** The findings of a pull request's review threads; `level` is the unresolved_threads setting. */
export function threadFindings(
  read: ReviewThreadsRead,
  level: 'block' | 'warn',
  pullRequest: number,
): Finding[] {
  const severity: Finding['severity'] = level === 'block' ? 'error' : 'warning';
  const pr = `pull request #${pullRequest}`;
  const findings = read.unresolved
    .slice(0, MAX_THREAD_FINDINGS)
    .map((thread) => threadFinding(thread, severity, pr));
  const rest = read.unresolved.length - findings.length;
  if (rest > 0) {
    const outdated = read.unresolved.filter((t) => t.outdated).length;
    findings.push({
      rule: 'review.unresolved-thread',
      severity,
      message:
        `${pr}: ${rest} more unresolved review thread(s) not listed; ${read.unresolved.length} in all` +
        (outdated ? `, ${outdated} of them outdated` : ''),
    });
  }
  if (read.truncated)
    findings.push({
      rule: 'review.threads-truncated',
      severity,
      message:
        `${pr}: read ${read.read} review thread(s) in ${read.pages} page(s) and stopped; more exist, and ` +
        'whether they are resolved is not known',
    });
  return findings;
}
