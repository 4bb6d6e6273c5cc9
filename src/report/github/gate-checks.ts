// A gate's verdict as a check run: conclusion, output and its findings as annotations, 50 per request as
// GitHub allows (the rest go in updates). Pure.
import type { GateResult, Finding } from '../../gates/types.ts';
import { formatDuration } from '../../config/duration.ts';
import { say, truncate, truncateBytes } from '../markdown.ts';
import { fitCheckText } from '../../github/write-limits.ts';
import { oneLine } from '../../github/user-text.ts';

export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations beyond this are listed as a count only: a flood helps nobody and costs requests. */
export const MAX_ANNOTATIONS = 500;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

/**
 * Report text in a field GitHub shows as it is, not as Markdown (a check run's title, an annotation): without
 * invisible format characters, as the Markdown fields show it (user-text.ts). A bidirectional override in a
 * test's name reordered the title and the annotation on the diff; zero-width characters hid or split words.
 * `lines`: line and paragraph separators are line breaks (an annotation's message), else spaces.
 */
function plainField(text: string, lines = false): string {
  if (!lines) return oneLine(text);
  return text
    .replace(/[\u2028\u2029]/g, '\n')
    .split('\n')
    .map(oneLine)
    .join('\n');
}

/**
 * `text` when it shows something, else undefined: one of invisible characters only is empty once they go, and
 * GitHub refuses an annotation without a message.
 */
const shownText = (text: string): string | undefined => (/\S/.test(text) ? text : undefined);

export function gateCheckName(gate: string): string {
  return `gates / ${gate}`;
}

export function gateConclusion(result: GateResult): 'success' | 'neutral' | 'failure' {
  return result.status === 'pass' ? 'success' : result.status === 'warn' ? 'neutral' : 'failure';
}

export function gateCheckOutput(result: GateResult): CheckOutput {
  const unplaced = result.findings.filter((f) => !f.path);
  const placed = result.findings.length - unplaced.length;
  const lines = [
    `**${result.status.toUpperCase()}** (${result.required ? 'required' : 'advisory'}) in ${formatDuration(result.durationMs)}`,
    '',
    say(result.summary, 2000),
  ];
  if (result.findings.length > 0) lines.push('', `${result.findings.length} finding(s).`);
  // Only findings with a file become annotations, so only they count towards the cap.
  if (placed > MAX_ANNOTATIONS) lines.push(`Only the first ${MAX_ANNOTATIONS} are shown as annotations.`);
  const text = unplaced.length
    ? [
        'Findings without a file:',
        '',
        ...unplaced.slice(0, 100).map((f) => `- ${say(f.rule, 200)}: ${say(f.message, 1000)}`),
        ...(unplaced.length > 100 ? [`- … and ${unplaced.length - 100} more`] : []),
      ].join('\n')
    : undefined;
  return {
    title: truncate(plainField(`${result.name}: ${result.status.toUpperCase()}: ${result.summary}`), 255),
    // GitHub refuses a check run whose summary or text is over 65,535 bytes (its documentation says
    // characters): a finding's message is often the reviewed code's own text, of any script.
    summary: fitCheckText(lines.join('\n')),
    text: text === undefined ? undefined : fitCheckText(text),
  };
}

export function toAnnotation(f: Finding & { path: string }): Annotation {
  const start = Math.max(1, f.line ?? 1);
  const end = Math.max(start, f.endLine ?? start);
  const annotation: Annotation = {
    path: f.path,
    start_line: start,
    end_line: end,
    annotation_level: f.severity === 'error' ? 'failure' : f.severity,
    // GitHub takes at most 64 KB (bytes, not characters) and refuses the whole batch over it, or empty.
    message: truncateBytes(
      shownText(plainField(f.message, true)) ?? shownText(plainField(f.rule)) ?? 'finding',
      60_000,
    ),
    title: truncate(plainField(f.rule), 255),
  };
  // GitHub accepts columns only on a single line.
  if (f.column !== undefined && start === end) {
    // GitHub counts columns from 1.
    annotation.start_column = Math.max(1, f.column);
    annotation.end_column = Math.max(1, f.column);
  }
  return annotation;
}

/** The findings that have a file, as annotations in batches of at most 50. */
export function annotationBatches(findings: Finding[], perRequest = ANNOTATIONS_PER_REQUEST): Annotation[][] {
  const placed = findings
    .filter((f): f is Finding & { path: string } => typeof f.path === 'string' && f.path.length > 0)
    .slice(0, MAX_ANNOTATIONS)
    .map(toAnnotation);
  const batches: Annotation[][] = [];
  for (let i = 0; i < placed.length; i += perRequest) batches.push(placed.slice(i, i + perRequest));
  return batches;
}
