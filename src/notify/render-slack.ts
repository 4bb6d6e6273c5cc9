// Slack messages (chat.postMessage / chat.update / incoming webhook) for a notification, within Slack's
// documented limits: at most 50 blocks, a header's text at most 150 characters, a section's at most 3,000
// (a field's 2,000, at most 10 fields), the message text at most 40,000. Pure.
import { FACT_FIELDS, LINKS, type Notification, type ThreadLine } from './model.ts';
import { cut, isHttpUrl, slackEscape, slackUrl, urlPart } from './escape.ts';
import {
  DEFAULT_TEMPLATES,
  orDefault,
  renderLinkedTemplate,
  renderTemplate,
  type EventTemplate,
} from './template.ts';

export const SLACK_LIMITS = { blocks: 50, header: 150, section: 3000, field: 2000, fields: 10, text: 40_000 };

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const FIELDS = FACT_FIELDS;

// A value in a link's URL the template wrote (`<https://shop.example/{{version}}|shop>`) is percent-encoded:
// a `|` in it would otherwise end the URL and start the link's label.
const URL_VALUES = { link: (value: string) => (isHttpUrl(value) ? slackUrl(value) : ''), part: urlPart };

export function renderSlack(n: Notification, template: EventTemplate): SlackMessage {
  // A header is one line of plain text; Slack decodes &amp; &lt; &gt; there too, so it is escaped alike.
  const renderTitle = (t: EventTemplate) => renderTemplate(t.title, n.facts, slackEscape);
  const renderText = (t: EventTemplate) =>
    renderLinkedTemplate(t.text, n.facts, 'slack', slackEscape, URL_VALUES);
  const fallback = DEFAULT_TEMPLATES[n.event];
  const title = cut(
    orDefault(renderTitle(template), () => renderTitle(fallback)),
    SLACK_LIMITS.header,
  );
  const text = cut(
    orDefault(renderText(template), () => renderText(fallback)),
    SLACK_LIMITS.section,
  );
  const fields = FIELDS.filter(([, key]) => n.facts[key])
    .slice(0, SLACK_LIMITS.fields)
    .map(([label, key]) => ({
      type: 'mrkdwn',
      text: cut(`*${label}*\n${slackEscape(n.facts[key]!)}`, SLACK_LIMITS.field),
      verbatim: true,
    }));
  const links = LINKS.filter(({ key }) => isHttpUrl(n.facts[key])).map(({ key, label }) => ({
    type: 'mrkdwn',
    text: `<${slackUrl(n.facts[key]!)}|${label}>`,
    verbatim: true,
  }));
  if (n.facts.pr_number && n.facts.pr_title)
    links.push({
      type: 'mrkdwn',
      text: cut(`PR #${slackEscape(n.facts.pr_number)}: ${slackEscape(n.facts.pr_title)}`, 300),
      verbatim: true,
    });
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    // verbatim: Slack makes no links, channel names or mentions (@here, @channel) of its own from the text.
    { type: 'section', text: { type: 'mrkdwn', text, verbatim: true } },
  ];
  if (fields.length) blocks.push({ type: 'section', fields });
  if (links.length) blocks.push({ type: 'context', elements: links.slice(0, 10) });
  // The notification text (what shows in the OS notification and where blocks cannot): title and text.
  return { text: cut(`${title}\n${text}`, SLACK_LIMITS.text), blocks };
}

/** A reply in the deployment's thread: one phase or the rollback, escaped. */
export function renderSlackThread(line: ThreadLine): { text: string } {
  return { text: cut(slackEscape(line.text, { lines: true }), SLACK_LIMITS.section) };
}
