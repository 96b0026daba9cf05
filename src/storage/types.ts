/**
 * The raw object store, as the runner sees it: list an experiment's objects, get local
 * paths DuckDB can read, put generated files. Back ends: local/ (a folder) and s3/.
 * Keys are relative to the store root: `<experiment_id>/<table>/<file>.parquet`.
 */
export interface RawObject {
  readonly key: string;
  readonly size: number;
  /** ETag for S3; size+mtime for a local folder. A changed object changes its etag. */
  readonly etag: string;
}

export interface StageProgress {
  (done: number, total: number, key: string): void;
}

/** A raw folder on this machine: its objects are read where they are (nothing is downloaded or extracted to stage them). */
export function isLocalFolder(store: Pick<RawStore, 'uri'>): boolean {
  return store.uri.startsWith('file://');
}

export interface RawStore {
  /** e.g. file:///abs/data/raw/exp_platform or s3://bucket/prefix */
  readonly uri: string;
  /** every object under `<experimentId>/`, sorted by key */
  list(experimentId: string): Promise<RawObject[]>;
  /** local paths of the objects DuckDB should read (remote stores download to the cache) */
  localPaths(experimentId: string, objects: readonly RawObject[], progress?: StageProgress): Promise<Map<string, string>>;
  /** store a local file under `<experimentId>/<relativeKey>` */
  put(experimentId: string, relativeKey: string, localFile: string): Promise<void>;
  /** a local folder where generated files for the experiment may be written before `put` */
  scratchDir(experimentId: string): string;
  close?(): Promise<void>;
}

/** The tables a raw partition holds, by folder: `<id>/exposures/…`, `<id>/outcomes/…`. */
export function tableOfKey(experimentId: string, key: string): string | undefined {
  const rest = key.slice(experimentId.length + 1);
  const slash = rest.indexOf('/');
  return slash > 0 && key.startsWith(`${experimentId}/`) && key.endsWith('.parquet') ? rest.slice(0, slash) : undefined;
}
