/**
 * Partition = experiment. Replace exactly one experiment's rows in one transaction:
 * evolve the table's columns if the model gained some, delete the old partition, insert
 * the new one straight from the model's query (each row is written once: the open
 * transaction is the staging area), check and audit the new rows, record the
 * fingerprint. A failure at any point rolls back to the previous good partition; a rerun
 * produces the same rows.
 */
import { XpError } from '../../core/errors.ts';
import { PARTITION_PARAM } from '../../template/sql-env.ts';
import { quoteIdent, relation, sqlLiteral } from '../sql.ts';
import { columnsOf, evolveColumns } from '../evolve-columns.ts';
import type { Db } from '../connection.ts';
import { MODEL_SCHEMA, recordFingerprint } from '../platform-store.ts';
import type { Materializer } from './types.ts';

/** Bind the partition parameter only when the SQL uses it (DuckDB rejects unused ones). */
export function partitionParams(sql: string, experimentId: string): Record<string, string> {
  return sql.includes(`$${PARTITION_PARAM}`) ? { [PARTITION_PARAM]: experimentId } : {};
}

export const partitionedMaterializer: Materializer = {
  kind: 'partitioned',
  async build(db, req) {
    const experimentId = req.experimentId;
    if (experimentId === null) throw new XpError('INTERNAL', `partitioned model ${req.model} built without a partition`);
    const params = partitionParams(req.sql, experimentId);
    const shape = quoteIdent(`__xp_shape_${req.model}`);
    const fresh = quoteIdent(`__xp_new_${req.model}`);
    const target = relation(MODEL_SCHEMA, req.model);
    return db.transaction(async (tx) => {
      // the model's columns without running it (limit 0): checked, and the table widened to them
      await tx.run(`create or replace temp table ${shape} as select * from (\n${req.sql}\n) limit 0`, params);
      const cols = await tx.all<{ column_name: string }>(`describe ${shape}`);
      if (!cols.some((c) => c.column_name === 'experiment_id')) {
        throw new XpError('MODEL_INVALID', `partitioned model ${req.model} has no experiment_id column`, {
          location: { model: req.model },
          hint: 'select {{partition}} as experiment_id (or keep the column of a partitioned parent)',
        });
      }
      await evolveColumns(tx, target, await columnsOf(tx, MODEL_SCHEMA, req.model), shape);
      await tx.run(`drop table ${shape}`);
      // written once, straight into the table: the transaction is the staging area
      await tx.run(`delete from ${target} where experiment_id = $1`, [experimentId]);
      const rows = await tx.run(`insert into ${target} by name select * from (\n${req.sql}\n)`, params);
      const [{ own }] = (await tx.all<{ own: number }>(`select count(*) as own from ${target} where experiment_id = $1`, [experimentId])) as [{ own: number }];
      if (own !== rows) {
        throw new XpError('MODEL_INVALID', `partitioned model ${req.model} produced ${rows - own} rows of other experiments`, {
          location: { model: req.model, experiment: experimentId },
          hint: 'a partitioned model must only return rows of its own partition: filter with {{partition}}',
        });
      }
      if (req.audit) {
        // the new rows under one name for the data tests (a view: nothing is copied)
        await tx.run(`create or replace temp view ${fresh} as select * from ${target} where experiment_id = ${sqlLiteral(experimentId)}`);
        await req.audit(tx, fresh);
        await tx.run(`drop view ${fresh}`);
      }
      await recordFingerprint(tx, req, rows);
      return rows;
    });
  },
};
