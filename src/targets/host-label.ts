// Where a value in a host name is one server of the config's own: in its first label, after a fixed prefix or
// alone before a fixed domain, checked once rendered to be one DNS label (redis-cli's, the database clients' and
// ssh's, scp's and rsync's hosts). Pure.

/**
 * Where a host with a value is one server of the config's own: the value in its first label, after a fixed
 * prefix holding no "." (redis-{{env}}), and before a fixed suffix that is the rest of that label and the domain
 * (.internal, -0.cache.example.com), checked once rendered to be one DNS label. A domain of one label must be one
 * that no one registers (internal, local, lan, …): in redis-{{x}}.com, anyone may own redis-evil.com.
 */
export function hostLabel(host: string): { prefix: string; suffix: string } | undefined {
  const m =
    /^([A-Za-z0-9][A-Za-z0-9-]*)\{\{\s*[A-Za-z_]\w*\s*\}\}([A-Za-z0-9-]*)((?:\.[A-Za-z0-9-]+)*)$/.exec(host);
  if (!m) return undefined;
  const domain = m[3]!.split('.').slice(1);
  if (domain.length === 1 && !/^(internal|local|localhost|lan|home|corp|intranet|private)$/i.test(domain[0]!))
    return undefined;
  return { prefix: m[1]!, suffix: m[2]! + m[3]! };
}

/** Why a value in a host (redis-cli's, a database's, ssh's) must make one DNS label (hostLabel), for messages. */
export const HOST_LABEL_WHY =
  'since anything else could name another host (a "." another domain, a ":" "@" or "/" another part of a URI); write other hosts in the config, a command per environment';

/**
 * The first label of `host` holding its value: after a fixed prefix (db-{{x}}.internal), or alone before a fixed
 * domain of two labels or more, or an internal one ({{x}}.example.net, {{x}}.internal); undefined elsewhere.
 */
export function hostPlace(host: string): { prefix: string; suffix: string } | undefined {
  const alone = host.startsWith('{{') ? hostLabel(`x${host}`) : undefined;
  return hostLabel(host) ?? (alone?.suffix.includes('.') ? { prefix: '', suffix: alone.suffix } : undefined);
}
