// How the shell reading (shell-reading.ts) tells a "$" or "`" that starts an expansion from one the shell reads as
// a character: in single quotes, or escaped with a backslash (in or out of double quotes), it is a character of
// the word, fixed text as in the argv form; bare or in double quotes it expands, and what it holds is not known
// here (it may be empty, or hold a marker). Each line is also run by a real /bin/sh, which must give the
// program the argument the table says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeShellTemplate, renderShellScript } from '../../../src/targets/shell-script.ts';
import { printedArgv, writeArgvPrinter } from '../../helpers/argv-printer.ts';

const URL = 'https://h.example.com/';

interface Line {
  line: string;
  /** The arguments /bin/sh gives the program (curl, cat), {{x}} written as %, no variable set. */
  argv: string[];
}

// Where curl and cat read a local file (file-reads.ts): an expansion before the template may be empty or hold
// the marker, and no check once rendered sees it, so the template is refused when the config loads.
const UNKNOWN = /\{\{x\}\} \(character \d+\) comes with .+ in an argument where (curl|cat) /;
const FILE_READS: Array<Line & { verdict: 'accepted' | 'refused' }> = [
  // Single quotes: around the word, closing mid-word, next to double quotes.
  { line: `curl -d '$X{{x}}' ${URL}`, argv: ['-d', '$X%', URL], verdict: 'accepted' },
  { line: `curl -d '$X'{{x}} ${URL}`, argv: ['-d', '$X%', URL], verdict: 'accepted' },
  { line: `curl -d '$X'"{{x}}" ${URL}`, argv: ['-d', '$X%', URL], verdict: 'accepted' },
  { line: `curl -d '\${X}{{x}}' ${URL}`, argv: ['-d', '${X}%', URL], verdict: 'accepted' },
  { line: `curl -d '$(id)'{{x}} ${URL}`, argv: ['-d', '$(id)%', URL], verdict: 'accepted' },
  { line: `curl -d '\`id\`'{{x}} ${URL}`, argv: ['-d', '`id`%', URL], verdict: 'accepted' },
  { line: `curl -F 'notes=$X{{x}}' ${URL}`, argv: ['-F', 'notes=$X%', URL], verdict: 'accepted' },
  { line: `cat '\${F:-{{x}}}'`, argv: ['${F:-%}'], verdict: 'accepted' },
  // A quoted "$" first, an expansion after it: the argument starts with fixed text.
  { line: `curl -d '$X'$Y{{x}} ${URL}`, argv: ['-d', '$X%', URL], verdict: 'accepted' },
  // A backslash, outside quotes or in double quotes.
  { line: `curl -d \\$X{{x}} ${URL}`, argv: ['-d', '$X%', URL], verdict: 'accepted' },
  { line: `curl -d "\\$X{{x}}" ${URL}`, argv: ['-d', '$X%', URL], verdict: 'accepted' },
  { line: `curl -d \\\`id\\\`{{x}} ${URL}`, argv: ['-d', '`id`%', URL], verdict: 'accepted' },
  // Expansions: bare, in double quotes, after single quotes that closed before them.
  { line: `curl -d "$X{{x}}" ${URL}`, argv: ['-d', '%', URL], verdict: 'refused' },
  { line: `curl -d $X{{x}} ${URL}`, argv: ['-d', '%', URL], verdict: 'refused' },
  { line: `curl -d \${X}{{x}} ${URL}`, argv: ['-d', '%', URL], verdict: 'refused' },
  { line: `curl -d "$(true){{x}}" ${URL}`, argv: ['-d', '%', URL], verdict: 'refused' },
  { line: `curl -d \`true\`{{x}} ${URL}`, argv: ['-d', '%', URL], verdict: 'refused' },
  { line: `curl -d ''$X{{x}} ${URL}`, argv: ['-d', '%', URL], verdict: 'refused' },
  { line: `curl -d "$Y"'$X'{{x}} ${URL}`, argv: ['-d', '$X%', URL], verdict: 'refused' },
  { line: `curl -F 'notes='$X{{x}} ${URL}`, argv: ['-F', 'notes=%', URL], verdict: 'refused' },
  { line: `curl -F 'notes='"$X"{{x}} ${URL}`, argv: ['-F', 'notes=%', URL], verdict: 'refused' },
  // An escaped quote, or one in double quotes, opens no single quotes: the "$" after it expands.
  { line: `curl -F \\''notes='$X{{x}} ${URL}`, argv: ['-F', "'notes=%", URL], verdict: 'refused' },
  { line: `curl -F "'"'notes='$X{{x}} ${URL}`, argv: ['-F', "'notes=%", URL], verdict: 'refused' },
  // A "$" quoted inside $(…) is the substitution's: its output is not known here.
  { line: `curl -d "$(echo '$X')"{{x}} ${URL}`, argv: ['-d', '$X%', URL], verdict: 'refused' },
];

