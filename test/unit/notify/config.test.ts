// The notifications section: secrets only by variable name, templates checked at their path, channels
// merged per environment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { NOTIFY_EVENTS, PLACEHOLDERS } from '../../../src/notify/model.ts';
import { resolveNotifications } from '../../../src/notify/resolve.ts';
import { DEFAULT_TEMPLATES, renderTemplate, templateProblems } from '../../../src/notify/template.ts';
import { validateWebhookBody } from '../../helpers/notify-receivers.ts';

const TARGET = ['target:', '  commands:', '    deploy: ./deploy.sh {{version}}'].join('\n');

function errorsOf(text: string): string[] {
  const result = parseConfig(`${TARGET}\n${text}`, 'deploy.yml');
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

function configOf(text: string) {
  const result = parseConfig(`${TARGET}\n${text}`, 'deploy.yml');
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.config;
}

describe('notifications config', () => {
  it('loads every channel type with its variables', () => {
    const config = configOf(`notifications:
  contact: "#ops"
  channels:
    ops: { type: slack, token_env: SLACK_BOT_TOKEN, channel: C0123 }
    hook: { type: slack, webhook_url_env: SLACK_WEBHOOK_URL, events: [failed] }
    teams: { type: teams, webhook_url_env: TEAMS_URL }
    audit: { type: webhook, url_env: AUDIT_URL, secret_env: AUDIT_SECRET }
environments:
  production: {}
`);
    assert.deepEqual(Object.keys(config.notifications!.channels!), ['ops', 'hook', 'teams', 'audit']);
  });

  it('refuses a secret written where the NAME of a variable belongs, at its path', () => {
    for (const [key, value] of [
      ['token_env', 'xoxb-1234-abcd'],
      ['webhook_url_env', 'https://hooks.slack.com/services/T/B/X'],
    ] as const) {
      const errors = errorsOf(`notifications:
  channels:
    ops: { type: slack, ${key}: "${value}"${key === 'token_env' ? ', channel: C1' : ''} }
environments:
  production: {}
`);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(
        errors[0]!,
        new RegExp(`notifications\\.channels\\.ops\\.${key}: must be the NAME of an environment variable`),
      );
    }
  });

  it("refuses a secret written where a NAME belongs when it is made of a name's characters too", () => {
    // Before: a GitHub token, an AWS key, a Stripe key or a hex HMAC secret passed as a variable's name (they
    // are letters, digits and _), and the run then said "SECRET is not set" in its log.
    for (const [key, value] of [
      ['token_env', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
      // A real Slack token is refused as no name at all, once.
      ['token_env', 'xoxb-123456789012-abcdefghijkl'],
      ['token_env', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'],
      ['webhook_url_env', 'AKIAIOSFODNN7EXAMPLE'],
      ['webhook_url_env', 'sk_live_abcdefghijklmnopqrstuvwx'],
      ['secret_env', 'a3f9c2e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0'],
    ] as const) {
      const channel =
        key === 'secret_env'
          ? `{ type: webhook, url_env: HOOK_URL, ${key}: "${value}" }`
          : `{ type: slack, ${key}: "${value}"${key === 'token_env' ? ', channel: C1' : ''} }`;
      const errors = errorsOf(
        `notifications:\n  channels:\n    ops: ${channel}\nenvironments:\n  production: {}\n`,
      );
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(
        errors[0]!,
        new RegExp(
          `notifications\\.channels\\.ops\\.${key}: (is|must be the NAME .*, never) the secret itself`,
        ),
      );
      assert.ok(!errors[0]!.includes(value.slice(8)), errors[0]);
    }
    // Names, however long or mixed, are names.
    for (const name of [
      'SLACK_BOT_TOKEN',
      'MySlackToken2024ForTheOpsChannel',
      'DEPLOY_HOOK_SECRET_0123456789ABCDEF',
    ])
      configOf(
        `notifications:\n  channels:\n    ops: { type: slack, token_env: ${name}, channel: C1 }\nenvironments:\n  production: {}\n`,
      );
  });

  it('says what a Slack channel is missing or has too much of', () => {
    assert.match(
      errorsOf(
        'notifications:\n  channels:\n    ops: { type: slack }\nenvironments:\n  production: {}\n',
      )[0]!,
      /notifications\.channels\.ops: needs token_env .* or webhook_url_env/,
    );
    assert.match(
      errorsOf(
        'notifications:\n  channels:\n    ops: { type: slack, token_env: T }\nenvironments:\n  production: {}\n',
      )[0]!,
      /notifications\.channels\.ops: missing required key "channel"/,
    );
    assert.match(
      errorsOf(
        'notifications:\n  channels:\n    ops: { type: slack, token_env: T, channel: C, webhook_url_env: W }\nenvironments:\n  production: {}\n',
      )[0]!,
      /either token_env .* or webhook_url_env, not both/,
    );
    assert.match(
      errorsOf(
        'notifications:\n  channels:\n    w: { type: webhook, url_env: U }\nenvironments:\n  production: {}\n',
      )[0]!,
      /notifications\.channels\.w: missing required key "secret_env"/,
    );
  });

  it('names the path of an unknown placeholder, top level and per environment, with a suggestion', () => {
    const errors = errorsOf(`notifications:
  channels:
    audit: { type: webhook, url_env: U, secret_env: S }
  templates:
    failed: { title: "{{versoin}} failed" }
environments:
  production:
    notifications:
      templates:
        succeeded: { text: "done by {{whom}} {{ who }}" }
`);
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.match(
      errors[0]!,
      /deploy\.yml:\d+:\d+: notifications\.templates\.failed\.title: unknown placeholder \{\{versoin\}\}: did you mean \{\{version\}\}\?/,
    );
    assert.match(
      errors[1]!,
      /environments\.production\.notifications\.templates\.succeeded\.text: unknown placeholder \{\{whom\}\}: did you mean \{\{who\}\}\?/,
    );
  });

  it('refuses an unknown event, and a channel turned off that the top level does not define', () => {
    assert.match(
      errorsOf(
        'notifications:\n  events: [started, exploded]\n  channels: {}\nenvironments:\n  production: {}\n',
      )[0]!,
      /notifications\.events\[1\]: .*exploded/,
    );
    const errors = errorsOf(`notifications:
  channels:
    ops: { type: teams, webhook_url_env: T }
environments:
  production:
    notifications: { channels: { opz: false } }
`);
    assert.match(
      errors[0]!,
      /environments\.production\.notifications\.channels\.opz: .*did you mean "ops"\?/,
    );
  });
});

describe('templates', () => {
  it('knows every placeholder the defaults use', () => {
    for (const event of NOTIFY_EVENTS) {
      assert.deepEqual(templateProblems(DEFAULT_TEMPLATES[event].title), [], event);
      assert.deepEqual(templateProblems(DEFAULT_TEMPLATES[event].text), [], event);
    }
  });

  it('refuses braces that are not a placeholder (no expressions, helpers or partials)', () => {
    for (const text of [
      '{{version',
      'a }} b',
      '{{#if x}}y{{/if}}',
      '{{ a.b }}',
      '{{> partial}}',
      '{{{version}}}',
    ])
      assert.notDeepEqual(templateProblems(text), [], text);
  });

  it('escapes the values only, and renders an unknown value as empty', () => {
    const out = renderTemplate('<b>{{version}}</b> {{reason}}.', { version: '<i>' }, (v) =>
      v.replace(/</g, '&lt;'),
    );
    assert.equal(out, '<b>&lt;i></b> .');
  });

  it('a value that looks like a placeholder is not expanded again', () => {
    assert.equal(
      renderTemplate('{{reason}}', { reason: '{{version}}', version: 'v1' }, (v) => v),
      '{{version}}',
    );
  });
});

describe('resolveNotifications', () => {
  const config = configOf(`notifications:
  events: [started, failed]
  contact: "#ops"
  channels:
    ops: { type: slack, token_env: T, channel: C }
    teams: { type: teams, webhook_url_env: W, events: [succeeded] }
  templates:
    failed: { title: "top {{version}}", text: "top text" }
environments:
  staging:
    notifications: { channels: { ops: false } }
  production:
    notifications:
      events: [rolled_back]
      contact: "@oncall"
      channels:
        audit: { type: webhook, url_env: U, secret_env: S }
      templates:
        failed: { text: "prod text" }
`);
  it('merges channels by name, events and templates by field, and turns a channel off', () => {
    const staging = resolveNotifications(config.notifications, config.environments.staging!.notifications)!;
    assert.deepEqual(
      staging.channels.map((c) => c.name),
      ['teams'],
    );
    const production = resolveNotifications(
      config.notifications,
      config.environments.production!.notifications,
    )!;
    assert.deepEqual(
      production.channels.map((c) => [c.name, [...c.events]]),
      [
        ['ops', ['rolled_back']],
        ['teams', ['succeeded']],
        ['audit', ['rolled_back']],
      ],
    );
    assert.deepEqual(production.templates.failed, { title: 'top {{version}}', text: 'prod text' });
    assert.deepEqual(production.templates.started, DEFAULT_TEMPLATES.started);
    assert.equal(production.contact, '@oncall');
  });

  it("a channel that names no events gets the delayed hook's too; a config can choose them and template them", () => {
    const resolved = resolveNotifications(
      {
        channels: {
          all: { type: 'webhook', url_env: 'U', secret_env: 'S' },
          oncall: { type: 'webhook', url_env: 'U', secret_env: 'S', events: ['after_success_failed'] },
        },
        templates: { after_success_failed: { title: 'Contract step failed: {{version}} ({{exit_code}})' } },
      },
      undefined,
    )!;
    const events = (name: string) => resolved.channels.find((c) => c.name === name)!.events;
    assert.ok(events('all').has('after_success_ran') && events('all').has('after_success_failed'));
    assert.deepEqual([...events('oncall')], ['after_success_failed']);
    assert.equal(
      renderTemplate(
        resolved.templates.after_success_failed.title,
        { version: 'v2', exit_code: '3' },
        (v) => v,
      ),
      'Contract step failed: v2 (3)',
    );
  });

  it('without a section or channels nothing is notified', () => {
    assert.equal(resolveNotifications(undefined, undefined), undefined);
    assert.equal(resolveNotifications({ channels: {} }, undefined), undefined);
  });
});

describe('docs/notifications.md', () => {
  it('documents every event and every placeholder', async () => {
    const { readFile } = await import('node:fs/promises');
    const docs = await readFile(new URL('../../../docs/notifications.md', import.meta.url), 'utf8');
    for (const event of NOTIFY_EVENTS) assert.match(docs, new RegExp(`^\\| \`${event}\` \\|`, 'm'), event);
    for (const name of PLACEHOLDERS) assert.ok(docs.includes(`\`${name}\``), name);
  });

  it("shows a webhook body that follows the body's schema, its facts named as the placeholders are", async () => {
    const { readFile } = await import('node:fs/promises');
    const docs = await readFile(new URL('../../../docs/notifications.md', import.meta.url), 'utf8');
    const example = /^## The generic webhook$[^]*?^```json\n([^]*?)^```$/m.exec(docs)?.[1];
    assert.ok(example, 'the generic webhook section shows a body');
    const body = JSON.parse(example) as { facts: Record<string, string> };
    assert.equal(validateWebhookBody(body), true, JSON.stringify(validateWebhookBody.errors));
    const unknown = Object.keys(body.facts).filter(
      (key) => !(PLACEHOLDERS as readonly string[]).includes(key),
    );
    assert.deepEqual(unknown, []);
  });
});
