// bash evaluates a variable read in an arithmetic expression by evaluating its value as an expression in turn,
// and runs the command substitutions of an indexed array's subscript there: a value a[$(id)] runs id wherever
// bash does arithmetic on it. $((…)) and ((…)) refused a template already; let, [[ … -eq … ]], for ((…)),
// integer variables (declare -i), array subscripts (a[…]=, ${a[…]}, unset 'a[…]', [[ -v a[…] ]]) and
// substring offsets did not, nor a variable holding a value read in any of them. Each form here is first run
// by real bash with such a value, to show it runs the command (or, for the accepted forms, that it does not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeShellTemplate } from '../../../src/targets/shell-script.ts';
import { assertScriptAccepted, assertScriptRefused, configErrors } from '../../helpers/command-checks.ts';
import { bashRunsInjectedCommand as runsInjectedCommand } from '../../helpers/bash-injection.ts';

const ARITHMETIC =
  /bash evaluates as an arithmetic expression, (evaluating the value of a variable read there as one in turn and )?running any \$\(…\) in an array subscript/;

test('a template where bash evaluates it as an expression is refused: let, [[ -eq ]], declare -i, subscripts', () => {
  for (const script of [
    'let n={{x}}',
    'let "n = {{x}} + 1"',
    '[[ {{x}} -eq 1 ]]',
    '[[ 1 -lt {{x}} ]]',
    'if [[ {{x}} -ge 3 ]]; then echo big; fi',
    'declare -i n={{x}}',
    'f() { local -i n={{x}}; }; f',
    'declare -i n; n={{x}}',
    'typeset -i n; n+={{x}}',
    'a[{{x}}]=1',
    'a=([{{x}}]=1)',
    "unset 'a[{{x}}]'",
  ]) {
    assert.ok(runsInjectedCommand(script), `bash does not run the value of ${script}`);
    assertScriptRefused(script, ARITHMETIC);
  }
});

test('a variable holding a value, read where bash does arithmetic, is refused: $v, bare v, DEPLOY_X, $1', () => {
  for (const script of [
    'v={{x}}; [[ $v -gt 0 ]]',
    'v={{x}}; [[ v -gt 0 ]]',
    '[[ DEPLOY_X -gt 0 ]]',
    'v={{x}}; echo $((v))',
    'v={{x}}; echo $(( $v + 1 ))',
    'echo $(( DEPLOY_X + 1 ))',
    'v={{x}}; (( v > 0 ))',
    'v={{x}}; let n=v+1',
    'v={{x}}; declare -i n=$v',
    'v={{x}}; echo ${a[$v]}',
    'v={{x}}; echo "${a[v]}"',
    'v={{x}}; echo "${a[@]:$v}"',
    'v={{x}}; a[$v]=1',
    'v={{x}}; declare -a b=([$v]=1)',
    'v={{x}}; unset "a[$v]"',
    'v={{x}}; test -v "a[$v]"',
    'v={{x}}; [ -v "a[$v]" ]',
    'v={{x}}; printf -v "a[$v]" %s 1',
    'v={{x}}; read "a[$v]" <<< 1',
    'v={{x}}; declare "a[$v]=1"',
    'v={{x}}; for ((i=v; i<3; i++)); do :; done',
    'read -r v <<< {{x}}; (( v > 1 ))',
    'declare -n r=v; v={{x}}; echo $((r))',
    'declare -i n; read n <<< {{x}}',
    'declare -i n; printf -v n %s {{x}}',
    'declare -i n; for n in {{x}}; do :; done',
    'f() { (( $1 > 0 )); }; f {{x}}',
    'f() { local -i n=$1; }; f {{x}}',
  ]) {
    assert.ok(runsInjectedCommand(script), `bash does not run the value of ${script}`);
    assertScriptRefused(script, ARITHMETIC);
  }
  // bash 5.2 expands [[ -v a[$v] ]]'s subscript once; 5.1 and older (the runners' among them) twice.
  assertScriptRefused('v={{x}}; [[ -v a[$v] ]]', ARITHMETIC);
});

