/**
 * The parse cache (src/core/parse-cache.ts): a hit gives back what was computed without
 * computing, any change of the parts misses, and a cache file that is corrupt, torn or
 * edited is ignored and written anew; values JSON cannot carry exactly, and errors, are
 * never kept.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeParseCache, jsonExact, memo, openParseCache, saveParseCache } from '../../src/core/parse-cache.ts';

let dir = '';
let file = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'xp-parse-cache-'));
  file = path.join(dir, 'target/parse-cache.json');
});
afterEach(() => {
  closeParseCache();
  rmSync(dir, { recursive: true, force: true });
});

/** memo with a counter of how often it computed. */
function counted<T>(value: T): { calls: () => number; get: (kind: string, parts: string[]) => T } {
  let n = 0;
  return { calls: () => n, get: (kind, parts) => memo(kind, parts, () => (n++, value)) };
}

/** A later process: the cache read back from its file. */
function reopen(): void {
  saveParseCache();
  closeParseCache();
  openParseCache(file);
}

describe('memo', () => {
  it('computes once per kind and parts across processes, and again when a part changes', () => {
    openParseCache(file);
    const c = counted({ refs: ['a'], n: 1 });
    expect(c.get('deps', ['select 1'])).toEqual({ refs: ['a'], n: 1 });
    reopen();
    expect(c.get('deps', ['select 1'])).toEqual({ refs: ['a'], n: 1 });
    expect(c.calls()).toBe(1);
    c.get('deps', ['select 2']);
    c.get('yaml', ['select 1']);
    c.get('deps', ['select 1', '']);
    expect(c.calls()).toBe(4);
  });

  it('without an open cache just computes', () => {
    const c = counted(1);
    c.get('k', ['x']);
    c.get('k', ['x']);
    expect(c.calls()).toBe(2);
    saveParseCache();
    expect(existsSync(file)).toBe(false);
  });

  it('ignores a corrupt cache file and writes a good one', () => {
    openParseCache(file);
    memo('k', ['x'], () => 1);
    saveParseCache();
    writeFileSync(file, '{"format": "parse-cache-v1", "entries": {"');
    openParseCache(file);
    const c = counted(2);
    expect(c.get('k', ['x'])).toBe(2);
    reopen();
    expect(c.get('k', ['x'])).toBe(2);
    expect(c.calls()).toBe(1);
    expect(() => JSON.parse(readFileSync(file, 'utf8')) as unknown).not.toThrow();
  });

  it('does not believe an entry whose value was edited', () => {
    openParseCache(file);
    memo('k', ['x'], () => ({ sql: 'select 1' }));
    saveParseCache();
    writeFileSync(file, readFileSync(file, 'utf8').replace('select 1', 'select 666'));
    openParseCache(file);
    expect(memo('k', ['x'], () => ({ sql: 'select 1' }))).toEqual({ sql: 'select 1' });
  });

  it('keeps neither values JSON would change nor errors', () => {
    openParseCache(file);
    const inf = counted({ cap: Infinity });
    inf.get('yaml', ['cap: .inf']);
    let throws = 0;
    expect(() => memo('deps', ['{{'], () => { throws++; throw new Error('bad'); })).toThrow('bad');
    reopen();
    expect(inf.get('yaml', ['cap: .inf'])).toEqual({ cap: Infinity });
    expect(inf.calls()).toBe(2);
    expect(() => memo('deps', ['{{'], () => { throws++; throw new Error('bad'); })).toThrow('bad');
    expect(throws).toBe(2);
  });
});

describe('jsonExact', () => {
  it('holds for plain JSON values only', () => {
    expect(jsonExact({ a: [1, 'x', null, true, { b: 2.5 }] })).toBe(true);
    for (const v of [Infinity, NaN, -0, undefined, new Date(0), [1, undefined], { a: undefined }, 1n, new Map()]) expect(jsonExact(v)).toBe(false);
    // eslint-disable-next-line no-sparse-arrays
    expect(jsonExact([1, , 2])).toBe(false);
  });
});
