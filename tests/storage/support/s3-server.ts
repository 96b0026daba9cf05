/**
 * A real S3-protocol server (s3rver) on a free loopback port with a temp data folder, for
 * one test. It records every request it receives, so tests count GETs on the server side,
 * and it can be stopped (dropping open connections) and restarted on the same port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** s3rver knows one key pair; it checks the access key id but not SigV4 signatures. */
export const S3RVER_CREDENTIALS = { MINIO_ACCESS_KEY: 'S3RVER', MINIO_SECRET_KEY: 'S3RVER' } as const;

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
}

export type RequestHook = (req: IncomingMessage, res: ServerResponse, server: TestS3Server) => void;

export interface TestS3Server {
  readonly endpoint: string;
  readonly port: number;
  /** s3rver's data folder */
  readonly dir: string;
  readonly requests: SeenRequest[];
  /** GetObject requests whose path contains `fragment` (listings are GETs too, but of the bucket) */
  objectGets(fragment?: string): number;
  /** runs before s3rver sees each request */
  hook: RequestHook | undefined;
  /** close the listener and every open connection, as a crashing server would */
  stop(): Promise<void>;
  /** start again on the same port with the same data */
  restart(): Promise<void>;
  /** stop and delete the data folder */
  dispose(): Promise<void>;
}

/** `/bucket/some/key` (path-style object), not `/bucket/` or `/bucket?list-type=2`. */
function isObjectPath(url: string): boolean {
  const p = url.split('?')[0]!;
  return /^\/[^/]+\/.+[^/]$/.test(p);
}

export async function startS3Server(buckets: readonly string[] = ['raw']): Promise<TestS3Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xp-s3rver-'));
  let instance: S3rver | undefined;
  let port = 0;
  const requests: SeenRequest[] = [];

  const start = async (): Promise<void> => {
    const s = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
    const addr = await s.run();
    port = addr.port;
    // Record and hook before s3rver's own handler runs.
    s.httpServer.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '' });
      server.hook?.(req, res, server);
    });
    instance = s;
  };
  const stop = async (): Promise<void> => {
    const s = instance;
    instance = undefined;
    if (!s) return;
    const closed = s.close();
    s.httpServer.closeAllConnections();
    await closed;
  };

  await start();
  const server: TestS3Server = {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dir,
    requests,
    objectGets(fragment = '') {
      return requests.filter((r) => r.method === 'GET' && isObjectPath(r.url) && r.url.split('?')[0]!.includes(fragment)).length;
    },
    hook: undefined,
    stop,
    restart: start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
