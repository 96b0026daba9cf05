/**
 * Redshift's UNLOAD path (storage.warehouse_source.unload) against a real PostgreSQL and a
 * real S3-protocol server on loopback. No Redshift is reachable here, and PostgreSQL has no
 * UNLOAD, so the one statement is run by a stand-in with Redshift's effect: it takes the
 * query out of the UNLOAD text the store wrote, runs it on the PostgreSQL source, and puts
 * the rows as Parquet under the UNLOAD prefix, split into two part files as a cluster's
 * slices would. Everything else (snapshot, S3 listing and download, merge with the declared
 * types, the change check) is the store's own code.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XpError } from '../../../src/core/errors.ts';
import { openDb } from '../../../src/engine/connection.ts';
import { loadConfig } from '../../../src/project/load-config.ts';
import { postgresRawStore } from '../../../src/storage/postgres/raw-store.ts';
import type { Unloader } from '../../../src/storage/postgres/unload.ts';
import { s3RawStore } from '../../../src/storage/s3/raw-store.ts';
import type { RawStore } from '../../../src/storage/types.ts';
import { startPostgres, type PgServer } from '../../helpers/postgres.ts';
import type { TempProject } from '../../helpers/project.ts';
import { shippedProject } from '../../helpers/shipped.ts';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from '../support/s3-server.ts';
import { EXP, psql, seedSource, sql, writePgConfig } from './support.ts';


let pgServer: PgServer;
let s3: TestS3Server;
let url: string;
let p: TempProject;
let work: string;
const env = (): NodeJS.ProcessEnv => ({ XP_SOURCE_URL: url, ...S3RVER_CREDENTIALS });

beforeAll(async () => {
  pgServer = await startPostgres();
  url = await pgServer.createDatabase('source');
  s3 = await startS3Server(['unload']);
  p = shippedProject();
  work = mkdtempSync(path.join(os.tmpdir(), 'xp-unload-'));
  await seedSource(p, url, { exposures: 1000, outcomes: 3000 });
}, 120_000);
afterAll(async () => {
  p?.remove();
  pgServer?.stop();
  await s3?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

function unloadConfig(to = 's3://unload/xp') {
  const rel = writePgConfig(p, {}, 'redshift');
  const text = p.read(rel).replace(
    /^ {2}warehouse_source:\n/m,
    `  s3: { endpoint: ${JSON.stringify(s3.endpoint)}, region: us-east-1, path_style: true, access_key_env: MINIO_ACCESS_KEY, secret_key_env: MINIO_SECRET_KEY }\n  warehouse_source:\n    unload: { to: ${to}, iam_role: "arn:aws:iam::123:role/xp" }\n`,
  );
  p.write(rel, text);
  return loadConfig(rel, p.root);
}

/** UNLOAD's literal query and target, unescaped (the store writes `unload ('…') to '…'`). */
function parseUnload(statement: string): { query: string; to: string } {
  const m = /^unload \('((?:[^'\\]|\\.)*)'\)\nto '((?:[^'\\]|\\.)*)'/.exec(statement);
  if (!m) throw new Error(`not an UNLOAD statement: ${statement}`);
  const un = (s: string): string => s.replace(/\\(.)/g, '$1');
  return { query: un(m[1]!), to: un(m[2]!) };
}

/** Redshift's effect on the PostgreSQL source: the query's rows as Parquet part files under `to`. */
function redshiftLike(seen: string[], before?: () => Promise<void>): Unloader {
  return async (_conn, statement) => {
    seen.push(statement);
    await before?.();
    const { query, to } = parseUnload(statement);
    const csv = path.join(work, `unload-${seen.length}.csv`);
    psql(url, `\\copy (${query.replaceAll('\n', ' ')}) to '${csv}' csv header`);
    const db = await openDb(':memory:');
    const parts: string[] = [];
    try {
      for (const [i, half] of [[0, 'xp_row % 2 = 0'], [1, 'xp_row % 2 = 1']] as const) {
        const file = path.join(work, `unload-${seen.length}-${i}.parquet`);
        await db.run(`copy (select * exclude (xp_row) from (select row_number() over () as xp_row, * from read_csv('${csv}', header = true)) where ${half}) to '${file}' (format parquet)`);
        parts.push(file);
      }
    } finally {
      db.close();
    }
    const target = new URL(to);
    const [experimentId, table] = target.pathname.replace(/^\/xp\//, '').replace(/\/$/, '').split('/');
    const writer = await s3RawStore({ ...unloadConfig(), storage: { ...unloadConfig().storage, raw: 's3://unload/xp' } }, { env: S3RVER_CREDENTIALS });
    for (const [i, file] of parts.entries()) await writer.put(experimentId!, `${table}/000${i}_part_00.parquet`, file);
    await writer.close?.();
  };
}

async function rowsOf(file: string, order: string): Promise<unknown[][]> {
  const db = await openDb(':memory:');
  try {
    return (await db.all(`select * from read_parquet('${file}') order by ${order}`)).map((r) => Object.values(r));
  } finally {
    db.close();
  }
}

async function withStore<T>(unloader: Unloader, fn: (s: RawStore) => Promise<T>): Promise<T> {
  const store = await postgresRawStore(unloadConfig(), { env: env(), unloader });
  try {
    return await fn(store);
  } finally {
    await store.close?.();
  }
}

describe('Redshift UNLOAD path', () => {
  it('unloads each table to <to>/<id>/<table>/, reads the part files through S3, and caches the same rows as the Parquet source', async () => {
    const seen: string[] = [];
    await withStore(redshiftLike(seen), async (store) => {
      const objects = await store.list(EXP);
      const paths = await store.localPaths(EXP, objects);
      expect(seen).toHaveLength(2);
      expect(parseUnload(seen[0]!).to).toBe(`s3://unload/xp/${EXP}/exposures/`);
      expect(seen[0]).toContain("iam_role 'arn:aws:iam::123:role/xp'");
      expect(seen[0]).toContain('format as parquet');
      const source = p.file('data/raw/exp_platform', EXP, 'exposures', 'part-0.parquet');
      expect(await rowsOf(paths.get(`${EXP}/exposures/postgres.parquet`)!, 'user_id')).toEqual(await rowsOf(source, 'user_id'));
      const outcomes = await rowsOf(paths.get(`${EXP}/outcomes/postgres.parquet`)!, 'all');
      expect(outcomes).toHaveLength(3000);

      // a second run over the same cache unloads nothing
      await store.localPaths(EXP, await store.list(EXP));
      expect(seen).toHaveLength(2);
    });
  });

  it('refuses rows that changed during UNLOAD (INPUT_CHANGED) and caches nothing', async () => {
    rmSync(path.join(p.root, 'target', 'cache'), { recursive: true, force: true });
    const seen: string[] = [];
    const late = async (): Promise<void> => {
      await sql(url, `insert into exposures values ('${EXP}', 'u_late', 'control', timestamp '2026-01-06')`);
    };
    try {
      const err = await withStore(redshiftLike(seen, late), async (store) => {
        const objects = (await store.list(EXP)).filter((o) => o.key.includes('exposures'));
        return store.localPaths(EXP, objects).catch((e: unknown) => e);
      });
      expect(seen).toHaveLength(1);
      expect(err).toBeInstanceOf(XpError);
      expect((err as XpError).code).toBe('INPUT_CHANGED');
      expect((err as XpError).message).toContain('changed during UNLOAD');
      const pgCache = path.join(p.root, 'target', 'cache', 'postgres');
      const files = existsSync(pgCache) ? readdirSync(pgCache, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')) : [];
      expect(files).toEqual([]);
    } finally {
      await sql(url, `delete from exposures where user_id = 'u_late'`);
    }
  });

  it('names the prefix when UNLOAD left no file (STORAGE_NOT_FOUND), and caches nothing', async () => {
    rmSync(path.join(p.root, 'target', 'cache'), { recursive: true, force: true });
    const store = await postgresRawStore(unloadConfig('s3://unload/empty'), { env: env(), unloader: async () => undefined });
    try {
      const err = await store.localPaths(EXP, await store.list(EXP)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(XpError);
      expect((err as XpError).code).toBe('STORAGE_NOT_FOUND');
      expect((err as XpError).message).toContain('s3://unload/empty/exp_checkout_button_001/exposures/');
    } finally {
      await store.close?.();
    }
  });
});
