/** A real HTTP server on loopback that records what is POSTed to it (the webhook of `xp health --alert`). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Webhook {
  readonly url: string;
  readonly received: { readonly contentType: string | undefined; readonly body: unknown }[];
  /** the status the next requests are answered with (default 200) */
  status: number;
  close(): Promise<void>;
}

export async function startWebhook(): Promise<Webhook> {
  const received: Webhook['received'] = [];
  const answer = { status: 200 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body: JSON.parse(body) as unknown });
      res.writeHead(answer.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    get status() { return answer.status; },
    set status(s: number) { answer.status = s; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
