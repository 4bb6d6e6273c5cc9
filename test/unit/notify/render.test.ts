// The three renderers with hostile values in every field: nothing a value holds can mention, link, format or
// break the payload; every channel's documented limits hold whatever the length; links are http(s) only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLACEHOLDERS, type Facts, type Notification, NOTIFY_EVENTS } from '../../../src/notify/model.ts';
import { NotificationMapper } from '../../../src/notify/mapping.ts';
import { renderSlack, renderSlackThread } from '../../../src/notify/render-slack.ts';
import { renderTeams } from '../../../src/notify/render-teams.ts';
import { renderWebhook, signature } from '../../../src/notify/render-webhook.ts';
import { DEFAULT_TEMPLATES, type EventTemplate } from '../../../src/notify/template.ts';
import {
  slackProblems,
  teamsProblems,
  validateWebhookBody,
  verifySignature,
} from '../../helpers/notify-receivers.ts';
import { readFileSync } from 'node:fs';
import { marked } from 'marked';

const HOSTILE = [
  '<!channel> <!here> <@U123> <#C1|general>',
  '<https://evil.example|click me> & &amp; &lt;',
  '*bold* _it_ ~s~ `code` ```fence``` > quote',
  '[x](javascript:alert(1)) ![i](https://evil.example/i.png) # head',
  'line\nbreak\r\n- item\t|cell|',
  '${{ secrets.X }} {{version}} \\ \u202e bidi',
  '</TextBlock>"}],"x":"',
].join(' ');

/** A template using every placeholder, so every value reaches title and text. */
const ALL: EventTemplate = {
  title: PLACEHOLDERS.map((p) => `{{${p}}}`).join(' '),
  text: PLACEHOLDERS.map((p) => `{{${p}}}`).join(' '),
};

function hostileNotification(value = HOSTILE, event: Notification['event'] = 'failed'): Notification {
  const facts: Facts = {};
  for (const key of PLACEHOLDERS) facts[key] = value;
  return { event, at: '2026-12-01T10:00:00.000Z', facts };
}

/** Every string inside a payload. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** Slack mrkdwn that only has the links the renderer made: no other < or >, and every & an entity. */
function assertInertSlack(text: string) {
  const withoutLinks = text.replace(/<https?:\/\/[^|<> ]+\|(Run|Deployment|Environment|Pull request)>/g, '');
  assert.doesNotMatch(withoutLinks, /[<>]/, text);
  assert.doesNotMatch(text, /&(?!amp;|lt;|gt;)/, text);
}

/** Every markdown character in a Teams text is backslash-escaped (preceded by an odd run of backslashes). */
function assertInertTeams(text: string) {
  for (let i = 0; i < text.length; i++) {
    if (!'*_[]()~`#<>|!{}+-'.includes(text[i]!)) continue;
    let slashes = 0;
    for (let j = i - 1; j >= 0 && text[j] === '\\'; j--) slashes++;
    assert.equal(slashes % 2, 1, `unescaped ${text[i]} at ${i} in ${text}`);
  }
  assert.doesNotMatch(text, /\n/);
}

