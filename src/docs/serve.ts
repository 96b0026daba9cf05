/**
 * `xp docs serve`: target/docs over HTTP on loopback only, plus target/memos and
 * target/reports so the experiment pages' links work as they do from file://.
 * Read-only: GET and HEAD, no directory listings, nothing outside those folders.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { XpError } from '../core/errors.ts';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface DocsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The file a URL path maps to, or undefined when it is outside the served folders. */
export function resolveRequest(targetDir: string, urlPath: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
  if (rel.includes('\0')) return undefined;
  const parts = path.posix.normalize(rel).replace(/^\/+/, '');
  const [first, ...rest] = parts.split('/');
  const [base, inner] = first === 'memos' || first === 'reports' ? [path.join(targetDir, first), rest.join('/')] : [path.join(targetDir, 'docs'), parts];
  const file = path.resolve(base, inner === '' ? 'index.html' : inner);
  if (file !== base && !file.startsWith(base + path.sep)) return undefined;
  return file;
}

export function serveDocs(targetDir: string, port = 8080): Promise<DocsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let file = resolveRequest(targetDir, req.url ?? '/');
    if (file && existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE'
        ? new XpError('USAGE', `port ${port} on 127.0.0.1 is in use`, { hint: 'pass another one: xp docs serve --port 8181 (0 picks a free port)' })
        : err);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
