// The infrastructure gate's section under `gates:`: a Terraform plan and what it may delete or replace,
// Kubernetes manifests and their checks.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { gateCommonFields } from './common.ts';

const globs = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const terraformSchema = z.strictObject({
  plan: z
    .string()
    .min(1)
    .meta({ description: 'The JSON of `terraform show -json tfplan`, saved to a file.' }),
  allow_delete: z.array(z.string().min(1)).optional().meta({
    description:
      'Resource addresses that may be destroyed: exact, or with "*" for any characters ("aws_instance.legacy*", "aws_instance.web[*]"; brackets and "/" are the address\'s own).',
  }),
  allow_replace: z.array(z.string().min(1)).optional().meta({
    description:
      'Resource addresses that may be replaced (destroyed and re-created): exact, or with "*" for any characters.',
  }),
});

const kubernetesSchema = z.strictObject({
  manifests: globs.meta({ description: 'Globs of manifest files, e.g. "k8s/**/*.yaml".' }),
  dry_run: z
    .enum(['auto', 'required', 'server', 'off'])
    .optional()
    .meta({
      description:
        '`kubectl apply --dry-run=client -f` per file. "auto" (default): skipped with a notice when kubectl is ' +
        'missing or has no cluster to ask; "required": then it blocks. "server": `--dry-run=server` (seed 01: ' +
        'the API server runs its admission and validation, webhooks and quotas included, and persists ' +
        'nothing), required: it blocks without a cluster.',
    }),
  kubectl: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'The kubectl program. Default: "kubectl" on PATH.' }),
  resource_limits: z
    .enum(['warn', 'off'])
    .optional()
    .meta({ description: 'Containers without resources.limits.' }),
  readiness_probe: z
    .enum(['warn', 'off'])
    .optional()
    .meta({ description: 'Long-running containers without a readinessProbe.' }),
  scaling: z
    .enum(['warn', 'off'])
    .optional()
    .meta({
      description:
        'Scaling configuration (seed 01): a Deployment, StatefulSet or ReplicaSet with one replica and no HorizontalPodAutoscaler, an autoscaler with minReplicas under 2, replicas set on a workload an autoscaler scales, an autoscaler on CPU or memory utilization of containers that do not request it. An autoscaler with minReplicas above maxReplicas is always an error.',
    }),
});

export const infrastructureConfigSchema = z
  .strictObject({
    ...gateCommonFields,
    terraform: terraformSchema.optional(),
    kubernetes: kubernetesSchema.optional(),
  })
  .refine((c) => c.terraform || c.kubernetes, {
    message: 'the infrastructure gate needs terraform or kubernetes',
  });

export type InfrastructureConfig = z.output<typeof infrastructureConfigSchema>;
export type TerraformConfig = z.output<typeof terraformSchema>;
export type KubernetesConfig = z.output<typeof kubernetesSchema>;
