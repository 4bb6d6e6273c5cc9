// Log analysis, the pure part: error lines, their signatures (lines differing only in variable parts are one
// pattern), the window's book of new patterns, user regexes refused when the linear-time matcher cannot run them,
// and patterns shown to people without the app's output reaching a reason raw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addCanary,
  addReference,
  createPatternBook,
  describePatterns,
  errorLines,
  holdCanary,
  lineFilter,
  logLines,
  matchLine,
  newPatterns,
  shownPattern,
  signature,
} from '../../../src/analysis/log-patterns.ts';
import {
  DEFAULT_MATCH,
  DEFAULT_MIN_COUNT,
  MAX_LINE,
  MAX_MATCH_LINE,
  MAX_PATTERNS,
  MAX_REFERENCE_CHARS,
  MAX_REFERENCE_PATTERNS,
  MAX_SIGNATURE,
  regexProblem,
} from '../../../src/analysis/log-config.ts';

/** Each group's lines must share one signature, and no two groups may share one. */
function assertPatterns(groups: string[][]): void {
  const signatures = groups.map((lines) => {
    const distinct = [...new Set(lines.map(signature))];
    assert.equal(
      distinct.length,
      1,
      `one pattern expected for:\n${lines.join('\n')}\ngot:\n${distinct.join('\n')}`,
    );
    return distinct[0]!;
  });
  assert.equal(
    new Set(signatures).size,
    signatures.length,
    `distinct patterns expected:\n${signatures.join('\n')}`,
  );
}

test('signature: lines that differ only in times, ids, numbers, addresses, durations and quoted values are one pattern', () => {
  assertPatterns([
    [
      '2026-12-06T02:16:42.123Z ERROR request 8f3a2b1c failed after 1503ms: connection refused to 10.0.3.7:5432',
      '2026-12-06T02:17:01Z ERROR request 1a2b3c4d failed after 87ms: connection refused to 10.0.3.9:5432',
      '2026-12-07 11:00:00,001 ERROR request 9e9e9e9e failed after 2.5s: connection refused to 10.12.0.1:6543',
    ],
    [
      'Dec  6 02:16:42 web-1 app[1234]: CRITICAL user 550e8400-e29b-41d4-a716-446655440000 not found in "tenant-42"',
      'Dec 16 12:00:01 web-1 app[77]: CRITICAL user 123e4567-e89b-12d3-a456-426614174000 not found in "acme"',
    ],
    [
      'panic: runtime error: index out of range [5] with length 3',
      'panic: runtime error: index out of range [12] with length 12',
    ],
    [
      '10.0.0.1 - - [06/Dec/2026:02:16:42 +0000] "GET /api/orders/123 HTTP/1.1" 500 17 upstream error',
      '10.0.0.2 - - [06/Dec/2026:02:18:02 +0000] "GET /api/orders/98765 HTTP/1.1" 500 4410 upstream error',
    ],
    // The pod a line came from (kubectl logs --prefix) is no part of it: a canary's pods are other pods.
    [
      '[pod/web-7d9f8b6c5-x2k4p/app] ERROR cache miss storm on key user:42',
      '[pod/web-5c6b7a8d9-q9w8e/app] ERROR cache miss storm on key user:7',
      'ERROR cache miss storm on key user:1001',
    ],
    ['java.lang.NullPointerException: Cannot invoke "String.length()" because \'name\' is null'],
    ['Traceback (most recent call last):'],
    [
      'ERROR login failed for bob.smith@example.com: bad password',
      'ERROR login failed for alice+test@corp.example.org: bad password',
    ],
    ["ERROR: can't connect, won't retry"],
    ['ERROR upstream timeout fe80::1ff:fe23:4567:890a', 'ERROR upstream timeout 2001:db8::2:1'],
  ]);
});

test('signature: different messages stay different patterns', () => {
  assert.notEqual(
    signature('ERROR connection refused to 10.0.0.1:5432'),
    signature('ERROR connection reset by 10.0.0.1:5432'),
  );
  assert.notEqual(
    signature('TypeError: Cannot read properties of undefined (reading x)'),
    signature('RangeError: Maximum call stack size exceeded'),
  );
});

