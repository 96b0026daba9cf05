/** xp docs serve: loopback only, read-only, nothing outside docs/, memos/ and reports/. */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveRequest, serveDocs, type DocsServer } from '../../src/docs/serve.ts';
import { REPO, testedProject, type Fixture } from '../data-tests/fixture.ts';
import { xp } from '../data-tests/cli.ts';

let server: DocsServer | undefined;
let dir: string | undefined;
let f: Fixture | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  f?.remove();
});

function target(): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'xp-serve-'));
  const put = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir!, rel)), { recursive: true });
    writeFileSync(path.join(dir!, rel), text);
  };
  put('docs/index.html', '<h1>lineage</h1>');
  put('docs/models/a.html', 'model a');
  put('memos/exp_a.md', '# memo');
  put('reports/exp_a.html', 'report');
  put('warehouse.duckdb', 'secret');
  return dir;
}

describe('docs server', () => {
  it.each([
    ['/', 'docs/index.html'],
    ['/models/a.html?x=1#top', 'docs/models/a.html'],
    ['/memos/exp_a.md', 'memos/exp_a.md'],
    ['/experiments/../memos/exp_a.md', 'memos/exp_a.md'],
    ['/%2e%2e/warehouse.duckdb', 'docs/warehouse.duckdb'],
    ['/../../warehouse.duckdb', 'docs/warehouse.duckdb'],
  ])('maps %s inside the served folders', (url, rel) => {
    expect(resolveRequest('/t', url)).toBe(path.join('/t', rel));
  });

  it('refuses NUL bytes and malformed escapes', () => {
    expect(resolveRequest('/t', '/a%00.html')).toBeUndefined();
    expect(resolveRequest('/t', '/%E0%A4%A')).toBeUndefined();
  });

  it('serves the site, memos and reports on 127.0.0.1 and nothing else', async () => {
    server = await serveDocs(target(), 0);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const get = async (p: string, init?: RequestInit): Promise<[number, string, string | null]> => {
      const r = await fetch(new URL(p, server!.url), init);
      return [r.status, await r.text(), r.headers.get('content-type')];
    };
    expect(await get('/')).toEqual([200, '<h1>lineage</h1>', 'text/html; charset=utf-8']);
    expect(await get('/memos/exp_a.md')).toEqual([200, '# memo', 'text/plain; charset=utf-8']);
    expect((await get('/reports/exp_a.html'))[0]).toBe(200);
    expect((await get('/warehouse.duckdb'))[0]).toBe(404);
    expect((await get('/%2e%2e/warehouse.duckdb'))[0]).toBe(404);
    expect((await get('/', { method: 'POST', body: 'x' }))[0]).toBe(405);
  });

  it('names a busy port', async () => {
    server = await serveDocs(target(), 0);
    await expect(serveDocs(dir!, server.port)).rejects.toMatchObject({ code: 'USAGE', message: `port ${server.port} on 127.0.0.1 is in use` });
  });

  it('xp docs serve asks for docs generate first', async () => {
    f = await testedProject([]);
    const r = await xp(f.root, 'docs', 'serve', '--port', '0');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([`error[USAGE]: no docs in ${f.file('target/docs')}`, '  hint: run xp docs generate first']);
  });

  it('xp docs serve runs until SIGTERM', async () => {
    f = await testedProject([]);
    expect((await xp(f.root, 'docs', 'generate')).code).toBe(0);
    const child = spawn(process.execPath, [path.join(REPO, 'bin/xp.js'), 'docs', 'serve', '--port', '0'], { cwd: f.root, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const page = await (await fetch(url)).text();
    expect(page).toContain('<svg class="lineage"');
    const code = await new Promise<number | null>((resolve) => {
      child.removeAllListeners('exit');
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});
