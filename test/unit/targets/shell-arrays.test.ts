// An array assignment's elements are words of its value (a=(x {{y}})), not a subshell's command: the array holds
// the value, and an element or "${a[@]}" in a program's place is refused as the value itself would be, for
// a=(…), a+=(…), a[i]=…, declare -a/local/readonly with an array; passed as data after `--` it is accepted.
import { test } from 'node:test';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const PROGRAM =
  /\$a \(character \d+\) holds \{\{x\}\}, set at character \d+; it is in the word naming the program/;

test('an array holding a value is refused where its elements would choose what runs', () => {
  const refused: Array<[string, RegExp]> = [
    ['a=({{x}}); "${a[@]}"', PROGRAM],
    ['a=({{x}}); ${a[0]} deploy', PROGRAM],
    // The second element is the value: the old reading took "deploy {{x}}" for a subshell and let it through.
    ['a=(deploy {{x}}); "${a[1]}"', PROGRAM],
    ['a=(deploy "{{x}}"); "${a[@]:1}" --now', PROGRAM],
    ['declare -a a=({{x}}); "${a[@]}"', PROGRAM],
    ['f() { local a=(x {{x}}); "${a[1]}"; }; f', PROGRAM],
    ['readonly -a a=(./deploy.sh {{x}}); sudo "${a[@]}"', /holds \{\{x\}\}.*the program sudo runs/],
    ['a=(); a+=( "{{x}}" ); "${a[0]}"', PROGRAM],
    ['a[2]={{x}}; "${a[2]}"', PROGRAM],
    ['a=(\n  one\n  {{x}}\n)\nbash "${a[1]}"', /holds \{\{x\}\}.*the file bash loads and runs as code/],
  ];
  for (const [script, message] of refused) assertScriptRefused(script, message);
});

test('an array holding a value passed as data is accepted', () => {
  assertScriptAccepted('a=({{x}}); ./run -- "${a[@]}"');
  assertScriptAccepted('args=(--env {{env}} --version "{{x}}"); ./deploy.sh "${args[@]}"');
  assertScriptAccepted('a=(\n  one\n  {{x}}\n)\n./run -- "${a[@]}"');
  assertScriptAccepted('a[0]={{x}}; printf "%s\\n" "${a[@]}"');
});
