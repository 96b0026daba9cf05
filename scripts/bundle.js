/**
 * Bundles the compiled runner (dist/, from `tsc`) into dist/bundle/ so a start loads a few
 * files instead of ~560 ES modules (kysely alone is 262 of them, zod 95): Node resolves,
 * reads and links each module on its own, which cost more than the command itself on a
 * no-op build. Dynamic imports stay separate chunks (splitting), so commands and heavy
 * packages still load only when used. Packages with native parts or that are loaded
 * lazily (DuckDB, the S3 SDK, vega, elkjs, pg, tsx, …) stay external, loaded from
 * node_modules as before.
 *
 * Each module's `import.meta.url` is rewritten to the URL of its own file in dist/, so
 * paths it resolves relative to itself (../../src/report/, package.json) stay the same.
 */
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'bundle');

/** Pure-JS packages on every command's path: worth inlining (many small modules each). */
const INLINE = new Set(['kysely', 'zod', 'yaml', 'handlebars', 'commander', 'source-map']);

const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** @type {import('esbuild').Plugin} */
const layout = {
  name: 'xp-layout',
  setup(b) {
    // DuckDB's CommonJS entry re-exports ~40 files: imported as an ES module, Node lexes each
    // for its export names; required, it does not
    b.onResolve({ filter: /^@duckdb\/node-api$/ }, (args) =>
      args.namespace === 'xp-require' ? { path: args.path, external: true } : { path: args.path, namespace: 'xp-require' });
    b.onLoad({ filter: /.*/, namespace: 'xp-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      return INLINE.has(packageOf(args.path)) ? undefined : { path: args.path, external: true };
    });
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + path.sep)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const rel = path.relative(outdir, args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { xp: path.join(dist, 'cli/main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  plugins: [layout],
  // the inlined CommonJS packages (handlebars, yaml) call require() for Node's own modules
  banner: { js: "import { createRequire as __xpCreateRequire } from 'node:module'; const require = __xpCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
