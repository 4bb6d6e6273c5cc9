// The error a SARIF log the gate cannot read is refused with (its message names the file and the field).
export class SarifReportError extends Error {
  override name = 'SarifReportError';
}
