/** Read a test warehouse: rows, content hashes of partitions, recorded fingerprints. */
import { openDb, type Db, type Row } from '../../src/engine/connection.ts';

export async function withDb<T>(file: string, fn: (db: Db) => Promise<T>, opts: { readOnly?: boolean } = { readOnly: true }): Promise<T> {
  const db = await openDb(file, opts);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

export async function rows<T extends Row = Row>(file: string, sql: string): Promise<T[]> {
  return withDb(file, (db) => db.all<T>(sql));
}

/**
 * A content hash of one experiment's partition of `exp.<table>`: md5 over every row
 * rendered as text, in a total order, so two builds with identical rows hash equal.
 */
export async function partitionHash(db: Db, table: string, experimentId: string): Promise<{ hash: string; n: number }> {
  const [r] = await db.all<{ hash: string; n: number }>(
    `select md5(coalesce(string_agg(t::varchar, '\n' order by t::varchar), '')) as hash, count(*) as n
     from exp."${table}" t where experiment_id = $1`,
    [experimentId],
  );
  return r!;
}

export async function fingerprints(db: Db): Promise<Map<string, string>> {
  const all = await db.all<{ model: string; experiment_id: string; fingerprint: string }>(
    'select model, experiment_id, fingerprint from xp.partitions order by model, experiment_id',
  );
  return new Map(all.map((r) => [`${r.model}@${r.experiment_id}`, r.fingerprint]));
}
