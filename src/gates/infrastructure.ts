// The infrastructure gate (seed 01, "infrastructure validation"): a Terraform plan must not delete or
// replace resources unless allowed, and Kubernetes manifests must parse, name themselves, pass a client
// dry-run when kubectl is there, and (advice) set resource limits and readiness probes and run more than one
// replica (kubernetes-scaling.ts).
import { LineCounter, isMap, isScalar, isSeq } from 'yaml';
import { parseJsonSteps } from './json-steps.ts';
import { parseYamlDocuments } from './yaml-documents.ts';
import { resolvedYaml, type ResolvedYaml } from './yaml-resolved.ts';
import * as z from 'zod';
import { infrastructureConfigSchema } from './schema/infrastructure.ts';
import type { InfrastructureConfig, KubernetesConfig, TerraformConfig } from './schema/infrastructure.ts';
import { outputTail, runRequiredCommand } from './gate-command.ts';
import { matchFiles, toList } from './match-files.ts';
import { readReportFile } from './report-file.ts';
import { repositoryRoots } from './repo-path.ts';
import { runAtOnce, Turns } from './turns.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';
import { SCALED_KINDS, scalingFindings, type ScalingFacts } from './kubernetes-scaling.ts';
import { jsonSyntaxProblem } from './json-error.ts';

// ---- Terraform -------------------------------------------------------------------------------------

export interface PlanCounts {
  create: number;
  update: number;
  delete: number;
  replace: number;
}

const planSchema = z.looseObject({
  // The version is checked after the shape (formatVersionProblem), to say which Terraform wrote it.
  format_version: z.string(),
  errored: z.boolean().optional(),
  // Terraform 1.8 and later: false when the plan defers changes to a later plan / apply round.
  complete: z.boolean().optional(),
  // Each change is checked where it is read (changeSchema), one at a time: a plan of 50 000 resources is
  // not one step the event loop waits for.
  resource_changes: z.array(z.unknown()).optional(),
});
const changeSchema = z.looseObject({
  address: z.string(),
  change: z.looseObject({ actions: z.array(z.string()).min(1) }),
});

type PlanAction = 'create' | 'update' | 'delete' | 'replace' | 'ignore' | 'unknown';

/** Terraform's action lists: a replace is ["delete","create"] or ["create","delete"]. */
export function classifyActions(actions: string[]): PlanAction {
  const key = actions.join(',');
  switch (key) {
    case 'no-op':
    case 'read':
    case 'forget':
      return 'ignore';
    case 'create':
    case 'update':
    case 'delete':
      return key;
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    default:
      return 'unknown';
  }
}

/**
 * Whether an allow pattern names the address: `*` stands for any characters, everything else is itself. A
 * resource address is no file path: read as a file glob, `*` stopped at the "/" of a for_each key
 * (`aws_s3_object.assets["css/app.css"]`) and brackets were a character class (`web[*]` allowed no instance
 * of web), so what the team allowed blocked.
 */
function allowed(patterns: string[] | undefined, address: string): boolean {
  return (patterns ?? []).some((pattern) => matchesAddress(pattern, address));
}

