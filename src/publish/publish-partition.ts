/**
 * Publish one partition of one warehouse table to the lake, replacing the previous
 * publication without a window where a reader following the manifest sees a mix:
 *
 *   1. DuckDB writes the partition's rows as `part-<new generation>-<i>.parquet` to a
 *      staging folder, and the lake moves or uploads them into the partition folder
 *      (the old manifest still names the old files, so readers see the old generation);
 *   2. the manifest is replaced in one step (readers now see the new generation);
 *   3. every other file in the folder is deleted: the old generation and anything a
 *      publication that died left behind.
 *
 * A failure before step 2 keeps the previous publication and removes what it uploaded;
 * files a failed step 3 leaves behind are swept by the next build (sweepPartition). A
 * process killed at any step leaves the old or the new manifest in place, each naming
 * only files that exist; what it left behind is swept by the next build (kill points:
 * src/core/kill-points.ts, tests/publish/crash.test.ts).
 */
import { readdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../engine/connection.ts';
import { killPoint, publishKillPoint } from '../core/kill-points.ts';
import { MODEL_SCHEMA } from '../engine/platform-store.ts';
import { relation, sqlLiteral } from '../engine/sql.ts';
import { partitionFolder, type Lake, type LakeFile, type PartitionRef } from './lake.ts';
import { isGenerationFile, manifestText, MANIFEST_FORMAT, newGeneration, type Manifest } from './manifest.ts';
import { ensureBuildData } from '../engine/scratch/scratch-db.ts';

/** Split a large partition into files of about this size. */
export const TARGET_FILE_SIZE = '256MB';

export interface PublishRequest extends PartitionRef {
  readonly fingerprint: string;
  readonly runId: string;
}

export type PublishPhase = 'files-written' | 'manifest-written' | 'old-files-deleted';

export interface PublishOptions {
  /** called after each step (tests read the lake mid-publication here) */
  readonly onPhase?: (phase: PublishPhase, manifest: Manifest | undefined) => Promise<void> | void;
}

/** Write the partition's rows (experiment_id left out: it is the Hive key) into `dir`. */
async function writeGeneration(db: Db, ref: PartitionRef, generation: string, dir: string): Promise<{ names: string[]; rows: number; columns: Manifest['columns'] }> {
  const select = `select * exclude (experiment_id) from ${relation(MODEL_SCHEMA, ref.table)} where experiment_id = $1`;
  const columns = (await db.columns(select, [ref.experimentId])).map((c) => ({ name: c.name, type: c.type }));
  await mkdir(path.dirname(dir), { recursive: true });
  const rows = await db.run(
    `copy (${select}) to ${sqlLiteral(dir)} (format parquet, filename_pattern ${sqlLiteral(`part-${generation}-{i}`)}, file_size_bytes ${sqlLiteral(TARGET_FILE_SIZE)})`,
    [ref.experimentId],
  );
  const names = readdirSync(dir).filter((n) => isGenerationFile(n, generation)).sort();
  return { names, rows, columns };
}

export async function publishPartition(db: Db, lake: Lake, req: PublishRequest, opts: PublishOptions = {}): Promise<Manifest> {
  await ensureBuildData(db);
  const ref: PartitionRef = { table: req.table, experimentId: req.experimentId };
  partitionFolder(ref); // refuses ids and table names that could leave the lake, before anything is written
  const generation = newGeneration();
  const staging = lake.stagingDir(ref, generation);
  let files: LakeFile[] = [];
  let written: Awaited<ReturnType<typeof writeGeneration>>;
  try {
    written = await writeGeneration(db, ref, generation, staging);
    killPoint('after', publishKillPoint(ref.table, 'staged'));
    files = await lake.commitFiles(ref, staging, written.names);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    await lake.deleteFiles(ref, files.map((f) => f.name)).catch(() => undefined);
    throw err;
  }
  killPoint('after', publishKillPoint(ref.table, 'files'));
  await opts.onPhase?.('files-written', undefined);

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    table: req.table,
    experiment_id: req.experimentId,
    generation,
    fingerprint: req.fingerprint,
    run_id: req.runId,
    published_at: new Date().toISOString(),
    rows: written.rows,
    columns: written.columns,
    files,
  };
  // No clean-up when this fails: the PUT may have landed even if its answer did not, and
  // then these files are the current ones. Left-overs are swept by the next publication.
  await lake.writeManifest(ref, manifestText(manifest));
  killPoint('after', publishKillPoint(ref.table, 'manifest'));
  await opts.onPhase?.('manifest-written', manifest);

  await sweepPartition(lake, ref, manifest);
  killPoint('after', publishKillPoint(ref.table, 'swept'));
  await opts.onPhase?.('old-files-deleted', manifest);
  return manifest;
}

/** Delete every file of the partition folder that its manifest does not list; returns their names. */
export async function sweepPartition(lake: Lake, ref: PartitionRef, manifest: Manifest): Promise<string[]> {
  const current = new Set(manifest.files.map((f) => f.name));
  const stale = (await lake.listFiles(ref)).filter((n) => !current.has(n));
  await lake.deleteFiles(ref, stale);
  return stale;
}
