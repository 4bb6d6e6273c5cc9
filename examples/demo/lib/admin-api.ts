// The embedded router's admin API (bound to 127.0.0.1 only):
//   GET /state                      → {"backends": {name: {address, weight, enabled, inFlight, ...}}}
//   PUT /weights  {"blue": 90, ...} → sets those weights (all or none)
//   PUT /servers/<name> {"enabled": false}
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from './proxy.ts';
import { RouterInputError, sendJson } from './proxy.ts';

const MAX_ADMIN_BODY = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_ADMIN_BODY) throw new RouterInputError('admin request body too large', 413);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new RouterInputError(`request body is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

export function adminHandler(router: Router): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'GET' && path === '/state') {
        sendJson(res, 200, { backends: router.state() });
        return;
      }
      if (req.method === 'PUT' && path === '/weights') {
        router.setWeights(await readJson(req));
        sendJson(res, 200, { backends: router.state() });
        return;
      }
      const server = /^\/servers\/([^/]+)$/.exec(path);
      if (req.method === 'PUT' && server) {
        const body = await readJson(req);
        if (typeof body !== 'object' || body === null || !('enabled' in body)) {
          throw new RouterInputError('body must be {"enabled": true|false}');
        }
        router.setEnabled(decodeURIComponent(server[1]!), body.enabled);
        sendJson(res, 200, { backends: router.state() });
        return;
      }
      throw new RouterInputError(
        `no admin route for ${req.method} ${path} (GET /state, PUT /weights, PUT /servers/<name>)`,
        404,
      );
    })().catch((err: unknown) => {
      const status = err instanceof RouterInputError ? err.status : 500;
      if (!res.headersSent)
        sendJson(res, status, { error: err instanceof Error ? err.message : String(err) });
    });
  };
}
