/**
 * The SQL the warehouse raw store sends, built as pure text from the config, so it can be
 * checked without a server. The experiment id is never part of the extraction SQL: the snapshot
 * query binds it as `$1`, and the extraction reads it from a setting the session set with a
 * bound `set_config` (COPY and DECLARE take no parameters), so an id cannot reach the SQL.
 */
import { quoteIdent } from '../../engine/sql.ts';

/** `events`, `analytics.events`: a table name, quoted as an identifier; anything else is SQL. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

/** The session setting holding the experiment id during an extraction. */
export const EXPERIMENT_SETTING = 'xp.experiment_id';


/** A config value (`exposures: events` or `exposures: select … from …`) as a FROM item aliased `xp_source`. */
export function fromItem(relation: string): string {
  const r = relation.trim();
  if (TABLE_NAME.test(r)) return `${r.split('.').map(quoteIdent).join('.')} as xp_source`;
  // a trailing semicolon would end the subquery early
  return `(\n${r.replace(/;\s*$/, '')}\n) as xp_source`;
}

/** How the snapshot tells a changed partition: a column's max, or a hash of every row's text. */
export type ChangeProbe = { readonly kind: 'column'; readonly column: string } | { readonly kind: 'content' };

/**
 * One row: `n` (rows), `probe` (text: max of the change column, or an order-independent
 * sum of 64-bit row hashes: the first 16 hex digits of md5(row text), as a signed bigint,
 * summed as numeric so it cannot overflow), and one `null_<col>` count per key column.
 */
export function snapshotSql(relation: string, probe: ChangeProbe, keyColumns: readonly string[]): string {
  const probeExpr = probe.kind === 'column'
    ? `max(xp_source.${quoteIdent(probe.column)})::text`
    : `coalesce(sum(('x' || substr(md5(xp_source::text), 1, 16))::bit(64)::bigint::numeric), 0)::text`;
  const nulls = keyColumns.map((c, i) => `, count(*) filter (where xp_source.${quoteIdent(c)} is null) as null_${i}`).join('');
  return `select count(*)::bigint::text as n, ${probeExpr} as probe${nulls}\nfrom ${fromItem(relation)}\nwhere xp_source.experiment_id = $1`;
}

/** The columns and their types, without reading a row. */
export const shapeSql = (relation: string): string => `select * from ${fromItem(relation)} where false`;

/** The partition's rows, for a cursor or COPY; the id comes from the session setting. */
export const extractSql = (relation: string): string =>
  `select * from ${fromItem(relation)}\nwhere xp_source.experiment_id = current_setting('${EXPERIMENT_SETTING}')`;

const literal = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/**
 * Redshift `UNLOAD` of one partition to `<prefix>/<id>/<table>/part-` as Parquet. UNLOAD
 * takes its query as a string literal and no parameters, so here, and only here, the
 * experiment id is written into SQL: the caller passes ids that passed the experiment id
 * check (letters, digits, `_`, `.`, `-`; no quotes), and the literal is escaped twice (inside the quoted
 * query, then as UNLOAD's own literal), per Redshift's UNLOAD documentation.
 */
export function unloadSql(relation: string, experimentId: string, targetPrefix: string, iamRole: string | undefined): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(experimentId)) throw new Error(`unloadSql: experiment id ${JSON.stringify(experimentId)} is not a checked id`);
  const query = `select * from ${fromItem(relation)} where xp_source.experiment_id = '${experimentId}'`;
  const auth = iamRole ? `iam_role ${literal(iamRole)}` : 'iam_role default';
  return `unload (${literal(query)})\nto ${literal(targetPrefix.replace(/\/+$/, '') + '/')}\n${auth}\nformat as parquet\nallowoverwrite\ncleanpath\nmaxfilesize 256 mb`;
}
