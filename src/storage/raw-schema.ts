/**
 * The columns the raw tables must have, checked file by file at the door, after staging and
 * before any model runs. Without it a file missing `variant` fails deep in a model with a
 * binder error naming neither file nor column, and, next to files that have it, is read
 * with `variant` NULL (`union_by_name`). The contract is what models/staging casts: keep
 * the two in step.
 */
import { XpError } from '../core/errors.ts';
import { openDb, type Db } from '../engine/connection.ts';

/** A column's kind and the DuckDB types the staging casts read without loss. */
interface Kind {
  /** the type named in messages */
  readonly expected: string;
  readonly accepts: (duckdbType: string) => boolean;
}

const INTEGER = /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/;
const TEXT: Kind = { expected: 'VARCHAR', accepts: (t) => t === 'VARCHAR' || t === 'UUID' || INTEGER.test(t) };
const NUMBER: Kind = { expected: 'DOUBLE', accepts: (t) => t === 'DOUBLE' || t === 'FLOAT' || INTEGER.test(t) || /^DECIMAL\(\d+,\d+\)$/.test(t) };
const TIMESTAMP: Kind = {
  expected: 'TIMESTAMP',
  accepts: (t) => /^TIMESTAMP(_S|_MS|_NS)?$/.test(t) || t === 'TIMESTAMP WITH TIME ZONE' || t === 'DATE',
};

/** Source table → its required columns, in order. Extra columns are allowed (and ignored). */
export const RAW_TABLE_COLUMNS: Readonly<Record<string, readonly (readonly [string, Kind])[]>> = {
  exposures: [['experiment_id', TEXT], ['user_id', TEXT], ['variant', TEXT], ['exposed_at', TIMESTAMP]],
  outcomes: [['experiment_id', TEXT], ['user_id', TEXT], ['event', TEXT], ['value', NUMBER], ['occurred_at', TIMESTAMP]],
};

export interface RawFile {
  /** "exposures" */
  readonly table: string;
  /** object key in the store, e.g. exp_1/exposures/part-0.parquet */
  readonly key: string;
  /** local path DuckDB reads */
  readonly path: string;
}

const contractText = (table: string): string =>
  RAW_TABLE_COLUMNS[table]!.map(([name, kind]) => `${name} ${kind.expected}`).join(', ');

function schemaError(experimentId: string, file: RawFile, message: string): XpError {
  return new XpError('RAW_SCHEMA_INVALID', `raw file ${file.path}: ${message}`, {
    location: { experiment: experimentId, object: file.key },
    hint: `write raw.${file.table} files with the columns ${contractText(file.table)} (integers pass for VARCHAR and DOUBLE, DATE and TIMESTAMP_* for TIMESTAMP; extra columns are ignored), or remove the file from the raw folder; no model ran, the previous partition is intact`,
  });
}

async function checkFile(db: Db, experimentId: string, file: RawFile): Promise<void> {
  const contract = RAW_TABLE_COLUMNS[file.table];
  if (!contract) return; // a table of the project's own: its staging model is its contract
  let columns: { name: string; type: string }[];
  try {
    columns = await db.columns('select * from read_parquet($file)', { file: file.path });
  } catch {
    return; // not readable Parquet at all: the model that reads it reports RAW_DATA_CORRUPT with DuckDB's reason
  }
  const problem = contractProblem(file.table, columns);
  if (problem) throw schemaError(experimentId, file, problem);
}

/** What breaks the contract of `table` in these columns (DuckDB type names), or undefined. Also the warehouse store's door check. */
export function contractProblem(table: string, columns: readonly { name: string; type: string }[]): string | undefined {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  for (const [name, kind] of RAW_TABLE_COLUMNS[table] ?? []) {
    const found = types.get(name);
    if (found === undefined) return `column "${name}" is missing (expected ${kind.expected})`;
    if (!kind.accepts(found)) return `column "${name}" is ${found}, expected ${kind.expected}`;
  }
  return undefined;
}

/** The contract of `table` as text, for hints. */
export const rawContractText = (table: string): string => (RAW_TABLE_COLUMNS[table] ? contractText(table) : '');

/** Throws RAW_SCHEMA_INVALID for the first file (in key order) whose columns break the contract. */
export async function checkRawSchema(experimentId: string, files: readonly RawFile[]): Promise<void> {
  const checked = files.filter((f) => RAW_TABLE_COLUMNS[f.table]).sort((a, b) => a.key.localeCompare(b.key));
  if (checked.length === 0) return;
  const db = await openDb(':memory:');
  try {
    for (const file of checked) await checkFile(db, experimentId, file);
  } finally {
    db.close();
  }
}

/**
 * An experiment's `dimensions` are columns its raw exposures must carry: checked file by
 * file (every build of an experiment that has dimensions), so a missing one names the file
 * and the column instead of failing deep in models/checks/srm_dimension_counts.
 */
export async function checkDimensionColumns(experimentId: string, dimensions: readonly string[], files: readonly Pick<RawFile, 'key' | 'path'>[]): Promise<void> {
  if (dimensions.length === 0 || files.length === 0) return;
  const db = await openDb(':memory:');
  try {
    for (const file of [...files].sort((a, b) => a.key.localeCompare(b.key))) {
      let names: Set<string>;
      try {
        names = new Set((await db.columns('select * from read_parquet($file)', { file: file.path })).map((c) => c.name));
      } catch {
        continue; // unreadable: reported as RAW_DATA_CORRUPT by the model that reads it
      }
      const missing = dimensions.find((d) => !names.has(d));
      if (missing) {
        throw new XpError('RAW_SCHEMA_INVALID', `raw file ${file.path}: column "${missing}" is missing, and experiment ${experimentId} lists it under dimensions`, {
          location: { experiment: experimentId, object: file.key },
          hint: `add a "${missing}" column to the raw exposures files, or remove "${missing}" from the experiment's dimensions; no model ran, the previous partition is intact`,
        });
      }
    }
  } finally {
    db.close();
  }
}
