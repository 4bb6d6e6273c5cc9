// docs/analysis.md's table of the analysis windows (which template variables have a value in each) is written by
// hand beside src/config/analysis-windows.ts, whose table the config check refuses by: a row that disagrees
// tells authors a variable is fine where `validate` refuses it, or the reverse. This reads both and compares
// them: every window the code knows, for every strategy, is a row of the docs with the same variables unset and
// the same strategies; every other row of the docs is one of the readings that are no window.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { analysedWindows, type WindowVariable } from '../../../src/config/analysis-windows.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { STRATEGY_NAMES } from '../../../src/config/strategy-names.ts';
import { repoRoot } from '../../helpers/cli.ts';

/** The code's window (its `what`) and the start of the docs row's first cell that names it. */
const ROW_OF: Record<string, string> = {
  'the analysis of the canary step at 100 %': 'canary step at 100 %',
  'the analysis_before_switch window': '`analysis_before_switch`',
  'the verify_after_switch window': '`analysis_before_switch`', // one row for both windows of a switch
  'the analysis of a rolling batch': 'a rolling batch',
  'the monitor window': 'monitor window',
  'the validation_window (as a staging environment)': 'staging `validation_window`',
};
/** Rows of readings that are no window of the code's (no config check refuses a variable there). */
const NOT_WINDOWS = ['canary step below 100 %', 'pre-deploy baseline reading', '`deploy-action alerts`'];
/** What the strategy column says of a window every strategy has. */
const EVERY_STRATEGY = ['all', "the staging environment's"];

interface Row {
  window: string;
  strategy: string;
  unset: WindowVariable[];
}

/** The table of docs/analysis.md whose header starts with `| window (its `{{phase}}`) |`. */
function windowRows(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith('| window (its `{{phase}}`) |'));
  assert.ok(start >= 0, 'docs/analysis.md has the table of analysis windows');
  const header = cells(lines[start]!);
  const column = (name: string) => {
    const index = header.findIndex((cell) => cell.includes(name));
    assert.ok(index >= 0, `the table has a column for ${name}: ${header.join(' | ')}`);
    return index;
  };
  const columns: Array<[number, WindowVariable[]]> = [
    [column('`stable_version`'), ['stable_version', 'stable_slot']],
    [column('`baseline_slot`'), ['baseline_slot']],
    [column('`weight`'), ['weight']],
  ];
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const row = cells(line);
    rows.push({
      window: row[0]!,
      strategy: row[column('strategy')]!,
      // "no" is no value there; anything else ("yes (1)", "with `baseline: fresh`", "`100`") is a value.
      unset: columns.flatMap(([index, names]) => (row[index] === 'no' ? names : [])).sort(),
    });
  }
  return rows;
}

const cells = (line: string) =>
  line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());

