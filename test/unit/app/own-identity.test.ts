// The App's own id and bot login (app/facts/own-comments.ts): asking the client for the app's authentication
// signs a fresh App JWT (an RSA signature), so an event signs one at most, however often its handlers ask,
// and GET /app (the bot login) is asked once per process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownAppId, ownBotLogin } from '../../../app/facts/own-comments.ts';
import type { Octokit } from '../../../app/facts/github.ts';

/** A client of app `appId` that counts the App JWTs it signs and the GET /app it is asked. */
function client(appId: number, shared: { signed: number; getApp: string[] }, failFirst = false) {
  let failed = !failFirst;
  const octokit = {
    auth: async (options: { type: string }) => {
      assert.equal(options.type, 'app');
      if (!failed) {
        failed = true;
        throw new Error('key not readable');
      }
      shared.signed += 1;
      return { type: 'app', appId, token: `jwt-${shared.signed}` };
    },
    request: async (route: string, options: { headers: { authorization: string } }) => {
      shared.getApp.push(`${route} ${options.headers.authorization}`);
      return { data: { slug: `app-${appId}` } };
    },
  };
  return octokit as unknown as Octokit;
}

test('one event signs one App JWT however often its handlers ask; GET /app once per process', async () => {
  const shared = { signed: 0, getApp: [] as string[] };
  const first = client(7001, shared);
  // What an issue_comment event asks (bot login, app id twice), and more.
  assert.equal(await ownBotLogin(first), 'app-7001[bot]');
  assert.equal(await ownAppId(first), 7001);
  assert.equal(await ownAppId(first), 7001);
  assert.equal(await ownBotLogin(first), 'app-7001[bot]');
  // The id, then the JWT GET /app is sent with: the login is not known yet.
  assert.equal(shared.signed, 2);
  assert.deepEqual(shared.getApp, ['GET /app bearer jwt-2']);

  // The next event (a client of its own): its id once, the login as kept.
  const next = client(7001, shared);
  await Promise.all([ownAppId(next), ownBotLogin(next), ownAppId(next), ownBotLogin(next)]);
  assert.equal(shared.signed, 3);
  assert.equal(shared.getApp.length, 1);
});

test('a failed ask is not kept: the next one asks again', async () => {
  const shared = { signed: 0, getApp: [] as string[] };
  const octokit = client(7002, shared, true);
  await assert.rejects(ownAppId(octokit), /key not readable/);
  assert.equal(await ownAppId(octokit), 7002);
  assert.equal(await ownBotLogin(octokit), 'app-7002[bot]');
  assert.equal(shared.signed, 2);
});