describe('Slack', () => {
  it('escapes every field, keeps within the limits, and makes no link, mention or markup from a value', () => {
    for (const template of [ALL, ...Object.values(DEFAULT_TEMPLATES)]) {
      const message = renderSlack(hostileNotification(), template);
      assert.deepEqual(slackProblems(message), []);
      for (const s of strings(message)) if (s !== 'plain_text' && s !== 'mrkdwn') assertInertSlack(s);
      assert.ok(message.text.includes('&lt;!channel&gt;'));
      assert.ok(!strings(message).some((s) => s.includes('\u202e')));
    }
  });

  it('cuts huge values to the limits without breaking an entity', () => {
    const message = renderSlack(hostileNotification('&<>'.repeat(20_000)), ALL);
    assert.deepEqual(slackProblems(message), []);
    for (const s of strings(message)) assertInertSlack(s);
    const thread = renderSlackThread({ at: '', text: '<&>'.repeat(5000) });
    assert.ok(thread.text.length <= 3000);
    assertInertSlack(thread.text);
  });

  it('links only http(s) URLs, and a URL cannot end its link early', () => {
    const n = hostileNotification('x');
    n.facts.run_url = 'javascript:alert(1)';
    n.facts.pr_url = 'https://github.com/o/r/pull/1?a=1&b=<x>|label';
    const message = renderSlack(n, DEFAULT_TEMPLATES.started);
    const context = message.blocks.find((b) => b.type === 'context') as { elements: Array<{ text: string }> };
    const links = context.elements.map((e) => e.text);
    assert.ok(!links.some((l) => l.includes('javascript')));
    assert.ok(
      links.includes('<https://github.com/o/r/pull/1?a=1&amp;b=%3Cx%3E%7Clabel|Pull request>'),
      links.join('\n'),
    );
  });
});

describe('Slack links the template writes', () => {
  it("a value in a link's URL is percent-encoded: it can neither end the URL nor write the link's label", () => {
    const n = hostileNotification('x');
    n.facts.version = 'v2|Approve here> <!channel>';
    n.facts.environment_url = 'https://shop.example/?a=1&b=2';
    n.facts.run_url = 'javascript:alert(1)';
    const message = renderSlack(n, {
      title: '{{version}}',
      text: '<https://shop.example/v/{{version}}|this version>, <{{environment_url}}|the shop>, <{{run_url}}|the run>',
    });
    assert.deepEqual(slackProblems(message), []);
    const text = (message.blocks[1] as { text: { text: string } }).text.text;
    assert.equal(
      text,
      '<https://shop.example/v/v2%7CApprove%20here%3E%20%3C%21channel%3E|this version>, ' +
        '<https://shop.example/?a=1&amp;b=2|the shop>, <|the run>',
    );
  });
});

describe('Teams', () => {
  it('is a valid Adaptive Card 1.5 in the message envelope for every event, with every value escaped', () => {
    for (const event of NOTIFY_EVENTS)
      for (const template of [ALL, DEFAULT_TEMPLATES[event]]) {
        const body = renderTeams(hostileNotification(HOSTILE, event), template);
        assert.deepEqual(teamsProblems(body), []);
        const card = (body.attachments as Array<{ content: { body: Array<Record<string, unknown>> } }>)[0]!
          .content;
        for (const block of card.body) {
          if (block.type === 'TextBlock' && block !== card.body[0] && template === ALL)
            assertInertTeams(block.text as string);
          if (block.type === 'FactSet')
            for (const f of block.facts as Array<{ value: string }>) assertInertTeams(f.value);
        }
        if (template === ALL) assertInertTeams(card.body[0]!.text as string);
      }
  });

  it('stays valid and small with huge values; links only http(s) as OpenUrl actions', () => {
    const n = hostileNotification('\\*'.repeat(30_000));
    n.facts.run_url = 'https://github.com/o/r/actions/runs/1';
    n.facts.pr_url = 'data:text/html,x';
    const body = renderTeams(n, ALL);
    assert.deepEqual(teamsProblems(body), []);
    const card = (body.attachments as Array<{ content: { actions: Array<{ url: string }> } }>)[0]!.content;
    assert.deepEqual(
      card.actions.map((a) => a.url),
      ['https://github.com/o/r/actions/runs/1'],
    );
  });
});