test('signature: a JSON log line is its msg/message with its error, whatever else the record carries', () => {
  assertPatterns([
    [
      '{"level":"error","time":1765000000,"pid":12,"msg":"payment failed","error":"timeout after 30s calling 10.1.1.1:443","trace_id":"abc123def"}',
      '{"time":1765000099,"level":"error","pid":99,"msg":"payment failed","error":"timeout after 5s calling 10.1.1.2:443"}',
      '{"level":50,"msg":"payment failed","err":"timeout after 1500ms calling 10.9.9.9:443"}',
    ],
    [
      '{"level":"ERROR","message":"user 42 not found","ts":"2026-12-06T02:16:42Z"}',
      '{"level":"ERROR","message":"user 7 not found"}',
    ],
  ]);
  assert.equal(signature('{"level":"error","message":"user 42 not found"}'), 'user <n> not found');
  // pino's err object: its type and message, not its stack.
  assert.equal(
    signature(
      '{"level":50,"msg":"payment failed","err":{"type":"TimeoutError","message":"after 30s","stack":"at a (b.js:1:2)"}}',
    ),
    'payment failed: TimeoutError: after <dur>',
  );
  // Not an object, or not JSON at all: the line as it is.
  assert.equal(signature('["error", 1]'), '[<str>, <n>]');
  assert.equal(signature('{not json error 5'), '{not json error <n>');
});

test('signature: a logfmt or klog structured line is its quoted message with its err, not one pattern of its keys', () => {
  assertPatterns([
    [
      'ts=2026-12-06T02:16:42Z level=error msg="db connection refused" req=8f3a2b1c host=10.0.0.1',
      'ts=2026-12-06T02:17:01Z level=error req=1a2b3c4d msg="db connection refused"',
    ],
    ['ts=2026-12-06T02:16:42Z level=error msg="auth failed for user" req=8f3a2b1c'],
    [
      'level=error msg="payment failed" err="timeout after 30s calling 10.1.1.1:443"',
      '{"level":"error","msg":"payment failed","error":"timeout after 5s calling 10.1.1.2:443"}',
    ],
    [
      'E1206 02:04:05.123456       1 controller.go:112] "Failed to sync pod" err="context deadline exceeded" pod="default/web-7d9f8b6c5-x2k4p"',
      'E1206 02:09:15.000001       7 controller.go:112] "Failed to sync pod" err="context deadline exceeded" pod="shop/api-5c6b7a8d9-q9w8e"',
    ],
    ['E1206 02:04:05.123456       1 leaderelection.go:330] "Failed to update lease" err="conflict"'],
    ['level=error msg=shutdown err="signal: killed"'],
  ]);
  assert.equal(
    signature('level=error msg="user 42 not found: \\"bob\\"" req=8f3a2b1c'),
    'user <n> not found: <str>',
  );
  // A quoted value elsewhere is still variable.
  assert.equal(signature('ERROR cannot open "/data/x1.db"'), 'ERROR cannot open <str>');
});

test('signature: a JSON line without a message key is its keys and values, not one pattern of its quoted keys', () => {
  assertPatterns([
    [
      '{"log":"ERROR db connection refused to 10.0.0.1:5432\\n","stream":"stderr","time":"2026-12-06T02:16:42.123Z"}',
      '{"log":"ERROR db connection refused to 10.0.0.9:5432\\n","stream":"stderr","time":"2026-12-06T02:19:00Z"}',
    ],
    ['{"log":"ERROR auth failed: bad token\\n","stream":"stderr","time":"2026-12-06T02:16:42.123Z"}'],
    ['{"level":"error","msg":42,"code":"E_TIMEOUT"}'],
    ['{"level":"error","msg":42,"code":"E_REFUSED"}'],
  ]);
  assert.equal(
    signature('{"log":"ERROR auth failed: bad token\\n","stream":"stderr","time":"2026-12-06T02:16:42Z"}'),
    'log=ERROR auth failed: bad token stream=stderr time=<time>',
  );
});

test('signature: a quoted value is <str> as the regex "(?:[^"\\\\]|\\\\.)*" reads it, escapes and open quotes too', () => {
  // The scan (one pass) against the regex it stands for, on every line of up to 7 of these characters.
  const chars = ['"', '\\', 'a', ' '];
  const regex = /"(?:[^"\\]|\\.)*"/g;
  const lines = [''];
  for (let length = 1; length <= 7; length++)
    for (const line of lines.filter((l) => l.length === length - 1))
      for (const c of chars) lines.push(line + c);
  for (const line of lines) {
    const text = `ERROR x ${line} y`;
    assert.equal(
      signature(text),
      text.replace(regex, '<str>').replace(/\s+/g, ' ').trim(),
      JSON.stringify(text),
    );
  }
  assert.equal(
    signature(`ERROR ${'\\"'.repeat(1000)}`),
    `ERROR ${'\\"'.repeat(117)}`.slice(0, MAX_SIGNATURE),
  );
  assert.equal(signature(`ERROR "${'q '.repeat(500)}" end`), 'ERROR <str> end');
});

