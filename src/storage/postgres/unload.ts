/**
 * Redshift's fast path for a large partition: `UNLOAD` the partition's rows to S3 as
 * Parquet (the cluster's slices write in parallel, nothing passes through the leader node),
 * then read those files through the S3 raw store's listing and cache, and merge them into
 * the one cached Parquet file of the source table with the declared column types.
 * Configured by `storage.warehouse_source.unload: { to: s3://bucket/prefix, iam_role }`;
 * the bucket is reached with `storage.s3`'s endpoint and credentials.
 */
import { XpError } from '../../core/errors.ts';
import { openDb } from '../../engine/connection.ts';
import { quoteIdent, sqlLiteral } from '../../engine/sql.ts';
import type { ProjectConfig } from '../../project/types.ts';
import type { RawStore } from '../types.ts';
import type { SourceConnection, SourceField } from './connect.ts';
import type { SourceTable } from './settings.ts';
import { unloadSql } from './source-sql.ts';
import { duckdbTypeOf } from './types-map.ts';

/** Runs one UNLOAD statement; the default sends it to the source. */
export type Unloader = (conn: SourceConnection, statement: string) => Promise<void>;
export const sendUnload: Unloader = async (conn, statement) => {
  await conn.query(statement);
};

export interface UnloadTarget {
  /** `s3://bucket/prefix`, no trailing slash */
  readonly uri: string;
  readonly iamRole: string | undefined;
}

export interface UnloadJob {
  readonly conn: SourceConnection;
  readonly config: ProjectConfig;
  readonly env: NodeJS.ProcessEnv | undefined;
  readonly target: UnloadTarget;
  readonly relation: string;
  readonly table: SourceTable;
  readonly experimentId: string;
  readonly fields: readonly SourceField[];
  readonly parquetFile: string;
  readonly unloader: Unloader;
}

/** UNLOAD the partition to `<to>/<id>/<table>/`, download its files, merge them into `parquetFile`; returns the rows. */
export async function unloadToParquet(job: UnloadJob): Promise<number> {
  const folder = `${job.target.uri}/${job.experimentId}/${job.table}`;
  await job.unloader(job.conn, unloadSql(job.relation, job.experimentId, folder, job.target.iamRole));
  const s3 = await unloadStore(job);
  try {
    const objects = (await s3.list(job.experimentId)).filter((o) => o.key.startsWith(`${job.experimentId}/${job.table}/`));
    if (objects.length === 0) {
      throw new XpError('STORAGE_NOT_FOUND', `UNLOAD of raw.${job.table} for experiment ${job.experimentId} left no Parquet file under ${folder}/`, {
        location: { experiment: job.experimentId, file: job.config.file },
        hint: 'check that the cluster\'s IAM role (storage.warehouse_source.unload.iam_role) may write there and that storage.s3 reaches the same bucket; nothing was built',
      });
    }
    const paths = [...(await s3.localPaths(job.experimentId, objects)).values()];
    return await mergeParquet(paths, job.fields, job.parquetFile);
  } finally {
    await s3.close?.();
  }
}

/** The S3 raw store rooted at the UNLOAD prefix, so its listing, retries and cache serve here too. */
async function unloadStore(job: UnloadJob): Promise<RawStore> {
  const { s3RawStore } = await import('../s3/raw-store.ts');
  const config: ProjectConfig = { ...job.config, storage: { ...job.config.storage, raw: job.target.uri } };
  return s3RawStore(config, { env: job.env });
}

/** UNLOAD's files → one Parquet file with the source's declared types, in the source's column order. */
async function mergeParquet(files: readonly string[], fields: readonly SourceField[], parquetFile: string): Promise<number> {
  const columns = fields.map((f) => `cast(${quoteIdent(f.name)} as ${duckdbTypeOf(f.typeId)}) as ${quoteIdent(f.name)}`).join(', ');
  const db = await openDb(':memory:');
  try {
    return await db.run(`copy (select ${columns} from read_parquet([${files.map(sqlLiteral).join(', ')}])) to ${sqlLiteral(parquetFile)} (format parquet)`);
  } finally {
    db.close();
  }
}
