// fitComment and fitCheckText: a comment or a check run text the App writes is never longer than GitHub takes
// (characters for a comment, bytes for a check run); the text is cut, the trailing marker lines (the state it
// carries) never are, and what is left still reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHECK_TEXT_MAX_BYTES,
  COMMENT_MAX_CHARS,
  CUT_NOTE,
  cutText,
  fitCheckText,
  fitComment,
} from '../../../src/github/write-limits.ts';
import { appendMarkers, readMarkerBlock, writeMarker } from '../../../src/github/hidden-marker.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';
import { userText } from '../../../src/github/user-text.ts';

const keys = markerKeys({ secret: 'k'.repeat(64) });
const scope = { repository: 'acme/web', pullRequest: 7 };

test('a comment that fits is left exactly as it is', () => {
  for (const body of ['', 'short', 'x'.repeat(COMMENT_MAX_CHARS)]) assert.equal(fitComment(body), body);
});

test('a long reply keeps its signed markers whole, and they still verify', () => {
  const marker = writeMarker('approval', { by: 'carol', reason: '&'.repeat(400) }, keys, scope);
  const lines = Array.from({ length: 100 }, (_, i) => `- line ${i}: ${userText('&'.repeat(300))}`);
  const body = appendMarkers(lines.join('\n'), [marker]);
  assert.ok(body.length > COMMENT_MAX_CHARS);
  const fitted = fitComment(body);
  assert.ok(fitted.length <= COMMENT_MAX_CHARS, `${fitted.length}`);
  assert.ok(fitted.endsWith(`${CUT_NOTE}\n\n${marker}`));
  assert.ok(fitted.startsWith('- line 0: '));
  // Cut at a line's end: every line kept is whole.
  const kept = fitted.slice(0, fitted.indexOf(`\n\n${CUT_NOTE}`)).split('\n');
  assert.ok(kept.every((line, i) => line === lines[i]));
  const read = readMarkerBlock(fitted, ['approval'], { keys, scope });
  assert.deepEqual(read, [{ kind: 'approval', data: { by: 'carol', reason: '&'.repeat(400) } }]);
});

test('one line longer than a comment is cut inside, never through a surrogate pair', () => {
  for (const pad of [0, 1]) {
    const body = `${'a'.repeat(pad)}${'😀'.repeat(COMMENT_MAX_CHARS)}`;
    const fitted = fitComment(body);
    assert.ok(fitted.length <= COMMENT_MAX_CHARS);
    assert.ok(fitted.isWellFormed(), 'no lone surrogate');
    assert.ok(fitted.endsWith(CUT_NOTE));
  }
});

test('markers that alone do not fit are not cut: the body is left for GitHub to refuse whole', () => {
  const marker = writeMarker('approval', { pad: 'x'.repeat(COMMENT_MAX_CHARS) }, keys, scope);
  const body = appendMarkers('text', [marker]);
  assert.equal(fitComment(body), body);
});

test('a check run text is fitted in bytes: multi-byte characters count for what they weigh', () => {
  assert.equal(fitCheckText('漢'.repeat(21_845)), '漢'.repeat(21_845), '65,535 bytes fit');
  for (const text of ['漢'.repeat(30_000), `x${'😀'.repeat(20_000)}`, `${'- 漢字\n'.repeat(8_000)}`]) {
    assert.ok(text.length < CHECK_TEXT_MAX_BYTES, 'under the limit in characters');
    const fitted = fitCheckText(text);
    assert.ok(Buffer.byteLength(fitted) <= CHECK_TEXT_MAX_BYTES, `${Buffer.byteLength(fitted)} bytes`);
    assert.ok(Buffer.byteLength(fitted) > CHECK_TEXT_MAX_BYTES - 200, 'cut no shorter than it needs');
    assert.ok(fitted.isWellFormed(), 'no lone surrogate');
    assert.ok(fitted.endsWith(CUT_NOTE));
  }
});

test('a cut inside a code fence or <details> closes them, so the note and the markers stay outside', () => {
  const marker = writeMarker('approval', { by: 'carol' }, keys, scope);
  for (const [open, close] of [
    ['```', '```'],
    ['~~~~', '~~~~'],
    ['<details><summary>log</summary>\n', '</details>'],
  ] as const) {
    const body = appendMarkers(`${open}\n${'code line\n'.repeat(10_000)}${close}\n`, [marker]);
    const fitted = fitComment(body);
    assert.ok(fitted.length <= COMMENT_MAX_CHARS, `${fitted.length}`);
    const before = fitted.slice(0, fitted.indexOf(`\n\n${CUT_NOTE}`));
    assert.ok(before.trimEnd().endsWith(close), `${open}: ${JSON.stringify(before.slice(-40))}`);
    assert.deepEqual(readMarkerBlock(fitted, ['approval'], { keys, scope }), [
      { kind: 'approval', data: { by: 'carol' } },
    ]);
  }
});

// A cut inside an escape the App wrote shows stray characters (`&am`), and a backslash left last escapes
// whatever follows it; inside a character it is invalid text. Every length is tried, so no cut lands inside one.
const wellCut = (kept: string, whole: string): void => {
  assert.doesNotMatch(
    kept,
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
    'no lone surrogate',
  );
  assert.doesNotMatch(kept, /&(?:[A-Za-z0-9#]*)$/, `no entity cut open: ${JSON.stringify(kept.slice(-12))}`);
  assert.doesNotMatch(kept, /(?<!\\)(?:\\\\)*\\$/, 'no escaping backslash left last');
  assert.ok(whole.startsWith(kept), 'a prefix of the text');
};

test('cutText never ends inside a character, an HTML entity or a backslash escape', () => {
  const shown = userText('Tom & Jerry <b> *bold* 😀 🚀 a_b [x](y) '.repeat(6), { max: 10_000 });
  assert.match(shown, /&amp;|&lt;/);
  assert.match(shown, /\\\*/);
  for (let max = 1; max <= shown.length; max++) {
    const cut = cutText(shown, max);
    assert.ok(cut.length <= max, `at most ${max}`);
    if (cut === shown) continue;
    assert.ok(cut.endsWith('…'));
    wellCut(cut.slice(0, -1), shown);
  }
});

test('a fitted comment is never cut inside an entity or a backslash escape either', () => {
  const line = userText('& < > * _ ` [ ] 😀 '.repeat(20), { max: 10_000 });
  const body = Array.from({ length: 2000 }, () => line).join(' ');
  for (let max = COMMENT_MAX_CHARS - 300; max <= COMMENT_MAX_CHARS; max += 7) {
    const fitted = fitComment(body, max);
    assert.ok(fitted.length <= max);
    const kept = fitted.slice(0, fitted.indexOf(`\n\n${CUT_NOTE}`)).trimEnd();
    wellCut(kept, body);
  }
});

test('a lone surrogate in a text (half an emoji cut by some tool) is written as U+FFFD, not sent half', () => {
  const half = '😀'.slice(0, 1);
  assert.equal(fitCheckText(`build ok ${half} done`), 'build ok \uFFFD done');
  assert.equal(fitComment(`x${'😀'.slice(1)}`), 'x\uFFFD');
  assert.equal(fitComment('whole 😀 stays'), 'whole 😀 stays');
});
