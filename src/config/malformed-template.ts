// `{{version}`, `{version}}` or an unclosed `{{version`: not a template, so it would reach the command, URL or
// query as written. Only for names that are variables where the template is used (`isKnown`), so other brace
// syntaxes (Go templates such as `{{.Names}}` or `{{range .}}`, PromQL's `{le}`) pass as they are.
const MALFORMED_TEMPLATE =
  /\{\{\s*([A-Za-z_]\w*)\s*\}(?!\})|(?<!\{)\{\s*([A-Za-z_]\w*)\s*\}\}|\{\{\s*([A-Za-z_]\w*)\s*(?=$|[^\s\w}])/g;

export function malformedTemplateIssues<P>(
  template: string,
  path: P,
  isKnown: (name: string) => boolean,
): Array<{ path: P; message: string }> {
  const issues: Array<{ path: P; message: string }> = [];
  for (const match of template.matchAll(MALFORMED_TEMPLATE)) {
    const name = match[1] ?? match[2] ?? match[3]!;
    if (!isKnown(name)) continue;
    issues.push({
      path,
      message: `${JSON.stringify(match[0])} is not a template: write {{${name}}}, two braces on each side`,
    });
  }
  return issues;
}
