/**
 * Third-party packages enter through one door each (STYLE.md): the S3 client only in
 * src/storage/s3/, and the test S3 server (s3rver) never in src/.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** Files under src/ importing a module whose name matches `pattern` (static, dynamic or require). */
function importers(pattern: RegExp): string[] {
  const spec = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;
  return sources(path.join(root, 'src')).filter((file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    return [...text.matchAll(spec)].some((m) => pattern.test(m[1]!));
  });
}

describe('import doors', () => {
  it('@aws-sdk/* is imported only under src/storage/s3/', () => {
    const outside = importers(/^@aws-sdk\/|^@smithy\//).filter((f) => !f.startsWith('src/storage/s3/'));
    expect(outside).toEqual([]);
  });

  it('s3rver is never imported by src/', () => {
    expect(importers(/^s3rver(\/|$)/)).toEqual([]);
  });
});
