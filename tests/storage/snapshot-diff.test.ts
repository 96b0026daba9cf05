import { describe, expect, it } from 'vitest';
import { diffSnapshots, isUnchanged } from '../../src/storage/snapshot-diff.ts';
import type { RawObject } from '../../src/storage/types.ts';

const obj = (key: string, etag: string, size = 10): RawObject => ({ key, etag, size });

describe('diffSnapshots', () => {
  it('reports added, changed (other ETag or size) and removed objects, each sorted by key', () => {
    const previous = [obj('e/x/b', '1'), obj('e/x/a', '1'), obj('e/y/gone', '1'), obj('e/y/resized', '1', 10), obj('e/y/same', '1')];
    const current = [obj('e/y/same', '1'), obj('e/z/new2', '1'), obj('e/x/a', '2'), obj('e/x/b', '1'), obj('e/y/resized', '1', 11), obj('e/z/new1', '1')];
    const diff = diffSnapshots(previous, current);
    expect(diff.added.map((o) => o.key)).toEqual(['e/z/new1', 'e/z/new2']);
    expect(diff.changed).toEqual([
      { key: 'e/x/a', previous: obj('e/x/a', '1'), current: obj('e/x/a', '2') },
      { key: 'e/y/resized', previous: obj('e/y/resized', '1', 10), current: obj('e/y/resized', '1', 11) },
    ]);
    expect(diff.removed).toEqual([obj('e/y/gone', '1')]);
    expect(isUnchanged(diff)).toBe(false);
  });

  it('is empty for identical snapshots in any order, and for two empty ones', () => {
    const a = [obj('k1', 'x'), obj('k2', 'y')];
    expect(isUnchanged(diffSnapshots(a, [...a].reverse()))).toBe(true);
    expect(diffSnapshots([], [])).toEqual({ added: [], changed: [], removed: [] });
  });

  it('treats everything as added against an empty previous snapshot', () => {
    expect(diffSnapshots([], [obj('k', 'x')]).added).toEqual([obj('k', 'x')]);
  });
});
