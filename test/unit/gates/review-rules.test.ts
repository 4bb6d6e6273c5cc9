import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  debugCall,
  decideApproval,
  languageOf,
  looksLikeCode,
  splitLines,
} from '../../../src/gates/review-rules.ts';

const ts = languageOf('a.ts')!;

describe('splitLines', () => {
  it('separates code from line comments, ignoring comment markers inside strings', () => {
    const [line] = splitLines(`const url = "http://x"; // note`, ts);
    assert.equal(line!.comment, ' note');
    assert.ok(!line!.code.includes('http'));
  });
  it('tracks block comments across lines', () => {
    const lines = splitLines('/*\nconsole.log(x);\n*/\nconsole.log(y);', ts);
    assert.equal(lines[1]!.code.trim(), '');
    assert.equal(lines[1]!.comment, 'console.log(x);');
    assert.equal(debugCall(lines[3]!.code, ts), 'console.log(');
  });
});

describe('splitLines: strings as each language writes them', () => {
  /** `line:debug call` and `line:#comment` of every line that has one. */
  const found = (file: string, text: string) => {
    const language = languageOf(file)!;
    return splitLines(text, language).flatMap((line, index) => [
      ...(debugCall(line.code, language) ? [`${index + 1}:${debugCall(line.code, language)}`] : []),
      ...(line.comment === undefined ? [] : [`${index + 1}:#${line.comment.trim()}`]),
    ]);
  };

  it('keeps strings that span lines as strings: template literals, triple quotes, raw strings', () => {
    const python = [
      'def f():',
      '    """Example:',
      '    print(x)',
      '    # not a comment',
      '    """',
      '    print(y)',
    ];
    assert.deepEqual(found('a.py', python.join('\n')), ['6:print(']);
    const template = [
      'const sql = `',
      '  console.log(x)',
      '  // not a comment',
      '`; // real',
      'console.log(y);',
    ];
    assert.deepEqual(found('a.ts', template.join('\n')), ['4:#real', '5:console.log(']);
    const go = ['var usage = `', 'fmt.Println(x)', 'C:\\`', 'fmt.Println(y)'];
    assert.deepEqual(found('a.go', go.join('\n')), ['4:fmt.Println(']);
  });

  it("reads Rust's lifetimes as code, not as the start of a quote", () => {
    const rust = "fn f(x: &'static str) { println!(\"{}\", x); } // TODO fix\nlet c = '\\''; dbg!(c);";
    assert.deepEqual(found('a.rs', rust), ['1:println!(', '1:#TODO fix', '2:dbg!(']);
  });
});

describe('debugCall', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['a.js', 'console.debug(state)', 'console.debug('],
    ['a.ts', 'logger.info("ready")', undefined],
    ['a.ts', 'console.error("failed")', undefined],
    ['a.py', 'print(x)', 'print('],
    ['a.py', 'self.print(x)', undefined],
    ['a.py', 'import pdb; pdb.set_trace()', 'pdb.set_trace('],
    ['a.go', 'fmt.Println("x")', 'fmt.Println('],
    ['a.go', 'fmt.Sprintf("%d", n)', undefined],
    ['a.rb', 'binding.pry', 'binding.pry'],
    ['a.java', 'System.out.println(user);', 'System.out.println('],
    ['a.rs', 'dbg!(value);', 'dbg!('],
    ['a.php', 'var_dump($user);', 'var_dump('],
  ];
  for (const [file, code, expected] of cases) {
    it(`${file}: ${code}`, () => {
      const language = languageOf(file)!;
      const [line] = splitLines(code, language);
      assert.equal(debugCall(line!.code, language), expected);
    });
  }
});

describe('looksLikeCode', () => {
  const code = [
    'const legacy = computeLegacy(amount);',
    'foo(bar, baz)',
    'if (user.isAdmin) {',
    '}',
    'x = 1',
    'return cached;',
    "import { a } from './a.ts';",
    'from os import path',
    'for item in items:',
    'await client.close()',
  ];
  const prose = [
    'Return the amount after the fee is applied.',
    'for example, this runs nightly',
    'Note: see charge() for details',
    'eslint-disable-next-line no-console',
    '@ts-expect-error the types are wrong',
    'timeout = 5 seconds by default',
    'See https://example.com/docs?a=b(c)',
    'TODO: remove() once migrated',
    'If the user is admin:',
    'Returns (a, b) in order',
  ];
  for (const text of code) it(`code: ${text}`, () => assert.equal(looksLikeCode(text), true));
  for (const text of prose) it(`prose: ${text}`, () => assert.equal(looksLikeCode(text), false));
});

describe('decideApproval', () => {
  it('approves with an approval on the head commit', () => {
    const d = decideApproval([{ user: 'ana', state: 'APPROVED', commitId: 'h' }], 'h', 1);
    assert.deepEqual(d, { ok: true, approvers: ['ana'] });
  });
  it('the latest review per user wins, a later comment does not undo an approval', () => {
    const reviews = [
      { user: 'bo', state: 'CHANGES_REQUESTED', commitId: 'h' },
      { user: 'bo', state: 'APPROVED', commitId: 'h' },
      { user: 'bo', state: 'COMMENTED', commitId: 'h' },
    ];
    assert.equal(decideApproval(reviews, 'h', 1).ok, true);
  });
  it('an outstanding change request blocks even with approvals', () => {
    const reviews = [
      { user: 'ana', state: 'APPROVED', commitId: 'h' },
      { user: 'bo', state: 'APPROVED', commitId: 'h' },
      { user: 'bo', state: 'CHANGES_REQUESTED', commitId: 'h' },
    ];
    assert.deepEqual(decideApproval(reviews, 'h', 1), {
      ok: false,
      reason: 'changes-requested',
      users: ['bo'],
    });
  });
  it('an approval on an older commit does not count', () => {
    const d = decideApproval([{ user: 'ana', state: 'APPROVED', commitId: 'old' }], 'h', 1);
    assert.equal(d.ok, false);
    assert.equal(!d.ok && d.reason, 'stale-approval');
  });
  it('names only the approvals on an earlier commit as stale, and who approved the head', () => {
    const reviews = [
      { user: 'ana', state: 'APPROVED', commitId: 'h' },
      { user: 'bo', state: 'APPROVED', commitId: 'old' },
    ];
    assert.deepEqual(decideApproval(reviews, 'h', 2), {
      ok: false,
      reason: 'stale-approval',
      approvers: ['bo'],
      current: ['ana'],
      needed: 2,
    });
  });
  it('counts approvals against the minimum', () => {
    const d = decideApproval([{ user: 'ana', state: 'APPROVED', commitId: 'h' }], 'h', 2);
    assert.deepEqual(d, { ok: false, reason: 'not-approved', approvers: ['ana'], needed: 2, outsiders: [] });
  });
});
