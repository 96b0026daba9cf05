/**
 * The published-results lake, as the publisher and the lake reader see it. Layout (Hive
 * partitioning, so Spark, Trino or another DuckDB read it as a partitioned table):
 *
 *   <lake>/<table>/experiment_id=<id>/part-<generation>-<i>.parquet
 *   <lake>/<table>/experiment_id=<id>/_manifest.json     ← the files that are current
 *
 * Back ends: local/ (a folder, `file://`) and s3/ (a bucket prefix, `s3://`).
 */
import { experimentIdSchema } from '../project/config-schema.ts';
import { XpError } from '../core/errors.ts';

/** One partition of one published table. */
export interface PartitionRef {
  readonly table: string;
  readonly experimentId: string;
}

/** A data file of a partition, as its manifest lists it. */
export interface LakeFile {
  /** file name inside the partition folder */
  readonly name: string;
  readonly size: number;
  /** hex MD5 of the content */
  readonly md5: string;
  /** what the store reports for it (S3 ETag; the MD5 for a folder) */
  readonly etag: string;
}

export interface Lake {
  /** `file:///abs/lake` or `s3://bucket/prefix` */
  readonly uri: string;
  /** every partition that has a manifest, sorted by table then experiment */
  partitions(): Promise<PartitionRef[]>;
  /** the manifest's text, or undefined when the partition was never published */
  readManifest(ref: PartitionRef): Promise<string | undefined>;
  /** a local folder that does not exist yet, for DuckDB to write a new generation's files into */
  stagingDir(ref: PartitionRef, generation: string): string;
  /** move or upload the staged files into the partition folder (manifest readers do not see them yet) */
  commitFiles(ref: PartitionRef, stagingDir: string, names: readonly string[]): Promise<LakeFile[]>;
  /** replace the partition's manifest in one step (a rename, or one PUT) */
  writeManifest(ref: PartitionRef, text: string): Promise<void>;
  /** names of everything in the partition folder except the manifest */
  listFiles(ref: PartitionRef): Promise<string[]>;
  deleteFiles(ref: PartitionRef, names: readonly string[]): Promise<void>;
  /**
   * A local path DuckDB can read for a file the manifest lists: the file itself for a
   * folder, a verified cache copy for S3. STORAGE_NOT_FOUND when it is gone (republished).
   */
  localPath(ref: PartitionRef, file: LakeFile): Promise<string>;
  close(): Promise<void>;
}

export const MANIFEST_NAME = '_manifest.json';
const TABLE_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const isExperimentId = (id: string): boolean => experimentIdSchema.safeParse(id).success;

/** `<table>/experiment_id=<id>`, after checking both are plain names that cannot leave the lake. */
export function partitionFolder(ref: PartitionRef): string {
  if (!TABLE_PATTERN.test(ref.table)) {
    throw new XpError('EXPERIMENT_ID_INVALID', `table name ${JSON.stringify(ref.table)} cannot be a lake folder`, {
      location: { model: ref.table },
      hint: 'published tables are models or plugin tables named like SQL identifiers',
    });
  }
  if (!isExperimentId(ref.experimentId)) {
    throw new XpError('EXPERIMENT_ID_INVALID', `invalid experiment id ${JSON.stringify(ref.experimentId)}: it cannot name a lake partition`, {
      location: { experiment: JSON.stringify(ref.experimentId) },
      hint: 'experiment ids must match ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ without "..", so they cannot leave their prefix',
    });
  }
  return `${ref.table}/experiment_id=${ref.experimentId}`;
}

/** `<table>/experiment_id=<id>/_manifest.json` → the partition; undefined for anything else. */
export function partitionOfManifestKey(key: string): PartitionRef | undefined {
  const m = /^([^/]+)\/experiment_id=([^/]+)\/_manifest\.json$/.exec(key);
  if (!m || !TABLE_PATTERN.test(m[1]!) || !isExperimentId(m[2]!)) return undefined;
  return { table: m[1]!, experimentId: m[2]! };
}

export const compareRefs = (a: PartitionRef, b: PartitionRef): number =>
  a.table < b.table ? -1 : a.table > b.table ? 1 : a.experimentId < b.experimentId ? -1 : a.experimentId > b.experimentId ? 1 : 0;
