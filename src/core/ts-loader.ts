/**
 * A TypeScript loader for the project's own files (analyses/*.ts, macro helpers). The
 * compiled runner (dist/) registers tsx the first time it imports one; running from the
 * sources, a loader is already in place (bin/xp.js registers tsx, vitest has its own).
 */
let registered = import.meta.url.endsWith('.ts');

export async function ensureTypeScriptLoader(): Promise<void> {
  if (registered) return;
  const { register } = await import('tsx/esm/api');
  register();
  registered = true;
}