test('signature: bounded, whatever the line', () => {
  const long = `ERROR ${'x'.repeat(100_000)}`;
  assert.ok(signature(long).length <= MAX_SIGNATURE);
  assert.ok(signature(JSON.stringify({ msg: 'y'.repeat(100_000) })).length <= MAX_SIGNATURE);
});

test('logLines: blank lines dropped, lines whole; a regex sees a line cut at MAX_MATCH_LINE (64 KB) characters', () => {
  assert.equal(MAX_MATCH_LINE, 64 * 1024);
  const lines = logLines(`a\r\n\n   \n${'b'.repeat(MAX_MATCH_LINE * 3)}\nc`);
  assert.deepEqual(
    lines.map((l) => l.length),
    [1, MAX_MATCH_LINE * 3, 1],
  );
  assert.equal(matchLine(lines[1]!).length, MAX_MATCH_LINE);
  const filter = lineFilter('error', []);
  // A JSON line whose level follows a 3 KB message is an error line (the first 2 KB alone missed it).
  const json = JSON.stringify({ msg: `payment declined ${'x'.repeat(3000)}`, level: 'error' });
  assert.deepEqual(errorLines([json], lineFilter(undefined, undefined)), [json]);
  assert.deepEqual(errorLines([`${'x'.repeat(MAX_MATCH_LINE - 6)} error`], filter).length, 1);
  // What lies past MAX_MATCH_LINE is never matched: a pathological line's bound.
  assert.deepEqual(errorLines([`${'x'.repeat(MAX_MATCH_LINE)} error`], filter), []);
});

test('logLines: terminal colour and title sequences are taken out, so a coloured level is found and is one pattern with a plain one', () => {
  const lines = logLines(
    '\x1b[31mERROR\x1b[0m db down\r\n\x1b[1;31mERROR\x1b[m db down\n\x1b]0;title\x07\x1b[2K\x1b[38;5;196mFATAL\x1b[39m out of memory\n\x1b[0m\n',
  );
  assert.deepEqual(lines, ['ERROR db down', 'ERROR db down', 'FATAL out of memory']);
  assert.deepEqual(errorLines(lines, lineFilter(undefined, undefined)), lines);
});

test('signature: a JSON line longer than MAX_LINE (a logged stack) is still read by its msg and error', () => {
  const line = (type: string, message: string) =>
    JSON.stringify({
      level: 50,
      time: 1765000000,
      err: {
        type,
        message,
        stack: `${type}: ${message}\n${'    at handler (/app/src/x.js:12:5)\n'.repeat(80)}`,
      },
      msg: message,
    });
  const [a, b] = logLines(`${line('TypeError', 'x is undefined')}\n${line('RangeError', 'bad length')}`);
  assert.ok(a!.length > MAX_LINE);
  assert.equal(signature(a!), 'x is undefined: TypeError: x is undefined');
  assert.equal(signature(b!), 'bad length: RangeError: bad length');
});

test('errorLines: the default finds the usual failure words, case-insensitive; ignore drops documented warnings', () => {
  const lines = [
    'INFO request served in 12ms',
    'ERROR db connection lost',
    'WARN slow query',
    'java.lang.IllegalStateException: boom',
    'Exception in thread "main"',
    'panic: nil map',
    'Traceback (most recent call last):',
    'ValueError: invalid literal for int() with base 10',
    'FATAL out of memory',
    'level=error msg="deprecated config key, see docs/upgrading.md"',
    'completed with 0 errors',
  ];
  const all = errorLines(lines, lineFilter(undefined, undefined));
  // A name ending in Error or Exception is an error line: a traceback's last line names the exception, and a
  // new exception type is a new pattern, not the traceback's first line again.
  assert.deepEqual(all, [
    'ERROR db connection lost',
    'java.lang.IllegalStateException: boom',
    'Exception in thread "main"',
    'panic: nil map',
    'Traceback (most recent call last):',
    'ValueError: invalid literal for int() with base 10',
    'FATAL out of memory',
    'level=error msg="deprecated config key, see docs/upgrading.md"',
  ]);
  // "java.lang.IllegalStateException" has no word boundary before Exception: a match of its own.
  assert.deepEqual(errorLines(lines, lineFilter('exception\\b', ['deprecated config key'])), [
    'java.lang.IllegalStateException: boom',
    'Exception in thread "main"',
  ]);
  assert.deepEqual(errorLines(lines, lineFilter(undefined, ['DEPRECATED CONFIG'])).length, all.length - 1);
});

