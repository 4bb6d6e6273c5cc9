// The tests gate's section under `gates:`: the test command, coverage reports and thresholds, JUnit reports.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { commandLine } from '../../config/command-line-schema.ts';
import { gateCommonFields } from './common.ts';

const pct = z.number().min(0).max(100);
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
      lines: pct.optional(),
      branches: pct.optional(),
      functions: pct.optional(),
      statements: pct.optional(),
      changed_lines: pct.optional().meta({
        description:
          'Minimum % of the added lines (against the base commit) that tests execute. Needs lcov or cobertura. ' +
          'A changed source file in no report (no test loaded it) counts its added code lines as not covered.',
      }),
    })
    .optional()
    .meta({
      description: 'Minimum coverage in percent (inclusive). Default: lines 80 (the seeds\' "> 80%").',
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
