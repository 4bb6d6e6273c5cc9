// A program named by a variable set to fixed text (KUBECTL=kubectl; $KUBECTL apply …) is read as the command
// written out, with the values the variable may hold where it is run: an assignment holds after it only in the
// shell that ran it (not after a subshell, $(…), `…`, <(…), a pipeline's element or the background), and one
// that may not run (after && or ||, in a branch, a loop, a function not called) leaves the value before it
// possible too, the environment's among them, which refuses a value in the command's arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowWork } from '../../../src/targets/shell-flow.ts';
import { analyzeShellTemplate } from '../../../src/targets/shell-script.ts';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const UNSURE =
  /is an argument of \$ECHO, a program named by an expansion: which program runs is not known here \(every assignment of \$ECHO sets fixed text, but none is sure to hold where it is run: .* so \$ECHO may hold the environment's value there, or nothing\)/;

test('an assignment in a subshell, $(…), `…`, <(…), a pipeline or the background does not hold after it', () => {
  for (const script of [
    '( ECHO=echo ); $ECHO {{x}}',
    '(ECHO=echo) && $ECHO {{x}}',
    'v=$(ECHO=echo); $ECHO {{x}}',
    'v="$(ECHO=echo; echo a)"; $ECHO {{x}}',
    'v=`ECHO=echo`; $ECHO {{x}}',
    'cat <(ECHO=echo); $ECHO {{x}}',
    'tee >(ECHO=echo) < f; $ECHO {{x}}',
    'ECHO=echo | true; $ECHO {{x}}',
    'true | ECHO=echo; $ECHO {{x}}',
    'true | { ECHO=echo; } | true; $ECHO {{x}}',
    'ECHO=echo & $ECHO {{x}}',
    '{ ECHO=echo; } &\n$ECHO {{x}}',
    'coproc { ECHO=echo; }; $ECHO {{x}}',
  ])
    assertScriptRefused(script, UNSURE);
});

test('an assignment that may not run leaves the value before it possible: &&, ||, if, loops, case, functions', () => {
  for (const script of [
    'true && ECHO=echo; $ECHO {{x}}',
    'false || ECHO=echo; $ECHO {{x}}',
    '[ -n "$A" ] &&\n  ECHO=echo\n$ECHO {{x}}',
    'if [ -n "$A" ]; then ECHO=echo; fi; $ECHO {{x}}',
    'if [ -n "$A" ]; then :; else ECHO=echo; fi; $ECHO {{x}}',
    'if [ -n "$A" ]; then ECHO=echo; elif [ -n "$B" ]; then ECHO=echo; fi; $ECHO {{x}}',
    'while read -r l; do ECHO=echo; done < f; $ECHO {{x}}',
    'until [ -f done ]; do ECHO=echo; sleep 1; done; $ECHO {{x}}',
    'for i in a b; do ECHO=echo; done; $ECHO {{x}}',
    'for ((i = 0; i < 2; i++)); do ECHO=echo; done; $ECHO {{x}}',
    'select o in a b; do ECHO=echo; break; done; $ECHO {{x}}',
    'case "$A" in a) ECHO=echo ;; esac; $ECHO {{x}}',
    'f() { ECHO=echo; }; $ECHO {{x}}',
    'function f { ECHO=echo; }; trap f EXIT; $ECHO {{x}}',
    // Run before it is set: the environment's.
    '$ECHO {{x}}; ECHO=echo',
    'f() { $ECHO {{x}}; }; f; ECHO=echo',
    // A prefix of a command is its own, unless a function or special builtin keeps it.
    'ECHO=echo true; $ECHO {{x}}',
  ])
    assertScriptRefused(script, UNSURE);
  // Set on one branch to something else: every value is read written out, and refused where one is.
  assertScriptRefused(
    'if [ -n "$A" ]; then K=kubectl; else K=sh; fi; $K -c {{x}}',
    /inside the script of "sh -c".*\(read with \$K as sh\)/,
  );
  assertScriptRefused(
    'case "$T" in up) C=echo ;; *) C=curl ;; esac; $C -d @{{x}} https://h.example.com/',
    /curl -d reads and sends .*\(read with \$C as curl\)/,
  );
  assertScriptRefused(
    'C=echo; for i in 1 2; do $C hi; C=curl; done; $C -d @{{x}} https://h.example.com/',
    /curl -d reads and sends/,
  );
});

test('a program variable set before it is run, on every path, in the shell that runs it, stays read written out', () => {
  for (const script of [
    'ECHO=echo; $ECHO {{x}}',
    'if command -v podman; then DOCKER=podman; else DOCKER=docker; fi; $DOCKER push app:{{version}}',
    'if command -v podman >/dev/null; then\n  DOCKER=podman\nelif [ -n "$N" ]; then\n  DOCKER=nerdctl\nelse\n  DOCKER=docker\nfi\n$DOCKER push app:{{version}}',
    'case "$RUNTIME" in podman) DOCKER=podman ;; *) DOCKER=docker ;; esac; $DOCKER push app:{{version}}',
    'command -v podman && DOCKER=podman || DOCKER=docker; DOCKER=${DOCKER:-docker}; $DOCKER push app:{{version}}',
    'DOCKER=${DOCKER:-docker}; $DOCKER push app:{{version}}',
    'KUBECTL=kubectl\nif [[ -n "${CTX:-}" ]]; then\n  KUBECTL="kubectl --context prod"\nfi\n$KUBECTL set image deploy/app app=img:{{version}}',
    // Run in the shell that set it, or in one it starts (a subshell, $(…), a pipeline, a loop, a function).
    'ECHO=echo; ( $ECHO {{x}} )',
    'ECHO=echo; v=$($ECHO {{x}})',
    'ECHO=echo; $ECHO {{x}} | tr a b',
    'ECHO=echo; true && $ECHO {{x}}',
    'ECHO=echo; for i in a b; do $ECHO {{x}}; done',
    'ECHO=echo; while false; do $ECHO {{x}}; done',
    'ECHO=echo; f() { $ECHO {{x}}; }; f',
    'f() { ECHO=echo; }; f; $ECHO {{x}}',
    '{ ECHO=echo; }; $ECHO {{x}}',
    'ECHO=echo; ECHO=echo true; $ECHO {{x}}',
    'ECHO=echo; ( ECHO=echo ); $ECHO {{x}}',
  ])
    assertScriptAccepted(script);
});

test('a program variable set by let, ((…)), $((…)), declare -i, unset, local or wait -p is not known after it', () => {
  for (const script of [
    'ECHO=echo; let ECHO=1; $ECHO {{x}}',
    'ECHO=echo; let "ECHO += 1"; $ECHO {{x}}',
    'ECHO=echo; ((ECHO=1)); $ECHO {{x}}',
    'ECHO=echo; (( ECHO++ )); $ECHO {{x}}',
    'ECHO=echo; : $((ECHO = 2)); $ECHO {{x}}',
    'ECHO=echo; declare -i ECHO; $ECHO {{x}}',
    'ECHO=echo; sleep 1 & wait -p ECHO; $ECHO {{x}}',
    // The name attached to its option.
    'ECHO=echo; printf -vECHO %s sh; $ECHO {{x}}',
    'ECHO=echo; read -raECHO < f; $ECHO {{x}}',
    'ECHO=echo; sleep 1 & wait -pECHO; $ECHO {{x}}',
    'ECHO=echo; unset ECHO; $ECHO {{x}}',
  ])
    assertScriptRefused(
      script,
      /is an argument of \$ECHO, a program named by an expansion: which program runs is not known here/,
    );
  for (const script of [
    'ECHO=echo; f() { local ECHO; $ECHO {{x}}; }; f',
    'ECHO=echo; f() { declare ECHO; $ECHO {{x}}; }; f',
  ])
    assertScriptRefused(script, UNSURE);
  // Neighbours: arithmetic on another variable; a local of the function, the caller's again after it.
  for (const script of [
    'ECHO=echo; let N=1; ((M++)); : $((ECHO_N = 2)); $ECHO {{x}}',
    'ECHO=echo; f() { local ECHO=printf; $ECHO %s x; }; f; $ECHO {{x}}',
    'ECHO=echo; declare -r ECHO; $ECHO {{x}}',
    'ECHO=echo; read -r LINE < f; printf -v OUT %s a; $ECHO {{x}}',
  ])
    assertScriptAccepted(script);
  assertScriptRefused(
    'ECHO=echo; f() { ECHO=sh; }; f; $ECHO -c {{x}}',
    /inside the script of "sh -c".*read with \$ECHO as sh/,
  );
});

test(': "${VAR:=word}" holds after case … esac, a here-document and inside { …; }, as an assignment does', () => {
  for (const script of [
    'case "$A" in a) : ;; esac; : "${ECHO:=echo}"; $ECHO {{x}}',
    'case "$A" in\n  a) echo a ;;\nesac\n: "${ECHO:=echo}"\n$ECHO {{x}}',
    'cat <<EOF\nhello )\nEOF\n: "${ECHO:=echo}"; $ECHO {{x}}',
    "cat > f <<'EOF'\nfi done\nEOF\n: ${ECHO:=echo}\n$ECHO {{x}}",
    '{ : "${ECHO:=echo}"; }; $ECHO {{x}}',
    'echo "${ECHO:=echo}"; $ECHO {{x}}',
    'if true; then :; fi; : "${ECHO:=echo}"; if [ -n "$A" ]; then $ECHO {{x}}; fi',
  ])
    assertScriptAccepted(script);
  for (const script of [
    '{ : "${ECHO:=echo}"; } | true; $ECHO {{x}}',
    'case "$A" in a) : "${ECHO:=echo}" ;; esac; $ECHO {{x}}',
    'cat <<EOF\n${ECHO:=sh}\nEOF\n: "${ECHO:=echo}"; $ECHO {{x}}',
  ])
    assertScriptRefused(script, /is an argument of \$ECHO, a program named by an expansion/);
  // Each value read written out: the default's, and a later assignment's.
  assertScriptRefused(
    ': "${K:=kubectl}"; [ -n "$A" ] && K=sh; $K -c {{x}}',
    /inside the script of "sh -c".*read with \$K as sh/,
  );
});

test('the message says why the program variable is not known where it is run', () => {
  const analysis = analyzeShellTemplate('ECHO=echo; let ECHO=1; $ECHO {{x}}');
  assert.equal(analysis.ok, false);
  if (!analysis.ok)
    assert.match(
      analysis.problems[0]!.message,
      /\(\$ECHO may be set where it is run by something other than an assignment of fixed text \(let, \(\(…\)\), \$\(\(…\)\), read, declare -i, v\+=…, \$\{ECHO:=…\} in a here-document\)\)/,
    );
  // Its standard input too.
  assertScriptRefused(
    'true && C=cat; echo {{x}} | $C',
    /piped into \$C, a program named by an expansion: which program runs is not known here \(every assignment of \$C sets fixed text, but none is sure to hold/,
  );
});

test('a function sets what its body sets only where it is sure to be defined and to run through', () => {
  for (const script of [
    // Defined in a subshell, a pipeline, on one branch: not defined after it.
    '( f() { ECHO=echo; } ); f; $ECHO {{x}}',
    'f() { ECHO=echo; } | true; f; $ECHO {{x}}',
    '[ -n "$A" ] && f() { ECHO=echo; }; f; $ECHO {{x}}',
    'if [ -n "$A" ]; then f() { ECHO=echo; }; fi; f; $ECHO {{x}}',
    // A return before the assignment: the body may end there.
    'f() { [ -n "$A" ] && return 0; ECHO=echo; }; f; $ECHO {{x}}',
    'f() { if [ -n "$A" ]; then return; fi; ECHO=echo; }; f; $ECHO {{x}}',
  ])
    assertScriptRefused(script, UNSURE);
  // Named in a trap, or held by a variable: it may run before any command after its definition, with what it
  // sets.
  for (const script of [
    'f() { ECHO=sh; }; ECHO=echo; trap f DEBUG; $ECHO -c {{x}}',
    "f() { ECHO=sh; }; f; ECHO=echo; trap 'echo; f' DEBUG; $ECHO -c {{x}}",
    // Held by a variable and run through it: a call this reading does not see.
    'f() { ECHO=sh; }; f; fn=f; ECHO=echo; $fn; $ECHO -c {{x}}',
  ])
    assertScriptRefused(script, /inside the script of "sh -c".*read with .*\$ECHO as sh/);
  // Neighbours: defined at the top level, or in a { …; } group, and called; a function using the variable.
  for (const script of [
    'f() { ECHO=echo; }; f; $ECHO {{x}}',
    '{ f() { ECHO=echo; }; }; f; $ECHO {{x}}',
    'function f { ECHO=echo; }\nf\n$ECHO {{x}}',
    'f() { ECHO=echo; return 0; }; f; $ECHO {{x}}',
    'f() { ECHO=echo; }; f; trap "rm -f out.txt" EXIT; echo "f done"; $ECHO {{x}}',
    'setup() { KUBECTL=kubectl; }\ndeploy() { $KUBECTL set image deploy/app app=img:{{version}}; }\nsetup\ndeploy',
  ])
    assertScriptAccepted(script);
});

test('several program variables are read written out in every combination of their values, up to a bound', () => {
  // $A {{x}}; $B is cd {{x}}; ./deploy.sh only when A is cd and B ./deploy.sh: the one refused combination.
  assertScriptRefused(
    'A=echo; [ -n "$P" ] && A=cd; B=./deploy.sh; [ -n "$Q" ] && B=true; $A {{x}}; $B',
    /is in the directory cd changes to, and a later command \(\.\/deploy\.sh\) runs .*read with \$A as cd, \$B as \.\/deploy\.sh/,
  );
  // One variable run twice with an assignment between: its two values are read in every combination too.
  assertScriptRefused(
    'A=cd; [ -n "$P" ] && A=./deploy.sh; $A {{x}}; [ -n "$Q" ] && A=./deploy.sh; $A',
    /is in the directory cd changes to/,
  );
  // Run several times with no assignment between, in a script with no loop or function: one value for all.
  const runs = [
    'if command -v podman; then D=podman; else D=docker; fi',
    '$D build -t app:{{version}} .',
    '$D tag app:{{version}} registry.example.com/app:{{version}}',
    '$D push registry.example.com/app:{{version}}',
    '"$D" image ls',
    '${D} image prune -f',
    '$D logout',
    '$D info',
    '$D version',
  ];
  assertScriptAccepted(runs.join('\n'));
  // Past the bound: refused, saying so.
  assertScriptRefused(
    ['for i in 1; do :; done', ...runs].join('\n'),
    /\{\{version\}\} \(character \d+\) is in a script whose programs named by expansions \(\$D, "\$D", \$\{D\}\) may be 256 combinations of programs, more than the 64 that are read written out/,
  );
  // In an inline script, the values its parameters hold.
  assertScriptRefused(
    `sh -c '${['for i in 1; do :; done', ...runs.slice(0, 1), ...runs.slice(4), '$D ps', '$D push "$1"'].join('\n')}' sh {{version}}`,
    /passed to the script of "sh -c" as an argument, and there: .* may be 128 combinations of programs/,
  );
});

test('the line ssh runs is read so too: an assignment in a subshell or after && there does not hold after it', () => {
  for (const script of [
    "echo {{x}} | ssh host '( c=./deploy.sh ); $c'",
    'echo {{x}} | ssh host \'[ -n "$A" ] && c=./deploy.sh; $c\'',
  ])
    assertScriptRefused(script, /the command ssh runs through the remote host's shell gives to \$c there/);
  assertScriptAccepted("echo {{x}} | ssh host 'c=./deploy.sh; $c'");
});

test('a function is read once for each set of values it is called with: calls nested deep are read in linear work', () => {
  // Each function calls the one before twice: 2^25 calls, each f(i) read once.
  let script = 'f0() { :; }\n';
  for (let i = 1; i <= 25; i++) script += `f${i}() { f${i - 1}; f${i - 1}; }\n`;
  assertScriptAccepted(`${script}ECHO=echo\nf25\n$ECHO {{x}}`);
  const work = (n: number) => {
    let text = 'f0() { :; }\n';
    for (let i = 1; i <= n; i++) text += `f${i}() { f${i - 1}; f${i - 1}; }\n`;
    return flowWork(`${text}c=echo\nf${n}\n$c x`, 'c');
  };
  const [ten, twenty] = [work(10), work(20)];
  assert.ok(typeof ten === 'number' && typeof twenty === 'number' && twenty < 3 * ten, `${ten} ${twenty}`);
});

test('the work of the reading grows with the script, not with calls times commands or functions times text', () => {
  const calls = (n: number) => flowWork(`f() { :; }\n${'f\n'.repeat(n)}c=echo; $c x`, 'c');
  const functions = (n: number) =>
    flowWork(`${Array.from({ length: n }, (_, i) => `g${i}() { :; }\n`).join('')}c=echo; $c x`, 'c');
  const word = (n: number) => {
    let text = `f0() { echo ${'a'.repeat(n)}; }\n`;
    for (let i = 1; i <= 14; i++) text += `f${i}() { f${i - 1}; f${i - 1}; }\n`;
    return flowWork(`${text}c=echo; f14; $c x`, 'c');
  };
  for (const measure of [calls, functions, word]) {
    const [small, large] = [measure(1000), measure(4000)];
    assert.ok(typeof small === 'number' && typeof large === 'number', `${small} ${large}`);
    assert.ok(large < 5 * small, `${measure.name}: ${small} then ${large}`);
  }
});

test('a script whose flow would take too long to read leaves its program variables unknown', () => {
  // Past the bound on the work (characters of words read, and commands): a word of 300,000 characters in a
  // function called again after each new definition (which may change what it calls), 20 times.
  const calls = Array.from({ length: 20 }, (_, i) => `f\ng${i}() { :; }\n`).join('');
  const script = `f() { echo ${'a'.repeat(300_000)}; }\nECHO=echo\n${calls}$ECHO {{x}}`;
  assert.equal(flowWork(script, 'ECHO'), 'not read');
  assertScriptRefused(
    script,
    /\(the script could not be read, or would take too long to read, to know which assignments of \$ECHO hold where it is run\)/,
  );
  // Calls nested deeper than the reading follows.
  let deep = 'f0() { :; }\n';
  for (let i = 1; i <= 150; i++) deep += `f${i}() { f${i - 1}; }\n`;
  assert.equal(flowWork(`${deep}c=echo\nf150\n$c x`, 'c'), 'not read');
  assert.equal(typeof flowWork(`${deep}c=echo\nf50\n$c x`, 'c'), 'number');
});

test('a builtin run through builtin, command or an expansion sets what it sets: the program variable after it', () => {
  for (const script of [
    'ECHO=echo; builtin export ECHO=sh; $ECHO -c {{x}}',
    'ECHO=echo; command export ECHO=sh; $ECHO -c {{x}}',
    'ECHO=echo; builtin -- export ECHO=sh; $ECHO -c {{x}}',
  ])
    assertScriptRefused(script, /inside the script of "sh -c".*read with \$ECHO as sh/);
  for (const script of [
    'ECHO=echo; X=export; $X ECHO=sh; $ECHO -c {{x}}',
    'ECHO=echo; R=read; $R ECHO < f; $ECHO {{x}}',
    'ECHO=echo; builtin let ECHO=1; $ECHO {{x}}',
    // command and builtin never run a function of the script.
    'f() { ECHO=echo; }; command f; $ECHO {{x}}',
  ])
    assertScriptRefused(script, /is an argument of \$ECHO, a program named by an expansion/);
  // command read sets ECHO as read does: to what it reads, which may be the value.
  assertScriptRefused(
    'ECHO=echo; command read -r ECHO < f; $ECHO {{x}}',
    /\$ECHO \(character 38\) holds \{\{x\}\}, set at character 28; it is in the word naming the program/,
  );
  // Neighbours: a program named by another expansion, given other arguments.
  for (const script of [
    'ECHO=echo; $SUDO apt-get install -y jq; $ECHO {{x}}',
    'ECHO=echo; command -v jq; builtin cd /srv; $ECHO {{x}}',
  ])
    assertScriptAccepted(script);
});

test('an assignment the text holds that the reading does not run as one counts anywhere, as before', () => {
  // exec runs no assignment (bash exits there), but the reading stays on the strict side, as the earlier one.
  assertScriptRefused('ECHO=echo; exec 3>&1 ECHO=sh; $ECHO -c {{x}}', /inside the script of "sh -c"/);
  // A here-document's text is no command of this shell.
  assertScriptAccepted('ECHO=echo\ncat > env.sh <<EOF\nECHO=sh\nEOF\n$ECHO {{x}}');
});

test('a function that may run anywhere sets only what its body sets: helpers, cleanup traps, dispatch by name', () => {
  for (const script of [
    'f() { :; }; c=echo; $c {{x}}',
    'cleanup() { rm -f out.txt; }\ntrap cleanup EXIT\nKUBECTL=kubectl\n$KUBECTL set image deploy/app app=reg/app:{{version}}',
    'usage() { echo "usage: $0 [-n]"; exit 1; }\nKUBECTL=kubectl\n[ -n "$1" ] || usage\n$KUBECTL set image deploy/app app=reg/app:{{version}}',
    'KUBECTL=kubectl\naction=deploy\ndeploy() { $KUBECTL set image deploy/app app=reg/app:{{version}}; }\ncase "$action" in deploy) deploy ;; *) usage ;; esac',
    'log() { echo "$(date) $*"; }\nDOCKER=docker\nlog start\n$DOCKER push app:{{version}}\nlog done',
    'KUBECTL=kubectl\nfail() { echo "$1" >&2; exit 1; }\nrollout() { $KUBECTL rollout status deploy/app || fail rollout; }\n$KUBECTL set image deploy/app app=reg/app:{{version}}\nrollout',
    // An argument spelled as the variable's name (kubectl -c), given to the program it names.
    'c=kubectl; $c -c x; $c set image deploy/app app=reg/app:{{version}}',
    // exit ends the script there: the branch that does not set it does not reach the program.
    'if command -v podman; then D=podman; else echo "no podman" >&2; exit 1; fi; $D push app:{{version}}',
    'while true; do K=kubectl; break; done; $K set image deploy/app app=reg/app:{{version}}',
    // A function never run is read as if it ran after its definition (its own name in its body runs nothing).
    'KUBECTL=kubectl; deploy() { $KUBECTL set image deploy/app app=img:{{version}}; }',
  ])
    assertScriptAccepted(script);
  // What such a function sets holds anywhere after the text naming it runs, and its commands see any value from
  // then on.
  for (const script of [
    'f() { $ECHO {{x}}; }; trap f DEBUG; ECHO=echo',
    'ECHO=echo; f() { ECHO=sh; }; trap f DEBUG; $ECHO -c {{x}}',
  ])
    assertScriptRefused(script, /is an argument of \$ECHO|inside the script of "sh -c"/);
});
