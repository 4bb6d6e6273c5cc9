// ctl's decisions, kept pure: which weights to set (in which order), which slot is live, whether a
// teardown is safe. The I/O lives in traffic.ts and services.ts.

export type Weights = Record<string, number>;

export class PlanError extends Error {}

function knownOrThrow(weights: Weights, name: string, role: string): void {
  if (!(name in weights)) {
    throw new PlanError(
      `${role} "${name}" is not a server of the router (servers: ${Object.keys(weights).join(', ')})`,
    );
  }
}

/** All traffic to `slot`: slot=100, every other server 0. */
export function switchPlan(current: Weights, slot: string): Weights {
  knownOrThrow(current, slot, 'slot');
  return Object.fromEntries(Object.keys(current).map((name) => [name, name === slot ? 100 : 0]));
}

/** A third backend beside canary and stable: a fresh baseline of the stable version (issue 15). */
export interface BaselineShare {
  slot: string;
  weight: number;
}

/** `slot` gets `weight` %, `baseline` (when given) its weight, `stable` the rest. */
export function weightPlan(
  current: Weights,
  slot: string,
  weight: number,
  stable: string,
  baseline?: BaselineShare,
): Weights {
  const percent = (value: number, flag: string) => {
    if (!Number.isInteger(value) || value < 0 || value > 100)
      throw new PlanError(`${flag} must be a whole number from 0 to 100, got ${value}`);
  };
  percent(weight, '--weight');
  if (slot === stable) throw new PlanError(`--slot and --stable are both "${slot}"; they must differ`);
  knownOrThrow(current, slot, 'slot');
  knownOrThrow(current, stable, 'stable slot');
  if (!baseline) return { [slot]: weight, [stable]: 100 - weight };
  percent(baseline.weight, '--baseline-weight');
  if (baseline.slot === slot || baseline.slot === stable)
    throw new PlanError(
      `--baseline "${baseline.slot}" is also the ${baseline.slot === slot ? '--slot' : '--stable'} slot; the three slots must differ`,
    );
  knownOrThrow(current, baseline.slot, 'baseline slot');
  if (weight + baseline.weight > 100)
    throw new PlanError(
      `--weight ${weight} and --baseline-weight ${baseline.weight} add up to more than 100`,
    );
  return { [slot]: weight, [baseline.slot]: baseline.weight, [stable]: 100 - weight - baseline.weight };
}

/**
 * The order to apply weight changes in: raises first, then cuts, so there is never a moment where no
 * server has weight (which both routers answer with 503).
 */
export function applyOrder(current: Weights, target: Weights): [string, number][] {
  const changes = Object.entries(target).filter(([name, w]) => current[name] !== w);
  const raises = changes.filter(([name, w]) => w > (current[name] ?? 0));
  const cuts = changes.filter(([name, w]) => w <= (current[name] ?? 0));
  return [...raises, ...cuts];
}

/**
 * The servers `target` gives more traffic than they have now: each must be able to take it. A server that
 * already has a share is no exception: a canary that died at 50 % and is then switched to would take
 * everything, and every request would fail.
 */
export function raisedServers(current: Weights, target: Weights): string[] {
  return Object.entries(target)
    .filter(([name, w]) => w > (current[name] ?? 0))
    .map(([name]) => name);
}

/**
 * What a failed probe of a server about to get more traffic means (`error`: the request's code, such as
 * ECONNREFUSED, or ETIMEDOUT when it got no answer within the bound). `weight` is the share it takes now where
 * that may excuse it (the stable slot a canary's rollback raises), else 0: then it must answer, refused. One
 * that takes a share is refused only when its port is closed past the start timeout (`expired`; until then it
 * may be restarting: `retry`); one that accepted the connection and was only slow to answer serves already:
 * `slow`, the change goes on.
 */
export function probeVerdict(weight: number, error: string, expired: boolean): 'slow' | 'retry' | 'refuse' {
  if (weight === 0) return 'refuse';
  if (error === 'ETIMEDOUT') return 'slow';
  return expired ? 'refuse' : 'retry';
}

/**
 * Whether a load balancer balancing with `algorithm` splits requests by `target`'s weights. With haproxy's
 * `first` a split cannot be made at all: the first usable server takes every request whatever the weights
 * (a 10 % canary would get none, and its analysis judge a canary no request reached). `leastconn` weighs open
 * connections, not requests: the split holds only under concurrent load. A switch (one server with weight)
 * is the same under every algorithm.
 */
export function splitCheck(
  algorithm: string | undefined,
  target: Weights,
): { ok: true; warning?: string } | { ok: false; reason: string } {
  const split = Object.values(target).filter((w) => w > 0).length > 1;
  if (!split || algorithm === undefined) return { ok: true };
  const shares = Object.entries(target)
    .map(([name, w]) => `${name}=${w}`)
    .join(' ');
  if (algorithm === 'first')
    return {
      ok: false,
      reason: `the backend balances with "first", which gives every request to the first usable server whatever the weights: ${shares} cannot be split; balance it with roundrobin`,
    };
  if (algorithm === 'leastconn')
    return {
      ok: true,
      warning: `the backend balances with "leastconn": the weights (${shares}) split open connections, not requests, so requests one at a time are not split by them; roundrobin splits requests`,
    };
  return { ok: true };
}

/** The live slot: the one with the highest weight (ties: first by name); undefined when all are 0. */
export function liveSlot(weights: Weights): string | undefined {
  let best: string | undefined;
  for (const name of Object.keys(weights).sort()) {
    if (weights[name]! > 0 && (best === undefined || weights[name]! > weights[best]!)) best = name;
  }
  return best;
}

/**
 * Whether `names` may be taken out of traffic: refused when nothing else would take traffic.
 * `serving` are the servers currently taking traffic (weight > 0 and enabled).
 */
export function removalCheck(
  serving: readonly string[],
  names: readonly string[],
): { ok: true } | { ok: false; reason: string } {
  const remaining = serving.filter((s) => !names.includes(s));
  const removed = serving.filter((s) => names.includes(s));
  if (removed.length > 0 && remaining.length === 0) {
    return {
      ok: false,
      reason: `${removed.join(', ')} holds all the traffic; switch traffic elsewhere first (nothing else has weight > 0)`,
    };
  }
  return { ok: true };
}