/** `*` against any run of characters; linear in both lengths (a regular expression of many stars is not). */
function matchesAddress(pattern: string, address: string): boolean {
  let p = 0;
  let a = 0;
  let star = -1;
  let resume = 0;
  while (a < address.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = a;
    } else if (p < pattern.length && pattern[p] === address[a]) {
      p++;
      a++;
    } else if (star >= 0) {
      p = star + 1;
      a = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

type PlanJudgement = { counts: PlanCounts; findings: Finding[] };

/**
 * Why a plan's format_version is not one this gate reads, or undefined. Terraform 0.12 to 0.15 wrote
 * format "0.1" / "0.2" (before the format was declared stable in 1.0): that is `terraform show -json`
 * output, and the error says so and what to do, not that the file is something else.
 */
export function formatVersionProblem(version: string): string | undefined {
  if (/^1\./.test(version)) return undefined;
  const shown = JSON.stringify(version.slice(0, 40));
  if (/^0\.\d+$/.test(version)) {
    return `format_version ${shown} is the JSON of Terraform 0.12 to 0.15, written before the format was made stable: this gate reads format 1.x (Terraform 1.0 and later); save the plan with \`terraform show -json\` of Terraform 1.0 or later`;
  }
  if (/^\d+\.\d+$/.test(version)) {
    return `format_version ${shown} is a newer major format than this gate reads (1.x, Terraform 1.0 and later): update deploy-action, or save the plan with a Terraform that writes format 1.x`;
  }
  return `format_version ${shown} is not a version of the format of \`terraform show -json\` (1.x, Terraform 1.0 and later)`;
}

/** Pure: counts and findings of a parsed plan. */
export function judgePlan(plan: unknown, config: TerraformConfig): PlanJudgement {
  return runAtOnce(planSteps(plan, config));
}

/** judgePlan, taking turns of the event loop between resource changes; throws the signal's reason once cancelled. */
export function judgePlanInTurns(
  plan: unknown,
  config: TerraformConfig,
  turns: Turns,
): Promise<PlanJudgement> {
  return turns.run(planSteps(plan, config));
}

/** judgePlan's work, one step per resource change. */
function* planSteps(plan: unknown, config: TerraformConfig): Generator<void, PlanJudgement> {
  const counts: PlanCounts = { create: 0, update: 0, delete: 0, replace: 0 };
  // Nothing is counted of a plan that is not one, even when the changes before a malformed one were.
  const malformed = (message: string) => ({
    counts: { create: 0, update: 0, delete: 0, replace: 0 },
    findings: [
      { path: config.plan, rule: 'infrastructure.plan-malformed', severity: 'error' as const, message },
    ],
  });
  const notAPlan = (issue: z.core.$ZodIssue, path: PropertyKey[]) =>
    malformed(
      `${config.plan} is not the output of \`terraform show -json\`: ${issue.message}${path.length ? ` at ${path.map(String).join('.')}` : ''}`,
    );
  const parsed = planSchema.safeParse(plan);
  if (!parsed.success) return notAPlan(parsed.error.issues[0]!, parsed.error.issues[0]!.path);
  const versionProblem = formatVersionProblem(parsed.data.format_version);
  if (versionProblem) return malformed(`${config.plan}: ${versionProblem}`);
  if (!('planned_values' in parsed.data) && parsed.data.resource_changes === undefined) {
    // `terraform show -json` without the plan file prints the state: same format_version, no changes in it.
    const what = 'values' in parsed.data ? 'the state, not a plan' : 'not a plan';
    return malformed(
      `${config.plan} is ${what}: it has no planned_values or resource_changes; save \`terraform show -json tfplan\` of the file \`terraform plan -out=tfplan\` wrote`,
    );
  }
  const findings: Finding[] = [];
  if (parsed.data.errored) {
    findings.push({
      path: config.plan,
      rule: 'infrastructure.plan-errored',
      severity: 'error',
      message: `${config.plan}: the plan errored, so it is incomplete`,
    });
  } else if (parsed.data.complete === false) {
    findings.push({
      path: config.plan,
      rule: 'infrastructure.plan-incomplete',
      severity: 'error',
      message: `${config.plan}: the plan is incomplete ("complete": false): Terraform deferred some changes to a later plan and apply, so the changes checked here are not all this deployment will make; resolve what was deferred (unknown values in count / for_each, deferred providers) and plan again`,
    });
  }
  for (const [index, raw] of (parsed.data.resource_changes ?? []).entries()) {
    yield;
    const checked = changeSchema.safeParse(raw);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      return notAPlan(issue, ['resource_changes', index, ...issue.path]);
    }
    const change = checked.data;
    const action = classifyActions(change.change.actions);
    if (action === 'ignore') continue;
    if (action === 'unknown') {
      findings.push({
        path: config.plan,
        rule: 'infrastructure.unknown-action',
        severity: 'error',
        message: `${change.address}: unknown plan actions [${change.change.actions.join(', ')}]`,
      });
      continue;
    }
    counts[action] += 1;
    if (action === 'delete' || action === 'replace') {
      const patterns = action === 'delete' ? config.allow_delete : config.allow_replace;
      const ok = allowed(patterns, change.address);
      findings.push({
        path: config.plan,
        rule: `infrastructure.${action}`,
        severity: ok ? 'notice' : 'error',
        message: ok
          ? `${change.address} will be ${action === 'delete' ? 'destroyed' : 'replaced'} (allowed)`
          : `${change.address} will be ${action === 'delete' ? 'destroyed' : 'replaced'}: add it to allow_${action} if that is intended`,
      });
    }
  }
  return { counts, findings };
}

/**
 * Where JSON.parse gave up, without its excerpt of the text (json-error.ts): a plan carries the values of
 * sensitive variables, and the parser's message quotes the characters around the error.
 */
function jsonErrorPlace(error: Error, text: string): string {
  const problem = jsonSyntaxProblem(error, text);
  if (!/^\s*[[{]/.test(text) && !problem.startsWith('it ends'))
    return 'it does not start with JSON: was other output saved with it?';
  return problem;
}

/**
 * `terraform plan -json` writes its log as JSON lines ({"@level":..., "type":"version"} first), easily saved
 * where the plan was meant to go. Its errors' one-line summaries ("Error: Invalid precondition") say why
 * there is no plan; their details, which may quote the configuration, are left out.
 */
function planLog(text: string): { errors: string[] } | undefined {
  const lines = text.split('\n').filter((line) => line.trim());
  const records: Array<Record<string, unknown>> = [];
  for (const line of lines.slice(0, 10_000)) {
    try {
      const record: unknown = JSON.parse(line);
      if (record && typeof record === 'object' && '@level' in record)
        records.push(record as Record<string, unknown>);
      else return undefined;
    } catch {
      return undefined;
    }
  }
  if (!records.some((r) => r.type === 'version')) return undefined;
  const errors = records
    .filter((r) => r['@level'] === 'error' && typeof r['@message'] === 'string')
    .map((r) => (r['@message'] as string).split('\n')[0]!.slice(0, 200));
  return { errors: [...new Set(errors)].slice(0, 5) };
}

async function terraformFindings(
  config: TerraformConfig,
  ctx: GateContext,
  turns: Turns,
): Promise<{ counts?: PlanCounts; findings: Finding[] }> {
  const read = await readReportFile(ctx.cwd, config.plan, repositoryRoots(ctx), 'Terraform plan');
  if (!read.ok) {
    return {
      findings: [
        {
          rule: read.reason === 'not-found' ? 'infrastructure.plan-missing' : 'infrastructure.plan-malformed',
          severity: 'error',
          message: read.message,
        },
      ],
    };
  }
  const text = read.text;
  let plan: unknown;
  try {
    // In steps: a big plan's JSON.parse held the event loop for seconds.
    plan = await turns.run(parseJsonSteps(text));
  } catch (error) {
    // The gate cancelled or timed out while it read: not a plan that is no JSON.
    if (!(error instanceof SyntaxError)) throw error;
    const log = planLog(text);
    if (log) {
      return {
        findings: [
          {
            path: config.plan,
            rule: log.errors.length ? 'infrastructure.plan-errored' : 'infrastructure.plan-malformed',
            severity: 'error',
            message:
              `${config.plan} is the log of \`terraform plan -json\`, not a plan` +
              (log.errors.length ? `, and the plan failed: ${log.errors.join('; ')}` : '') +
              `: save \`terraform show -json tfplan\` of the file \`terraform plan -out=tfplan\` wrote`,
          },
        ],
      };
    }
    return {
      findings: [
        {
          path: config.plan,
          rule: 'infrastructure.plan-malformed',
          severity: 'error',
          message: `${config.plan} is not JSON (${jsonErrorPlace(error as Error, text)}): save \`terraform show -json tfplan\``,
        },
      ],
    };
  }
  return judgePlanInTurns(plan, config, turns);
}

// ---- Kubernetes ------------------------------------------------------------------------------------

const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

function lineOf(node: unknown, lines: LineCounter): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}

/** Pure: findings for the documents of one manifest file. */
export function checkManifest(path: string, text: string, config: KubernetesConfig): Finding[] {
  return runAtOnce(manifestSteps(path, text, config));
}

/** checkManifest, taking turns of the event loop between documents; throws the signal's reason once cancelled. */
export function checkManifestInTurns(
  path: string,
  text: string,
  config: KubernetesConfig,
  turns: Turns,
  scaling?: ScalingFacts,
): Promise<Finding[]> {
  return turns.run(manifestSteps(path, text, config, scaling));
}

/** A YAML node's plain value when it is a whole number; undefined otherwise. */
function wholeNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** A count written as something else than a whole number ("3" quoted, 2.5); null is unset, as Kubernetes reads it. */
function notACount(value: unknown): boolean {
  return value !== undefined && value !== null && wholeNumber(value) === undefined;
}

/** What an autoscaler scales on by utilization: its metrics, or the CPU default without any (v1 and v2). */
function utilizationOf(object: unknown, yaml: ResolvedYaml): Array<'cpu' | 'memory'> {
  const found = new Set<'cpu' | 'memory'>();
  const metrics = yaml.nodeAt(object, ['spec', 'metrics']);
  // An empty list is no metric either: the API server defaults it as it does a missing one.
  if (!isSeq(metrics) || metrics.items.length === 0) {
    // v1's targetCPUUtilizationPercentage, and both versions' default (80 % CPU) without metrics.
    found.add('cpu');
    return [...found];
  }
  for (const metric of metrics.items) {
    if (yaml.valueAt(metric, ['type']) !== 'Resource') continue;
    const name = yaml.valueAt(metric, ['resource', 'name']);
    // v2: target.type Utilization; v2beta1: targetAverageUtilization.
    const byUtilization =
      yaml.valueAt(metric, ['resource', 'target', 'type']) === 'Utilization' ||
      yaml.hasAt(metric, ['resource', 'targetAverageUtilization']);
    if ((name === 'cpu' || name === 'memory') && byUtilization) found.add(name);
  }
  return [...found];
}

/** checkManifest's work, one step per document (a generated file may hold thousands). */
function* manifestSteps(
  path: string,
  text: string,
  config: KubernetesConfig,
  scaling?: ScalingFacts,
): Generator<void, Finding[]> {
  const lines = new LineCounter();
  const parsed = parseYamlDocuments(text, lines);
  if (!parsed.ok) {
    return [
      {
        path,
        line: parsed.line,
        column: parsed.column,
        rule: 'infrastructure.yaml-error',
        severity: 'error',
        message: `YAML error: ${parsed.message}`,
      },
    ];
  }
  const findings: Finding[] = [];
  for (const document of parsed.documents) {
    yield;
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        findings.push({
          path,
          line: lines.linePos(error.pos[0]).line,
          column: lines.linePos(error.pos[0]).col,
          rule: 'infrastructure.yaml-error',
          severity: 'error',
          message: `YAML error: ${error.message.split('\n')[0]}`,
        });
      }
      continue;
    }
    // Keys looked up through aliases and merge keys, as Kubernetes' YAML reader resolves them.
    const yaml = resolvedYaml(document);
    const unknown = yaml.unknownAliases();
    if (unknown.length > 0) {
      for (const alias of unknown) {
        const { line, col } = lines.linePos(alias.range?.[0] ?? 0);
        // The anchor's name is the file's text: cut, as a finding's other quotes are.
        const name = alias.source.length > 100 ? `${alias.source.slice(0, 99)}…` : alias.source;
        findings.push({
          path,
          line,
          column: col,
          rule: 'infrastructure.yaml-error',
          severity: 'error',
          message: `YAML error: the alias *${name} names no anchor defined before it in its document (an anchor does not reach past ---)`,
        });
      }
      continue;
    }
    const contents = document.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue; // an empty `---` document
    const line = lineOf(document.contents, lines);
    const at = { path, ...(line ? { line } : {}) };
    if (!isMap(document.contents)) {
      findings.push({
        ...at,
        rule: 'infrastructure.manifest-invalid',
        severity: 'error',
        message: 'a manifest must be a mapping',
      });
      continue;
    }
    // A List (kubectl get -o yaml writes one) holds its objects in items: each is checked as a manifest.
    const listed = yaml.nodeAt(document.contents, ['items']);
    const isList = /List$/.test(String(yaml.valueAt(document.contents, ['kind']) ?? '')) && isSeq(listed);
    const objects = isList ? listed.items.filter((item) => isMap(yaml.deref(item))) : [document.contents];
    for (const object of objects) {
      const objectLine = isList ? lineOf(object, lines) : line;
      const objectAt = { path, ...(objectLine ? { line: objectLine } : {}) };
      const missing = [['apiVersion'], ['kind'], ['metadata', 'name']].filter((key) => {
        const value = yaml.valueAt(object, key);
        return typeof value !== 'string' || value.length === 0;
      });
      if (missing.length > 0) {
        findings.push({
          ...objectAt,
          rule: 'infrastructure.manifest-invalid',
          severity: 'error',
          message: `manifest without ${missing.map((key) => key.join('.')).join(', ')}`,
        });
        continue;
      }
      const kind = yaml.valueAt(object, ['kind']) as string;
      const name = yaml.valueAt(object, ['metadata', 'name']) as string;
      const namespace = yaml.valueAt(object, ['metadata', 'namespace']);
      const inNamespace = typeof namespace === 'string' && namespace ? { namespace } : {};
      if (scaling && kind === 'HorizontalPodAutoscaler') {
        const targetKind = yaml.valueAt(object, ['spec', 'scaleTargetRef', 'kind']);
        const targetName = yaml.valueAt(object, ['spec', 'scaleTargetRef', 'name']);
        if (typeof targetKind === 'string' && typeof targetName === 'string') {
          const minReplicas = wholeNumber(yaml.valueAt(object, ['spec', 'minReplicas']));
          const maxReplicas = wholeNumber(yaml.valueAt(object, ['spec', 'maxReplicas']));
          const countsUnread =
            notACount(yaml.valueAt(object, ['spec', 'minReplicas'])) ||
            notACount(yaml.valueAt(object, ['spec', 'maxReplicas']));
          scaling.autoscalers.push({
            name,
            ...inNamespace,
            target: { kind: targetKind, name: targetName },
            ...(minReplicas !== undefined ? { minReplicas } : {}),
            ...(maxReplicas !== undefined ? { maxReplicas } : {}),
            ...(countsUnread ? { countsUnread: true as const } : {}),
            utilizationOf: utilizationOf(object, yaml),
            at: objectAt,
          });
        }
      }
      // Own keys only: a manifest of kind "constructor" found Object's function, and the gate crashed.
      const specPath =
        typeof kind === 'string' && Object.hasOwn(POD_SPEC_PATHS, kind) ? POD_SPEC_PATHS[kind] : undefined;
      if (!specPath) continue;
      if (scaling && SCALED_KINDS.has(kind)) {
        const containers = yaml.nodeAt(object, [...specPath, 'containers']);
        const all = isSeq(containers) ? containers.items.filter((item) => isMap(yaml.deref(item))) : [];
        // A container with a limit and no request requests its limit (Kubernetes copies it).
        const requests = (resource: string) =>
          all.length > 0 &&
          all.every(
            (item) =>
              yaml.hasAt(item, ['resources', 'requests', resource]) ||
              yaml.hasAt(item, ['resources', 'limits', resource]),
          );
        const replicas = wholeNumber(yaml.valueAt(object, ['spec', 'replicas']));
        scaling.workloads.push({
          kind,
          name,
          ...inNamespace,
          ...(replicas !== undefined ? { replicas } : {}),
          ...(notACount(yaml.valueAt(object, ['spec', 'replicas'])) ? { replicasUnread: true as const } : {}),
          requests: { cpu: requests('cpu'), memory: requests('memory') },
          at: objectAt,
        });
      }
      for (const field of ['initContainers', 'containers']) {
        const containers = yaml.nodeAt(object, [...specPath, field]);
        if (!isSeq(containers)) continue;
        containers.items.forEach((item, index) => {
          if (!isMap(yaml.deref(item))) return;
          const container = `${kind}/${name} container ${String(yaml.valueAt(item, ['name']) ?? index)}`;
          const where = { path, ...(lineOf(item, lines) ? { line: lineOf(item, lines)! } : {}) };
          if ((config.resource_limits ?? 'warn') === 'warn' && !yaml.hasAt(item, ['resources', 'limits'])) {
            findings.push({
              ...where,
              rule: 'infrastructure.no-resource-limits',
              severity: 'warning',
              message: `${container} has no resources.limits`,
            });
          }
          if (
            field === 'containers' &&
            (config.readiness_probe ?? 'warn') === 'warn' &&
            !RUN_TO_COMPLETION.has(kind) &&
            !yaml.hasAt(item, ['readinessProbe'])
          ) {
            findings.push({
              ...where,
              rule: 'infrastructure.no-readiness-probe',
              severity: 'warning',
              message: `${container} has no readinessProbe: traffic may reach it before it is ready`,
            });
          }
        });
      }
    }
  }
  return findings;
}

