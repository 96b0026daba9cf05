/**
 * A loopback HTTP proxy in front of the test S3 server that injects real HTTP faults:
 * an S3 error response (503 SlowDown, 403 SignatureDoesNotMatch…) or a connection cut
 * after some bytes of the body. Everything else is forwarded unchanged.
 */
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyAction =
  | { readonly kind: 'forward' }
  /** answer with an S3 error document instead of forwarding */
  | { readonly kind: 'error'; readonly status: number; readonly code: string; readonly message?: string }
  /** forward, but destroy the connection after this many body bytes */
  | { readonly kind: 'cut'; readonly afterBytes: number };

/** `n` counts requests from 1. */
export type Decide = (req: IncomingMessage, n: number) => ProxyAction;

export interface FaultProxy {
  readonly endpoint: string;
  readonly seen: { method: string; url: string; action: ProxyAction['kind'] }[];
  stop(): Promise<void>;
}

const forward: ProxyAction = { kind: 'forward' };

export async function startFaultProxy(targetPort: number, decide: Decide): Promise<FaultProxy> {
  const seen: FaultProxy['seen'] = [];
  const server = http.createServer((req, res) => {
    const action = decide(req, seen.length + 1) ?? forward;
    seen.push({ method: req.method ?? '', url: req.url ?? '', action: action.kind });
    if (action.kind === 'error') {
      req.resume();
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${action.code}</Code><Message>${action.message ?? action.code}</Message><RequestId>fault-proxy</RequestId></Error>`;
      res.writeHead(action.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (action.kind === 'cut') {
        let sent = 0;
        up.on('data', (chunk: Buffer) => {
          sent += chunk.length;
          if (sent >= action.afterBytes) {
            up.destroy();
            res.socket?.destroy();
          }
        });
      }
      up.pipe(res);
    });
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
