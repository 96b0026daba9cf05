/**
 * Snapshot an experiment's raw inputs: list its objects in the raw store, stage them
 * locally (a no-op for a local folder), and map each source table to its files.
 */
import { sha256 } from '../core/hash.ts';
import type { RawObject, RawStore, StageProgress } from './types.ts';
import { tableOfKey } from './types.ts';
import { checkRawSchema, type RawFile } from './raw-schema.ts';

/** Source table ("raw.exposures") → the local Parquet files of one partition. */
export type SourceFiles = ReadonlyMap<string, readonly string[]>;

/** Hash of a partition's raw objects: keys, sizes and ETags, in key order. */
export function snapshotHash(objects: readonly RawObject[]): string {
  return sha256(...[...objects].sort((a, b) => a.key.localeCompare(b.key)).map((o) => `${o.key}|${o.size}|${o.etag}`));
}

export interface InputSnapshot {
  readonly experimentId: string;
  readonly objects: readonly RawObject[];
  readonly hash: string;
}

export async function snapshotInputs(store: RawStore, experimentId: string): Promise<InputSnapshot> {
  const objects = (await store.list(experimentId)).filter((o) => tableOfKey(experimentId, o.key) !== undefined);
  return { experimentId, objects, hash: snapshotHash(objects) };
}

/**
 * Stage the snapshot's objects locally, check their columns (raw-schema.ts: a bad file is
 * refused here, before any model runs) and group their paths by source table. `checked`:
 * the snapshot is one an earlier build already checked and recorded (same keys, sizes and
 * ETags), so reading every file's schema again is skipped.
 */
export async function stageInputs(store: RawStore, snapshot: InputSnapshot, progress?: StageProgress, checked = false): Promise<SourceFiles> {
  const paths = await store.localPaths(snapshot.experimentId, snapshot.objects, progress);
  const staged: RawFile[] = snapshot.objects.map((o) => ({ table: tableOfKey(snapshot.experimentId, o.key)!, key: o.key, path: paths.get(o.key)! }));
  if (!checked) await checkRawSchema(snapshot.experimentId, staged);
  const files = new Map<string, string[]>();
  for (const f of staged) {
    const list = files.get(`raw.${f.table}`) ?? [];
    list.push(f.path);
    files.set(`raw.${f.table}`, list);
  }
  return files;
}

/** Where the raw files of a table would be, for compiling before any data exists. */
export function expectedSourceGlob(store: RawStore, experimentId: string, table: string): string {
  return `read_parquet('${store.uri.replace(/^file:\/\//, '').replaceAll("'", "''")}/${experimentId}/${table}/*.parquet', union_by_name = true)`;
}