test('regexProblem: what the linear-time matcher cannot run is refused saying what to write instead; nested repetition is fine', () => {
  assert.match(regexProblem('(')!, /^does not compile \(RE2 syntax\): missing closing \): `\(`$/);
  assert.match(regexProblem('(x)\\1')!, /^uses a backreference \(\\1\), .*; write out the text it repeats/);
  assert.match(regexProblem('(?<q>x)\\k<q>')!, /^uses a backreference \(\\k\)/);
  for (const [look, shown] of [
    ['error(?!: retried)', '(?!'],
    ['(?=.*db)error', '(?='],
    ['(?<=level=)error', '(?<='],
    ['(?<!no )error', '(?<!'],
  ] as const)
    assert.equal(
      regexProblem(look),
      `uses a lookahead or lookbehind (${shown}), which the log matcher cannot run: it matches in time linear in the line (RE2 syntax); match the text itself, and list the lines to leave out in ignore`,
      look,
    );
  assert.match(regexProblem('caf\\u00e9')!, /write a character by its code as \\x\{e9\}/);
  assert.match(regexProblem('\\cM')!, /\\x\{0d\}/);
  assert.match(regexProblem('end\\Z')!, /write \$/);
  assert.match(regexProblem('[\\b]')!, /write \\x08/);
  assert.match(regexProblem('a[^]b')!, /write \[\\s\\S\]/);
  assert.match(regexProblem('x'.repeat(1001))!, /at most 1000/);
  for (const fine of [
    'error|exception',
    '\\b(?:error|fatal)\\b',
    'timeout after \\d+ms',
    '[(]+x',
    '\\(a+\\)+',
    '(ab){3}',
    'x{2,}',
    'deprecated (config|setting) key',
    // Exponential on a backtracking engine; linear here.
    '(a+)+$',
    '(\\w*)*x',
    '(a|ab)*c',
    '(a?){30}a{30}',
    '(\\w+){10}',
    '\\\\1',
    '\\(?=x',
    '(?<name>x)',
  ])
    assert.equal(regexProblem(fine), undefined, fine);
});

test('regexProblem: PCRE and Python spellings RE2 does not know are refused saying what to write instead', () => {
  for (const [source, said] of [
    ['(?P<code>\\d+) (?P=code)', 'uses a backreference ((?P=)'],
    ['(a)\\g1', 'uses a backreference (\\g)'],
    ['(a)\\g{1}', 'uses a backreference (\\g)'],
    ['\\((?R)?\\)', 'uses recursion or a subroutine call ((?R)'],
    ['(?P>n)', 'uses recursion or a subroutine call ((?P>)'],
    ["(?'code'\\d+)", "names a group as (?'name'…); write (?P<name>…) or (?<name>…)"],
    ['(?>error|err)', 'uses an atomic group ((?>), RE2 syntax has none; write (?: instead'],
    ['\\d++ms', 'uses a possessive quantifier (++), RE2 syntax has none; write + instead'],
    ['a*+', 'uses a possessive quantifier (*+), RE2 syntax has none; write * instead'],
    ['a{2,}+', 'uses a possessive quantifier ({2,}+), RE2 syntax has none; write {2,} instead'],
    ['error(?# the usual)', 'uses a comment ((?#…)), RE2 syntax has none; leave it out'],
    ['(?x) error \\s+ db', 'uses a flag RE2 syntax does not know ((?x); it knows i, m, s and U'],
    ['a{1001}', 'repeats more than 1000 times ({1001}; counts nested are multiplied'],
    ['(a{100}){100}', 'repeats more than 1000 times ({100}; counts nested are multiplied'],
    ['a{5,2}', 'counts backwards ({5,2}); write the smaller count first'],
    [
      '\\p{Letter}+',
      'names a Unicode class RE2 does not know (\\p{Letter}); write it by its short name, as \\p{L}',
    ],
    ['[[:letter:]]', 'names a class RE2 does not know ([:letter:]); it knows [:alpha:]'],
    ['error:\\h+db', 'uses \\h, which RE2 syntax does not know; write [ \\t] (a space or a tab)'],
    ['error\\R', 'uses \\R, which RE2 syntax does not know; a line holds no line break'],
    ['\\e\\[31m', 'uses \\e, which RE2 syntax does not know; write \\x1b'],
    ['level=\\Kerror', 'uses \\K, which RE2 syntax does not know; leave it out'],
    ['\\Gerror', 'uses \\G, which RE2 syntax does not know; write ^'],
  ] as const)
    assert.ok(regexProblem(source)?.startsWith(said), `${source}: ${regexProblem(source)}`);
  // What RE2 does know of them passes: named groups both ways, \Q…\E, POSIX and Unicode classes, flags.
  for (const fine of [
    '(?P<code>\\d{3})',
    '(?<code>\\d{3})',
    '\\Qa.b\\E',
    '[[:alpha:]]+',
    '\\p{L}',
    '(?i)error',
    '(?s:.)',
  ])
    assert.equal(regexProblem(fine), undefined, fine);
});

