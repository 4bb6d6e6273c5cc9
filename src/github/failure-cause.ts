// What a failed GitHub request ran into, in a few words, for the line that says the run gave up on GitHub.
// "GitHub looks down" alone sent a runner behind a proxy that refused its credentials (407) looking at
// GitHub's status page. Only what is safe to print: a status, a proxy's status, a network error's code and
// the host:port it names (never a header, a body or a URL, which may hold a token or a proxy's password).

const MAX_LENGTH = 120;

interface ErrorLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  name?: unknown;
  response?: unknown;
}

/** The errors of the chain, outermost first (bounded: a cause that loops back ends it). */
function chain(error: unknown): ErrorLike[] {
  const seen: ErrorLike[] = [];
  for (let e = error; e && typeof e === 'object' && seen.length < 8; e = (e as ErrorLike).cause) {
    if (seen.includes(e as ErrorLike)) break;
    seen.push(e as ErrorLike);
  }
  return seen;
}

/** Pure: the cause of a failed attempt ("the proxy answered 407", "connect ECONNREFUSED 10.0.0.1:3128", "HTTP 502"). */
export function failureCause(error: unknown): string | undefined {
  const errors = chain(error);
  for (const e of errors) {
    const message = typeof e.message === 'string' ? e.message : '';
    // undici, when the proxy refuses a CONNECT: "Proxy response (407) !== 200 when HTTP Tunneling".
    const proxy = /^Proxy response \((\d{3})\)/.exec(message);
    if (proxy)
      return `the proxy answered ${proxy[1]}${proxy[1] === '407' ? ' (its credentials were refused)' : ''}`;
  }
  for (const e of [...errors].reverse()) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (!/^E[A-Z_]+$/.test(code)) continue;
    const message = typeof e.message === 'string' ? e.message : '';
    // Node's own network messages: "connect ECONNREFUSED 127.0.0.1:3128", "getaddrinfo ENOTFOUND host".
    const said = /^(?:connect|getaddrinfo|read|write|socket) E[A-Z_]+(?: [\w.:[\]-]+)?$/.test(message)
      ? message
      : code;
    return said.slice(0, MAX_LENGTH);
  }
  // Octokit reports a request that got no answer as a 500 too: a status is GitHub's only with a response.
  const first = errors[0];
  if (first?.response && typeof first.status === 'number' && Number.isInteger(first.status))
    return `HTTP ${first.status}`;
  if (errors.some((e) => e.name === 'TimeoutError')) return 'no answer in time';
  return undefined;
}
