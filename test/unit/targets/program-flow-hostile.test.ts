// Scripts built to make the flow reading of program variables (shell-flow.ts) pick the wrong value or miss that
// the variable may be unset where it is run. Each was run under bash 5.2 with `$P -c {{x}}` replaced by a print of
// $P: it ran sh, so {{x}} is the code sh -c runs. Every fixed text an assignment of the text gives the variable is
// read written out (sh among them); the flow says only whether the variable may be unset (or set otherwise) there,
// which the second half of each group checks with the assignment of sh taken out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowWork } from '../../../src/targets/shell-flow.ts';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

/** Read with $P as sh: sh -c runs {{x}}. */
const AS_SH = /\{\{x\}\} \(character \d+\) is inside the script of "sh -c".*\(read with \$P as sh\)/;
/** No assignment sure to hold there: $P may be unset. */
const UNSET =
  /is an argument of \$P, a program named by an expansion: which program runs is not known here \(every assignment of \$P sets fixed text, but none is sure to hold where it is run: .* so \$P may hold the environment's value there, or nothing\)/;
/** Set otherwise than by fixed text, somewhere in the text: not known at all. */
const NOT_KNOWN =
  /\{\{x\}\} \(character \d+\) is an argument of \$P, a program named by an expansion: which program runs is not known here \(c=curl makes/;
const UNREAD =
  /\(the script could not be read, or would take too long to read, to know which assignments of \$P hold where it is run\)/;

test('break and continue end the body: the assignments after them do not run', () => {
  for (const script of [
    'P=echo; for i in 1; do P=sh; continue; P=echo; done; $P -c {{x}}',
    'P=echo; while true; do P=sh; break; P=echo; done; $P -c {{x}}',
  ])
    assertScriptRefused(script, AS_SH);
  for (const script of [
    'for i in 1; do continue; P=echo; done; $P {{x}}',
    'while true; do break; P=echo; done; $P {{x}}',
    'for i in 1 2; do for j in 1; do break 2; done; P=echo; done; $P {{x}}',
    'for i in 1 2; do "continue"; P=echo; done; $P {{x}}',
    'for i in 1 2; do b=break; $b; P=echo; done; $P {{x}}',
  ])
    assertScriptRefused(script, UNSET);
  // Neighbours: the assignment before the break, or the loop's value set before it.
  for (const script of [
    'P=echo; while true; do break; P=echo; done; $P {{x}}',
    'while true; do P=echo; break; done; $P {{x}}',
    'P=echo; for i in 1 2; do [ -n "$i" ] && continue; done; $P {{x}}',
  ])
    assertScriptAccepted(script);
});

test('a return however it is spelled ends the function: "return", \\return, builtin return, an ERR trap, a variable', () => {
  for (const script of [
    'f() { P=sh; "return"; P=echo; }; P=echo; f; $P -c {{x}}',
    'f() { P=sh; \\return; P=echo; }; P=echo; f; $P -c {{x}}',
    'f() { P=sh; builtin return; P=echo; }; P=echo; f; $P -c {{x}}',
    "set -E; P=echo; f() { P=sh; false; P=echo; }; trap 'return' ERR; f; $P -c {{x}}",
  ])
    assertScriptRefused(script, AS_SH);
  for (const script of [
    'f() { "return"; P=echo; }; f; $P {{x}}',
    'f() { \\return; P=echo; }; f; $P {{x}}',
    "f() { $'return'; P=echo; }; f; $P {{x}}",
    'f() { builtin return; P=echo; }; f; $P {{x}}',
    'f() { command return 0; P=echo; }; f; $P {{x}}',
    "set -E; f() { false; P=echo; }; trap 'return' ERR; f; $P {{x}}",
    'r=return; f() { $r; P=echo; }; f; $P {{x}}',
    'f() { ${r:-return}; P=echo; }; f; $P {{x}}',
  ])
    assertScriptRefused(script, UNSET);
  // Neighbours: a return after the assignment; the word in a message once the function has run.
  for (const script of [
    'f() { P=echo; return 0; }; f; $P {{x}}',
    'f() { P=echo; "return"; }; f; $P {{x}}',
    'f() { P=echo; }; f; echo "f did return"; $P {{x}}',
  ])
    assertScriptAccepted(script);
});

test('a function run other than by a call read here may run anywhere after that text runs', () => {
  for (const script of [
    "f() { P=sh; }; f; P=echo; $'f'; $P -c {{x}}",
    'f() { P=sh; }; f; P=echo; ${h:-f}; $P -c {{x}}',
    'f() { P=sh; }; f; P=echo; $(echo f); $P -c {{x}}',
    'f() { P=sh; }; f; fs=(f); P=echo; ${fs[0]}; $P -c {{x}}',
    "f() { $P -c {{x}}; }; P=echo; f; P=sh; $'f'",
    'f() { P=sh; }; f; P=echo; mapfile -C f -c 1 arr <<< x; $P -c {{x}}',
    'f() { P=sh; }; f; P=echo; trap "${h:-f}" DEBUG; $P -c {{x}}',
    'f() { P=sh; }\nf\nP=echo\ntrap \\\nf DEBUG\n$P -c {{x}}',
    'f() { P=sh; }; f; P=echo; \\trap f DEBUG; $P -c {{x}}',
    'f() { P=sh; }; f; P=echo; "trap" f DEBUG; $P -c {{x}}',
  ])
    assertScriptRefused(script, AS_SH);
  // Run before the variable is set: its commands see it unset.
  for (const script of [
    'f() { $P {{x}}; }; ${h:-f}; P=echo; f',
    'f() { $P {{x}}; }; $(echo f); P=echo; f',
    'f() { $P {{x}}; }; fs=(f); ${fs[0]}; P=echo; f',
    'f() { $P {{x}}; }; trap "${h:-f}" DEBUG; P=echo; f',
    'f() { $P {{x}}; }; \\trap f DEBUG; P=echo; f',
    'f() { $P {{x}}; }; a=f; $a$b; P=echo; f',
    'f() { $P {{x}}; }; trap "$code" DEBUG; P=echo; f',
    'command_not_found_handle() { $P {{x}}; }; nosuchprogram; P=echo',
  ])
    assertScriptRefused(script, UNSET);
  // A function run anywhere that calls one defined later: read again with every definition made by the end.
  assertScriptRefused('trap f EXIT; P=echo; f() { g; }; $P {{x}}; g() { ((P++)); }', UNREAD);
  // Aliases (expand_aliases) are not read.
  assertScriptRefused(
    "shopt -s expand_aliases\nf() { P=sh; }\nf\nalias p='true; f'\nP=echo\np\n$P -c {{x}}",
    UNREAD,
  );
  // A function named as a builtin this reading models runs instead of it.
  assertScriptRefused('return() { :; }; f() { return; P=echo; }; f; $P {{x}}', UNREAD);
  // Defined in a trap's string too: true returning 1 ends while true without its break; exit does not exit.
  assertScriptRefused("trap 'true() { false; }' DEBUG; while true; do P=echo; break; done; $P {{x}}", UNREAD);
  assertScriptRefused(
    'trap \'exit() { :; }\' DEBUG; if [ -n "$A" ]; then P=echo; else exit; fi; $P {{x}}',
    UNREAD,
  );
  // Neighbours: once the variable is set, a trap's function sees it so; a trap's function setting nothing.
  for (const script of [
    'P=echo; f() { $P {{x}}; }; trap f EXIT',
    'P=echo; f() { $P {{x}}; }; trap "${h:-f}" DEBUG',
    'cleanup() { rm -f out.txt; }; trap cleanup EXIT; P=echo; $P {{x}}',
    'P=echo; trap "rm -f $TMP" EXIT; $P {{x}}',
  ])
    assertScriptAccepted(script);
});

test('every definition of a function that may be in effect is read where it is called', () => {
  for (const script of [
    'f() { P=sh; }; f; [ -n "$A" ] && f() { :; }; P=echo; f; $P -c {{x}}',
    'f() { P=sh; }; f; x=$(f() { :; }); P=echo; f; $P -c {{x}}',
    'f() { P=sh; }; f; P=echo; ( f() { :; } ); f; $P -c {{x}}',
    'f() { P=sh; }; f; trap f DEBUG; P=echo; x=1; f() { :; }; $P -c {{x}}',
    // Defined in a loop's body after its call there: called on the next round.
    'P=echo; for i in 1 2; do g; $P -c {{x}}; g() { P=sh; }; done; g',
  ])
    assertScriptRefused(script, AS_SH);
  for (const script of [
    'f() { :; }; [ -n "$A" ] && f() { P=echo; }; f; $P {{x}}',
    'f() { :; }; x=$(f() { P=echo; }); f; $P {{x}}',
    'P=echo; for i in 1 2; do g; g() { local P; $P {{x}}; }; done',
    // Defined in a function that may run anywhere, or never: not sure to be defined when called.
    'g() { f() { P=echo; }; }; trap g EXIT; f; $P {{x}}',
  ])
    assertScriptRefused(script, UNSET);
  assertScriptAccepted('f() { :; }; f() { P=echo; }; f; $P {{x}}');
});

test('local is read as the rest of the script is: local \\<newline>P, l\\ocal P', () => {
  for (const script of [
    'P=sh; f() { local \\\nP; P=echo; }; f; $P -c {{x}}',
    'P=sh; f() { l\\ocal P; P=echo; }; f; $P -c {{x}}',
  ])
    assertScriptRefused(script, AS_SH);
  for (const script of [
    'P=echo; f() { local \\\nP; $P {{x}}; }; f',
    'P=echo; f() { l\\ocal P; $P {{x}}; }; f',
    'P=echo; f() { "local" P; $P {{x}}; }; f',
  ])
    assertScriptRefused(script, UNSET);
});

test('extdebug: a DEBUG trap may skip any command, an assignment among them', () => {
  assertScriptRefused(
    'P=sh; shopt -s extdebug; trap "[[ \\$BASH_COMMAND != *ech* ]]" DEBUG; P=echo; $P -c {{x}}',
    AS_SH,
  );
  assertScriptRefused(
    'shopt -s extdebug; trap "[[ \\$BASH_COMMAND != *ech* ]]" DEBUG; P=echo; $P {{x}}',
    UNSET,
  );
  assertScriptAccepted('trap "echo \\$BASH_COMMAND" DEBUG; P=echo; $P {{x}}');
});

test("here-documents and quotes as bash reads them: <<$'EOF' ends at EOF, \"$'\" is no $'…'", () => {
  for (const script of [
    "P=echo\ncat <<$'EOF'\nx\nEOF\nP=sh\n$EOF\n$P -c {{x}}",
    'P=sh\nx="$\'"\'a\'"; P=echo; " #"\n$P -c {{x}}',
  ])
    assertScriptRefused(script, AS_SH);
  // A delimiter with an escape bash decodes ($'E\x4fF' is EOF): not read.
  assert.equal(flowWork("cat <<$'E\\x4fF'\nx\nEOF\nP=echo\n$P {{x}}", 'P'), 'not read');
  assert.equal(typeof flowWork("cat <<$'EOF'\nx\nEOF\nP=echo\n$P {{x}}", 'P'), 'number');
  // The here-document's text is no command: an assignment there is not read.
  assertScriptAccepted("P=echo\ncat > env.sh <<$'EOF'\nP=sh\nEOF\n$P {{x}}");
});

test('an assignment the text holds in a form read as no fixed text leaves the variable unknown', () => {
  // The template itself picks the program (printf -v / read with an array subscript).
  assertScriptRefused(
    'P=echo; printf -vP[0] %s {{x}}; $P',
    /\{\{x\}\} is set by printf -v into a variable whose name is not fixed \(P\[0\]/,
  );
  assertScriptRefused(
    "P=echo; read \\\n'P[0]' <<< {{x}}; $P",
    /\{\{x\}\} is set by read into a variable whose name is not fixed \(P\[0\]/,
  );
  for (const script of [
    'P=echo; printf -vP[0] %s sh; $P -c {{x}}',
    // declare/export of a quoted name.
    'P=echo; declare "P"=sh; $P -c {{x}}',
    'P=echo; export P""=sh; $P -c {{x}}',
    'P=echo; export P\\=sh; $P -c {{x}}',
    // Code in a trap's string.
    "P=echo; trap 'P[0]=sh' DEBUG; $P -c {{x}}",
    "P=echo; trap 'eval P\\=sh' DEBUG; $P -c {{x}}",
    "P=echo; trap 'declare -n r=P; r=sh' DEBUG; $P -c {{x}}",
    "P=echo; trap '. ./env.sh' DEBUG; $P -c {{x}}",
    "P=echo; mapfile -C '. ./env.sh' -c 1 a < f.txt; $P -c {{x}}",
    "P=echo; trap 'printf -vP sh' DEBUG; $P -c {{x}}",
    // IFS splits the fixed value into sh -c.
    'IFS=.; P=sh.-c; $P {{x}}',
    'I\\FS=.; P=sh.-c; $P {{x}}',
    'read IFS < f; P=sh.-c; $P {{x}}',
    'IFS=.; read -r a < f; P=sh.-c; $P {{x}}',
    'f() { local IFS=.; $P {{x}}; }; P=sh.-c; f',
  ])
    assertScriptRefused(script, NOT_KNOWN);
  // Neighbours: IFS set to nothing or blanks; the name in a message or another variable's.
  for (const script of [
    'while IFS= read -r line; do echo "$line"; done < f; P=echo; $P {{x}}',
    "IFS=$'\\n'; P=echo; $P {{x}}",
    // A prefix of read alone: the value holds for it, not for the program.
    'IFS=, read -ra parts <<< "$LIST"; P=echo; $P {{x}}',
    "IFS=':' read -r a b < f; P=echo; $P {{x}}",
    'echo "P is the program"; P=echo; $P {{x}}',
    'PP=sh; P_X=sh; P=echo; $P {{x}}',
    'c=kubectl; $c -c x; $c set image deploy/app app=reg/app:{{x}}',
  ])
    assertScriptAccepted(script);
});

test('what bash does besides the assignments read: case attributes, variables it sets, unset functions, enable', () => {
  for (const script of [
    // declare -l lowers what is assigned later: P=SH sets sh.
    'declare -l P; P=SH; $P -c {{x}}',
    'typeset -u P; P=echo; $P {{x}}',
    "trap 'declare -l P' DEBUG; P=SH; $P -c {{x}}",
    // $_ is the last argument of the command before.
    '_=echo; echo sh; $_ -c {{x}}',
  ])
    assertScriptRefused(
      script,
      /is an argument of \$[P_], a program named by an expansion: which program runs is not known here/,
    );
  // A function unset (unset -f f, or unset run otherwise) may not run where it is called.
  for (const script of [
    'f() { P=echo; }; unset -f f; f; $P {{x}}',
    'f() { P=echo; }; unset f; f; $P {{x}}',
    'f() { P=echo; }; u=unset; $u f; f; $P {{x}}',
  ])
    assertScriptRefused(script, UNSET);
  // Code a trap or a callback runs, naming the variable: local there makes it local to the function it runs in.
  for (const script of [
    "P=echo; f() { $P {{x}}; }; trap 'local P' DEBUG; f",
    "P=echo; f() { $P {{x}}; }; t=trap; $t 'local P' DEBUG; f",
  ])
    assertScriptRefused(
      script,
      /\(\$P may be set where it is run by something other than an assignment of fixed text/,
    );
  assertScriptRefused("P=echo; f() { $P {{x}}; }; mapfile -C 'local P' -c 1 a < f.txt; f", NOT_KNOWN);
  assertScriptAccepted('P=echo; trap \'rm -f "$P.tmp"\' EXIT; $P {{x}}');
  // enable -n exit (or return, break…) makes them commands looked up on PATH: the script is not read.
  assertScriptRefused('enable -n exit; if [ -n "$A" ]; then P=echo; else exit; fi; $P {{x}}', UNREAD);
  // Neighbours: exit ends the other branch; unset of another name; an option of another command spelled enable.
  for (const script of [
    'if [ -n "$A" ]; then P=echo; else exit; fi; $P {{x}}',
    'f() { P=echo; }; unset -f g; unset TMP; f; $P {{x}}',
    'P=echo; ./configure --enable-shared; $P {{x}}',
  ])
    assertScriptAccepted(script);
});

test('a redirection that may fail skips the command it is on (a group, a call, a builtin): what it sets may not be set', () => {
  for (const script of [
    // A long {{y}} makes the file name too long; $LOG unset makes >>"" fail; a directory may not exist.
    '{ P=echo; } 2>/tmp/log-{{y}}; $P {{x}}',
    'f() { P=echo; }; f 2>>/tmp/deploy-{{y}}.log; $P {{x}}',
    '{ P=echo; } >>"$LOGFILE"; $P {{x}}',
    'f() { P=echo; }; f >>"$LOG"; $P {{x}}',
    'f() { P=echo; }; f 2>/nonexistent/x; $P {{x}}',
    'if true; then P=echo; fi >/nonexistent/x; $P {{x}}',
    'export P=echo >/nonexistent/x; $P {{x}}',
    'f() { P=echo; }; f >&3; $P {{x}}',
    // A definition's redirection is made at each call.
    'f() { P=echo; } >/nonexistent/x; f; $P {{x}}',
  ])
    assertScriptRefused(script, UNSET);
  // Neighbours: redirections that cannot fail, and a bare assignment (bash keeps it when its redirection fails).
  for (const script of [
    '{ P=echo; } 2>/dev/null; $P {{x}}',
    'f() { P=echo; }; f >/dev/null 2>&1; $P {{x}}',
    'f() { P=echo; } >&2; f; $P {{x}}',
    'f() { P=echo; }; f <&- 2>&1 <<EOF\nhi\nEOF\n$P {{x}}',
    'P=echo 2>/nonexistent/x; $P {{x}}',
    'P=echo >>"$LOG"; $P {{x}}',
    'P=echo; f() { :; }; f >>"$LOG"; $P {{x}}',
  ])
    assertScriptAccepted(script);
});

test("a builtin given the variable's name through an expansion may unset it or set it otherwise", () => {
  for (const script of [
    'Q=P; P=echo; unset $Q; $P {{x}}',
    'Q=P; P=echo; unset -v "$Q"; $P {{x}}',
    'names=(P); P=echo; unset "${names[@]}"; $P {{x}}',
    'Q=P; P=echo; getopts a $Q; $P {{x}}',
    'Q=P; P=echo; printf -v "$Q" \'\'; $P {{x}}',
    'Q=P; P=echo; printf -v"$Q" \'\'; $P {{x}}',
    'Q=P; P=echo; sleep 1 & wait -p "$Q"; $P {{x}}',
  ])
    assertScriptRefused(script, UNSET);
  // An arithmetic assignment to a name an expansion gives: a number the script computes.
  for (const script of ['Q=P; P=echo; let "$Q=1"; $P {{x}}', 'Q=P; P=echo; (( $Q = 1 )); $P {{x}}'])
    assertScriptRefused(
      script,
      /\$P may be set where it is run by something other than an assignment of fixed text/,
    );
  // Neighbours: a fixed name other than the variable's, expansions that are no names.
  for (const script of [
    'P=echo; unset Q; $P {{x}}',
    'P=echo; printf -v line \'%s\' "$HOME"; $P {{x}}',
    'P=echo; printf "$FMT" "$HOME"; $P {{x}}',
    'P=echo; read -r -p "$PROMPT" line </dev/null; $P {{x}}',
    'P=echo; getopts "$OPTS" opt; $P {{x}}',
    'P=echo; export PATH="$PATH:/opt/bin"; $P {{x}}',
    'P=echo; n=$(( $N + 1 )); (( $N == 1 )); $P {{x}}',
  ])
    assertScriptAccepted(script);
});

test('bash: an assignment that fails and goes on (a readonly variable, local outside a function) leaves P as it was', () => {
  for (const script of [
    'readonly P; declare P=echo; $P {{x}}',
    'readonly P; export P=echo; $P {{x}}',
    'declare -r P; export P=echo; $P {{x}}',
    'readonly P; f() { local P=echo; $P {{x}}; }; f',
    'local P=echo; $P {{x}}',
    // The first f runs: the second definition fails.
    'f() { :; }; readonly -f f; f() { P=echo; }; f; $P {{x}}',
    'f() { :; }; declare -fr f; f() { P=echo; }; f; $P {{x}}',
  ])
    assertScriptRefused(script, UNSET);
  // Neighbours: readonly with its value, another variable readonly, local in a function, a function readonly after
  // its last definition.
  for (const script of [
    'readonly P=echo; $P {{x}}',
    'declare -r P=echo; $P {{x}}',
    'readonly Q; P=echo; $P {{x}}',
    'P=echo; readonly P; $P {{x}}',
    'f() { local P=echo; $P {{x}}; }; f',
    'f() { P=echo; }; readonly -f g; f; $P {{x}}',
  ])
    assertScriptAccepted(script);
});
