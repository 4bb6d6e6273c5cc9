// Defaults for everything a config may leave out. `seeds` carries the numbers of the workflow documents the
// product automates (shared/seeds): a one-hour monitor window, a 15-minute staging validation window,
// canary 5 → 10 → 25 → 50 → 100 with 30 minutes at the first step and 15 at the others, blue-green keeping
// the old slot for 24 hours, warm-up with 100 requests 0.1 s apart, rolling one instance at a time
// (maxSurge 1, maxUnavailable 0), each batch watched for one monitor interval. `fast` is for demos and tests:
// the same phases, seconds instead of hours.

export interface Preset {
  commandTimeoutMs: number;
  http: { timeoutMs: number; retries: number; intervalMs: number };
  monitorMs: number;
  monitorIntervalMs: number;
  validationWindowMs: number;
  /** How long the health checks after a deploy are tried again for a new version to become ready. */
  readyTimeoutMs: number;
  canary: { steps: Array<{ weight: number; pauseMs: number }>; maxHolds: number; scaleDownDelayMs: number };
  blueGreen: {
    slots: [string, string];
    scaleDownDelayMs: number;
    warmup: { requests: number; intervalMs: number };
    verifyAfterSwitchMs: number;
  };
  /**
   * `pauseMs` is how long each batch but the last is watched: a duration, or `monitor-interval` for one look
   * of the environment's own `monitor_interval`.
   */
  rolling: {
    maxSurge: number | string;
    maxUnavailable: number | string;
    pauseMs: number | 'monitor-interval';
  };
  /** Waiting for people (issue 14): how long the job waits before it hands off, how often it polls. */
  control: { maxWaitInJobMs: number; pollIntervalMs: number };
}

const MINUTE = 60_000;

export const PRESETS: Record<'seeds' | 'fast', Preset> = {
  seeds: {
    commandTimeoutMs: 15 * MINUTE,
    http: { timeoutMs: 5000, retries: 3, intervalMs: 2000 },
    monitorMs: 60 * MINUTE,
    monitorIntervalMs: 30_000,
    validationWindowMs: 15 * MINUTE,
    // Seed 01: `kubectl wait --for=condition=ready pod ... --timeout=300s` after the deploy.
    readyTimeoutMs: 5 * MINUTE,
    canary: {
      steps: [
        { weight: 5, pauseMs: 30 * MINUTE },
        { weight: 10, pauseMs: 15 * MINUTE },
        { weight: 25, pauseMs: 15 * MINUTE },
        { weight: 50, pauseMs: 15 * MINUTE },
        { weight: 100, pauseMs: 0 },
      ],
      maxHolds: 3,
      scaleDownDelayMs: 24 * 60 * MINUTE,
    },
    blueGreen: {
      slots: ['blue', 'green'],
      scaleDownDelayMs: 24 * 60 * MINUTE,
      warmup: { requests: 100, intervalMs: 100 },
      verifyAfterSwitchMs: 10 * MINUTE,
    },
    // Seed 01's rolling update checks the error rate every 30 s while pods are replaced and stops the rollout
    // above 1 %: each batch but the last is watched for one monitor interval (30 s here) before the next.
    rolling: { maxSurge: 1, maxUnavailable: 0, pauseMs: 'monitor-interval' },
    control: { maxWaitInJobMs: 5 * MINUTE, pollIntervalMs: 10_000 },
  },
  fast: {
    commandTimeoutMs: 2 * MINUTE,
    http: { timeoutMs: 2000, retries: 3, intervalMs: 500 },
    monitorMs: 0,
    monitorIntervalMs: 1000,
    validationWindowMs: 0,
    readyTimeoutMs: 0,
    canary: {
      steps: [
        { weight: 5, pauseMs: 1000 },
        { weight: 10, pauseMs: 1000 },
        { weight: 25, pauseMs: 1000 },
        { weight: 50, pauseMs: 1000 },
        { weight: 100, pauseMs: 0 },
      ],
      maxHolds: 3,
      scaleDownDelayMs: 0,
    },
    blueGreen: {
      slots: ['blue', 'green'],
      scaleDownDelayMs: 0,
      warmup: { requests: 10, intervalMs: 50 },
      verifyAfterSwitchMs: 1000,
    },
    rolling: { maxSurge: 1, maxUnavailable: 0, pauseMs: 0 },
    control: { maxWaitInJobMs: 5 * MINUTE, pollIntervalMs: 2000 },
  },
};
