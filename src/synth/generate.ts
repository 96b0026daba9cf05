/**
 * Write one experiment's synthetic raw Parquet: `<outDir>/exposures/part-0.parquet` and
 * `<outDir>/outcomes/part-0.parquet`, generated entirely in DuckDB. Deterministic per
 * (experiment id, seed): the same inputs give byte-identical files. Each file is written
 * under a hidden temporary name and renamed, so a crash never leaves half a file.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../engine/connection.ts';
import type { Experiment } from '../project/types.ts';
import { synthPlan } from './plan.ts';
import { exposuresSql, outcomesSql, usersSql } from './sql.ts';

export const SYNTH_TABLES = ['exposures', 'outcomes'] as const;
export type SynthTable = (typeof SYNTH_TABLES)[number];

export interface GeneratedData {
  /** absolute paths of the files written, exposures first */
  readonly files: string[];
  /** rows written to each file */
  readonly exposures: number;
  readonly outcomes: number;
}

/** Where the generator writes each table of an experiment folder. */
export function generatedFilesFor(outDir: string): Record<SynthTable, string> {
  const dir = path.resolve(outDir);
  return {
    exposures: path.join(dir, 'exposures', 'part-0.parquet'),
    outcomes: path.join(dir, 'outcomes', 'part-0.parquet'),
  };
}

function quotePath(file: string): string {
  return `'${file.replaceAll("'", "''")}'`;
}

async function copyAtomically(db: Db, sql: string, experimentId: string, file: string): Promise<number> {
  mkdirSync(path.dirname(file), { recursive: true });
  // A dot-name is ignored by raw-store listings, and the rename is atomic on one filesystem.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    const rows = await db.run(`copy (${sql}) to ${quotePath(tmp)} (format parquet)`, { experiment_id: experimentId });
    renameSync(tmp, file);
    return rows;
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Scratch tables in the caller's connection; temporary, so they never reach the warehouse file. */
const INDEX_TABLE = '__xp_synth_index';
const USERS_TABLE = '__xp_synth_users';

/** `partner`: the experiment the synth block's planted interaction names, if any. */
export async function generateExperimentData(db: Db, experiment: Experiment, outDir: string, partner?: Experiment): Promise<GeneratedData> {
  const plan = synthPlan(experiment, partner);
  const files = generatedFilesFor(outDir);
  try {
    // range() is a single-threaded source; materialising the indexes first lets every
    // later step scan a table in parallel.
    await db.run(`create or replace temp table ${INDEX_TABLE} as select i from range(${plan.nUsers}) as t(i)`);
    await db.run(`create or replace temp table ${USERS_TABLE} as ${usersSql(plan, INDEX_TABLE)}`);
    const exposures = await copyAtomically(db, exposuresSql(plan, USERS_TABLE), experiment.id, files.exposures);
    const outcomes = await copyAtomically(db, outcomesSql(plan, USERS_TABLE), experiment.id, files.outcomes);
    return { files: [files.exposures, files.outcomes], exposures, outcomes };
  } finally {
    await db.run(`drop table if exists ${USERS_TABLE}; drop table if exists ${INDEX_TABLE}`);
  }
}
