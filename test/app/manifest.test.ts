// app.yml stays consistent with the app: real permission names and events, and every event the app listens
// to is one the manifest subscribes to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import type { Probot } from 'probot';
import { testApp } from './helpers.ts';

const require = createRequire(import.meta.url);
const manifest = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as {
  name: string;
  url: string;
  default_permissions: Record<string, string>;
  default_events: string[];
};

test('the manifest subscribes to real webhook events and asks for known permissions only', () => {
  const schemas = require('@octokit/webhooks-schemas') as { definitions: Record<string, unknown> };
  for (const event of manifest.default_events) {
    assert.ok(schemas.definitions[`${event}_event`], `${event} is a GitHub webhook event`);
  }
  assert.deepEqual(Object.keys(manifest.default_permissions).sort(), [
    'actions',
    'checks',
    'contents',
    'deployments',
    'issues',
    'members',
    'metadata',
    'pull_requests',
  ]);
  for (const [name, level] of Object.entries(manifest.default_permissions)) {
    assert.ok(['read', 'write'].includes(level), `${name}: ${level}`);
  }
  // Read-only where the app never writes.
  for (const name of ['metadata', 'members']) {
    assert.equal(manifest.default_permissions[name], 'read', name);
  }
  // actions: write only for the reconcile dispatch, which needs the workflow_run event to know when to.
  assert.equal(manifest.default_permissions.actions, 'write');
  assert.ok(manifest.default_events.includes('workflow_run'));
  assert.ok(manifest.name && manifest.url);
});

test('every event the app handles is in the manifest; comments: created (commands) and edited (status comment repair only)', () => {
  const registered: string[] = [];
  const fakeProbot = {
    on(events: string | string[]) {
      registered.push(...(Array.isArray(events) ? events : [events]));
    },
  } as unknown as Probot;
  testApp()(fakeProbot);
  assert.ok(registered.length > 0);
  for (const name of registered) {
    assert.ok(manifest.default_events.includes(name.split('.')[0]!), `${name} is subscribed in app.yml`);
  }
  // An edited command never acts (test/app/deployment-status.test.ts): `edited` only repairs a status comment.
  assert.deepEqual(registered.filter((n) => n.startsWith('issue_comment')).sort(), [
    'issue_comment.created',
    'issue_comment.edited',
  ]);
});
