/**
 * A raw source in a real PostgreSQL for the warehouse store tests: one experiment's
 * exposures and outcomes made by DuckDB, written as the raw Parquet of a shipped project
 * copy and loaded into PostgreSQL (psql \copy) as the same rows, plus a few rows of another
 * experiment in PostgreSQL only (a build must never read them).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openDb } from '../../../src/engine/connection.ts';
import { pgBinDir } from '../../helpers/postgres.ts';
import type { TempProject } from '../../helpers/project.ts';

export const EXP = 'exp_checkout_button_001';
export const OTHER = 'exp_add_cart_002';

/** exp_checkout_button_001 runs 2026-01-05 for 14 days. Deterministic: DuckDB's hash(). */
const exposuresSql = (id: string, n: number): string => `select '${id}' as experiment_id, 'u' || i as user_id,
    case when hash(i) % 2 = 0 then 'control' else 'treatment' end as variant,
    timestamp '2026-01-05' + to_seconds((i * 7919) % (13 * 86400)) as exposed_at
  from range(${n}) t(i)`;
const outcomesSql = (id: string, n: number, users: number): string => `select '${id}' as experiment_id, 'u' || (j % ${users}) as user_id,
    case j % 3 when 0 then 'purchase' when 1 then 'bounce' else 'view' end as event,
    (j % 9973) / 7.0 as value,
    timestamp '2026-01-05' + to_seconds(((j % ${users}) * 7919) % (13 * 86400) + 60 + j % 86400) as occurred_at
  from range(${n}) t(j)`;

export const SCHEMA_SQL = `
  create table exposures (experiment_id text, user_id text, variant text, exposed_at timestamp);
  create table events (experiment_id text, user_id text, event text, value double precision, occurred_at timestamp,
                       updated_at timestamptz not null default '2026-01-01 00:00:00+00');
  create index on exposures (experiment_id);
  create index on events (experiment_id);`;

export function psql(url: string, command: string): void {
  const r = spawnSync(path.join(pgBinDir()!, 'psql'), [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', command], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql ${command}: ${r.stderr}`);
}

export async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

/** Write the Parquet into the project's raw folder and load the same rows into PostgreSQL. */
export async function seedSource(p: TempProject, url: string, sizes: { exposures: number; outcomes: number }): Promise<void> {
  await sql(url, SCHEMA_SQL);
  const db = await openDb(':memory:');
  try {
    const lit = (f: string): string => `'${f.replaceAll("'", "''")}'`;
    const tables = [
      ['exposures', 'exposures', exposuresSql(EXP, sizes.exposures), '(experiment_id, user_id, variant, exposed_at)'],
      ['outcomes', 'events', outcomesSql(EXP, sizes.outcomes, sizes.exposures), '(experiment_id, user_id, event, value, occurred_at)'],
    ] as const;
    for (const [raw, pgTable, query, cols] of tables) {
      const parquet = p.file('data/raw/exp_platform', EXP, raw, 'part-0.parquet');
      mkdirSync(path.dirname(parquet), { recursive: true });
      await db.run(`copy (${query}) to ${lit(parquet)} (format parquet)`);
      const csv = p.file(`${raw}.csv`);
      await db.run(`copy ((select * from read_parquet(${lit(parquet)})) union all (select * from (${query.replaceAll(EXP, OTHER)}) limit 50)) to ${lit(csv)} (format csv, header false)`);
      psql(url, `\\copy ${pgTable} ${cols} from '${csv}' csv`);
    }
  } finally {
    db.close();
  }
}

/** configs/pg.yaml: dev.yaml with the raw tables read from PostgreSQL and its own warehouse. */
export function writePgConfig(p: TempProject, source: { exposures?: string; outcomes?: string; change_column?: string } = {}, name = 'pg'): string {
  const rel = `configs/${name}.yaml`;
  const ws = { exposures: source.exposures ?? 'exposures', outcomes: source.outcomes ?? 'events', change_column: source.change_column };
  const block = [
    '  raw: postgres',
    '  warehouse_source:',
    '    url_env: XP_SOURCE_URL',
    `    exposures: ${JSON.stringify(ws.exposures)}`,
    `    outcomes: ${JSON.stringify(ws.outcomes)}`,
    ...(ws.change_column ? [`    change_column: ${ws.change_column}`] : []),
  ].join('\n');
  const text = p.read('configs/dev.yaml')
    .replace(/^warehouse: .*$/m, `warehouse: target/${name}.duckdb`)
    .replace(/^ {2}raw: file:\/\/.*$/m, block);
  p.write(rel, text);
  return rel;
}
