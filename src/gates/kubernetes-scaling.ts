// Seed 01's "validate scaling configuration: min/max instances, auto-scaling thresholds" for Kubernetes
// manifests. Pure: the facts of each workload and HorizontalPodAutoscaler, read from every manifest file of
// the gate (an autoscaler and the Deployment it scales are often in different files), in; findings out.
//
// - An autoscaler whose minReplicas is above its maxReplicas is refused by the API server: an error here,
//   before the deployment starts.
// - One replica (a workload without an autoscaler and `replicas` unset or 1, or an autoscaler whose
//   minReplicas is 1): nothing serves while it restarts or its node drains. A warning.
// - A workload that sets `replicas` while an autoscaler scales it: every apply resets the count the
//   autoscaler chose (Kubernetes' docs say to leave `replicas` out). A warning.
// - An autoscaler on CPU or memory utilization of a workload whose containers do not all request that
//   resource: utilization is a share of the request, so the autoscaler cannot compute it and never scales.
//   A warning.
import type { Finding } from './types.ts';

/** Where an object was written, for its findings. */
export interface Place {
  path: string;
  line?: number;
}

export interface ScaledWorkload {
  kind: string;
  name: string;
  namespace?: string;
  /** `spec.replicas` as written; undefined when absent (Kubernetes defaults it to 1). */
  replicas?: number;
  /**
   * `spec.replicas` is written but is no whole number ("3" quoted): not judged as a count (the dry-run or the
   * API server refuses it), but written all the same.
   */
  replicasUnread?: true;
  /**
   * Whether every container requests the resource (resources.requests.cpu / .memory, or a limit of it, which
   * Kubernetes copies to the request when none is written).
   */
  requests: { cpu: boolean; memory: boolean };
  at: Place;
}

export interface Autoscaler {
  name: string;
  namespace?: string;
  target: { kind: string; name: string };
  /** undefined when absent (Kubernetes defaults it to 1). */
  minReplicas?: number;
  maxReplicas?: number;
  /** minReplicas or maxReplicas is written but is no whole number: the counts are not judged. */
  countsUnread?: true;
  /** The resources it scales on by utilization (a share of the containers' requests). */
  utilizationOf: Array<'cpu' | 'memory'>;
  at: Place;
}

export interface ScalingFacts {
  workloads: ScaledWorkload[];
  autoscalers: Autoscaler[];
}

/** The workload kinds an autoscaler scales and that keep replicas running. */
export const SCALED_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

const sameNamespace = (a?: string, b?: string) => (a ?? 'default') === (b ?? 'default');

function placed(at: Place): Pick<Finding, 'path' | 'line'> {
  return { path: at.path, ...(at.line !== undefined ? { line: at.line } : {}) };
}

/** `advice`: the warnings too (`scaling: warn`); the error of an autoscaler the API server refuses always. */
export function scalingFindings(facts: ScalingFacts, advice = true): Finding[] {
  const findings: Finding[] = [];
  const scalersOf = (workload: ScaledWorkload) =>
    facts.autoscalers.filter(
      (hpa) =>
        hpa.target.kind === workload.kind &&
        hpa.target.name === workload.name &&
        sameNamespace(hpa.namespace, workload.namespace),
    );
  for (const hpa of facts.autoscalers) {
    const id = `HorizontalPodAutoscaler/${hpa.name}`;
    const min = hpa.minReplicas ?? 1;
    if (!hpa.countsUnread && hpa.maxReplicas !== undefined && min > hpa.maxReplicas) {
      findings.push({
        ...placed(hpa.at),
        rule: 'infrastructure.hpa-min-above-max',
        severity: 'error',
        message: `${id} has minReplicas ${min} above maxReplicas ${hpa.maxReplicas}: the API server refuses it`,
      });
      continue;
    }
    if (!advice) continue;
    if (!hpa.countsUnread && min < 2)
      findings.push({
        ...placed(hpa.at),
        rule: 'infrastructure.single-replica',
        severity: 'warning',
        message: `${id} keeps as few as ${min} replica${min === 1 ? '' : 's'}: nothing serves while it restarts or its node drains; set minReplicas to 2 or more`,
      });
    const workload = facts.workloads.find(
      (w) =>
        w.kind === hpa.target.kind && w.name === hpa.target.name && sameNamespace(w.namespace, hpa.namespace),
    );
    if (!workload) continue;
    const unrequested = hpa.utilizationOf.filter((resource) => !workload.requests[resource]);
    if (unrequested.length > 0)
      findings.push({
        ...placed(hpa.at),
        rule: 'infrastructure.hpa-without-requests',
        severity: 'warning',
        message: `${id} scales on ${unrequested.join(' and ')} utilization, but not every container of ${workload.kind}/${workload.name} sets resources.requests.${unrequested.join(' and resources.requests.')} (or a limit of it): utilization is a share of the request, so it cannot scale`,
      });
  }
  if (!advice) return findings;
  for (const workload of facts.workloads) {
    const id = `${workload.kind}/${workload.name}`;
    const scalers = scalersOf(workload);
    if (scalers.length > 0) {
      if (workload.replicas !== undefined || workload.replicasUnread)
        findings.push({
          ...placed(workload.at),
          rule: 'infrastructure.replicas-with-hpa',
          severity: 'warning',
          message: `${id} sets replicas${workload.replicas !== undefined ? `: ${workload.replicas}` : ''} while HorizontalPodAutoscaler/${scalers[0]!.name} scales it: every apply resets the count the autoscaler chose; leave replicas out`,
        });
      continue;
    }
    // 0 is a workload scaled down on purpose; a count that is no number is not read as "unset".
    if (workload.replicasUnread) continue;
    if (workload.replicas === undefined || workload.replicas === 1)
      findings.push({
        ...placed(workload.at),
        rule: 'infrastructure.single-replica',
        severity: 'warning',
        message: `${id} runs ${workload.replicas === undefined ? 'one replica (replicas unset)' : 'one replica'} and no HorizontalPodAutoscaler scales it: nothing serves while it restarts or its node drains; set replicas to 2 or more, or add an autoscaler`,
      });
  }
  return findings;
}
