// What an HTTP answer that is not the Prometheus API's JSON most likely is, for the error of its interval:
// the cause its status says (credentials refused, a wrong base path, a failing gateway) or, with a success
// status, what kind of body came (an HTML page: a UI or a proxy's login). The body itself is never quoted: a
// page may reflect the request's credentials, and it is the server's text, not the API's.

/** Why a status that is not the API's own answer came back, when the status says. */
function cause(status: number): string {
  if (status === 401 || status === 403)
    return ": refused; check the credentials (the url's user:password, or an Authorization header)";
  if (status === 404)
    return ': not found; the url must be the address the API is under (the part before /api/v1), not a UI page';
  if (status === 407) return ': a proxy asks for credentials';
  if (status === 429) return ': too many requests (the server is rate-limiting)';
  if (status >= 500) return ': the server, or a proxy in front of it, failed';
  return '';
}

const isHtml = (contentType: string | undefined, body: string) =>
  /html/i.test(contentType ?? '') || /^\s*<(?:!doctype|html|head|body)\b/i.test(body);

/**
 * The message for an answer that is not the API's: `HTTP 401 from /api/v1/query: refused; ...`, or for a
 * success status, `/api/v1/query answered HTTP 200 with an HTML page, not the API's JSON (...)`.
 */
export function foreignAnswer(
  path: string,
  status: number,
  contentType: string | undefined,
  body: string,
): string {
  const html = isHtml(contentType, body);
  if (status >= 300) return `HTTP ${status} from ${path}${html ? ' (an HTML page)' : ''}${cause(status)}`;
  return html
    ? `${path} answered HTTP ${status} with an HTML page, not the API's JSON: is the url a UI, or a proxy's login page, rather than the API's address?`
    : `${path} answered HTTP ${status} with a body that is not JSON`;
}
