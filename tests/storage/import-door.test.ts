/**
 * The test S3 server (s3rver, a devDependency) never enters src/: it serves only the
 * storage tests and `npm run s3:dev`. (The S3 client's door, src/storage/s3/, is checked
 * by tests/import-rules.test.ts.)
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

describe('import door for s3rver', () => {
  it('s3rver is never imported by src/', () => {
    expect(importers(/^s3rver(\/|$)/)).toEqual([]);
  });
});
