/**
 * `xp docs serve`: target/docs over HTTP on loopback only, plus target/memos and
 * target/reports so the experiment pages' links work as they do from file://.
 * Read-only: GET and HEAD, no directory listings, nothing outside those folders. With a
 * `LivePortfolio`, also the live portfolio page (/portfolio.html) and its JSON.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XpError } from '../core/errors.ts';
import { portfolioPage } from './pages/portfolio.ts';

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

/**
 * The live part of the server: the portfolio page, its two assets and the JSON it polls,
 * computed on every request from the state store (src/docs/portfolio), never written to
 * the site.
 */
export interface LivePortfolio {
  readonly project: string;
  readonly refreshMs: number;
  read(): Promise<unknown>;
}

// the page's own assets, served from the sources' folder (also when running from dist/)
const LIVE_ASSETS_DIR = fileURLToPath(new URL('../../src/docs/assets/', import.meta.url));
const LIVE_ASSETS = new Set(['/assets/portfolio.js', '/assets/portfolio.css']);

/** Answers the live routes; false when the URL is not one of them. */
function serveLive(live: LivePortfolio, urlPath: string, req: IncomingMessage, res: ServerResponse): boolean {
  const route = urlPath.split('?')[0]!;
  const headers = (type: string): Record<string, string> => ({ 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  if (route === '/portfolio.html' || route === '/portfolio') {
    res.writeHead(200, headers(TYPES['.html']!)).end(req.method === 'HEAD' ? undefined : portfolioPage(live.project, live.refreshMs));
    return true;
  }
  if (LIVE_ASSETS.has(route)) {
    const file = path.join(LIVE_ASSETS_DIR, path.basename(route));
    res.writeHead(200, headers(TYPES[path.extname(file)]!));
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  }
  if (route === '/api/portfolio.json') {
    live.read().then(
      (data) => res.writeHead(200, headers(TYPES['.json']!)).end(req.method === 'HEAD' ? undefined : JSON.stringify(data)),
      (err: unknown) => res.writeHead(503, headers(TYPES['.json']!)).end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) })),
    );
    return true;
  }
  return false;
}

export function serveDocs(targetDir: string, port = 8080, live?: LivePortfolio): Promise<DocsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (live && serveLive(live, req.url ?? '/', req, res)) return;
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
