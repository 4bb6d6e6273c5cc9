// A loopback outbound proxy, as a network behind one has: the only way to a host outside. Whatever host a
// client asks for (a CONNECT tunnel, as fetch opens even for http, or an absolute-URL request, as node:http
// sends), it is answered by one loopback upstream (the fake GitHub). Each tunnel is opened here rather than
// passed through as bytes: every request inside it is seen, so a test can say the upstream got no request but
// through the proxy. It records the CONNECT targets, the requests and the Proxy-Authorization each came with;
// told which credentials it accepts, it answers any other 407, as a proxy does.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  /** `tunnel`: inside a CONNECT tunnel; `forward`: an absolute-URL request to the proxy itself. */
  via: 'tunnel' | 'forward';
  /** The host:port the client asked for (the CONNECT target, or the absolute URL's). */
  host: string;
  method: string;
  /** The path without the query string, as the fake GitHub records it. */
  path: string;
}

export interface ConnectProxy {
  /** http://127.0.0.1:PORT (no credentials: the test puts its own in the URL it hands out). */
  url: string;
  /** Each CONNECT: its target (host:port) and the Proxy-Authorization it carried (undefined: none). */
  connects: Array<{ target: string; authorization: string | undefined }>;
  requests: ProxiedRequest[];
  /** Absolute-URL requests' Proxy-Authorization headers, in order. */
  forwardAuthorizations: Array<string | undefined>;
  close(): Promise<void>;
}

export interface ConnectProxyOptions {
  /** The Proxy-Authorization it accepts (e.g. `Basic ...`); any other, or none, is answered 407. */
  authorization?: string;
}

/** Starts the proxy; every request, whatever host it names, goes to `upstream` (http://127.0.0.1:PORT). */
export async function startConnectProxy(
  upstream: string,
  options: ConnectProxyOptions = {},
): Promise<ConnectProxy> {
  const refused = (given: string | undefined): boolean =>
    options.authorization !== undefined && given !== options.authorization;
  const target = new URL(upstream);
  if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1')
    throw new Error(`connect proxy: upstream ${upstream} is not on loopback`);
  const connects: ConnectProxy['connects'] = [];
  const requests: ProxiedRequest[] = [];
  const forwardAuthorizations: Array<string | undefined> = [];
  const sockets = new Set<Socket>();
  const upstreamAgent = new http.Agent({ keepAlive: false });

  const pass = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const out = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: req.method,
        path,
        headers,
        agent: upstreamAgent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  // The requests inside tunnels: the tunnel's socket is handed to this server once CONNECT is answered.
  const inner = http.createServer((req, res) => {
    const host = (req.socket as Socket & { tunnelTarget?: string }).tunnelTarget ?? '';
    const path = req.url ?? '/';
    requests.push({ via: 'tunnel', host, method: req.method ?? '', path: path.split('?')[0]! });
    pass(req, res, path);
  });
  inner.keepAliveTimeout = 0;

  const outer = http.createServer((req, res) => {
    // An absolute-URL request (http through a proxy, as node:http sends it).
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('not an absolute URL');
      return;
    }
    forwardAuthorizations.push(req.headers['proxy-authorization']);
    if (refused(req.headers['proxy-authorization'])) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' }).end();
      return;
    }
    requests.push({ via: 'forward', host: url.host, method: req.method ?? '', path: url.pathname });
    pass(req, res, url.pathname + url.search);
  });
  outer.keepAliveTimeout = 0;
  outer.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  outer.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const tunnelTarget = req.url ?? '';
    connects.push({ target: tunnelTarget, authorization: req.headers['proxy-authorization'] });
    if (refused(req.headers['proxy-authorization'])) {
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\n\r\n',
      );
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    (socket as Socket & { tunnelTarget?: string }).tunnelTarget = tunnelTarget;
    inner.emit('connection', socket);
  });

  await new Promise<void>((resolve, reject) => {
    outer.once('error', reject);
    outer.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = outer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    requests,
    forwardAuthorizations,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      upstreamAgent.destroy();
      await new Promise<void>((resolve) => outer.close(() => resolve()));
    },
  };
}
