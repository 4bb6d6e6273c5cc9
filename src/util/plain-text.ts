// Text from people, targets, reports or the record made safe for one terminal / job-log line.
import { stripVTControlCharacters } from 'node:util';

/**
 * One inert terminal line: no escape sequence, no line break (the runner ends a line at \r too, and a line
 * starting with `::` is a workflow command such as ::add-mask:: or ::stop-commands::), no bidi or
 * zero-width character, and the old command form `##[name]`, which the runner finds anywhere in a line,
 * broken by a zero-width space.
 */
export function plain(text: string): string {
  return stripVTControlCharacters(text)
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\p{Cf}/gu, '')
    .replace(/##\[/g, '##\u200B[');
}

/**
 * `line` (already plain) as it may start a job-log line: the runner trims a line's leading white space and
 * reads one starting with `::` (::add-mask::, ::stop-commands::, ::set-output …) as a workflow command, as it
 * does `##[name]`; such a line gets a backslash before it. plain() alone is inert only inside a line.
 */
export function notWorkflowCommand(line: string): string {
  return line.replace(/^(\s*)(::|##\[)/u, '$1\\$2');
}

/**
 * Text of several lines, each one an inert line (plain): for a workflow command's message (core.setFailed),
 * which core escapes and the runner shows as an annotation, its line breaks kept.
 */
export function plainLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => plain(line))
    .join('\n');
}

/**
 * plain(text) with `redact` (the run's secrets) applied before and after: before, so a secret holding what
 * plain changes (`##[`, a zero-width or control character) is found as written; after, so one the text split
 * with an invisible character is found once plain dropped it. Redacted only after, the first went through.
 */
export function plainRedacted(text: string, redact: (text: string) => string): string {
  return redact(plain(redact(text)));
}

/** plainLines(text) redacted before and after, as plainRedacted. */
export function plainLinesRedacted(text: string, redact: (text: string) => string): string {
  return redact(plainLines(redact(text)));
}
