// Values that reach bash's evaluation through a shell variable: a trap's or eval's code read with the script's
// variables, a variable holding the NAME of one that holds a value (n=v; (( n ))), a subscript in a name bash
// evaluates (declare -n r=a[v], ${!n}, [[ -v $n ]], a[ v ]=, {a[v]}>), a variable set after the code reading it
// is written (functions, loops, traps, later namerefs), an inline bash given the value in its environment, and
// code variables set through builtin/command and namerefs. Each refused script is first run by bash (5.2),
// written as renderShellScript would write it, to show the command hidden in the value runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeShellTemplate, renderShellScript } from '../../../src/targets/shell-script.ts';
import { bashLeavesMarker, referencesByHand, type BashRun } from '../../helpers/bash-injection.ts';

/** The script as it runs: renderShellScript's output while accepted; once refused, the same references by hand. */
function rendered(script: string, value: string): BashRun {
  if (analyzeShellTemplate(script).ok) return renderShellScript(script, { x: value });
  const heredoc = script.indexOf('<<EOF');
  return { script: referencesByHand(script, heredoc >= 0 ? heredoc : Infinity), env: { DEPLOY_X: value } };
}

/** Whether bash runs the command hidden in a value a[$(touch …)] given as {{x}}. */
function runsInjectedCommand(script: string): boolean {
  return bashLeavesMarker((_, marker) => rendered(script, `a[$(touch ${marker})]`));
}

/** Whether bash runs a program of the value's directory (an `ls` there) when the script runs `ls`. */
function runsProgramFromValue(script: string): boolean {
  return bashLeavesMarker((dir, marker) => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ls'), `#!/bin/sh\n/usr/bin/touch ${marker}\n`);
    chmodSync(join(bin, 'ls'), 0o755);
    return rendered(script, bin);
  });
}

/** Each script's hidden command is run by bash; the ones analyzeShellTemplate accepts are listed (should be none). */
function acceptedThoughBashRunsThem(scripts: string[], runs = runsInjectedCommand): string[] {
  for (const script of scripts)
    assert.ok(runs(script), `bash does not run the value in ${JSON.stringify(script)}`);
  return scripts.filter((script) => analyzeShellTemplate(script).ok);
}

/** The messages of a script's refusals (asserting it is refused). */
function refusals(script: string): string[] {
  const analysis = analyzeShellTemplate(script);
  assert.ok(!analysis.ok, `accepted: ${JSON.stringify(script)}`);
  return analysis.problems.map((problem) => problem.message);
}

/** Each script is refused, bash running its hidden command, with a message matching `message`. */
function refusedAsRun(scripts: string[], message: RegExp, runs = runsInjectedCommand): void {
  assert.deepEqual(acceptedThoughBashRunsThem(scripts, runs), []);
  for (const script of scripts)
    assert.ok(
      refusals(script).some((m) => message.test(m)),
      `${JSON.stringify(script)}: ${refusals(script).join(' | ')}`,
    );
}

function accepted(scripts: string[]): void {
  for (const script of scripts) {
    const analysis = analyzeShellTemplate(script);
    assert.ok(
      analysis.ok,
      `${JSON.stringify(script)}: ${analysis.ok ? '' : analysis.problems.map((p) => p.message).join(' | ')}`,
    );
  }
}

test('a trap string or an eval string is code this shell runs with its variables', () => {
  refusedAsRun(
    ["v={{x}}; trap '(( v ))' EXIT", "v={{x}}; trap 'echo $(( v ))' EXIT", "trap '(( v ))' EXIT; v={{x}}"],
    /^the code trap runs \(character \d+\) is run by this shell, with its variables, when the signal comes: there \(characters counted in that code\), v \(character \d+\) holds \{\{x\}\}, set by the script around it; it is read in/,
  );
  refusedAsRun(
    ["v={{x}}; eval 'echo $(( v ))'", "v={{x}}; builtin eval 'echo $(( v ))'"],
    /^the code eval runs/,
  );
  // The value run as a program there.
  assert.match(
    refusals("v={{x}}; trap '$v --now' EXIT")[0]!,
    /there .*\$v \(character 1\) holds \{\{x\}\}.*word naming the program/,
  );
  assert.match(refusals(`set -- {{x}}; trap '"$1"' EXIT`)[0]!, /the code trap runs/);
  accepted([
    'v={{x}}; trap \'echo "$v"\' EXIT',
    "v={{x}}; trap 'rm -f /tmp/lock' EXIT",
    "v=1; trap '(( v ))' EXIT; echo {{x}}",
    "v={{x}}; eval 'echo done'",
  ]);
});

