/**
 * Snapshot an experiment's raw inputs: list its objects in the raw store, stage them
 * locally (a no-op for a local folder), and map each source table to its files.
 */
import type { RawObject, RawStore, StageProgress } from '../storage/types.ts';
import { tableOfKey } from '../storage/types.ts';
import { snapshotHash } from '../plan/fingerprint.ts';
import type { SourceFiles } from '../template/render-models.ts';

export interface InputSnapshot {
  readonly experimentId: string;
  readonly objects: readonly RawObject[];
  readonly hash: string;
}

export async function snapshotInputs(store: RawStore, experimentId: string): Promise<InputSnapshot> {
  const objects = (await store.list(experimentId)).filter((o) => tableOfKey(experimentId, o.key) !== undefined);
  return { experimentId, objects, hash: snapshotHash(objects) };
}

/** Stage the snapshot's objects locally and group their paths by source table. */
export async function stageInputs(store: RawStore, snapshot: InputSnapshot, progress?: StageProgress): Promise<SourceFiles> {
  const paths = await store.localPaths(snapshot.experimentId, snapshot.objects, progress);
  const files = new Map<string, string[]>();
  for (const o of snapshot.objects) {
    const table = tableOfKey(snapshot.experimentId, o.key)!;
    const list = files.get(`raw.${table}`) ?? [];
    list.push(paths.get(o.key)!);
    files.set(`raw.${table}`, list);
  }
  return files;
}

/** Where the raw files of a table would be, for compiling before any data exists. */
export function expectedSourceGlob(store: RawStore, experimentId: string, table: string): string {
  return `read_parquet('${store.uri.replace(/^file:\/\//, '').replaceAll("'", "''")}/${experimentId}/${table}/*.parquet', union_by_name = true)`;
}