// kubectl's messages when it has no API server to ask (client dry-run still needs discovery).
const NO_CLUSTER =
  /connection refused|couldn't get current server API group list|Unable to connect to the server|no configuration has been provided|dial tcp/i;

async function dryRun(files: string[], config: KubernetesConfig, ctx: GateContext): Promise<Finding[]> {
  const mode = config.dry_run ?? 'auto';
  if (mode === 'off') return [];
  const kubectl = config.kubectl ?? 'kubectl';
  // Server-side asks the cluster (admission webhooks, quotas, field validation); asked for, it must happen.
  const flag = mode === 'server' ? '--dry-run=server' : '--dry-run=client';
  const required = mode === 'required' || mode === 'server';
  const findings: Finding[] = [];
  for (const file of files) {
    const outcome = await runRequiredCommand([kubectl, 'apply', flag, '-f', file], ctx);
    if (outcome.ok) continue;
    const notFound = /was not found/.test(outcome.reason);
    const noCluster = !notFound && NO_CLUSTER.test(outcome.output);
    if (notFound || noCluster) {
      const why = notFound ? `${kubectl} is not on PATH` : `${kubectl} has no cluster to validate against`;
      findings.push({
        rule: 'infrastructure.dry-run-skipped',
        severity: required ? 'error' : 'notice',
        message: `kubectl ${mode === 'server' ? 'server-side ' : ''}dry-run ${required ? 'required but impossible' : 'skipped'}: ${why}`,
      });
      return findings;
    }
    // kubectl's error may quote a value of the manifest (a Secret's data, an env value): redacted and cut
    // as every command's output in a finding is.
    const detail = outcome.output.trim() ? outputTail(outcome.output, 5) : '';
    findings.push({
      path: file,
      rule: 'infrastructure.dry-run-failed',
      severity: 'error',
      message: `kubectl apply ${flag} rejected ${file}: ${detail || outcome.reason}`,
    });
  }
  return findings;
}

