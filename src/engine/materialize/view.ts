import { relation } from '../sql.ts';
import { MODEL_SCHEMA, recordFingerprint } from '../platform-store.ts';
import type { Materializer } from './types.ts';

/** A view over other relations; rebuilt by `create or replace`. */
export const viewMaterializer: Materializer = {
  kind: 'view',
  async build(db, req) {
    return db.transaction(async (tx) => {
      await tx.run(`create or replace view ${relation(MODEL_SCHEMA, req.model)} as\n${req.sql}`);
      await recordFingerprint(tx, req, 0);
      return 0;
    });
  },
};
