// A mermaid chart of the key metric by analysis step (GitHub renders mermaid in Markdown). Pure.
import { keyMetric, type AnalysisRow } from './analysis-steps.ts';
import { formatNumber } from './markdown.ts';

export function metricChart(rows: AnalysisRow[]): string | undefined {
  const metric = keyMetric(rows);
  if (!metric) return undefined;
  // NaN and Infinity are numbers too, but mermaid cannot plot them: such a step is skipped like a null.
  const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
  const points = rows.filter((r) => finite(r.metrics[metric]));
  if (points.length === 0) return undefined;
  const canary = points.map((r) => r.metrics[metric] as number);
  const stable = points.map((r) => r.metrics[`stable.${metric}`]);
  const showStable = stable.every(finite);
  const values = [...canary, ...(showStable ? (stable as number[]) : [])];
  const max = Math.max(...values);
  // Labels are quoted; a quote inside one would end it and a newline or backtick could end the block.
  const label = (text: string) => `"${text.replace(/"/g, "'").replace(/[\r\n`]+/g, ' ')}"`;
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
