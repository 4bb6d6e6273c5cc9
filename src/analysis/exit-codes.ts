// Exit codes of `deploy-action analyze`, defined once: the command, its CLI wiring and the table in
// docs/analysis.md (a test compares them) all come from here. 2 means "hold" for analyze, so bad input
// cannot share the exit code 2 the other commands give it.
export const ANALYZE_EXIT_CODES = {
  promote: 0,
  rollback: 1,
  hold: 2,
  'bad-input': 3,
  'internal-error': 4,
} as const;

export type AnalyzeExit = keyof typeof ANALYZE_EXIT_CODES;

/** What each code means, as docs/analysis.md states it. */
export const ANALYZE_EXIT_MEANINGS: Record<AnalyzeExit, string> = {
  promote: 'every window promotes',
  rollback: 'a window rolls back',
  hold: 'no window rolls back and one holds (inconclusive), or the recording has no windows',
  'bad-input':
    'bad input: the recording, the `--config` file or its analysis section, or the command line (nothing was judged)',
  'internal-error': 'the analysis failed unexpectedly (a bug: the message says where)',
};