test('the messages say where the value is evaluated and what to do instead', () => {
  assertScriptRefused(
    '[[ {{x}} -eq 1 ]]',
    /\{\{x\}\} \(character 4\) is in \[\[ … -eq … \]\], .*compare other values as strings \("\$DEPLOY_X"\)/,
  );
  assertScriptRefused(
    'a[{{x}}]=1',
    /the subscript of the array a, .*declare the array associative \(declare -A\)/,
  );
  assertScriptRefused(
    'v={{x}}; (( v > 0 ))',
    /(^|: )v \(character 13\) holds \{\{x\}\}, set at character 1; it is read in \(\(…\)\), /m,
  );
  assertScriptRefused(
    'echo $(( DEPLOY_X ))',
    /DEPLOY_X \(character 10\) holds \{\{x\}\}, the environment variable of that value/,
  );
  assertScriptRefused(
    'declare -i n; read n <<< {{x}}',
    /\{\{x\}\} is set by read into n \(character 20\), an integer variable/,
  );
  // An argv list's inline script too.
  assert.ok(
    configErrors(['bash', '-c', '(( $1 > 0 ))', 'sh', '{{x}}']).some((e) => ARITHMETIC.test(e)),
    'bash -c "(( $1 > 0 ))" sh {{x}} was accepted',
  );
});

test('our numbers may be used in arithmetic: weight, batch, … are integers the pipeline computes', () => {
  for (const script of [
    'echo $(( {{weight}} + 1 ))',
    'let "n = {{weight}} * 2"',
    '[[ {{weight}} -gt 0 ]]',
    'v={{weight}}; echo $((v * 2))',
    'for ((i=0; i<{{weight}}; i++)); do :; done',
    'declare -i n={{weight}}',
  ]) {
    assert.equal(runsInjectedCommand(script), false, `bash runs the value of ${script}`);
    const analysis = analyzeShellTemplate(script);
    assert.ok(analysis.ok, `${script}: ${analysis.ok ? '' : analysis.problems[0]!.message}`);
  }
});

test('what bash does not evaluate as an expression stays accepted', () => {
  for (const script of [
    // String comparisons, test's and ['s -eq (integers only, never evaluated), counts and lengths.
    '[[ {{x}} == 1 ]]',
    'v={{x}}; [[ $v != a ]]',
    '[ {{x}} -eq 1 ] 2>/dev/null || true',
    'test {{x}} -gt 0 2>/dev/null || true',
    'set -- {{x}}; [[ $# -gt 0 ]]',
    'v={{x}}; (( ${#v} > 3 ))',
    // An associative array's subscripts are strings.
    'declare -A m; m[{{x}}]=1',
    'declare -A m=([{{x}}]=1)',
    // A fixed variable that happens to share a template's name, numbers in other bases, a value only echoed.
    'x=1; echo $((x + 1)); echo {{x}}',
    'echo $(( 16#ff + 0x1f ))',
    'n=3; declare -i m=$n; echo {{x}}',
  ]) {
    assert.equal(runsInjectedCommand(script), false, `bash runs the value of ${script}`);
    assertScriptAccepted(script);
  }
});

test('[[ … ]] is one command: its && || ( ) < > are its own operators, not the shell', () => {
  // Read as the shell's, they split the test and made the value after them a program (refused wrongly), or
  // hid a comparison after them from the arithmetic rule.
  for (const script of [
    '[[ $a == 1 && {{x}} == 2 ]]',
    '[[ -n $a || {{x}} == b ]]',
    '[[ ( {{x}} == a ) ]]',
    '[[ ( {{x}} == a ) && ( $b == c ) ]] && echo ok',
    '[[ {{x}} < b ]]',
    'if [[ {{env}} == prod && -n "$A" ]]; then ./deploy.sh {{env}}; fi',
  ]) {
    assert.equal(runsInjectedCommand(script), false, `bash runs the value of ${script}`);
    assertScriptAccepted(script);
  }
  for (const script of ['[[ $a -eq 1 && {{x}} -gt 2 ]]', 'v={{x}}; [[ 1 -eq 2 || ( $v -gt 2 ) ]]']) {
    assert.ok(runsInjectedCommand(script), `bash does not run the value of ${script}`);
    assertScriptRefused(script, ARITHMETIC);
  }
  // After the closing ]], the shell's operators again.
  assertScriptRefused('[[ a == b ]] && {{x}}', /is in the word naming the program/);
  assertScriptRefused('[[ a ]]&&{{x}}', /is in the word naming the program/);
});

