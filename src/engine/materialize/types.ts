/**
 * A materialisation turns a model's rendered SELECT into a relation in the warehouse.
 * Each one runs inside a single transaction, so a failure leaves the previous relation
 * (or partition) exactly as it was.
 */
import type { Db } from '../connection.ts';
import type { Materialization } from '../../project/types.ts';

export interface MaterializeRequest {
  readonly model: string;
  readonly sql: string;
  /** the partition being replaced; null for project-level models */
  readonly experimentId: string | null;
  readonly fingerprint: string;
  readonly runId: string;
  /**
   * Checks on the new rows before they replace the old ones (data tests, as SQLMesh's
   * audits): `relation` holds exactly the new rows. Throwing rolls the build back, so a
   * failing check keeps the previous good partition.
   */
  readonly audit?: (db: Db, relation: string) => Promise<void>;
}

export interface Materializer {
  readonly kind: Materialization;
  /** returns the number of rows now in the relation (or partition) */
  build(db: Db, req: MaterializeRequest): Promise<number>;
}
