/**
 * Issue 18's figure: extraction throughput of the PostgreSQL raw store (rows/s) against
 * `psql \copy` of the same rows to a CSV file, in the same run on the same server (a real
 * PostgreSQL started here, as the tests do). The store's time is `localPaths` end to end:
 * the snapshot re-check in its transaction, COPY TO STDOUT to CSV, and DuckDB's CSV →
 * Parquet with the declared types; psql's is the process wall time of `\copy (select …) to file` (COPY TO
 * STDOUT, the protocol's fastest path, no conversion), the floor.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { openDb } from '../src/engine/connection.ts';
import { loadConfig } from '../src/project/load-config.ts';
import { postgresRawStore } from '../src/storage/postgres/raw-store.ts';
import { pgBinDir, startPostgres } from '../tests/helpers/postgres.ts';

const EXP = 'exp_checkout_button_001';
const EXPOSURES = 200_000;
const OUTCOMES = 1_000_000;

export const EXTRACTION_HEADING = '## Extraction from PostgreSQL (issue 18)';

const run = promisify(execFile);
const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

async function seed(url: string, dir: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`create table exposures (experiment_id text, user_id text, variant text, exposed_at timestamp);
    create table events (experiment_id text, user_id text, event text, value double precision, occurred_at timestamp);`);
  await c.end();
  const db = await openDb(':memory:');
  try {
    const files = {
      exposures: `select '${EXP}', 'u' || i, case when hash(i) % 2 = 0 then 'control' else 'treatment' end, timestamp '2026-01-05' + to_seconds(i % 1000000) from range(${EXPOSURES}) t(i)`,
      events: `select '${EXP}', 'u' || (j % ${EXPOSURES}), case j % 3 when 0 then 'purchase' when 1 then 'bounce' else 'view' end, (j % 9973) / 7.0, timestamp '2026-01-05' + to_seconds(j % 1000000) from range(${OUTCOMES}) t(j)`,
    };
    for (const [table, query] of Object.entries(files)) {
      const csv = path.join(dir, `${table}.csv`);
      await db.run(`copy (${query}) to ${lit(csv)} (format csv, header false)`);
      await run(path.join(pgBinDir()!, 'psql'), [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy ${table} from '${csv}' csv`]);
      rmSync(csv);
    }
  } finally {
    db.close();
  }
}

export async function measureExtraction(log: (s: string) => void): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xp-bench-extraction-'));
  const server = await startPostgres();
  try {
    const url = await server.createDatabase('source');
    log(`extraction: loading ${EXPOSURES} exposures and ${OUTCOMES} events into PostgreSQL`);
    await seed(url, dir);
    mkdirSync(path.join(dir, 'configs'));
    const dev = readFileSync('configs/dev.yaml', 'utf8')
      .replace(/^ {2}raw: file:\/\/.*$/m, '  raw: postgres\n  warehouse_source: { url_env: XP_SOURCE_URL, exposures: exposures, outcomes: events }');
    writeFileSync(path.join(dir, 'configs/pg.yaml'), dev);
    const config = loadConfig('configs/pg.yaml', dir);
    const rows = EXPOSURES + OUTCOMES;

    log('extraction: the PostgreSQL raw store (snapshot, then localPaths: COPY → CSV → Parquet)');
    const store = await postgresRawStore(config, { env: { XP_SOURCE_URL: url } });
    let listSeconds: number;
    let storeSeconds: number;
    let parquetMb = 0;
    try {
      let t = performance.now();
      const objects = await store.list(EXP);
      listSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      const paths = await store.localPaths(EXP, objects);
      storeSeconds = (performance.now() - t) / 1000;
      for (const f of paths.values()) parquetMb += statSync(f).size / 2 ** 20;
    } finally {
      await store.close?.();
    }

    log('extraction: psql \\copy of the same rows to CSV');
    const psql = path.join(pgBinDir()!, 'psql');
    const t = performance.now();
    let csvMb = 0;
    for (const table of ['exposures', 'events']) {
      const out = path.join(dir, `${table}.out.csv`);
      await run(psql, [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (select * from ${table} where experiment_id = '${EXP}') to '${out}' csv`]);
      csvMb += statSync(out).size / 2 ** 20;
    }
    const psqlSeconds = (performance.now() - t) / 1000;

    const rate = (s: number): string => `${Math.round(rows / s).toLocaleString('en-US')} rows/s`;
    return [
      EXTRACTION_HEADING,
      '',
      `One experiment's partition, ${EXPOSURES.toLocaleString('en-US')} exposures + ${OUTCOMES.toLocaleString('en-US')} events (${rows.toLocaleString('en-US')} rows), from a PostgreSQL on loopback.`,
      '',
      '| extraction | time | throughput | vs psql |',
      '| --- | --- | --- | --- |',
      `| psql \`\\copy (select …) to file\` (COPY TO STDOUT → CSV, ${csvMb.toFixed(0)} MiB; the floor) | ${psqlSeconds.toFixed(2)} s | ${rate(psqlSeconds)} | 1.00× |`,
      `| raw store \`localPaths\` (snapshot re-check, COPY TO STDOUT → CSV → Parquet, ${parquetMb.toFixed(0)} MiB) | ${storeSeconds.toFixed(2)} s | ${rate(storeSeconds)} | ${(storeSeconds / psqlSeconds).toFixed(2)}× |`,
      `| raw store \`list\` (snapshot: count, content hash, NULL keys) | ${listSeconds.toFixed(2)} s | | |`,
      '',
    ];
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
