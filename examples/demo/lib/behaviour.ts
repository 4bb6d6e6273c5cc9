// The demo service's behaviour is chosen by words in its version string, so a deploy config can ship a
// "bad" version (to show a rollback) without any extra flag: `2.0.0-unhealthy`, `2.0.0-errors`, ...

export interface Behaviour {
  /**
   * /health answers 503 once this many ms have passed since the first `GET /` (real traffic), so a version
   * passes its pre-switch health checks however slowly the machine runs; undefined = always healthy.
   */
  unhealthyAfterMs: number | undefined;
  /** Share (0..1) of `GET /` requests answered with 500, at random. */
  errorRate: number;
  /**
   * Every n-th `GET /` answers 500 (counted, not random, so the demo's analysis sees the same small error
   * rate in every run); undefined = none.
   */
  errorEvery: number | undefined;
  /** Added to every `GET /` response, in ms. */
  extraLatencyMs: number;
  /** Exit 1 before listening. */
  crashAtStart: boolean;
}

export const BEHAVIOUR_WORDS = {
  unhealthy: '/health answers 503 from 1 s after its first GET / on (GET / keeps answering 200)',
  errors: '30 % of GET / requests answer 500',
  flaky: 'every 33rd GET / answers 500 (3 %); /health stays healthy',
  slow: 'GET / takes 300 ms longer',
  crash: 'the process exits 1 at start',
} as const;

export function behaviourFor(version: string): Behaviour {
  const v = version.toLowerCase();
  return {
    unhealthyAfterMs: v.includes('unhealthy') ? 1000 : undefined,
    errorRate: v.includes('errors') ? 0.3 : 0,
    errorEvery: v.includes('flaky') ? 33 : undefined,
    extraLatencyMs: v.includes('slow') ? 300 : 0,
    crashAtStart: v.includes('crash'),
  };
}
