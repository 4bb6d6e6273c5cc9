// A problem found inside a command's text (a refused template in a multi-line `shell: true` script, a line break
// or an open quote in a command without a shell) is reported at its own line and column, not at the line
// where the value starts with a character count into it that the author had to count out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorsOf } from '../../helpers/config-text.ts';

const ENV = 'environments:\n  production: { strategy: direct }\n';

test('a literal block script: each refused template at its line and column in the file', () => {
  const text = `target:
  commands:
    deploy:
      shell: true
      run: |
        set -e
        echo start

        eval "deploy {{version}}"
          echo \`{{version}}\`
${ENV}`;
  const errors = errorsOf(text);
  assert.equal(errors.length, 2, errors.join('\n'));
  // Line 9 column 22 is where that {{version}} is written, past a blank line; line 10 is indented deeper.
  assert.match(
    errors[0]!,
    /^deploy\.yml:9:22: target\.commands\.deploy\.run: \{\{version\}\} \(character 33\) is in the arguments of eval/,
  );
  assert.match(
    errors[1]!,
    /^deploy\.yml:10:17: target\.commands\.deploy\.run: \{\{version\}\} \(character 54\) is inside backticks/,
  );
});

test('the same in a block with CRLF line ends, and in a literal block with a chomping indicator and a comment', () => {
  const crlf = `target:\r\n  commands:\r\n    deploy:\r\n      shell: true\r\n      run: |\r\n        echo start\r\n        eval "deploy {{version}}"\r\n${ENV}`;
  assert.match(errorsOf(crlf)[0]!, /^deploy\.yml:7:22: /);
  const chomped = `target:
  commands:
    deploy:
      shell: true
      run: |-  # the deploy script
        echo start
        eval "deploy {{version}}"
${ENV}`;
  assert.match(errorsOf(chomped)[0]!, /^deploy\.yml:7:22: /);
});

test('a one-line script, plain or quoted: at the template itself', () => {
  const plain = `target:
  commands:
    deploy:
      shell: true
      run: eval deploy {{version}}
${ENV}`;
  assert.match(
    errorsOf(plain)[0]!,
    /^deploy\.yml:5:24: target\.commands\.deploy\.run: \{\{version\}\} \(character 13\)/,
  );
  const quoted = `target:
  commands:
    deploy: { shell: true, run: 'eval deploy {{version}}' }
${ENV}`;
  assert.match(
    errorsOf(quoted)[0]!,
    /^deploy\.yml:3:46: target\.commands\.deploy\.run: \{\{version\}\} \(character 13\)/,
  );
});

test("where the file's text is not the value character for character, the value's start is named", () => {
  // An escape before the template: the value's offsets and the file's differ, so no guess is made.
  const escaped = `target:
  commands:
    deploy: { shell: true, run: "echo \\u0041; eval deploy {{version}}" }
${ENV}`;
  assert.match(
    errorsOf(escaped)[0]!,
    /^deploy\.yml:3:33: target\.commands\.deploy\.run: \{\{version\}\} \(character 21\)/,
  );
  // A folded block joins lines: its start, as before.
  const folded = `target:
  commands:
    deploy:
      shell: true
      run: >
        echo start

        eval deploy {{version}}
${ENV}`;
  assert.match(
    errorsOf(folded)[0]!,
    /^deploy\.yml:5:12: target\.commands\.deploy\.run: \{\{version\}\} \(character 24\)/,
  );
});

test('a command without a shell written over lines, or with a quote left open: at that place in the file', () => {
  const lines = `target:
  commands:
    deploy: |
      ./build.sh {{version}}
      ./push.sh {{version}}
${ENV}`;
  // The line break that ends the first command: the end of line 4.
  assert.match(
    errorsOf(lines)[0]!,
    /^deploy\.yml:4:29: target\.commands\.deploy: a line break outside quotes \(character 23\)/,
  );
  const quote = `target:
  commands:
    deploy: ./deploy.sh --note "release {{version}}
${ENV}`;
  assert.match(
    errorsOf(quote)[0]!,
    /^deploy\.yml:3:32: target\.commands\.deploy: the quote " at character 20 is never closed/,
  );
});
