/**
 * Compare two snapshots of a raw partition (what `list()` returned then and now). Pure and
 * back-end agnostic: the runner records a snapshot per build and refuses to go on when an
 * object it already read has changed, unless the user passes `--accept-input-change`.
 */
import type { RawObject } from './types.ts';

export interface ChangedObject {
  readonly key: string;
  readonly previous: RawObject;
  readonly current: RawObject;
}

export interface SnapshotDiff {
  /** in `current` only */
  readonly added: readonly RawObject[];
  /** same key, other ETag or size */
  readonly changed: readonly ChangedObject[];
  /** in `previous` only */
  readonly removed: readonly RawObject[];
}

const byKey = (a: { key: string }, b: { key: string }): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** What happened between two snapshots; every list sorted by key. Unchanged objects are left out. */
export function diffSnapshots(previous: readonly RawObject[], current: readonly RawObject[]): SnapshotDiff {
  const before = new Map(previous.map((o) => [o.key, o]));
  const now = new Map(current.map((o) => [o.key, o]));
  const added: RawObject[] = [];
  const changed: ChangedObject[] = [];
  for (const obj of now.values()) {
    const old = before.get(obj.key);
    if (old === undefined) added.push(obj);
    else if (old.etag !== obj.etag || old.size !== obj.size) changed.push({ key: obj.key, previous: old, current: obj });
  }
  const removed = [...before.values()].filter((o) => !now.has(o.key));
  return { added: added.sort(byKey), changed: changed.sort(byKey), removed: removed.sort(byKey) };
}

/** True when nothing was added, changed or removed. */
export function isUnchanged(diff: SnapshotDiff): boolean {
  return diff.added.length === 0 && diff.changed.length === 0 && diff.removed.length === 0;
}