/** Every window the code has for each strategy, with a monitor window and as a staging environment. */
function codeWindows(): Array<{ what: string; unset: WindowVariable[]; strategies: string[] }> {
  const strategies: Record<string, string> = {
    canary: '{ type: canary, steps: [10, 100], pause: 1m }',
    'blue-green': '{ type: blue-green, analysis_before_switch: 1m, verify_after_switch: 1m }',
    rolling: '{ type: rolling, instances: [a, b], pause: 1m }',
    direct: 'direct',
  };
  assert.deepEqual(Object.keys(strategies).sort(), [...STRATEGY_NAMES].sort(), 'every strategy is asked');
  const found = new Map<string, { what: string; unset: WindowVariable[]; strategies: string[] }>();
  for (const [type, written] of Object.entries(strategies)) {
    const parsed = parseConfig(
      'target:\n  commands:\n    deploy: ["true"]\n    switch: ["true"]\n    set_weight: ["true"]\n' +
        `environments:\n  production:\n    strategy: ${written}\n`,
      'deploy.yml',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    const env = resolveEnvironment(parsed.config, 'production');
    for (const window of analysedWindows(env.strategy, 60 * 60_000, 60_000)) {
      const seen = found.get(window.what) ?? {
        what: window.what,
        unset: [...window.unset].sort(),
        strategies: [],
      };
      assert.deepEqual(seen.unset, [...window.unset].sort(), `${window.what}: the same under every strategy`);
      seen.strategies.push(type);
      found.set(window.what, seen);
    }
  }
  return [...found.values()];
}

/** Where the docs table and the code's disagree, each said as what to fix. */
function disagreements(rows: readonly Row[], windows: ReturnType<typeof codeWindows>): string[] {
  const out: string[] = [];
  const rowFor = (start: string) => rows.filter((row) => row.window.startsWith(start));
  for (const window of windows) {
    const start = ROW_OF[window.what];
    if (start === undefined) {
      out.push(`the code has a window "${window.what}" that no row of the docs table is known to describe`);
      continue;
    }
    const found = rowFor(start);
    if (found.length !== 1) {
      out.push(`"${window.what}": ${found.length} rows of the docs table start with "${start}", not 1`);
      continue;
    }
    const row = found[0]!;
    if (row.unset.join() !== window.unset.join())
      out.push(
        `"${row.window}": the docs say ${row.unset.join(', ') || 'nothing'} has no value there, the code ${window.unset.join(', ') || 'nothing'}`,
      );
    const every = window.strategies.length === STRATEGY_NAMES.length;
    if (every ? !EVERY_STRATEGY.includes(row.strategy) : row.strategy !== window.strategies.join(', '))
      out.push(
        `"${row.window}": the docs name the strategy "${row.strategy}", the code has it under ${every ? 'every strategy' : window.strategies.join(', ')}`,
      );
  }
  const described = new Set(windows.map((w) => ROW_OF[w.what]));
  for (const row of rows) {
    const start = [...described].find((s) => s !== undefined && row.window.startsWith(s));
    if (start === undefined && !NOT_WINDOWS.some((s) => row.window.startsWith(s)))
      out.push(`the docs table has a row "${row.window}" that is no window of the code's`);
  }
  // A canary's steps below 100 % set every variable (the code's table has no window for them to refuse in).
  for (const row of rowFor(NOT_WINDOWS[0]!))
    if (row.unset.length > 0)
      out.push(`"${row.window}": the docs say ${row.unset.join(', ')} has no value there`);
  // Two windows of one row (a blue-green switch's) disagree once.
  return [...new Set(out)];
}

test('the table of analysis windows in docs/analysis.md says what src/config/analysis-windows.ts says', async () => {
  const rows = windowRows(await readFile(join(repoRoot, 'docs/analysis.md'), 'utf8'));
  const windows = codeWindows();
  assert.ok(rows.length >= 8 && windows.length >= 6, `${rows.length} rows, ${windows.length} windows`);
  assert.deepEqual(disagreements(rows, windows), []);
});

test('a disagreement is found: a variable said set, a window left out, a row the code has not', async () => {
  const markdown = await readFile(join(repoRoot, 'docs/analysis.md'), 'utf8');
  const windows = codeWindows();
  const at100 = markdown.split('\n').find((line) => line.startsWith('| canary step at 100 %'))!;
  const said = (edited: string) => disagreements(windowRows(edited), windows);
  // {{weight}} said unset at 100 % (the code sets it there).
  assert.deepEqual(said(markdown.replace(at100, at100.replace(/\| `100` \|$/, '| no |'))), [
    `"${cells(at100)[0]}": the docs say baseline_slot, stable_slot, stable_version, weight has no value there, the code baseline_slot, stable_slot, stable_version`,
  ]);
  assert.match(
    said(markdown.replace(`${at100}\n`, '')).join('\n'),
    /0 rows of the docs table start with "canary step at 100 %"/,
  );
  assert.match(
    said(
      markdown.replace(
        `${at100}\n`,
        `${at100}\n| a bake of its own (\`bake\`) | canary | x | x | no | no | no |\n`,
      ),
    ).join('\n'),
    /the docs table has a row "a bake of its own \(`bake`\)" that is no window of the code's/,
  );
  // A window the code gains (or loses a variable in) is found too.
  assert.match(
    disagreements(windowRows(markdown), [
      ...windows,
      { what: 'the bake window', unset: ['weight'], strategies: ['canary'] },
    ]).join('\n'),
    /the code has a window "the bake window"/,
  );
});
