/**
 * Bad raw input, end to end on the shipped project: each case fails (or is flagged) with
 * its exit code and an exact message naming the file, column, link or folder, and leaves
 * every experiment's previous partitions as they were.
 *
 * - rows labelled with another experiment in a raw folder: left out by staging, counted by
 *   raw_foreign_experiment_rows (error) → decision investigate, the analysed data unchanged
 * - a raw file missing a column, or with a column of the wrong type: RAW_SCHEMA_INVALID, exit 1
 * - a symlink leaving the raw store: CONFIG_INVALID, exit 2
 * - an experiment's raw "folder" that is a file: CONFIG_INVALID, exit 2
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedProject, SHIPPED_EXPERIMENTS } from '../helpers/shipped.ts';
import { xp } from '../helpers/cli.ts';
import { partitionHash, rows, withDb } from '../helpers/warehouse.ts';
import { tempDir, type TempProject } from '../helpers/project.ts';
import { openDb } from '../../src/engine/connection.ts';

const CHECKOUT = 'exp_checkout_button_001';
const ADD_CART = 'exp_add_cart_002';
const PRICING = 'exp_pricing_test_003';

let p: TempProject;
let outside: string;
const raw = (...parts: string[]): string => p.file('data/raw/exp_platform', ...parts);
const wh = (): string => p.file('target/warehouse.duckdb');

/** content hash of every experiment's partition of every exp.* table */
async function hashes(): Promise<Record<string, string>> {
  return withDb(wh(), async (db) => {
    const tables = await db.all<{ table_name: string }>(
      "select distinct table_name from information_schema.columns where table_schema = 'exp' and column_name = 'experiment_id' order by 1",
    );
    const out: Record<string, string> = {};
    for (const { table_name } of tables) {
      for (const id of SHIPPED_EXPERIMENTS) {
        const h = await partitionHash(db, table_name, id);
        out[`${table_name}@${id}`] = `${h.n}:${h.hash}`;
      }
    }
    return out;
  });
}

/** write a Parquet file from a query (raw files of the project may be read with their paths) */
async function copyTo(file: string, sql: string): Promise<number> {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = await openDb(':memory:');
  try {
    return await db.run(`copy (${sql}) to '${file.replaceAll("'", "''")}' (format parquet)`);
  } finally {
    db.close();
  }
}

const lit = (file: string): string => `'${file.replaceAll("'", "''")}'`;
const firstLine = (s: string): string => s.split('\n')[0]!;

beforeAll(async () => {
  p = shippedProject({ nUsers: 1500 });
  outside = tempDir('outside-raw');
  const r = await xp(p.root, 'build', '--select', 'all', '--generate-synth');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 120_000);
afterAll(() => {
  p.remove();
  rmSync(outside, { recursive: true, force: true });
});

describe('raw files that break the schema are refused at the door (exit 1), before any model runs', () => {
  it('a file without the variant column names the file and the column', async () => {
    const before = await hashes();
    const bad = raw(CHECKOUT, 'exposures', 'part-1.parquet');
    await copyTo(bad, `select experiment_id, user_id, exposed_at from ${lit(raw(CHECKOUT, 'exposures', 'part-0.parquet'))} limit 100`);
    try {
      const r = await xp(p.root, 'build', '--select', CHECKOUT);
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n').slice(0, 2)).toEqual([
        `error[RAW_SCHEMA_INVALID] experiment ${CHECKOUT} · object ${CHECKOUT}/exposures/part-1.parquet: raw file ${bad}: column "variant" is missing (expected VARCHAR)`,
        '  hint: write raw.exposures files with the columns experiment_id VARCHAR, user_id VARCHAR, variant VARCHAR, exposed_at TIMESTAMP (integers pass for VARCHAR and DOUBLE, DATE and TIMESTAMP_* for TIMESTAMP; extra columns are ignored), or remove the file from the raw folder; no model ran, the previous partition is intact',
      ]);
      expect(await hashes()).toEqual(before);
    } finally {
      rmSync(bad);
    }
  }, 60_000);

  it('a column of the wrong type names the file, the column, the type found and expected', async () => {
    const before = await hashes();
    const bad = raw(CHECKOUT, 'outcomes', 'part-1.parquet');
    await copyTo(bad, `select experiment_id, user_id, event, cast(value as varchar) as value, occurred_at from ${lit(raw(CHECKOUT, 'outcomes', 'part-0.parquet'))} limit 100`);
    try {
      const r = await xp(p.root, 'build', '--select', CHECKOUT);
      expect(r.code).toBe(1);
      expect(firstLine(r.stderr)).toBe(
        `error[RAW_SCHEMA_INVALID] experiment ${CHECKOUT} · object ${CHECKOUT}/outcomes/part-1.parquet: raw file ${bad}: column "value" is VARCHAR, expected DOUBLE`,
      );
      expect(await hashes()).toEqual(before);
    } finally {
      rmSync(bad);
    }
  }, 60_000);
});

