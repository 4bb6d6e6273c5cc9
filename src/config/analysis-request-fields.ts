// What a provider sends as written: a Prometheus provider's request headers, a metric command's environment.
// fetch refuses a header it cannot send (every request of the analysis would fail), and a child process given
// a variable named "A=B" gets A set to "B=...": both are refused with the config (schema.ts), at the key, and a
// header value is never shown (it is often a credential).

/** RFC 9110's token: what fetch takes as a header name. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** fetch drops leading and trailing blanks; inside, a line break or NUL ends the header, and only Latin-1 is sent. */
const HEADER_VALUE = /^[\t\x20-\xff]*$/;

/** Whether fetch can send `value` as a header's value (a variable's, read when the provider is made). */
export const sendableHeaderValue = (value: string): boolean => HEADER_VALUE.test(trimHeaderBlanks(value));
/** As for target commands (config/schema.ts): a name a shell can read, and no "=" to split it. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const HEADER_NAME_RULE = `an HTTP header name is letters, digits and !#$%&'*+-.^_\`|~ (no spaces or ":")`;
export const HEADER_VALUE_RULE =
  'this header value cannot be sent: it holds a line break or a character beyond Latin-1 (such as a typographic quote); its value is not shown';
export const ENV_NAME_RULE =
  'an environment variable name is letters, digits and "_", not starting with a digit';

/**
 * A GitHub Actions expression (`${{ secrets.X }}`), which the runner expands in a workflow only: this file's
 * text is sent as written, so every request would carry the expression instead of the credential.
 */
const WORKFLOW_EXPRESSION = /\$\{\{/;
const workflowExpressionRule = (where: 'header' | 'variable') =>
  where === 'header'
    ? 'this header value holds ${{ ... }}, which nothing expands in this file: it would be sent as written. Give the header in headers_env instead, naming a variable the workflow step sets (PROM_AUTHORIZATION: Bearer ${{ secrets.PROM_TOKEN }})'
    : "this variable's value holds ${{ ... }}, which nothing expands in this file: the command would get it as written. Set the variable in the workflow step's env instead; the command inherits it";

export interface RequestFieldIssue {
  /** Below the provider: ['headers', name], ['headers_env', name] or ['env', name]. */
  path: [string, string];
  /** A key that is refused (the issue is about the key, not its value). */
  key: boolean;
  message: string;
}

/**
 * A header value without the blanks fetch strips around it, by index: a regex anchored at the end backtracks
 * over every run of blanks that does not end the value (quadratic in a config's long line).
 */
function trimHeaderBlanks(value: string): string {
  const blank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  let start = 0;
  let end = value.length;
  while (start < end && blank(value[start])) start++;
  while (end > start && blank(value[end - 1])) end--;
  return value.slice(start, end);
}

/** The problems of one provider's headers and env. */
export function requestFieldIssues(provider: {
  headers?: Record<string, string>;
  headers_env?: Record<string, string>;
  env?: Record<string, string>;
}): RequestFieldIssue[] {
  const issues: RequestFieldIssue[] = [];
  for (const [name, value] of Object.entries(provider.headers ?? {})) {
    if (!HEADER_NAME.test(name))
      issues.push({ path: ['headers', name], key: true, message: HEADER_NAME_RULE });
    else if (!sendableHeaderValue(value))
      issues.push({ path: ['headers', name], key: false, message: HEADER_VALUE_RULE });
    else if (WORKFLOW_EXPRESSION.test(value))
      issues.push({ path: ['headers', name], key: false, message: workflowExpressionRule('header') });
  }
  const written = new Set(Object.keys(provider.headers ?? {}).map((name) => name.toLowerCase()));
  for (const [name, variable] of Object.entries(provider.headers_env ?? {})) {
    if (!HEADER_NAME.test(name))
      issues.push({ path: ['headers_env', name], key: true, message: HEADER_NAME_RULE });
    else if (written.has(name.toLowerCase()))
      issues.push({
        path: ['headers_env', name],
        key: true,
        message: 'this header is given in headers too: give it in one of them',
      });
    else if (!ENV_NAME.test(variable))
      issues.push({ path: ['headers_env', name], key: false, message: ENV_NAME_RULE });
  }
  for (const [name, value] of Object.entries(provider.env ?? {}))
    if (!ENV_NAME.test(name)) issues.push({ path: ['env', name], key: true, message: ENV_NAME_RULE });
    else if (WORKFLOW_EXPRESSION.test(value))
      issues.push({ path: ['env', name], key: false, message: workflowExpressionRule('variable') });
  return issues;
}