async function kubernetesFindings(
  config: KubernetesConfig,
  ctx: GateContext,
  turns: Turns,
): Promise<{ files: number; findings: Finding[] }> {
  const patterns = toList(config.manifests);
  const files = await matchFiles(patterns, ctx.cwd);
  if (files.length === 0) {
    return {
      files: 0,
      findings: [
        {
          rule: 'infrastructure.no-manifests',
          severity: 'error',
          message: `no Kubernetes manifest matches ${patterns.join(', ')} in ${ctx.cwd}`,
        },
      ],
    };
  }
  const findings: Finding[] = [];
  // Workloads and autoscalers of every file: an autoscaler and what it scales are often apart.
  const scaling: ScalingFacts = { workloads: [], autoscalers: [] };
  for (const file of files) {
    // Read as reports are: inside the repository (a symlink out of it is refused), bounded, decoded.
    const read = await readReportFile(ctx.cwd, file, repositoryRoots(ctx), 'Kubernetes manifest', {
      source: true,
    });
    if (!read.ok) {
      findings.push({
        path: file,
        rule: 'infrastructure.unreadable',
        severity: 'error',
        message: read.message,
      });
      continue;
    }
    findings.push(...(await checkManifestInTurns(file, read.text, config, turns, scaling)));
  }
  findings.push(...scalingFindings(scaling, (config.scaling ?? 'warn') === 'warn'));
  // A file that does not parse would only fail the dry-run again, with a worse message.
  const parsed = files.filter((file) => !findings.some((f) => f.path === file && f.severity === 'error'));
  findings.push(...(await dryRun(parsed, config, ctx)));
  return { files: files.length, findings };
}