describe('generic webhook', () => {
  it('carries every value exactly (JSON escapes it), signed over the exact bytes', () => {
    const body = renderWebhook(hostileNotification(), DEFAULT_TEMPLATES.failed, 'd-1');
    const parsed = JSON.parse(body);
    for (const key of PLACEHOLDERS) assert.equal(parsed.facts[key], HOSTILE, key);
    assert.equal(parsed.event, 'failed');
    assert.equal(parsed.delivery, 'd-1');
    assert.equal(parsed.schema_version, 1);
    assert.ok(parsed.title.includes(HOSTILE));
    const header = signature(body, 's3cret');
    assert.match(header, /^sha256=[0-9a-f]{64}$/);
    assert.ok(verifySignature(body, 's3cret', header));
    assert.ok(!verifySignature(body, 'other', header));
    assert.ok(!verifySignature(`${body} `, 's3cret', header));
  });

  it('follows schema/notification-webhook.schema.json for every event, and the schema names every fact and event', () => {
    for (const event of NOTIFY_EVENTS) {
      const body = JSON.parse(
        renderWebhook(hostileNotification(HOSTILE, event), DEFAULT_TEMPLATES[event], crypto.randomUUID()),
      );
      assert.ok(validateWebhookBody(body), JSON.stringify(validateWebhookBody.errors));
    }
    const sparse = JSON.parse(
      renderWebhook(
        { event: 'started', at: '2026-12-01T10:00:00.000Z', facts: { version: 'v1' } },
        DEFAULT_TEMPLATES.started,
        crypto.randomUUID(),
      ),
    );
    assert.ok(validateWebhookBody(sparse), JSON.stringify(validateWebhookBody.errors));
    assert.ok(!validateWebhookBody({ ...sparse, event: 'exploded' }));
    const schema = JSON.parse(
      readFileSync(new URL('../../../schema/notification-webhook.schema.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(Object.keys(schema.properties.facts.properties), [...PLACEHOLDERS]);
    assert.deepEqual(schema.properties.event.enum, [...NOTIFY_EVENTS]);
  });
});

describe('Slack formatting and mentions', () => {
  it('a value cannot bold, italicise, strike, code, mention, quote or break a line; names keep their underscores', () => {
    const value =
      '*URGENT* _rollback_ ~ok~ `rm` ```x``` @channel @here line\n> quote\u2028x\u200Bz prod_eu_west';
    const message = renderSlack(hostileNotification(value), ALL);
    const mrkdwn = message.blocks.flatMap((b) => {
      const objects = [b.text, ...((b.fields as unknown[]) ?? []), ...((b.elements as unknown[]) ?? [])];
      return objects.filter((o): o is { type: string; text: string; verbatim?: boolean } => !!o);
    });
    for (const o of mrkdwn.filter((o) => o.type === 'mrkdwn')) {
      assert.equal(o.verbatim, true, `Slack parses no links or mentions of its own: ${o.text}`);
      // The fields' own label is the one bold text; nothing from the value formats.
      const own = o.text.replace(/^\*[A-Z][a-z ]+\*\n/, '');
      assert.doesNotMatch(own, /[*~`]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/u, own);
      assert.doesNotMatch(own, /\n|\u2028|\u200B/, own);
      assert.ok(own.includes('prod_eu_west'), own);
    }
    // The notification text is the title and the text, one line each, and the header one line: the value
    // adds no line and no formatting to either.
    const header = (message.blocks[0]!.text as { text: string }).text;
    const lines = message.text.split('\n');
    assert.equal(lines.length, 2, message.text);
    assert.doesNotMatch(header, /\n|\u2028/, header);
    for (const s of [...lines, header]) {
      assert.doesNotMatch(s, /\*URGENT\*|\u2028/, s);
      assert.ok(s.includes('∗URGENT∗'), s);
    }
    // The thread keeps the lines the product made, and a value's formatting still goes.
    const thread = renderSlackThread({ at: '', text: 'production: failed\n✗ deploy *x*: _boom_' }).text;
    assert.equal(thread, 'production: failed\n✗ deploy ∗x∗: ＿boom＿');
  });
});

describe('Teams controls', () => {
  it('a value with any line break or invisible character stays one line of what it is', () => {
    const body = renderTeams(hostileNotification('a\u2028b\u0085c\u000bd\u200Be\u202Ef'), ALL);
    for (const s of strings(body))
      assert.doesNotMatch(s, /[\u2028\u0085\u000b\u200B\u202E]/, JSON.stringify(s));
  });
});

/** A Teams text as Markdown renders it (GFM: autolinks included): the HTML, and the text a reader sees. */
function teamsShows(text: string): { html: string; text: string } {
  const html = marked.parse(text, { gfm: true, async: false });
  const shown = html
    .replace(/<[^>]*>/g, '')
    .replace(
      /&(lt|gt|quot|#39|amp);/g,
      (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!,
    )
    .replace(/\u200D/g, '')
    .trim();
  return { html, text: shown };
}

describe('Teams links and URLs', () => {
  it('a value makes no link (URL, www name, e-mail), no list and no entity: it reads as it is', () => {
    for (const value of [
      'see https://evil.example/login now',
      '<https://evil.example/x>',
      'www.evil.example',
      'write to admin@evil.example',
      'mailto:admin@evil.example',
      '1. item',
      '&lt;b&gt; &amp; &#x41;',
    ]) {
      const n = hostileNotification('x');
      n.facts.reason = value;
      const body = renderTeams(n, { title: '{{reason}}', text: '{{reason}}' });
      const card = (
        body.attachments as Array<{ content: { body: Array<{ type: string; text?: string }> } }>
      )[0]!.content;
      for (const block of card.body.filter((b) => b.type === 'TextBlock')) {
        const { html, text } = teamsShows(block.text!);
        assert.doesNotMatch(html, /<(a|ol|ul|li)\b/, `${value} -> ${html}`);
        assert.equal(text, value, html);
      }
    }
  });

  it("a button's URL is the one every client reads, encoded; a value in a template's link is URL-encoded", () => {
    const n = hostileNotification('x');
    // A backslash is a '/' for the WHATWG parser and the userinfo separator for others: the host must not
    // depend on the client. Quotes, angle brackets, parentheses and a bidi override are encoded.
    n.facts.pr_url = 'https://github.com\\@evil.example/pull/1"<x>(y)\u202e';
    n.facts.environment_url = 'https://shop.example/a(b)';
    n.facts.version = 'v2 )[x](https://evil.example) ?#';
    n.facts.run_url = 'javascript:alert(1)';
    const body = renderTeams(n, {
      title: '{{version}}',
      text: 'open [the shop]({{environment_url}}), [this version](https://shop.example/v/{{version}}) or [the run]({{run_url}})',
    });
    assert.deepEqual(teamsProblems(body), []);
    const card = (
      body.attachments as Array<{
        content: { body: Array<{ text: string }>; actions: Array<{ title: string; url: string }> };
      }>
    )[0]!.content;
    assert.deepEqual(
      card.actions.map((a) => [a.title, a.url]),
      [
        ['Environment', 'https://shop.example/a%28b%29'],
        ['Pull request', 'https://github.com/@evil.example/pull/1%22%3Cx%3E%28y%29%E2%80%AE'],
      ],
    );
    const { html } = teamsShows(card.body[1]!.text);
    assert.deepEqual(
      [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[2], m[1]]),
      [
        ['the shop', 'https://shop.example/a%28b%29'],
        ['this version', 'https://shop.example/v/v2%20%29%5Bx%5D%28https%3A%2F%2Fevil.example%29%20%3F%23'],
        ['the run', ''],
      ],
      html,
    );
  });
});

describe("the delayed hook's events (after_success_ran, after_success_failed)", () => {
  // What the channels get from a reconcile run whose live release has a hostile version and whose hook failed
  // with a hostile last line: mapped, then rendered with the default templates and with every placeholder.
  const hostileHook = (ok: boolean) =>
    new NotificationMapper({ repository: 'o/r' }, () => Date.parse('2026-12-01T10:00:00Z')).next({
      type: 'after-success',
      record: {
        environment: 'production',
        version: HOSTILE,
        previousVersion: HOSTILE,
        label: 'hooks.after_success',
        ok,
        ...(ok ? { exitCode: 0 } : { code: 'exit', exitCode: 1, detail: `exited with code 1: ${HOSTILE}` }),
        durationMs: 1000,
      },
    });
  const notifications = () =>
    [true, false].map((ok) => {
      const [item] = hostileHook(ok);
      assert.ok(item?.kind === 'notify');
      return item.notification;
    });

  it('Slack: no mention, link or markup from the version or what failed', () => {
    for (const n of notifications())
      for (const template of [ALL, DEFAULT_TEMPLATES[n.event]]) {
        const message = renderSlack(n, template);
        assert.deepEqual(slackProblems(message), []);
        for (const s of strings(message)) if (s !== 'plain_text' && s !== 'mrkdwn') assertInertSlack(s);
        assert.ok(message.text.includes('&lt;!channel&gt;'), n.event);
        assert.ok(!strings(message).some((s) => s.includes('\u202e')));
      }
  });

  it('Teams: a valid card, every value escaped, one line', () => {
    for (const n of notifications()) {
      assert.deepEqual(teamsProblems(renderTeams(n, DEFAULT_TEMPLATES[n.event])), []);
      const body = renderTeams(n, ALL);
      assert.deepEqual(teamsProblems(body), []);
      const card = (body.attachments as Array<{ content: { body: Array<Record<string, unknown>> } }>)[0]!
        .content;
      for (const block of card.body) {
        if (block.type === 'TextBlock') assertInertTeams(block.text as string);
        if (block.type === 'FactSet')
          for (const f of block.facts as Array<{ value: string }>) assertInertTeams(f.value);
      }
    }
  });

  it('webhook: follows the schema, the version exactly as it is, the exit code as a fact', () => {
    for (const n of notifications()) {
      const body = JSON.parse(renderWebhook(n, DEFAULT_TEMPLATES[n.event], crypto.randomUUID()));
      assert.ok(validateWebhookBody(body), JSON.stringify(validateWebhookBody.errors));
      assert.equal(body.event, n.event);
      assert.equal(body.facts.version, HOSTILE);
      assert.equal(body.facts.exit_code, n.event === 'after_success_ran' ? '0' : '1');
      assert.equal(body.facts.step, 'hooks.after_success');
      assert.ok(body.title.includes(HOSTILE));
    }
  });
});

describe('a template that renders to nothing', () => {
  // `{{pr_title}}` without a pull request, `{{message}}` on `started`: the values are not known for this
  // event. Slack refuses a header or section with no text (invalid_blocks), so the whole message was lost.
  const n: Notification = {
    event: 'started',
    at: '2026-12-01T10:00:00.000Z',
    facts: { event: 'started', version: 'v2', environment: 'production', who: '\u200b' },
  };
  const empty: EventTemplate = { title: ' {{pr_title}} ', text: '{{message}}{{who}}' };
  it('Slack: the default title and text stand in, so the message is one Slack takes', () => {
    const message = renderSlack(n, empty);
    assert.deepEqual(slackProblems(message), []);
    assert.deepEqual(
      message.blocks.slice(0, 2),
      renderSlack(n, DEFAULT_TEMPLATES.started).blocks.slice(0, 2),
    );
  });
  it('Teams and the webhook: the same stand-in title and text', () => {
    const card = renderTeams(n, empty) as {
      attachments: Array<{ content: { body: Array<{ text: string }> } }>;
    };
    const [title, text] = card.attachments[0]!.content.body;
    assert.equal(title!.text, '[Started] Deploy v2 to production');
    assert.match(text!.text, /^Deployment of v2 to production started/);
    const body = JSON.parse(renderWebhook(n, empty, 'id'));
    assert.equal(body.title, '[Started] Deploy v2 to production');
    assert.match(body.text, /^Deployment of v2 to production started/);
  });
});