// Where curl reads options: an expansion that may be empty before the template lets the value start the
// argument, so a value starting with "-" fails the command once rendered.
const OPTION = /the value of \{\{x\}\} starts with "-" and is a whole argument of curl/;
const LEADING: Array<Line & { verdict: 'runs' | 'fails' }> = [
  { line: `curl '$EMPTY{{x}}'`, argv: ['$EMPTY%'], verdict: 'runs' },
  { line: `curl '$EMPTY'{{x}}`, argv: ['$EMPTY%'], verdict: 'runs' },
  { line: `curl '$1'"{{x}}"`, argv: ['$1%'], verdict: 'runs' },
  { line: `v={{x}}; curl '$EMPTY'"$v"`, argv: ['$EMPTY%'], verdict: 'runs' },
  // A backslash (runs as before: the reading took the backslash for fixed text).
  { line: `curl \\$EMPTY{{x}}`, argv: ['$EMPTY%'], verdict: 'runs' },
  { line: `curl "\\\${EMPTY}{{x}}"`, argv: ['${EMPTY}%'], verdict: 'runs' },
  // Expansions, bare or in double quotes, after single quotes that closed before them.
  { line: `curl "$EMPTY{{x}}"`, argv: ['%'], verdict: 'fails' },
  { line: `curl $1{{x}}`, argv: ['%'], verdict: 'fails' },
  { line: `curl ''$EMPTY{{x}}`, argv: ['%'], verdict: 'fails' },
  { line: `curl "$EMPTY"'{{x}}'`, argv: ['%'], verdict: 'fails' },
  { line: `v={{x}}; curl "$EMPTY$v"`, argv: ['%'], verdict: 'fails' },
  // ${X:+…} is empty when X is: a quoted "$" in it is no fixed text of the argument.
  { line: `curl \${X:+'$Y'}{{x}}`, argv: ['%'], verdict: 'fails' },
];

// Where curl reads options, the output of "$(…)" starting the argument could be one, and no check sees it: a
// template inside is refused. Quotes alone before it ('') are no text of the argument; a quoted "$" is.
const STARTS = /\{\{x\}\} \(character \d+\) is inside \$\(…\) at the start of an argument of curl/;
const SUBSTITUTIONS: Array<Line & { verdict: 'accepted' | 'refused' }> = [
  { line: `curl ''"$(echo {{x}})"`, argv: ['%'], verdict: 'refused' },
  { line: `curl "$EMPTY$(echo {{x}})"`, argv: ['%'], verdict: 'refused' },
  { line: `curl \${X:+'$Y'}"$(echo {{x}})"`, argv: ['%'], verdict: 'refused' },
  { line: `curl '$EMPTY'"$(echo {{x}})"`, argv: ['$EMPTY%'], verdict: 'accepted' },
  { line: `curl \\$EMPTY"$(echo {{x}})"`, argv: ['$EMPTY%'], verdict: 'accepted' },
  { line: `curl "\\$EMPTY$(echo {{x}})"`, argv: ['$EMPTY%'], verdict: 'accepted' },
  { line: `curl "'$(echo {{x}})"`, argv: ["'%"], verdict: 'accepted' },
];

test('at load: a template after a quoted or escaped "$" is after fixed text; after an expansion, refused', () => {
  const wrong: string[] = [];
  for (const { line, verdict } of FILE_READS) {
    const analysis = analyzeShellTemplate(line);
    const got = analysis.ok ? 'accepted' : UNKNOWN.test(analysis.problems[0]!.message) ? 'refused' : 'other';
    if (got !== verdict)
      wrong.push(`${line}: ${analysis.ok ? 'accepted' : analysis.problems[0]!.message.slice(0, 80)}`);
  }
  assert.deepEqual(wrong, []);
});

test('at load: "$(…)" after quotes alone starts the argument; after a quoted or escaped "$", not', () => {
  const wrong: string[] = [];
  for (const { line, verdict } of SUBSTITUTIONS) {
    const analysis = analyzeShellTemplate(line);
    const got = analysis.ok ? 'accepted' : STARTS.test(analysis.problems[0]!.message) ? 'refused' : 'other';
    if (got !== verdict)
      wrong.push(`${line}: ${analysis.ok ? 'accepted' : analysis.problems[0]!.message.slice(0, 80)}`);
  }
  assert.deepEqual(wrong, []);
  // A single-quoted template alone before it starts the argument when empty: checked once rendered.
  const line = `curl '{{a}}'"$(echo {{x}})"`;
  assert.throws(
    () => renderShellScript(line, { a: '', x: 'v' }),
    /\{\{a\}\} is empty, so the output of the \$\(…\)/,
  );
  assert.doesNotThrow(() => renderShellScript(line, { a: 'v', x: 'v' }));
});

test('once rendered: a value after a quoted or escaped "$" does not start the argument; after an expansion, it may', () => {
  const wrong: string[] = [];
  for (const { line, verdict } of LEADING) {
    const render = (x: string) => {
      try {
        renderShellScript(line, { x });
        return 'runs';
      } catch (error) {
        return OPTION.test((error as Error).message) ? 'fails' : (error as Error).message.slice(0, 80);
      }
    };
    if (render('-rf') !== verdict) wrong.push(`${line} given -rf: ${render('-rf')}`);
    if (render('v1.2.3') !== 'runs') wrong.push(`${line} given v1.2.3: ${render('v1.2.3')}`);
  }
  assert.deepEqual(wrong, []);
});

test('a real /bin/sh gives the program the arguments the table says', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shell-reading-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const printer = writeArgvPrinter(dir);
  for (const { line, argv } of [...FILE_READS, ...LEADING, ...SUBSTITUTIONS]) {
    const script = line.replaceAll('{{x}}', '%').replace(/\b(curl|cat) /, `/bin/sh ${printer} `);
    const output = execFileSync('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH }, cwd: dir });
    assert.deepEqual(printedArgv(output.toString()), argv, line);
  }
});