test('regexProblem: a regex whose program is too large is refused: linear in the line, but seconds a line', () => {
  // 881 characters, 110 counted repeats written out: 41 s on one 4 KB line, the event loop held all along.
  const huge = `${'.{1,999}'.repeat(110)}z`;
  assert.ok(huge.length <= 1000);
  assert.equal(
    regexProblem(huge),
    "compiles to 219673 instructions, at most 2000: a line's match costs up to its length times that, and a counted repeat is written out (.{1,999} is 2000 of them); use smaller counts, or * and + where the count does not matter",
  );
  assert.match(regexProblem('[^"]{0,999}x{999}')!, /^compiles to \d+ instructions, at most 2000/);
  // Counted repeats of real size, and the default, are far below it.
  for (const fine of ['.{1,999}z', '[^"]{0,500}error', '\\d{1,3}(?:\\.\\d{1,3}){3}', DEFAULT_MATCH])
    assert.equal(regexProblem(fine), undefined, fine);
});

test('errorLines: the regexes are linear: a line that backtracks for minutes in JavaScript is matched at once', () => {
  // A backtracking engine tries every way to cut 41 letters into 12 runs (billions) before `(\w+){12}!` fails
  // on the last line; no test could wait for it.
  const filter = lineFilter('(a?){30}a{30}', ['(\\w+){12}!']);
  assert.deepEqual(errorLines(['a'.repeat(30), `${'a'.repeat(29)}b`], filter), ['a'.repeat(30)]);
  const long = `a${'w'.repeat(40)}`;
  assert.deepEqual(errorLines([long], lineFilter('a', ['(\\w+){12}!'])), [long]);
});

test('the book: a canary pattern is new at min_count occurrences in the window, unless the reference showed it', () => {
  assert.equal(DEFAULT_MIN_COUNT, 3);
  const book = createPatternBook(3, ['baseline pattern']);
  addCanary(book, ['A', 'A', 'baseline pattern', 'baseline pattern', 'baseline pattern', 'B', 'B']);
  assert.deepEqual(newPatterns(book), []);
  // Counted over the window: the third A, in a later interval, makes it new.
  addCanary(book, ['A', 'B']);
  assert.deepEqual(newPatterns(book), [
    { signature: 'A', count: 3 },
    { signature: 'B', count: 3 },
  ]);
  addCanary(book, ['B']);
  assert.deepEqual(newPatterns(book), [
    { signature: 'B', count: 4 },
    { signature: 'A', count: 3 },
  ]);
  // Stable shows A: it is no longer new.
  addReference(book, ['A']);
  assert.deepEqual(newPatterns(book), [{ signature: 'B', count: 4 }]);
});

test('the book: a flood of distinct lines keeps at most MAX_PATTERNS of them, and counts the known ones on', () => {
  const book = createPatternBook(1);
  addCanary(
    book,
    Array.from({ length: MAX_PATTERNS + 100 }, (_, i) => `p${i}`),
  );
  assert.equal(book.canary.size, MAX_PATTERNS);
  addCanary(book, ['p0']);
  assert.equal(book.canary.get('p0'), 2);
});

test("the book: errors the reference showed take no place of the canary's own, however many they are", () => {
  const noise = Array.from({ length: MAX_PATTERNS + 100 }, (_, i) => `ERROR user u${i} not found`);
  const book = createPatternBook(3, noise);
  addCanary(book, noise);
  addCanary(book, ['TypeError: x is undefined', 'TypeError: x is undefined', 'TypeError: x is undefined']);
  assert.deepEqual(newPatterns(book), [{ signature: 'TypeError: x is undefined', count: 3 }]);
});

