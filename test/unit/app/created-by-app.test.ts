// "Did the App create this deployment?" is one function (app/facts/deployments.ts createdByApp), used by the
// protection rule, the status comment, the lock release and the lock's owner: only the App's own deployment's
// payload is believed. These are its edge cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdByApp } from '../../../app/facts/deployments.ts';

const app = { login: 'deploy-action[bot]', id: 42 };
const ours = { login: 'deploy-action[bot]', type: 'Bot' };

test('the App’s own deployment: its bot login (in any case), made through its own app or with no app named', () => {
  assert.equal(createdByApp({ creator: ours, performed_via_github_app: { id: 42 } }, app), true);
  assert.equal(createdByApp({ creator: { login: 'Deploy-Action[bot]', type: 'Bot' } }, app), true);
  assert.equal(createdByApp({ creator: ours, performed_via_github_app: null }, app), true);
  // Where the caller does not know its id, the login alone decides.
  assert.equal(
    createdByApp({ creator: ours, performed_via_github_app: { id: 7 } }, { login: app.login }),
    true,
  );
});

test('another app, the same login made through another app id, no creator, or a person: not the App’s', () => {
  assert.equal(createdByApp({ creator: { login: 'github-actions[bot]', type: 'Bot' } }, app), false);
  assert.equal(
    createdByApp({ creator: { login: 'deploy-action-staging[bot]', type: 'Bot' } }, app),
    false,
    'a longer slug that starts with the same words',
  );
  assert.equal(
    createdByApp({ creator: ours, performed_via_github_app: { id: 43 } }, app),
    false,
    'the same slug, another app id',
  );
  assert.equal(createdByApp({ creator: null }, app), false);
  assert.equal(createdByApp({}, app), false);
  assert.equal(createdByApp(null, app), false);
  assert.equal(createdByApp({ creator: { login: 'mallory', type: 'User' } }, app), false);
  assert.equal(
    createdByApp({ creator: { login: 'deploy-action', type: 'User' } }, app),
    false,
    'the slug as a user',
  );
  assert.equal(
    createdByApp({ creator: { login: 'deploy-action[bot]', type: 'User' } }, app),
    false,
    'an account GitHub calls a user is never the App',
  );
});