test('a variable holding the name of one that holds a value is refused where bash evaluates names', () => {
  refusedAsRun(
    [
      'v={{x}}; n=v; (( n ))',
      'v={{x}}; n=v; echo $(( n + 1 ))',
      'v={{x}}; n=v; [[ $n -eq 1 ]]',
      'v={{x}}; n=v; let m=n',
      'v={{x}}; n=v; echo ${a[n]}',
      'v={{x}}; n=v; a[n]=1',
      'echo {{x}}; n=DEPLOY_X; (( n ))',
      'echo {{x}}; v=DEPLOY_X; [[ $v -eq 1 ]]',
      'v={{x}}; set -- v; (( $1 ))',
      'v={{x}}; for n in v; do (( n )); done',
      'v={{x}}; printf -v n %s v; (( n ))',
      'v={{x}}; n=v; m=n; (( m ))',
    ],
    /holds the name of a variable holding \{\{x\}\}, set at character \d+; it is read in/,
  );
  refusedAsRun(
    ['v={{x}}; f() { (( $1 )); }; f v'],
    /^v \(character 31\), the name of a variable holding \{\{x\}\}, is passed to the function f of this script as \$1, and there \$1 is read in \(\(…\)\)/,
  );
  accepted([
    'v={{x}}; n=v; echo "$n"',
    'v={{x}}; n=v; echo "${!n}"',
    'v={{x}}; f() { echo "$1"; }; f v',
    'f() { echo "$1"; }; f {{x}}',
    'v={{x}}; n=w; (( n ))',
    'v={{x}}; f() { (( $1 )); }; f 1',
    'v={{x}}; for n in a b; do (( n )); done',
  ]);
});

test('a subscript bash evaluates in a name: nameref target, ${!n}, [[ -v $n ]], a[ v ]=, {a[v]}>', () => {
  refusedAsRun(
    ['v={{x}}; declare -n r=a[v]; echo "$r"', 'v={{x}}; declare -n r; r=a[v]; echo "$r"'],
    /^v \(character \d+\) holds \{\{x\}\}, set at character 1; it is read in the subscript of the array a, which the nameref r names/,
  );
  refusedAsRun(
    ['v={{x}}; n=\'a[v]\'; echo "${!n}"', "v={{x}}; n='a[v]'; [[ -v $n ]]"],
    /is used as the name of a variable, and the name \$n holds, set at character 10, has a subscript reading a variable that holds \{\{x\}\}/,
  );
  refusedAsRun(["v={{x}}; n='a[v]'; (( n ))"], /holds the name of a variable holding \{\{x\}\}/);
  refusedAsRun(
    ['v={{x}}; a[ v ]=1'],
    /^v \(character 13\) holds \{\{x\}\}, set at character 1; it is read in the subscript of the array a,/,
  );
  refusedAsRun(
    ['v={{x}}; exec {a[v]}>/dev/null', 'v={{x}}; echo hi {a[v]}>/dev/null'],
    /it is read in the subscript of the array a, which a redirection \{…\}> sets/,
  );
  accepted([
    'v={{x}}; declare -n r=v; echo "$r"',
    'v={{x}}; n=\'a[1]\'; echo "${!n}"',
    'v={{x}}; declare -A a; declare -n r=a[v]; echo "$r"',
    'exec {fd}>/dev/null; echo {{x}} >&$fd',
    'v={{x}}; exec {a[1]}>/dev/null',
    'v={{x}}; a[ 1 ]=1',
  ]);
});

