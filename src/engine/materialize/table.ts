import { relation } from '../sql.ts';
import { MODEL_SCHEMA, recordFingerprint } from '../platform-store.ts';
import type { Materializer } from './types.ts';

/** A whole table, replaced atomically (`create or replace` inside a transaction). */
export const tableMaterializer: Materializer = {
  kind: 'table',
  async build(db, req) {
    return db.transaction(async (tx) => {
      const rel = relation(MODEL_SCHEMA, req.model);
      await tx.run(`create or replace table ${rel} as\n${req.sql}`);
      await req.audit?.(tx, rel);
      const [{ n }] = (await tx.all<{ n: number }>(`select count(*) as n from ${rel}`)) as [{ n: number }];
      await recordFingerprint(tx, req, n);
      return n;
    });
  },
};
