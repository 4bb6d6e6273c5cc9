// A value choosing a context (an entry of a runner's own config holding credentials, refused) or a namespace (one
// DNS-1123 label, checked once rendered). Used by the runners, the cluster tools and gcloud alike.
import { type ContainerMounts, templates } from './container-sites.ts';

/** A DNS-1123 label (a Kubernetes namespace's name): lowercase letters, digits and '-', ≤ 63, not starting or ending with '-'. */
export const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Why a value in a namespace must be one DNS-1123 label (plainNameProblem), for messages. */
const NAMESPACE_WHY =
  'since anything else is no namespace (an option such as --all-namespaces, a list, a path); write such a namespace in the config, a command per environment';

/** What choosing a context, profile, account or configuration chooses, for messages. */
export const WHOSE_CREDENTIALS =
  "which of this machine's credentials it acts with and where they are sent (an entry of its own config: a prod context, an admin profile, another account), even by a plain name";

/**
 * A template in the context, profile, account or configuration a command chooses (the word `index`, its value
 * `value`): refused when the config loads. Each entry of the runner's own config holds credentials (a kubeconfig
 * context its user and cluster, an aws profile its keys or role), so even a plain name picks who acts and
 * where, as gcloud --account, kubectl --as and a DOCKER_CONTEXT or AWS_PROFILE assignment do.
 */
export function contextName(
  found: ContainerMounts,
  index: number,
  word: string,
  value: string,
  how: string,
): void {
  const names = templates(value);
  if (names.length === 0) return;
  found.refused.push({ index, names, how: `${how}: ${WHOSE_CREDENTIALS}`, kind: 'engine' });
}

/**
 * A template in the namespace a command works in (kubectl/oc/helm -n, --namespace): checked once rendered to be
 * one DNS-1123 label, as Kubernetes names a namespace.
 */
export function namespaceName(
  found: ContainerMounts,
  index: number,
  word: string,
  value: string,
  how: string,
): void {
  if (templates(value).length === 0) return;
  found.names.set(index, {
    kind: 'plain',
    prefix: word.slice(0, word.length - value.length),
    how,
    why: NAMESPACE_WHY,
    label: true,
  });
}