describe('the raw store layout (exit 2)', () => {
  it('a symlink pointing outside the raw store is refused, naming the link and its target', async () => {
    const before = await hashes();
    const target = path.join(outside, 'elsewhere.parquet');
    await copyTo(target, `select * from ${lit(raw(ADD_CART, 'outcomes', 'part-0.parquet'))}`);
    const link = raw(CHECKOUT, 'outcomes', 'part-2.parquet');
    symlinkSync(target, link);
    try {
      const r = await xp(p.root, 'build', '--select', CHECKOUT);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n').slice(0, 2)).toEqual([
        `error[CONFIG_INVALID] experiment ${CHECKOUT} · object ${CHECKOUT}/outcomes/part-2.parquet: symlink ${link} points to ${target}, outside the raw store ${raw()}; refusing to follow it`,
        '  hint: copy the file into the raw store instead of linking it, or set storage.raw to the folder that holds it; nothing was read',
      ]);
      expect(await hashes()).toEqual(before);
    } finally {
      rmSync(link);
    }
  }, 60_000);

  it("an experiment's raw folder that is a file is a clear error, not an internal one", async () => {
    const before = await hashes();
    const folder = raw(PRICING);
    renameSync(folder, `${folder}.moved`);
    writeFileSync(folder, 'exported by mistake\n');
    try {
      const r = await xp(p.root, 'build', '--select', 'all');
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n').slice(0, 2)).toEqual([
        `error[CONFIG_INVALID] experiment ${PRICING} · object ${PRICING}/: the raw folder of experiment ${PRICING} is a file: ${folder}`,
        `  hint: the raw store holds one folder per experiment (<raw>/<experiment_id>/<table>/*.parquet, e.g. exp_1/exposures/part-0.parquet): move the file away, then put the experiment's Parquet files under ${folder}/<table>/`,
      ]);
      expect(await hashes()).toEqual(before);
    } finally {
      rmSync(folder);
      renameSync(`${folder}.moved`, folder);
    }
  }, 60_000);
});

describe("rows of another experiment in a raw folder (runs last: it changes checkout's checks)", () => {
  it('are left out of the partition and fail raw_foreign_experiment_rows, so the decision is investigate', async () => {
    const before = await hashes();
    const copied = await copyTo(raw(CHECKOUT, 'exposures', 'part-9.parquet'), `select * from ${lit(raw(ADD_CART, 'exposures', 'part-0.parquet'))} limit 3000`);
    const unlabelled = await copyTo(raw(CHECKOUT, 'outcomes', 'part-9.parquet'), `select null::varchar as experiment_id, * exclude (experiment_id) from ${lit(raw(CHECKOUT, 'outcomes', 'part-0.parquet'))} limit 50`);
    expect(copied).toBeGreaterThan(1000);

    const r = await xp(p.root, 'build', '--select', CHECKOUT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0); // a failed check is reported in dq_results and the decision, as every DQ failure is
    expect(r.stdout).toContain(`warning ${CHECKOUT}: decision: Investigate: the results are not trustworthy (data-quality check raw_foreign_experiment_rows failed); no ship recommendation.`);

    const dq = await rows<{ check_name: string; status: string; severity: string; observed: number; details: string }>(wh(),
      `select check_name, status, severity, observed, details from exp.dq_results where experiment_id = '${CHECKOUT}'`);
    // the existing checks keep their order; the new one comes last
    expect(dq.map((c) => c.check_name)).toEqual([
      'exposures_missing_user_id', 'outcomes_missing_user_id', 'exposures_duplicate_rows', 'outcomes_duplicate_rows',
      'exposures_outside_window', 'outcomes_outside_window', 'exposures_unknown_variant', 'multi_variant_users',
      'exposures_min_count', 'metric_events_conversion', 'metric_events_revenue', 'metric_events_revenue_per_order',
      'metric_events_revenue_buyers_capped', 'metric_events_revenue_p95',
      'metric_events_bounce_rate', 'raw_foreign_experiment_rows',
    ]);
    expect(dq.at(-1)).toEqual({
      check_name: 'raw_foreign_experiment_rows', status: 'fail', severity: 'error', observed: copied + unlabelled,
      details: `${copied + unlabelled} raw rows in this experiment's folder are labelled with another experiment_id (${copied} exposure rows, ${unlabelled} outcome rows; ids seen: NULL, ${ADD_CART}), left out of the analysis; threshold: at most 0`,
    });
    // every other check sees what it saw before: the foreign rows never reached them
    expect(dq.filter((c) => c.status !== 'pass').map((c) => c.check_name)).toEqual(['raw_foreign_experiment_rows']);
    const [decision] = await rows<{ decision: string; rule: string }>(wh(), `select decision, rule from exp.decisions where experiment_id = '${CHECKOUT}'`);
    expect(decision).toEqual({ decision: 'investigate', rule: 'untrustworthy' });

    // nothing of add_cart's users entered checkout's partition; other experiments untouched
    const after = await hashes();
    for (const table of ['exposures', 'outcomes', 'user_metrics', 'metric_aggregates_overall', 'metric_aggregates_daily', 'srm_counts', 'srm_results']) {
      expect(after[`${table}@${CHECKOUT}`], table).toBe(before[`${table}@${CHECKOUT}`]);
    }
    for (const key of Object.keys(before).filter((k) => !k.endsWith(`@${CHECKOUT}`))) expect(after[key], key).toBe(before[key]);
  }, 120_000);
});
