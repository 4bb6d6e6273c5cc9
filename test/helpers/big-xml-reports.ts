// Big generated XML reports (JUnit, Cobertura) for the tests of the XML worker thread: megabytes of ordinary
// report, with a known failure and known hits, so what a read returns can be checked exactly.

/** `suites` × `cases` test cases, each with some output; one failure in suite 7, case 3 (a two-line message). */
export function bigJUnit(suites: number, cases = 100): string {
  const parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>'];
  for (let s = 0; s < suites; s++) {
    parts.push(`<testsuite name="suite ${s}" tests="${cases}" failures="${s === 7 ? 1 : 0}" errors="0">`);
    for (let c = 0; c < cases; c++) {
      const body =
        s === 7 && c === 3
          ? '<failure message="expected 1&#10;received 2" type="AssertionError">at t3 (k7.test.ts:3)</failure>'
          : `<system-out>${'output line &amp; more '.repeat(3)}</system-out>`;
      parts.push(`<testcase name="t${c}" classname="k${s}" time="0.001">${body}</testcase>`);
    }
    parts.push('</testsuite>');
  }
  parts.push('</testsuites>\n');
  return parts.join('');
}

/** `classes` classes of `lines` lines each; line n of every class has n % 3 hits. */
export function bigCobertura(classes: number, lines = 400): string {
  const total = classes * lines;
  const covered = classes * (lines - Math.floor(lines / 3));
  const parts = [
    `<?xml version="1.0"?>\n<coverage lines-valid="${total}" lines-covered="${covered}" line-rate="${(covered / total).toFixed(4)}" branch-rate="0" version="1.9">`,
    '<sources><source>/build/src</source></sources><packages><package name="p"><classes>',
  ];
  for (let c = 0; c < classes; c++) {
    parts.push(`<class name="C${c}" filename="f${c}.ts" line-rate="0.66"><methods/><lines>`);
    for (let l = 1; l <= lines; l++) parts.push(`<line number="${l}" hits="${l % 3}"/>`);
    parts.push('</lines></class>');
  }
  parts.push('</classes></package></packages></coverage>\n');
  return parts.join('');
}