test('arithmetic behind builtin, command, time, coproc and function NAME, and in here-document bodies', () => {
  for (const script of [
    'builtin let n={{x}}',
    'command let n={{x}}',
    'v={{x}}; builtin let n=v',
    'builtin declare -i n={{x}}',
    'command declare -i n={{x}}',
    'v={{x}}; time (( v ))',
    'v={{x}}; time -p (( v ))',
    'v={{x}}; coproc (( v )); wait',
    'v={{x}}; function f (( v )); f',
    'v={{x}}; time [[ 1 -eq $v ]]',
    'v={{x}}; cat <<EOF\n$(( v ))\nEOF',
    'v={{x}}; cat <<EOF\n$[v]\nEOF',
    'v={{x}}; cat <<EOF\n${a[$v]}\nEOF',
    'cat <<EOF\n${a[{{x}}]}\nEOF',
    's=abc; cat <<EOF\n${s:{{x}}}\nEOF',
    "bash -c 'cat <<EOF\n$(( $1 ))\nEOF' _ {{x}}",
  ]) {
    assert.ok(runsInjectedCommand(script), `bash does not run the value of ${script}`);
    assertScriptRefused(script, ARITHMETIC);
  }
  // A quoted here-document is not expanded.
  for (const script of ["v={{x}}; cat <<'EOF'\n$(( v )) ${a[$v]}\nEOF", 'time ./deploy.sh {{x}}']) {
    assert.equal(runsInjectedCommand(script), false, `bash runs the value of ${script}`);
    assertScriptAccepted(script);
  }
});

test("integer variables however declared, and bash's own (OPTIND, RANDOM, SRANDOM, HISTCMD)", () => {
  for (const script of [
    'declare -i -- n; n={{x}}',
    "declare -i 'n' m; m={{x}}",
    'declare -i\\\n n; n={{x}}',
    'declare -i n{1,2}; n1={{x}}',
    "eval 'declare -i n'; n={{x}}",
    'declare -n r=n; declare -i r; r={{x}}',
    'OPTIND={{x}}',
    'RANDOM={{x}}',
    'HISTCMD={{x}}',
    'read OPTIND <<< {{x}}',
    'for OPTIND in {{x}}; do :; done',
    'v={{x}}; OPTIND=$v; getopts a b',
  ]) {
    assert.ok(runsInjectedCommand(script), `bash does not run the value of ${script}`);
    assertScriptRefused(script, ARITHMETIC);
  }
});

test('an array is associative only from an unconditional declare -A at the top, never unset or declared again', () => {
  for (const script of [
    'f() { local -A m; }; m[{{x}}]=1',
    '( declare -A m ); m[{{x}}]=1',
    'm[{{x}}]=1; declare -A m',
    'declare -A m; unset m; m[{{x}}]=1',
    'if false; then declare -A m; fi; m[{{x}}]=1',
    'false && declare -A m; m[{{x}}]=1',
    '# declare -A m\nm[{{x}}]=1',
    ': declare -A m; m[{{x}}]=1',
    'declare -A m; f() { local m; m[{{x}}]=1; }; f',
  ]) {
    assert.ok(runsInjectedCommand(script), `bash does not run the value of ${script}`);
    assertScriptRefused(script, ARITHMETIC);
  }
  for (const script of [
    'declare -A m; m[{{x}}]=1',
    'declare -A m=([{{x}}]=1)',
    'declare -A images=([prod]=a [dev]=b); echo "${images[$DEPLOY_X]}"',
    'typeset -A m; m[{{x}}]=1; echo "${m[@]}"',
  ]) {
    assert.equal(runsInjectedCommand(script), false, `bash runs the value of ${script}`);
    assertScriptAccepted(script);
  }
});
