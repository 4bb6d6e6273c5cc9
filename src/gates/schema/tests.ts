// The tests gate's section under `gates:`: the test command, coverage reports and thresholds, JUnit reports.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { commandLine } from '../../config/command-line-schema.ts';
import { gateCommonFields } from './common.ts';

/** What a threshold measures, for its messages. */
const MEASURED = {
  lines: 'lines',
  branches: 'branches',
  functions: 'functions',
  statements: 'statements',
  changed_lines: 'changed lines',
} as const;

/**
 * A coverage threshold: a percentage from 0 to 100, written as a number. Seed 01's "Coverage > 80%" is often
 * written "80%" (text here) or 0.8 (a fraction, which read as 0.8 % passed a project with almost no tests): each
 * is refused saying what to write. No threshold under 1 % is meant, so a number strictly between 0 and 1 is one.
 */
const pct = (key: keyof typeof MEASURED) =>
  z
    .number({
      error: (issue) => {
        const written = typeof issue.input === 'string' ? issue.input.trim() : '';
        const number = /^(\d+(?:\.\d+)?)\s*%$/.exec(written)?.[1];
        if (number === undefined) return undefined;
        const got = `expected a number, got the string ${JSON.stringify(written)}`;
        // Only advice the rules below take: a number under 1 is refused as a fraction, one above 100 as too big.
        const value = Number(number);
        if (value > 100) return `${got}: thresholds are percentages written as numbers from 0 to 100; write 100 at most`;
        if (value > 0 && value < 1)
          return `${got}: thresholds are percentages written as numbers, and one under 1 is refused as a fraction (0.8 for 80 %): write 1 for the smallest, or 0 for none`;
        return `${got}: thresholds are percentages already; write ${number}`;
      },
    })
    .min(0)
    .max(100)
    .superRefine((value, ctx) => {
      if (value > 0 && value < 1)
        ctx.addIssue({
          code: 'custom',
          message: `${value} is ${value} % of ${MEASURED[key]} covered, not ${percentOf(value)} %: thresholds are percentages (0 to 100); write ${percentOf(value)}`,
        });
    })
    // The rule above, for the JSON Schema.
    .meta({ not: { exclusiveMinimum: 0, exclusiveMaximum: 1 } });

/** 0.8 → 80, 0.755 → 75.5, without the binary fraction's tail (0.07 * 100 is 7.000000000000001). */
function percentOf(fraction: number): number {
  return Number((fraction * 100).toPrecision(12));
}
const pathList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const testsConfigSchema = z.strictObject({
  ...gateCommonFields,
  command: commandLine.optional().meta({
    description: 'The test command. Without it, the gate only reads the reports (coverage-only mode).',
  }),
  coverage: pathList.optional().meta({
    description:
      'Coverage reports: .json (istanbul json-summary), .info (lcov), .xml (cobertura). Each listed file must ' +
      'exist. Default: whichever of coverage/coverage-summary.json, coverage/lcov.info, ' +
      'coverage/cobertura-coverage.xml exist (at least one).',
  }),
  thresholds: z
    .strictObject({
      lines: pct('lines').optional(),
      branches: pct('branches').optional(),
      functions: pct('functions').optional(),
      statements: pct('statements').optional(),
      changed_lines: pct('changed_lines').optional().meta({
        description:
          'Minimum % of the added lines (against the base commit) that tests execute. Needs lcov or cobertura. ' +
          'A changed source file in no report (no test loaded it) counts its added code lines as not covered.',
      }),
    })
    .optional()
    .meta({
      description:
        'Minimum coverage in percent, each met at its value (lines: 80 passes 80.0 %). Without thresholds: ' +
        'lines strictly above 80 (seed 01\'s "Coverage > 80%"), so 80.0 % blocks.',
    }),
  flaky: z.enum(['warn', 'block']).optional().meta({
    description:
      'A test in the JUnit reports that failed and then passed on a rerun (seed 01: "No flaky tests"): warn ' +
      '(default: it passed in the end, and runners that retry would block every run) or block.',
  }),
  junit: pathList.optional().meta({
    description:
      'Globs of JUnit XML reports; when set, at least one file must match and no test may fail. With jest-junit, ' +
      'set its reportTestSuiteErrors option to "true": without it, a test file that fails to run (a syntax ' +
      'error) is left out of the report, and only a failing test command shows it.',
  }),
})
  // `thresholds: {}` turns coverage off: with no command and no JUnit reports either, the gate would pass
  // having checked nothing.
  .refine(
    (c) =>
      c.command !== undefined ||
      c.junit !== undefined ||
      c.thresholds === undefined ||
      Object.values(c.thresholds).some((value) => value !== undefined),
    { message: 'the tests gate needs a command, junit reports or a coverage threshold: as configured it checks nothing' },
  );
export type TestsConfig = z.output<typeof testsConfigSchema>;