test('the book: the reference keeps at most MAX_REFERENCE_PATTERNS patterns and MAX_REFERENCE_CHARS characters; past them no pattern is new', () => {
  const flood = Array.from({ length: MAX_REFERENCE_PATTERNS + 10 }, (_, i) => `ERROR user u${i} not found`);
  const book = createPatternBook(3, ['baseline pattern']);
  addReference(book, flood.slice(0, MAX_REFERENCE_PATTERNS - 1));
  addCanary(book, ['TypeError', 'TypeError', 'TypeError']);
  assert.equal(book.referenceFull, false);
  assert.deepEqual(newPatterns(book), [{ signature: 'TypeError', count: 3 }]);
  // Stable's flood goes on: its last lines are not kept, and a canary pattern may be one of them.
  addReference(book, flood);
  assert.equal(book.reference.size, MAX_REFERENCE_PATTERNS);
  assert.equal(book.referenceFull, true);
  addCanary(book, [flood.at(-1)!, flood.at(-1)!, flood.at(-1)!]);
  assert.deepEqual(newPatterns(book), []);
  // Long signatures fill it by their characters first.
  const long = (i: number) => `${i} ${'x'.repeat(MAX_SIGNATURE)}`.slice(0, MAX_SIGNATURE);
  const wide = createPatternBook(
    1,
    Array.from({ length: MAX_REFERENCE_PATTERNS }, (_, i) => long(i)),
  );
  assert.ok(wide.referenceChars <= MAX_REFERENCE_CHARS);
  assert.equal(wide.reference.size, Math.floor(MAX_REFERENCE_CHARS / MAX_SIGNATURE));
  assert.equal(wide.referenceFull, true);
  // Known patterns again add nothing and fill nothing.
  const known = createPatternBook(1, ['a', 'a', 'b']);
  addReference(known, ['a', 'b', 'a']);
  assert.deepEqual([known.reference.size, known.referenceChars, known.referenceFull], [2, 2, false]);
});

test('the book: patterns held (the canary logged them while the reference could not be read) are never new in the window', () => {
  const book = createPatternBook(3);
  addCanary(book, ['A', 'B']);
  holdCanary(book, ['A', 'B', 'never counted']);
  assert.deepEqual([...book.held], ['A', 'B']);
  addReference(book, ['B']);
  addCanary(book, ['A', 'A', 'C', 'C', 'C']);
  assert.deepEqual(newPatterns(book), [{ signature: 'C', count: 3 }]);
  // A fresh book (the next window) judges them anew.
  const next = createPatternBook(3);
  addCanary(next, ['A', 'A', 'A']);
  assert.deepEqual(newPatterns(next), [{ signature: 'A', count: 3 }]);
});

const HOSTILE = [
  '<img src=x onerror=alert(1)> <script>alert(2)</script>',
  '@everyone please look at [this](https://evil.example/x) ![i](https://evil.example/i.png)',
  '\u001b[31mred\u001b[0m \u009b2J done\r\nfake: line',
  'abc\u202edcba \u2066x\u2069 \u2028y',
  `${'z'.repeat(5000)}`,
  'bad \ufffd\ufffd utf8',
];

test('shownPattern: quoted, cut, control and bidirectional characters written as escapes', () => {
  for (const text of HOSTILE) {
    const shown = shownPattern(text);
    assert.ok([...shown].length <= 162 + 6 * 20, `too long: ${shown.length}`);
    assert.doesNotMatch(shown, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    assert.ok(shown.startsWith('"') && shown.endsWith('"'));
  }
  assert.equal(shownPattern('a\u001b[31mb'), '"a\\u001b[31mb"');
  assert.equal(shownPattern('x\u202ey'), '"x\\u202ey"');
  // Zero-width characters and a byte order mark would hide in what a person reads as the same pattern.
  assert.equal(shownPattern('a\u200bb\u200dc\ufeffd\u2060e'), '"a\\u200bb\\u200dc\\ufeffd\\u2060e"');
  assert.equal(shownPattern('z'.repeat(500)), `"${'z'.repeat(159)}…"`);
});

test('describePatterns: the count, the first three with their occurrences, and how many more', () => {
  assert.equal(describePatterns([{ signature: 'A <n>', count: 5 }]), '1 new error pattern: "A <n>" (x5)');
  assert.equal(
    describePatterns([
      { signature: 'a', count: 9 },
      { signature: 'b', count: 8 },
      { signature: 'c', count: 7 },
      { signature: 'd', count: 6 },
      { signature: 'e', count: 5 },
    ]),
    '5 new error patterns: "a" (x9), "b" (x8), "c" (x7), 2 more',
  );
});
