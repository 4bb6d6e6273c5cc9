// The notification templates: `{{name}}` placeholders and nothing else (no expressions, no conditionals, no
// helpers), so a template can neither run code nor reach a value it was not given. Only the values are
// escaped, by the channel's escape function; the template's own text is the config author's.
import { didYouMean } from '../config/suggest.ts';
import { PLACEHOLDERS, type Facts, type NotifyEvent, type Placeholder } from './model.ts';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** What is wrong with a template, one message per problem; empty when it is sound. */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!(PLACEHOLDERS as readonly string[]).includes(name))
      problems.push(
        `unknown placeholder {{${name}}}${didYouMean(name, PLACEHOLDERS, (s) => `{{${s}}}`)} (placeholders: ${PLACEHOLDERS.join(', ')})`,
      );
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}') || /\{\{\{|\}\}\}/.test(template))
    problems.push('has a "{{" or "}}" that is not a placeholder such as {{version}}');
  return problems;
}

/** Substitutes the facts; a value that is not known renders as an empty string. */
export function renderTemplate(template: string, facts: Facts, escape: (value: string) => string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => escape(facts[name as Placeholder] ?? ''));
}

// A URL the template's author wrote in a link, placeholders in it included: `](…)` in Markdown (Teams), `<…`
// up to its `|` or `>` in Slack mrkdwn. Groups: what opens it, the URL, what closes it.
const URL_CHARS = '(?:[^()<>|\\s{}]|\\{\\{\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\}\\})*';
const LINK_URLS = {
  markdown: new RegExp(`(\\]\\()(${URL_CHARS})(\\))`, 'g'),
  slack: new RegExp(`(<)(${URL_CHARS})()(?=[|>])`, 'g'),
};
const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

/**
 * As renderTemplate, for a text with links: a value inside a link's URL the template wrote is part of a URL,
 * not text. A placeholder that is the whole URL (`[shop]({{environment_url}})`, `<{{run_url}}|run>`) becomes
 * `url.link` of its value (a link only when it is an http(s) URL), one within a URL
 * (`[shop](https://shop.example/{{version}})`) `url.part` of its value (percent-encoded).
 */
export function renderLinkedTemplate(
  template: string,
  facts: Facts,
  syntax: keyof typeof LINK_URLS,
  escape: (value: string) => string,
  url: { link: (value: string) => string; part: (value: string) => string },
): string {
  let out = '';
  let last = 0;
  for (const match of template.matchAll(LINK_URLS[syntax])) {
    const [all, open, inside, close] = match as unknown as [string, string, string, string];
    out += renderTemplate(template.slice(last, match.index), facts, escape);
    const whole = WHOLE_PLACEHOLDER.exec(inside);
    const rendered = whole
      ? url.link(facts[whole[1] as Placeholder] ?? '')
      : renderTemplate(inside, facts, url.part);
    out += `${open}${rendered}${close}`;
    last = match.index + all.length;
  }
  return out + renderTemplate(template.slice(last), facts, escape);
}

// Nothing a person would see: whitespace and invisible format characters only.
const BLANK = /^[\s\p{Cf}]*$/u;

/**
 * `rendered`, or `fallback()` (the event's default template, rendered the same way) when it shows nothing: a
 * template whose placeholders all have no value for this event (`{{pr_title}}` without a pull request,
 * `{{message}}` on `started`). Slack refuses a header or section without text, so the message was lost.
 */
export function orDefault(rendered: string, fallback: () => string): string {
  return BLANK.test(rendered) ? fallback() : rendered;
}

export interface EventTemplate {
  title: string;
  text: string;
}

/**
 * The seeds' communication templates (approval workflow: "[Scheduled]" before, "[Complete]" after; the
 * runbook's what / when / impact / who). What, when, impact and who are shown as fields by every channel
 * besides these, and the links as buttons.
 */
export const DEFAULT_TEMPLATES: Record<NotifyEvent, EventTemplate> = {
  started: {
    title: '[Started] Deploy {{version}} to {{environment}}',
    text: 'Deployment of {{version}} to {{environment}} started at {{when}} ({{strategy}}).',
  },
  waiting_for_approval: {
    title: '[Waiting] {{version}} to {{environment}} needs approval',
    text: 'The rollout of {{version}} to {{environment}} waits at {{step}} {{reason}}.',
  },
  paused: {
    title: '[Paused] {{version}} to {{environment}}',
    text: 'The rollout of {{version}} to {{environment}} is paused: {{reason}}.',
  },
  promoted: {
    title: '[Promoted] {{version}} to {{environment}}',
    text: 'The rollout of {{version}} to {{environment}} goes on from {{step}}: {{reason}}.',
  },
  analysis_warning: {
    title: '[Warning] {{version}} to {{environment}}',
    text: 'A warning level was crossed during the rollout of {{version}} to {{environment}} at {{step}} (not a rollback: the rollout goes on): {{reason}}.',
  },
  succeeded: {
    title: '[Complete] Deploy {{version}} to {{environment}}',
    text: 'Deployment of {{version}} to {{environment}} completed successfully at {{when}} after {{duration}}.',
  },
  rolled_back: {
    title: '[Rolled back] {{version}} to {{environment}}',
    // Where traffic went is the impact ("traffic is back on v1"), not {{previous_version}}: a first deployment
    // has none, and its text read "was rolled back to : …".
    text: 'Deployment of {{version}} to {{environment}} was rolled back: {{reason}}; {{impact}}.',
  },
  failed: {
    title: '[Failed] Deploy {{version}} to {{environment}}',
    text: 'Deployment of {{version}} to {{environment}} failed ({{code}}): {{reason}}.',
  },
  cancelled: {
    title: '[Cancelled] Deploy {{version}} to {{environment}}',
    text: 'Deployment of {{version}} to {{environment}} was cancelled: {{reason}}.',
  },
  after_success_ran: {
    title: '[Ran] {{step}} for {{version}} in {{environment}}',
    text: '{{step}} ran for {{version}} in {{environment}} at {{when}}: it exited 0 after {{duration}}.',
  },
  after_success_failed: {
    title: '[Failed] {{step}} for {{version}} in {{environment}}',
    text: '{{step}} for {{version}} in {{environment}} failed after {{duration}} ({{code}}): {{reason}}. It is not retried: look at what it did, then run it by hand or deploy again.',
  },
};
