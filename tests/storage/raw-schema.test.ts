/**
 * The raw tables' columns are checked file by file at the door (src/storage/raw-schema.ts):
 * a missing column or one of a type the staging casts cannot read is refused naming the
 * file, the column and expected vs found type; lossless variants pass; files that are not
 * Parquet at all are left to the model, which names DuckDB's reason.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { checkRawSchema, type RawFile } from '../../src/storage/raw-schema.ts';
import { tempDir } from '../helpers/project.ts';

const GOOD_EXPOSURES = "select 'exp_1' as experiment_id, 'u1' as user_id, 'control' as variant, timestamp '2026-01-05 10:00:00' as exposed_at";
const GOOD_OUTCOMES = "select 'exp_1' as experiment_id, 'u1' as user_id, 'purchase' as event, 12.5::double as value, timestamp '2026-01-05 11:00:00' as occurred_at";

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = tempDir('raw-schema');
  db = await openDb(':memory:');
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function file(table: string, name: string, sql: string): Promise<RawFile> {
  const key = `exp_1/${table}/${name}`;
  const p = path.join(dir, key);
  mkdirSync(path.dirname(p), { recursive: true });
  await db.run(`copy (${sql}) to '${p}' (format parquet)`);
  return { table, key, path: p };
}

async function schemaError(files: readonly RawFile[]): Promise<XpError> {
  const err = await checkRawSchema('exp_1', files).then(() => undefined, (e: unknown) => e);
  if (err instanceof XpError) return err;
  throw new Error(`expected an XpError, got ${String(err)}`);
}

describe('checkRawSchema', () => {
  it('passes files with the contract columns, extra columns and lossless variants (integer ids, DATE, TIMESTAMPTZ, DECIMAL)', async () => {
    const files = [
      await file('exposures', 'good.parquet', `${GOOD_EXPOSURES}, 'web' as platform`),
      await file('exposures', 'variants.parquet', "select 'exp_1' as experiment_id, 42::bigint as user_id, 'control' as variant, date '2026-01-05' as exposed_at"),
      await file('outcomes', 'good.parquet', GOOD_OUTCOMES),
      await file('outcomes', 'variants.parquet', "select 'exp_1' as experiment_id, uuid() as user_id, 'purchase' as event, 12.50::decimal(10,2) as value, timestamptz '2026-01-05 11:00:00+00' as occurred_at"),
      await file('outcomes', 'ints.parquet', "select 'exp_1' as experiment_id, 7::integer as user_id, 'purchase' as event, 3::integer as value, timestamp_ns '2026-01-05 11:00:00' as occurred_at"),
    ];
    await expect(checkRawSchema('exp_1', files)).resolves.toBeUndefined();
  });

  it('a file without the variant column names the file and the column (exit 1), even beside good files', async () => {
    const good = await file('exposures', 'part-0.parquet', GOOD_EXPOSURES);
    const bad = await file('exposures', 'part-1.parquet', "select 'exp_1' as experiment_id, 'u2' as user_id, timestamp '2026-01-05 10:00:00' as exposed_at");
    const err = await schemaError([good, bad]);
    expect(err.code).toBe('RAW_SCHEMA_INVALID');
    expect(err.message).toBe(`raw file ${bad.path}: column "variant" is missing (expected VARCHAR)`);
    expect(err.location).toEqual({ experiment: 'exp_1', object: 'exp_1/exposures/part-1.parquet' });
    expect(err.hint).toBe('write raw.exposures files with the columns experiment_id VARCHAR, user_id VARCHAR, variant VARCHAR, exposed_at TIMESTAMP (integers pass for VARCHAR and DOUBLE, DATE and TIMESTAMP_* for TIMESTAMP; extra columns are ignored), or remove the file from the raw folder; no model ran, the previous partition is intact');
    expect(err.exitCode).toBe(1);
  });

  it('a column of the wrong type names the file, the column, the type found and the type expected', async () => {
    const bad = await file('outcomes', 'text-value.parquet', GOOD_OUTCOMES.replace('12.5::double as value', "'12.5' as value"));
    expect((await schemaError([bad])).message).toBe(`raw file ${bad.path}: column "value" is VARCHAR, expected DOUBLE`);
    const when = await file('exposures', 'text-time.parquet', GOOD_EXPOSURES.replace("timestamp '2026-01-05 10:00:00'", "'yesterday'"));
    expect((await schemaError([when])).message).toBe(`raw file ${when.path}: column "exposed_at" is VARCHAR, expected TIMESTAMP`);
    const flag = await file('exposures', 'bool-variant.parquet', GOOD_EXPOSURES.replace("'control' as variant", 'true as variant'));
    expect((await schemaError([flag])).message).toBe(`raw file ${flag.path}: column "variant" is BOOLEAN, expected VARCHAR`);
  });

  it('reports the first bad file in key order', async () => {
    const b = await file('outcomes', 'b.parquet', "select 'exp_1' as experiment_id");
    const a = await file('exposures', 'a.parquet', "select 'exp_1' as experiment_id");
    expect((await schemaError([b, a])).message).toBe(`raw file ${a.path}: column "user_id" is missing (expected VARCHAR)`);
  });

  it('leaves files that are not Parquet, and tables without a contract, to the models', async () => {
    const junk = path.join(dir, 'exp_1/exposures/junk.parquet');
    writeFileSync(junk, 'not parquet');
    const events = await file('events', 'part-0.parquet', 'select 1 as anything');
    await expect(checkRawSchema('exp_1', [{ table: 'exposures', key: 'exp_1/exposures/junk.parquet', path: junk }, events])).resolves.toBeUndefined();
  });
});
