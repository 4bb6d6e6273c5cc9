// The XML reports a gate reads, by format, and what reading one gives: the one function the main thread
// and the XML worker thread (xml-worker.ts) both call, so a report reads the same wherever it is parsed.
// A Liquibase XML changelog is one too: its risks are found in one synchronous validate-and-scan.
import { findXmlChangelogRisks } from './changelog-risks.ts';
import type { ChangelogResult } from './changelog-risks.ts';
import { parseCobertura } from './coverage/cobertura.ts';
import { CoverageReportError } from './coverage/types.ts';
import type { CoverageReport } from './coverage/types.ts';
import { JUnitReportError, parseJUnit } from './junit.ts';
import type { JUnitSummary } from './junit.ts';

export interface XmlReportValue {
  junit: JUnitSummary;
  cobertura: CoverageReport;
  /** Never refused: a changelog that is not well-formed is a result (ok: false) saying where. */
  liquibase: ChangelogResult;
}
export type XmlReportFormat = keyof XmlReportValue;

/** Throws the format's own error (JUnitReportError, CoverageReportError) on a report it refuses. */
export function parseXmlReportOf<F extends XmlReportFormat>(
  format: F,
  text: string,
  file: string,
): XmlReportValue[F] {
  return PARSERS[format](text, file);
}

const PARSERS: { [F in XmlReportFormat]: (text: string, file: string) => XmlReportValue[F] } = {
  junit: parseJUnit,
  cobertura: parseCobertura,
  liquibase: (text) => findXmlChangelogRisks(text),
};

/** A refusal as it crosses a thread: the error's class by a stable name, and its message. */
export type XmlRefusal = { error: 'junit' | 'coverage'; message: string };

export function refusalOf(error: unknown): XmlRefusal | undefined {
  if (error instanceof JUnitReportError) return { error: 'junit', message: error.message };
  if (error instanceof CoverageReportError) return { error: 'coverage', message: error.message };
  return undefined;
}

export function errorOf(refusal: XmlRefusal): Error {
  return refusal.error === 'junit'
    ? new JUnitReportError(refusal.message)
    : new CoverageReportError(refusal.message);
}
