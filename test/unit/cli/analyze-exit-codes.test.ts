// `deploy-action analyze` exit codes: docs/analysis.md's table lists exactly src/analysis/exit-codes.ts, and
// each documented code is what the command returns, for every way of reaching it (command-line and config
// errors included: they exited 2, which the table gives as "hold").
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ANALYZE_EXIT_CODES,
  ANALYZE_EXIT_MEANINGS,
  type AnalyzeExit,
} from '../../../src/analysis/exit-codes.ts';
import { analyzeCli } from '../../../src/cli/analyze.ts';
import { main } from '../../../src/cli/main.ts';
import { repoRoot } from '../../helpers/cli.ts';
import { recordingLines, recordingText } from '../../helpers/recording-lines.ts';

const MINUTE = 60_000;
const ANALYSIS = {
  preset: 'none',
  providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
  metrics: { error_rate: { provider: 'prom', query: 'x' } },
  checks: [{ check: 'error_rate < 5%', for: '2m' }],
};

/** A recording of one window of `errorRates.length` one-minute intervals (null: no data). */
function recording(errorRates: Array<number | string | null>, windowIntervals = errorRates.length): string {
  const sides = errorRates.map((error_rate) => ({ canary: { error_rate } }));
  return recordingText(recordingLines(ANALYSIS, sides, { windowMs: windowIntervals * MINUTE }));
}

const CONFIG = `target:
  commands:
    deploy: ./deploy.sh {{version}}
analysis: ${JSON.stringify(ANALYSIS)}
environments:
  production: {}
`;

function files(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'analyze-exit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  return {
    promotes: write('promotes.ndjson', recording([0.01, 0.01, 0.01])),
    rollsBack: write('rolls-back.ndjson', recording([0.01, 0.2, 0.2, 0.2])),
    // A live run cancelled after 2 of its 5 intervals: never fully observed, so it holds. (A complete
    // window that ends undecided is decided on its evidence: docs/analysis.md, "Decide, don't dither".)
    holds: write('holds.ndjson', recording([0.01, 0.2], 5)),
    noWindows: write('no-windows.ndjson', recording([]).split('\n')[0]!),
    gapThenHealthy: write('gap.ndjson', recording([0.01, null, 0.01, 0.01])),
    stringValue: write('string.ndjson', recording([0.01, '0.01', 0.01])),
    config: write('deploy.yml', CONFIG),
    invalidConfig: write('invalid.yml', CONFIG.replace('"2m"', '"two minutes"')),
    noAnalysis: write('no-analysis.yml', CONFIG.replace(/^analysis: .*\n/m, '')),
  };
}

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err, text: out + err };
}

/** Every way each documented outcome is reached; each must exit with that outcome's code. */
function scenarios(
  f: ReturnType<typeof files>,
): Record<AnalyzeExit, Array<() => Promise<{ code: number; text: string }>>> {
  return {
    promote: [
      () => cli(['analyze', '-r', f.promotes]),
      () => cli(['analyze', '-r', f.promotes, '--json']),
      // One minute without data (canary null) is held, not refused: the window still promotes.
      () => cli(['analyze', '-r', f.gapThenHealthy]),
      () => cli(['analyze', '-r', f.promotes, '-c', f.config, '-e', 'production']),
    ],
    rollback: [
      () => cli(['analyze', '-r', f.rollsBack]),
      () => cli(['analyze', '-r', f.rollsBack, '-c', f.config]),
    ],
    hold: [() => cli(['analyze', '-r', f.holds]), () => cli(['analyze', '-r', f.noWindows])],
    'bad-input': [
      () => cli(['analyze', '-r', f.stringValue]),
      () => cli(['analyze', '-r', f.stringValue, '--json']),
      () => cli(['analyze', '-r', join(f.config, '..', 'missing.ndjson')]),
      () => cli(['analyze', '-r', f.promotes, '-c', f.invalidConfig]),
      () => cli(['analyze', '-r', f.promotes, '-c', f.invalidConfig, '--json']),
      () => cli(['analyze', '-r', f.promotes, '-c', join(f.config, '..', 'missing.yml')]),
      () => cli(['analyze', '-r', f.promotes, '-c', f.noAnalysis]),
      () => cli(['analyze', '-r', f.promotes, '-c', f.config, '-e', 'staging']),
      () => cli(['analyze', '-r', f.promotes, '-e', 'production']),
      () => cli(['analyze']),
      () => cli(['analyze', '-r', f.promotes, '--no-such-option']),
      () => cli(['analyze', '-r']),
    ],
    'internal-error': [
      async () => {
        let text = '';
        const write = (t: string) => void (text += t);
        const code = await analyzeCli(
          { recording: f.promotes, config: f.config },
          {
            out: write,
            err: write,
            loadConfig: () => Promise.reject(new Error('disk on fire')),
          },
        );
        return { code, text };
      },
    ],
  };
}

