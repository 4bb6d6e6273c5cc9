// Templated PromQL. Values are escaped for a double-quoted PromQL string literal (\, " and newlines), so a
// version such as `1.2"}` cannot end the label matcher and change the query. Write placeholders inside
// double quotes: version="{{version}}". They are not regex-escaped (do not use them after =~).
import { render, TemplateError, type TemplateValues } from '../targets/template.ts';

export function escapePromqlString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function renderPromql(template: string, values: TemplateValues): string {
  return render(template, values, escapePromqlString);
}

export { TemplateError };
