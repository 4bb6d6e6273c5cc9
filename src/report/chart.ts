// A mermaid chart of the key metric by analysis step (GitHub renders mermaid in Markdown). Pure.
import { keyMetric, type AnalysisRow } from './analysis-steps.ts';
import { formatNumber } from './markdown.ts';

export function metricChart(rows: AnalysisRow[]): string | undefined {
  const metric = keyMetric(rows);
  if (!metric) return undefined;
  const points = rows.filter((r) => typeof r.metrics[metric] === 'number');
  if (points.length === 0) return undefined;
  const canary = points.map((r) => r.metrics[metric] as number);
  const stable = points.map((r) => r.metrics[`stable.${metric}`]);
  const showStable = stable.every((v) => typeof v === 'number');
  const values = [...canary, ...(showStable ? (stable as number[]) : [])];
  const max = Math.max(...values);
  // Labels are quoted; a quote inside one would end it, so they are dropped.
  const label = (text: string) => `"${text.replace(/"/g, "'")}"`;
  const lines = [
    '```mermaid',
    'xychart-beta',
    `    title ${label(`${metric} by step`)}`,
    `    x-axis [${points.map((r) => label(r.label)).join(', ')}]`,
    `    y-axis ${label(metric)} 0 --> ${formatNumber(max > 0 ? max * 1.2 : 1)}`,
    `    bar [${canary.map(formatNumber).join(', ')}]`,
  ];
  if (showStable) lines.push(`    line [${(stable as number[]).map(formatNumber).join(', ')}]`);
  lines.push('```');
  if (showStable) lines.push(`<sub>bars: the new version; line: the stable version at the same time</sub>`);
  return lines.join('\n');
}
