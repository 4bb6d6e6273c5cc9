// The Microsoft Teams message for a notification: an Adaptive Card 1.5 in the envelope Teams workflow
// webhooks ("When a Teams webhook request is received") take. Values are markdown-escaped (no autolink
// either), links are Action.OpenUrl buttons, and a value in a URL (a button's, or one in a link the template
// wrote) is URL-encoded; the card stays far below Teams' 28 KB message limit. Pure.
import { FACT_FIELDS, LINKS, type Notification } from './model.ts';
import { cut, teamsEscape, teamsUrl, urlPart } from './escape.ts';
import { DEFAULT_TEMPLATES, orDefault, renderLinkedTemplate, type EventTemplate } from './template.ts';

export const TEAMS_LIMITS = { title: 150, text: 2000, fact: 500, bytes: 28_000 };

// Slack shows the pull request in a line of its own; the card has none, so it is a fact here.
const FACTS = [...FACT_FIELDS, ['Pull request', 'pr_title']] as const;

const ATTENTION = new Set(['failed', 'rolled_back', 'cancelled', 'after_success_failed']);

const URL_VALUES = { link: (value: string) => teamsUrl(value) ?? '', part: urlPart };

export function renderTeams(n: Notification, template: EventTemplate): Record<string, unknown> {
  const render = (t: string) => renderLinkedTemplate(t, n.facts, 'markdown', teamsEscape, URL_VALUES);
  const fallback = DEFAULT_TEMPLATES[n.event];
  const title = cut(
    orDefault(render(template.title), () => render(fallback.title)),
    TEAMS_LIMITS.title,
  );
  const text = cut(
    orDefault(render(template.text), () => render(fallback.text)),
    TEAMS_LIMITS.text,
  );
  const facts = FACTS.filter(([, key]) => n.facts[key]).map(([title, key]) => ({
    title,
    value: cut(teamsEscape(n.facts[key]!), TEAMS_LIMITS.fact),
  }));
  const actions = LINKS.flatMap(({ key, label }) => {
    const url = teamsUrl(n.facts[key]);
    return url ? [{ type: 'Action.OpenUrl', title: label, url }] : [];
  });
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      {
        type: 'TextBlock',
        text: title,
        size: 'Medium',
        weight: 'Bolder',
        wrap: true,
        style: 'heading',
        color: ATTENTION.has(n.event)
          ? 'Attention'
          : n.event === 'succeeded' || n.event === 'after_success_ran'
            ? 'Good'
            : n.event === 'analysis_warning'
              ? 'Warning'
              : 'Default',
      },
      { type: 'TextBlock', text, wrap: true },
      ...(facts.length ? [{ type: 'FactSet', facts }] : []),
    ],
    ...(actions.length ? { actions } : {}),
  };
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
