/**
 * Partial parsing (as dbt's partial_parse): what loading a project derives from the text
 * of its files (parsed YAML, the refs of a model template, compiled templates) is kept in
 * `<target>/parse-cache.json` under a hash of that text and of the code's version, so an
 * unchanged project is not parsed again at every start. Keys are content hashes, not
 * mtimes: an edited file hashes differently, so invalidation is exact whatever the clock
 * or the file system says. A cache that cannot be read, or an entry whose check does not
 * match, is ignored and rewritten; only values that survive JSON unchanged are kept.
 *
 * One cache per process, opened by loadProject (src/runner/load-project.ts) and written
 * when the project has loaded; without one, `memo` just computes.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from './hash.ts';

/** Bump when what a kind derives changes shape: old entries then miss. */
const FORMAT = 'parse-cache-v1';

interface Entry {
  /** the value as JSON */
  readonly v: string;
  /** sha256(key, v): a torn or edited entry is not believed */
  readonly c: string;
}

interface OpenCache {
  readonly file: string;
  readonly entries: Map<string, Entry>;
  readonly used: Set<string>;
  changed: boolean;
}

let cache: OpenCache | undefined;

/** Plain JSON all the way down (no Infinity, NaN, undefined, Date, class instances): it reads back equal. */
export function jsonExact(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) {
    // a hole reads back as null: `every` would skip it
    for (let i = 0; i < value.length; i++) if (!(i in value) || !jsonExact(value[i])) return false;
    return true;
  }
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.entries(value).every(([k, v]) => k !== '__proto__' && jsonExact(v));
}

function readEntries(file: string): Map<string, Entry> {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; entries?: unknown };
    if (doc.format !== FORMAT || !doc.entries || typeof doc.entries !== 'object') return new Map();
    const out = new Map<string, Entry>();
    for (const [key, e] of Object.entries(doc.entries as Record<string, Entry>)) {
      if (e && typeof e.v === 'string' && typeof e.c === 'string') out.set(key, e);
    }
    return out;
  } catch {
    return new Map(); // missing, torn or not ours: start empty
  }
}

/** Use `file` as this process's cache from now on. */
export function openParseCache(file: string): void {
  cache = { file, entries: readEntries(file), used: new Set(), changed: false };
}

/**
 * Write the cache if anything was added. Entries this process did not use (an edited
 * file's old text, or what a later step will use) are kept while they are fewer than the
 * used ones, so the file stays within twice what the project needs.
 */
export function saveParseCache(): void {
  const c = cache;
  if (!c || !c.changed) return;
  const entries: Record<string, Entry> = {};
  const unused = [...c.entries.keys()].filter((k) => !c.used.has(k));
  for (const key of [...c.used, ...(unused.length <= c.used.size ? unused : [])]) entries[key] = c.entries.get(key)!;
  try {
    mkdirSync(path.dirname(c.file), { recursive: true });
    const tmp = `${c.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, entries }));
    renameSync(tmp, c.file);
    c.changed = false;
  } catch {
    // a read-only target folder: the next start parses again, nothing is wrong
  }
}

/** Stop using a cache (tests; a command that loads a second project). */
export function closeParseCache(): void {
  cache = undefined;
}

/**
 * `compute()`, or what it returned before for the same `kind` and `parts`. `compute` must
 * be a pure function of `parts` (and of this code): that is what makes a hit exact. A
 * value that throws is never kept, so an error is raised afresh each time.
 */
export function memo<T>(kind: string, parts: readonly string[], compute: () => T): T {
  const c = cache;
  if (!c) return compute();
  const key = sha256(FORMAT, kind, ...parts);
  const hit = c.entries.get(key);
  if (hit && sha256(key, hit.v) === hit.c) {
    c.used.add(key);
    return JSON.parse(hit.v) as T;
  }
  const value = compute();
  if (jsonExact(value)) {
    const v = JSON.stringify(value);
    c.entries.set(key, { v, c: sha256(key, v) });
    c.used.add(key);
    c.changed = true;
  }
  return value;
}
