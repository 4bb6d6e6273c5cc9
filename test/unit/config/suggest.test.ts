import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  closestMatch,
  didYouMean,
  listOf,
  quotedNames,
  unknownEnvironmentMessage,
} from '../../../src/config/suggest.ts';

describe('closestMatch', () => {
  const keys = ['strategy', 'staging', 'target', 'health', 'environments'];

  it('finds plausible typos', () => {
    assert.equal(closestMatch('stratgy', keys), 'strategy');
    assert.equal(closestMatch('enviroments', keys), 'environments');
    assert.equal(closestMatch('Target', keys), 'target');
    assert.equal(closestMatch('fats', ['seeds', 'fast']), 'fast');
  });

  it('stays quiet when nothing is close, or the word is exact', () => {
    assert.equal(closestMatch('colour', keys), undefined);
    assert.equal(closestMatch('x', keys), undefined);
    assert.equal(closestMatch('target', keys), undefined);
    assert.equal(closestMatch('target', []), undefined);
  });
});

describe('didYouMean and listOf', () => {
  it('format suggestions and lists', () => {
    assert.equal(
      didYouMean('slto', ['slot', 'version'], (s) => `{{${s}}}`),
      ': did you mean {{slot}}?',
    );
    assert.equal(didYouMean('zzz', ['slot']), '');
    assert.equal(listOf(['"a"', '"b"', '"c"']), '"a", "b" or "c"');
    assert.equal(listOf(['"a"'], 'and'), '"a"');
  });
});

describe('quotedNames and unknownEnvironmentMessage', () => {
  it('quote names, and word an unknown environment once for config, policy and resolution', () => {
    assert.equal(quotedNames(['a', 'b', 'c']), '"a", "b" and "c"');
    assert.equal(quotedNames([]), '');
    assert.equal(
      unknownEnvironmentMessage('prodution', ['staging', 'production']),
      'unknown environment "prodution": the config defines "staging" and "production": did you mean "production"?',
    );
    assert.equal(unknownEnvironmentMessage('x', []), 'unknown environment "x": the config defines none');
  });
});