test('a nameref set by a later assignment, or code read in a function defined before the value is set', () => {
  refusedAsRun(
    [
      'v={{x}}; declare -n r; r=v; (( r ))',
      'f() { (( r )); }; declare -n r=v; v={{x}}; f',
      'f() { echo $(( v )); }; v={{x}}; f',
      'f() { (( v )); }; v={{x}} f',
      'for i in 1 2; do (( v )); v={{x}}; done',
    ],
    /holds \{\{x\}\}, set at character \d+; it is read in/,
  );
  // The older hole: the program chosen in a function written before the value is set.
  assert.match(
    refusals('f() { $v --now; }; v={{x}}; f')[0]!,
    /^\$v \(character 7\) holds \{\{x\}\}, set at character 20; it is in the word naming the program/,
  );
  accepted([
    'f() { echo "$v"; }; v={{x}}; f',
    'f() { (( n )); }; n=1; v={{x}}; f',
    'for i in 1 2; do echo "$v"; v={{x}}; done',
  ]);
});

test('a value an inline bash receives in its environment, and a for without ;', () => {
  refusedAsRun(
    [
      "export v={{x}}; bash -c '(( v ))'",
      "v={{x}} bash -c '(( v ))'",
      "v={{x}}; export v; bash -c '[[ $v -eq 1 ]]'",
      "echo {{x}}; bash -c '(( DEPLOY_X ))'",
      "declare -x v={{x}}; nohup bash -c '(( v ))'",
    ],
    /^\{\{x\}\} reaches the script of "bash -c" \(character \d+\) in its environment \(a variable this script exports or sets before the command, or DEPLOY_\*\): there \(characters counted in that script\), (\$?v|DEPLOY_X) \(character \d+\) holds \{\{x\}\}/,
  );
  refusedAsRun(
    ["v={{x}} bash <<'EOF'\n(( v ))\nEOF"],
    /^\{\{x\}\} reaches the script "bash" reads from its here-document/,
  );
  refusedAsRun(
    ['set -- {{x}}; for v do (( v )); done'],
    /^v \(character 27\) holds \{\{x\}\}, set at character 19; it is read in/,
  );
  assert.match(
    refusals("export v={{x}}; bash -c '$v --now'")[0]!,
    /reaches the script of "bash -c".*word naming the program/,
  );
  accepted([
    "v={{x}}; bash -c '(( v ))'",
    'export v={{x}}; bash -c \'echo "$v"\'',
    "export v={{x}}; ssh host bash -c '(( v ))'",
    "export v={{x}}; env -i bash -c '(( v ))'",
    'echo {{x}}; bash -c \'echo "$DEPLOY_X"\'',
    'set -- a; for v do echo "$v"; done; echo {{x}}',
  ]);
});

test('code variables set through builtin/command read and printf -v, or a nameref set by declare/export or later', () => {
  refusedAsRun(
    [
      'builtin read PATH <<< {{x}}; ls',
      'command read PATH <<< {{x}}; ls',
      'command builtin read PATH <<< {{x}}; ls',
      'builtin printf -v PATH %s {{x}}; ls',
      'command printf -v PATH %s {{x}}; ls',
      'declare -n r=PATH; builtin read r <<< {{x}}; ls',
      'declare -n r=PATH; declare r={{x}}; ls',
      'declare -n r=PATH; declare -g r={{x}}; ls',
      'declare -n r=PATH; export r={{x}}; ls',
      'declare -n r; r=PATH; r={{x}}; ls',
      'f() { r={{x}}; }; declare -n r=PATH; f; ls',
    ],
    /is in the value of the variable PATH, which programs read to load code/,
    runsProgramFromValue,
  );
  accepted([
    'builtin read v <<< {{x}}; echo "$v"',
    'command printf -v v %s {{x}}; echo "$v"',
    'declare -n r=DIR; declare r={{x}}; echo "$DIR"',
    'declare -n r; r=DIR; r={{x}}; echo "$DIR"',
    'command -v read; echo {{x}}',
  ]);
});
