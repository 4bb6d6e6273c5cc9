// $GITHUB_ENV, $GITHUB_PATH, $GITHUB_OUTPUT and $GITHUB_STATE are read by GitHub line by line once the step
// ends: a value written there with a newline would add a line of its own (NODE_OPTIONS=--require …, LD_PRELOAD=…
// for the job's later steps, a directory first on their PATH). The value may hold no newline, carriage return nor
// backslash (echo -e and printf %b make one of it), checked once rendered, however it reaches the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import { assertScriptAccepted, assertScriptRefused, renderArgv } from '../../helpers/command-checks.ts';

const HOSTILE = ['1\nNODE_OPTIONS=--require /tmp/x.js', '1\r\nLD_PRELOAD=/tmp/x.so', '1\\nPATH=/tmp', 'x\n'];
const WRITTEN =
  /\{\{x\}\} is written to \$\{?GITHUB_(ENV|PATH|OUTPUT|STATE)\}?, which GitHub reads line by line/;

test('a value written to a file GitHub reads as commands may hold no newline, however it gets there', () => {
  for (const script of [
    'echo "VERSION={{x}}" >> "$GITHUB_ENV"',
    'echo "VERSION={{x}}" >>$GITHUB_ENV',
    'echo "{{x}}" >> $GITHUB_PATH',
    'echo "version={{x}}" >> "${GITHUB_OUTPUT}"',
    'echo "state={{x}}" > "$GITHUB_STATE"',
    'printf "V=%s\\n" "{{x}}" >> "$GITHUB_ENV"',
    'echo -e "V={{x}}" >> "$GITHUB_ENV"',
    'echo "version={{x}}" | tee -a "$GITHUB_OUTPUT"',
    'echo "V={{x}}" | sed s/a/b/ | tee -a "$GITHUB_ENV" > /dev/null',
    'cat >> "$GITHUB_ENV" <<EOF\nVERSION={{x}}\nEOF',
    'cat <<EOF | tee -a "$GITHUB_ENV"\nVERSION={{x}}\nEOF',
    'v={{x}}; echo "V=$v" >> "$GITHUB_ENV"',
    'v=app-{{x}}; cat >> "$GITHUB_ENV" <<EOF\nV=$v\nEOF',
    // A compound command's redirection counts for the commands inside it.
    '{ echo "V={{x}}"; echo B=1; } >> "$GITHUB_ENV"',
    'if true; then echo "V={{x}}"; fi >> "$GITHUB_ENV"',
    'for i in 1; do echo "V={{x}}"; done | tee -a "$GITHUB_ENV"',
  ]) {
    assertScriptAccepted(script);
    for (const value of HOSTILE)
      assert.throws(
        () => renderShellScript(script, { x: value }),
        WRITTEN,
        `${script} with ${JSON.stringify(value)}`,
      );
    assert.doesNotThrow(() => renderShellScript(script, { x: 'v1.2.3+build_7 a=b' }), script);
  }
  // Through a variable set another way, no check sees the value: refused.
  assertScriptRefused(
    'read -r v <<< "{{x}}"; echo "V=$v" >> "$GITHUB_ENV"',
    /is written to \$GITHUB_ENV, .*write the template itself there/,
  );
  // The same script run by a shell an argv command starts.
  assert.throws(
    () => renderArgv(['bash', '-c', 'echo "VERSION={{x}}" >> "$GITHUB_ENV"'], HOSTILE[0]!),
    WRITTEN,
  );
  // Another file, or a command before the one that writes there, takes any value the other rules allow.
  for (const script of [
    'echo "VERSION={{x}}" >> deploy.env',
    'echo "{{x}}"; { echo B=1; } >> "$GITHUB_ENV"',
    './deploy.sh "{{x}}" && echo done=1 >> "$GITHUB_OUTPUT"',
  ])
    assert.doesNotThrow(() => renderShellScript(script, { x: HOSTILE[0]! }), script);
});

test('a value fed to fly secrets import (NAME=VALUE lines, each a secret of the app) may hold no newline either', () => {
  const FED = /\{\{x\}\} is fed to fly secrets import, which reads its standard input line by line/;
  for (const script of [
    'echo "VERSION={{x}}" | fly secrets import',
    'printf "V=%s\\n" "{{x}}" | flyctl secrets import -a app',
    'fly secrets import -a app <<EOF\nVERSION={{x}}\nEOF',
    'fly -a app secrets import <<< "VERSION={{x}}"',
  ]) {
    assertScriptAccepted(script);
    for (const value of HOSTILE)
      assert.throws(
        () => renderShellScript(script, { x: value }),
        FED,
        `${script} with ${JSON.stringify(value)}`,
      );
    assert.doesNotThrow(() => renderShellScript(script, { x: 'v1.2.3+build_7 a=b' }), script);
  }
  // fly's own arguments are not what it reads, and fly secrets list reads nothing.
  for (const script of ['fly secrets import -a app-{{x}} < secrets.env', 'echo "{{x}}" | fly secrets list'])
    assert.doesNotThrow(() => renderShellScript(script, { x: HOSTILE[0]! }), script);
});
