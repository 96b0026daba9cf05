/**
 * Partition = experiment. Replace exactly one experiment's rows in one transaction:
 * stage the new rows, evolve the table's columns if the model gained some, delete the
 * old partition, insert the new one, record the fingerprint. A failure at any point
 * rolls back to the previous good partition; a rerun produces the same rows.
 */
import { XpError } from '../../core/errors.ts';
import { PARTITION_PARAM } from '../../template/sql-env.ts';
import { quoteIdent, relation } from '../sql.ts';
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
    const stage = quoteIdent(`__xp_stage_${req.model}`);
    const target = relation(MODEL_SCHEMA, req.model);
    return db.transaction(async (tx) => {
      await tx.run(`create or replace temp table ${stage} as\n${req.sql}`, partitionParams(req.sql, experimentId));
      const cols = await tx.all<{ column_name: string }>(`describe ${stage}`);
      if (!cols.some((c) => c.column_name === 'experiment_id')) {
        throw new XpError('MODEL_INVALID', `partitioned model ${req.model} has no experiment_id column`, {
          location: { model: req.model },
          hint: 'select {{partition}} as experiment_id (or keep the column of a partitioned parent)',
        });
      }
      const [{ foreign }] = (await tx.all<{ foreign: number }>(
        `select count(*) as foreign from ${stage} where experiment_id is distinct from $1`, [experimentId],
      )) as [{ foreign: number }];
      if (foreign > 0) {
        throw new XpError('MODEL_INVALID', `partitioned model ${req.model} produced ${foreign} rows of other experiments`, {
          location: { model: req.model, experiment: experimentId },
          hint: 'a partitioned model must only return rows of its own partition: filter with {{partition}}',
        });
      }
      await req.audit?.(tx, stage);
      await evolveColumns(tx, target, await columnsOf(tx, MODEL_SCHEMA, req.model), stage);
      await tx.run(`delete from ${target} where experiment_id = $1`, [experimentId]);
      const rows = await tx.run(`insert into ${target} by name select * from ${stage}`);
      await tx.run(`drop table ${stage}`);
      await recordFingerprint(tx, req, rows);
      return rows;
    });
  },
};
