// An unquoted here-document's body runs what is inside its $(…), $((…)) and `…`, and those may span lines: a
// value there is shell code (split into words, the first naming the program that runs). Each refused script is
// shown to run a hostile value's command when rendered naively (so the refusal is needed), and each accepted one
// is run by a real bash with that value and shown to run nothing of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeShellTemplate, renderShellScript } from '../../../src/targets/shell-script.ts';
import { bodySubstitutions } from '../../../src/targets/heredoc-substitution.ts';

/**
 * Runs `script` in bash with DEPLOY_X set to a value that creates a marker file if run: as a command (its words),
 * or as an arithmetic expression (an array subscript's $(…)).
 */
function runWithHostileValue(script: string, arithmetic = false): { ran: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'heredoc-subst-'));
  const marker = join(dir, 'ran');
  try {
    const out = execFileSync('bash', ['-c', script], {
      cwd: dir,
      env: { PATH: process.env.PATH, DEPLOY_X: arithmetic ? `a[$(touch ${marker})]` : `touch ${marker}` },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return { ran: existsSync(marker), out };
  } catch {
    return { ran: existsSync(marker), out: '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const naive = (script: string) => script.replaceAll('{{x}}', '${DEPLOY_X}');

const REFUSED: Array<[string, string]> = [
  ['a template on the line after $( opens', 'cat <<EOF\na $(true\n{{x}})\nEOF'],
  ['a template lines after $( opens', 'cat <<EOF\na $(true\nb\n{{x}})\nEOF'],
  ['a template on the line after ` opens', 'cat <<EOF\na `true\n{{x}}`\nEOF'],
  ['a template in $((…)) spanning lines', 'a=(1); cat <<EOF\n$((1+\n{{x}} ))\nEOF'],
  ['a template in a nested substitution', 'cat <<EOF\n$(echo $(true\n{{x}}))\nEOF'],
  ['a template in a substitution piped into a here-document reader', 'cat <<EOF | cat\n$(true\n{{x}})\nEOF'],
  ['a template in a <<- body, tabs stripped', 'cat <<-EOF\n\t$(true\n\t{{x}})\n\tEOF'],
  [
    'a template after a substitution closed by a quoted paren inside it',
    'cat <<EOF\n$(true ")"\n{{x}})\nEOF',
  ],
  // bash drops \<newline> from such a body before expanding it, so $ and ( on two lines open a substitution.
  ['a template after $ and ( joined by a backslash-newline', 'cat <<EOF\na $\\\n({{x}})\nEOF'],
  // In $'…' a \' is a quote, so the ) after it is inside the string and the substitution is still open.
  ["a template after a ) inside $'…' holding \\'", "cat <<EOF\n$(echo $'\\')' ; {{x}})\nEOF"],
];

for (const [what, script] of REFUSED)
  test(`refused: ${what}`, () => {
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    assert.ok(
      analysis.problems.some((p) =>
        /inside a command substitution in a here-document|arithmetic/.test(p.message),
      ),
      analysis.problems.map((p) => p.message).join('\n'),
    );
    // Without the refusal the value would run as a command.
    assert.equal(
      runWithHostileValue(naive(script), /\$\(\(/.test(script)).ran,
      true,
      `naive rendering of ${JSON.stringify(script)} ran nothing`,
    );
  });

test('refused: a variable holding a template inside a substitution spanning lines', () => {
  for (const script of [
    'V={{x}}; cat <<EOF\na $(true\n$V)\nEOF',
    'V={{x}}; cat <<EOF\na `true\n${V}`\nEOF',
    'V={{x}}; cat <<EOF\n$(true; $V)\nEOF',
  ]) {
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    assert.match(
      analysis.problems[0]!.message,
      /\$\{?V\}? \(character \d+\) holds \{\{x\}\}.*command substitution/,
    );
    assert.equal(
      runWithHostileValue(naive(script).replace('V=${DEPLOY_X}', 'V="$DEPLOY_X"')).ran,
      true,
      script,
    );
  }
});

test('refused: a variable holding a template split across lines by a backslash-newline', () => {
  // bash joins $\<newline>V into $V before expanding the body, in a substitution and in a manifest alike.
  for (const script of [
    'V={{x}}; cat <<EOF\n$(true; $\\\nV)\nEOF',
    'V={{x}}; cat <<EOF\n$(true; ${\\\nV})\nEOF',
    'V={{x}}; kubectl apply -f - <<EOF\nimage: app:$\\\nV\nEOF',
  ]) {
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    assert.match(
      analysis.problems.map((p) => p.message).join('\n'),
      /\$V \(character \d+\) holds \{\{x\}\}.*split across lines by a backslash-newline/,
    );
  }
  const script = 'V={{x}}; cat <<EOF\n$(true; $\\\nV)\nEOF';
  assert.equal(runWithHostileValue(naive(script).replace('V=${DEPLOY_X}', 'V="$DEPLOY_X"')).ran, true);
  // A line continued after a whole reference is text as before.
  assert.equal(analyzeShellTemplate('V={{x}}; cat <<EOF\nimage: $V \\\nmore\nEOF').ok, true);
});

const ACCEPTED: Array<[string, string]> = [
  ['a template after a substitution closed on its line', 'cat <<EOF\nimage: $(echo app) {{x}}\nEOF'],
  ['a template after a substitution with a quoted paren', 'cat <<EOF\na $(echo ")") {{x}}\nEOF'],
  ['a template after arithmetic', 'cat <<EOF\n$((1+2)) {{x}}\nEOF'],
  ['a template after a multi-line substitution closed', 'cat <<EOF\n$(echo a\necho b) {{x}}\nEOF'],
  ['a template after backticks closed', 'cat <<EOF\n`echo a` {{x}}\nEOF'],
  ['a template after an escaped $(', 'cat <<EOF\n\\$(echo {{x}}\nEOF'],
  ['a template in the body text, parentheses plain there', 'cat <<EOF\n( {{x}} )\nEOF'],
  // \\<newline> is one backslash and a line break, no continuation: the ( stays text.
  ['a template after an escaped backslash ending a line', 'cat <<EOF\na $\\\\\n( {{x}} )\nEOF'],
  ["a template after a substitution closed past $'…'", "cat <<EOF\n$(echo $'\\')') {{x}}\nEOF"],
];

for (const [what, script] of ACCEPTED)
  test(`accepted and inert: ${what}`, () => {
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, true, analysis.ok ? '' : analysis.problems.map((p) => p.message).join('\n'));
    const rendered = renderShellScript(script, { x: 'VALUE' });
    const { ran, out } = runWithHostileValue(rendered.script);
    assert.equal(ran, false);
    // The value is printed as text where the template stood.
    assert.match(out, /touch \S+\/ran/);
  });

test('bodySubstitutions marks the inside of each substitution and nothing else', () => {
  const body = 'a $(b\nc) d `e` f \\$(g h';
  const inside = bodySubstitutions(body);
  const marked = [...body].filter((_, k) => inside[k] === 1).join('');
  assert.equal(marked, '(b\nc)e`');
  // Past what cannot be followed (a comment inside a substitution), everything counts as inside.
  const unknown = bodySubstitutions('$(true # )\n) x');
  assert.equal(unknown.at(-1), 1);
});
