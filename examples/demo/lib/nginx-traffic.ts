// ctl's view of nginx as a router (the TrafficControl of traffic.ts): weights and enabled flags live in the
// prefix's router.json and reach nginx by a validated config and a graceful reload (nginx-runtime.ts).
// Open-source nginx has no active health checks and no per-server counters, so "up" is ctl's own probe
// of the server's port, and "in flight" counts the old workers still answering requests after a reload.
import { withServer } from './nginx-config.ts';
import {
  answers,
  masterPid,
  nginxPaths,
  readRouterState,
  settleNginxRouter,
  updateNginxRouter,
  workersOf,
} from './nginx-runtime.ts';
import type { ServerView, TrafficControl } from './traffic.ts';

export function nginxTraffic(bin: string, prefix: string): TrafficControl {
  const paths = nginxPaths(prefix);
  const update = (name: string, change: { weight?: number; enabled?: boolean }) =>
    updateNginxRouter(bin, prefix, (state) => withServer(state, name, change)).then(() => undefined);
  return {
    kind: 'nginx',
    async servers() {
      await settleNginxRouter(bin, prefix);
      const state = await readRouterState(paths);
      const retiring = (await workersOf(await masterPid(paths))).filter((w) => w.retiring).length;
      const entries = await Promise.all(
        Object.entries(state.servers).map(async ([name, s]): Promise<[string, ServerView]> => {
          const up = await answers(s.port);
          const role = !s.enabled ? 'down (disabled)' : s.weight === 0 ? 'down (weight 0)' : 'routed';
          return [
            name,
            {
              weight: s.weight,
              enabled: s.enabled,
              up,
              inFlight: retiring,
              status: up ? role : `${role}, not answering`,
            },
          ];
        }),
      );
      return Object.fromEntries(entries);
    },
    setWeight: (name, weight) => update(name, { weight }),
    setEnabled: (name, enabled) => update(name, { enabled }),
  };
}