// ---- the gate --------------------------------------------------------------------------------------

export const infrastructureGate: Gate<InfrastructureConfig> = {
  name: 'infrastructure',
  schema: infrastructureConfigSchema,
  async run(config, ctx): Promise<GateVerdict> {
    const turns = new Turns(ctx.signal);
    const findings: Finding[] = [];
    const parts: string[] = [];
    if (config.terraform) {
      const result = await terraformFindings(config.terraform, ctx, turns);
      findings.push(...result.findings);
      if (result.counts) {
        const c = result.counts;
        parts.push(
          `plan: ${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.replace} to replace`,
        );
      }
    }
    if (config.kubernetes) {
      const result = await kubernetesFindings(config.kubernetes, ctx, turns);
      findings.push(...result.findings);
      parts.push(`${result.files} manifest file(s)`);
    }
    const errors = findings.filter((f) => f.severity === 'error');
    const warnings = findings.filter((f) => f.severity === 'warning');
    const summary = parts.join('; ');
    if (errors.length > 0) {
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
      return {
        status: 'block',
        summary: `${errors[0]!.message}${more}${summary ? `; ${summary}` : ''}`,
        findings,
      };
    }
    if (warnings.length > 0)
      return { status: 'warn', summary: `${summary}; ${warnings.length} warning(s)`, findings };
    return { status: 'pass', summary, findings };
  },
};
