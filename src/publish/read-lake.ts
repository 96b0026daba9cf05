/**
 * Read the published lake without the warehouse: follow each partition's manifest to its
 * files (S3 files through the verified download cache), and put one view per table,
 * `exp.<table>`, over them in an in-memory DuckDB sandboxed to exactly those files
 * (src/engine/sandbox.ts). A partition republished while we read (a listed file is gone)
 * is resolved again from its new manifest.
 */
import { XpError } from '../core/errors.ts';
import { openDb, type Db } from '../engine/connection.ts';
import { MODEL_SCHEMA } from '../engine/platform-store.ts';
import { sandboxSettings } from '../engine/sandbox.ts';
import type { ProjectConfig } from '../project/types.ts';
import { relation, sqlLiteral } from '../engine/sql.ts';
import type { Lake, PartitionRef } from './lake.ts';
import { parseManifest, type Manifest } from './manifest.ts';
import { openLake } from './open-lake.ts';

/**
 * Times the lake is resolved again when files vanish under us (a publication replaced
 * them), waiting RETRY_BASE_MS · 2^(attempt-1) before each new try.
 */
export const READ_ATTEMPTS = 5;
const RETRY_BASE_MS = 25;
export const readRetryDelay = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * 2 ** (attempt - 1)));

export interface ResolvedPartition extends PartitionRef {
  readonly manifest: Manifest;
  /** local paths DuckDB reads, in manifest order */
  readonly paths: readonly string[];
}

export interface LakeReader {
  readonly uri: string;
  readonly db: Db;
  /** published tables, sorted */
  readonly tables: readonly string[];
  readonly partitions: readonly ResolvedPartition[];
  /** closes the database and releases the files it reads (a local lake's pins) */
  close(): Promise<void>;
}

function corrupt(lake: Lake, ref: PartitionRef, reason: string): XpError {
  return new XpError('QUERY_FAILED', `the lake manifest ${lake.uri}/${ref.table}/experiment_id=${ref.experimentId}/_manifest.json is unusable: ${reason}`, {
    location: { experiment: ref.experimentId, model: ref.table },
    hint: `rebuild the experiment (\`xp build --select ${ref.experimentId} --full-refresh\`) to publish it again`,
  });
}

/** The partition's current manifest and a local path for each of its files; undefined if it was unpublished meanwhile. */
export async function resolvePartition(lake: Lake, ref: PartitionRef): Promise<ResolvedPartition | undefined> {
  for (let attempt = 1; ; attempt++) {
    const text = await lake.readManifest(ref);
    if (text === undefined) return undefined;
    const parsed = parseManifest(text, ref);
    if (!parsed.ok) throw corrupt(lake, ref, parsed.reason);
    try {
      const paths: string[] = [];
      for (const file of parsed.manifest.files) paths.push(await lake.localPath(ref, file));
      return { ...ref, manifest: parsed.manifest, paths };
    } catch (err) {
      const vanished = err instanceof XpError && (err.code === 'STORAGE_NOT_FOUND' || err.code === 'INPUT_CHANGED');
      if (!vanished || attempt >= READ_ATTEMPTS) throw err;
      await readRetryDelay(attempt);
    }
  }
}

/** `select <id> as experiment_id, * from read_parquet([...])` per partition, stacked by column name. */
export function tableViewSql(table: string, partitions: readonly ResolvedPartition[]): string {
  const parts = partitions.map((p) =>
    // hive_partitioning off: the id comes from the manifest, not from whatever the local path looks like
    `select ${sqlLiteral(p.experimentId)}::varchar as experiment_id, * from read_parquet(${sqlLiteral([...p.paths])}, hive_partitioning = false)`);
  return `create or replace view ${relation(MODEL_SCHEMA, table)} as\n${parts.join('\nunion all by name\n')}`;
}

/** DuckDB's words for a file a view or query named that is gone (a publication replaced it meanwhile). */
export function isVanishedFileError(message: string): boolean {
  return /No files found|No such file|Cannot open file|could not open/i.test(message);
}

async function createViews(partitions: readonly ResolvedPartition[]): Promise<{ db: Db; tables: string[] }> {
  const tables = [...new Set(partitions.map((p) => p.table))].sort();
  // the views' files are the only ones the database may open (allowed_paths)
  const db = await openDb(':memory:', { lockedSettings: sandboxSettings(partitions.flatMap((p) => p.paths)) });
  try {
    await db.run(`create schema ${MODEL_SCHEMA}`);
    for (const table of tables) await db.run(tableViewSql(table, partitions.filter((p) => p.table === table)));
    return { db, tables };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Open the lake of `config` for reading; USAGE (exit 2) when storage.lake is not set. */
export async function openLakeReader(config: ProjectConfig, env: NodeJS.ProcessEnv = process.env): Promise<LakeReader> {
  const lake = await openLake(config, env);
  if (!lake) {
    throw new XpError('USAGE', `--lake: storage.lake is not set in ${config.file}`, {
      location: { file: config.file },
      hint: 'set storage.lake (file://<folder> or s3://<bucket>/<prefix>) and run `xp build` to publish results there',
    });
  }
  try {
    for (let attempt = 1; ; attempt++) {
      const partitions: ResolvedPartition[] = [];
      for (const ref of await lake.partitions()) {
        const resolved = await resolvePartition(lake, ref);
        if (resolved) partitions.push(resolved);
      }
      try {
        const { db, tables } = await createViews(partitions);
        const open = lake;
        return { uri: lake.uri, db, tables, partitions, close: async () => { db.close(); await open.close(); } };
      } catch (cause) {
        const message = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!;
        // a file read in place was replaced between resolving and binding the views
        if (isVanishedFileError(message) && attempt < READ_ATTEMPTS) {
          await readRetryDelay(attempt);
          continue;
        }
        throw new XpError('QUERY_FAILED', `cannot read the lake ${lake.uri}: ${message}`, {
          hint: 'a published file may be damaged or kept being replaced; run again, or rebuild the experiment with --full-refresh to publish it again',
          cause,
        });
      }
    }
  } catch (err) {
    await lake.close();
    throw err;
  }
}
