// A coverage path starting with `//`: on POSIX an absolute path like any other (lcov
// `SF://home/runner/work/app/app/src/a.js`), on Windows a UNC share (`\\server\share\app\src\a.js`). It is read
// as UNC, kept whole for the suffix match, only when written with backslashes or in a report whose other
// paths show Windows; otherwise it is made repository-relative, so a changed file is found by its exact path
// even when another report path ends the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findLineHits, lineHitsByRepoPath } from '../../../src/gates/coverage/read.ts';
import { parseLcov } from '../../../src/gates/coverage/lcov.ts';

const CHECKOUT = '/home/runner/work/app/app';

function lcov(...records: Array<[string, number]>): string {
  return records
    .map(([file, hits]) => `SF:${file}\nDA:1,${hits}\nLF:1\nLH:${hits ? 1 : 0}\nend_of_record\n`)
    .join('');
}

function keysAndHits(text: string) {
  const byPath = lineHitsByRepoPath(parseLcov(text, 'lcov.info'), CHECKOUT, [CHECKOUT]);
  return { keys: [...byPath.keys()], hits: (path: string) => findLineHits(byPath, path)?.get(1) };
}

test('lcov SF://home/runner/… is the POSIX path in the checkout: src/a.js is found though packages/x/src/a.js ends the same', () => {
  const { keys, hits } = keysAndHits(
    lcov([`/${CHECKOUT}/src/a.js`, 3], [`${CHECKOUT}/packages/x/src/a.js`, 0]),
  );
  assert.deepEqual(keys, ['src/a.js', 'packages/x/src/a.js']);
  assert.equal(hits('src/a.js'), 3);
  assert.equal(hits('packages/x/src/a.js'), 0);
});

test('the same file written with // and with / (two reports merged) is one file: its hits add up', () => {
  const { keys, hits } = keysAndHits(lcov([`/${CHECKOUT}/src/a.js`, 2], [`${CHECKOUT}/src/a.js`, 1]));
  assert.deepEqual(keys, ['src/a.js']);
  assert.equal(hits('src/a.js'), 3);
});

test('a UNC path written with backslashes (\\\\server\\share\\…) is kept whole and found by suffix', () => {
  const { keys, hits } = keysAndHits(lcov(['\\\\server\\share\\app\\src\\a.js', 4]));
  assert.deepEqual(keys, ['//server/share/app/src/a.js']);
  assert.equal(hits('src/a.js'), 4);
});

test('//server/share/… in a report whose other paths are on a drive is a UNC path, kept whole', () => {
  const { keys, hits } = keysAndHits(
    lcov(['D:\\a\\app\\app\\src\\b.js', 1], ['//server/share/app/src/a.js', 5]),
  );
  assert.deepEqual(keys, ['D:/a/app/app/src/b.js', '//server/share/app/src/a.js']);
  assert.equal(hits('src/a.js'), 5);
  assert.equal(hits('src/b.js'), 1);
});