function documentedTable(): Array<{ code: number; outcome: string; meaning: string }> {
  const docs = readFileSync(join(repoRoot, 'docs/analysis.md'), 'utf8');
  const section = docs.slice(docs.indexOf('deploy-action analyze --recording'));
  const table = /\| exit \| outcome \| meaning \|\n\|[-|]+\|\n((?:\|.*\|\n)+)/.exec(section);
  assert.ok(table, 'docs/analysis.md has the analyze exit code table');
  return table[1]!
    .trim()
    .split('\n')
    .map((row) => {
      const cells = row
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      assert.equal(cells.length, 3, row);
      return { code: Number(cells[0]), outcome: cells[1]!.replace(/`/g, ''), meaning: cells[2]! };
    });
}

test('docs/analysis.md lists exactly the exit codes of src/analysis/exit-codes.ts, with their meaning', () => {
  const rows = documentedTable();
  assert.deepEqual(
    rows.map((r) => r.outcome).sort(),
    Object.keys(ANALYZE_EXIT_CODES).sort(),
    'every outcome documented once',
  );
  for (const row of rows) {
    const outcome = row.outcome as AnalyzeExit;
    assert.equal(row.code, ANALYZE_EXIT_CODES[outcome], `${outcome}'s code`);
    assert.equal(row.meaning, ANALYZE_EXIT_MEANINGS[outcome], `${outcome}'s meaning`);
  }
  assert.equal(new Set(rows.map((r) => r.code)).size, rows.length, 'no code means two things');
});

test('every documented exit code is what analyze returns, in each way of reaching it', async (t) => {
  const f = files(t);
  const all = scenarios(f);
  for (const { code, outcome } of documentedTable()) {
    const ways = all[outcome as AnalyzeExit];
    assert.ok(ways?.length, `no scenario exercises the documented outcome ${outcome}`);
    for (const [i, run] of ways.entries()) {
      const result = await run();
      assert.equal(result.code, code, `${outcome} #${i}: exited ${result.code}:\n${result.text}`);
    }
  }
});

test('bad input says what was wrong and where; --json keeps stdout JSON', async (t) => {
  const f = files(t);
  const string = await cli(['analyze', '-r', f.stringValue]);
  assert.equal(string.out, '', 'an error is not a verdict: nothing on stdout');
  assert.equal(
    string.err.trim(),
    `error: ${f.stringValue}:4: window 1 sample 1: sample.canary.error_rate: expected a number or null (no data), got the string "0.01"`,
  );
  const json = await cli(['analyze', '-r', f.stringValue, '--json']);
  assert.match(
    (JSON.parse(json.out) as { error: string }).error,
    /sample\.canary\.error_rate: expected a number/,
  );

  const envWithoutConfig = await cli(['analyze', '-r', f.promotes, '-e', 'production']);
  assert.match(envWithoutConfig.err, /--environment production needs --config/);
  const unknownEnv = await cli(['analyze', '-r', f.promotes, '-c', f.config, '-e', 'staging']);
  assert.match(unknownEnv.err, /staging/);
  const noAnalysis = await cli(['analyze', '-r', f.promotes, '-c', f.noAnalysis]);
  assert.match(noAnalysis.err, /no-analysis\.yml has no analysis section/);
  const missingOption = await cli(['analyze']);
  assert.match(missingOption.err, /--recording/);
  const crash = await scenarios(f)['internal-error'][0]!();
  assert.match(crash.text, /unexpected error: disk on fire/);
  assert.equal((await cli(['analyze', '--help'])).code, 0, 'help is not an error');
});
