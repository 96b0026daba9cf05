/**
 * `xp query "<sql>"`: read-only SQL on the warehouse; `{{ref "model"}}` resolves to the
 * model's table. It runs in the sandbox of src/engine/sandbox.ts: one read statement,
 * checked before it runs, and no file outside the warehouse. A build holding the
 * warehouse gives exit 3 at once instead of a hang.
 */
import { existsSync } from 'node:fs';
import { Option } from 'commander';
import { XpError } from '../../core/errors.ts';
import type { Project } from '../../runner/load-project.ts';
import { openDb } from '../../engine/connection.ts';
import { readStatement, sandboxRefusal, sandboxSettings } from '../../engine/sandbox.ts';
import { warehousePath } from '../../core/paths.ts';
import { relation } from '../../engine/sql.ts';
import { MODEL_SCHEMA } from '../../engine/platform-store.ts';
import { formatRows, type QueryResult, type RowFormat } from '../print/rows.ts';
import type { RegisterCommand } from '../command.ts';
import { queryLakeCommand } from './query-lake.ts';

export function renderQuery(project: Project, sql: string): string {
  return project.env.render(sql, {}, {
    partitioned: false,
    vars: project.config.vars,
    ref: (name) => {
      const node = project.dag.nodes.get(name);
      if (!node) {
        throw new XpError('MODEL_REF_UNKNOWN', `ref "${name}" is not a model`, { hint: 'run `xp ls` to list models' });
      }
      if (node.materialized === 'ephemeral') {
        throw new XpError('USAGE', `model ${name} is ephemeral: it is inlined into the models that use it and never stored`, {
          location: { file: node.path, model: name },
          hint: `query a stored model downstream of it, or read its SQL for a partition with \`xp compile\` (target/compiled/<experiment>/)`,
        });
      }
      return relation(MODEL_SCHEMA, name);
    },
    source: () => {
      throw new XpError('USAGE', 'xp query cannot read sources; query the staging models instead');
    },
  }, '<query>');
}

export async function queryCommand(project: Project, sql: string): Promise<QueryResult> {
  const file = warehousePath(project.config);
  if (!existsSync(file)) {
    throw new XpError('QUERY_FAILED', `no warehouse at ${file}`, { hint: 'run `xp build --select <experiment_id>` first' });
  }
  const rendered = renderQuery(project, sql);
  const db = await openDb(file, { readOnly: true, lockedSettings: sandboxSettings() });
  try {
    // one SELECT, known before it runs, so columns() can wrap it in `select * from (…) limit 0`
    const statement = await readStatement(db, rendered);
    const rows = await db.all(statement);
    const columns = (await db.columns(statement)).map((c) => c.name);
    return { columns, rows };
  } catch (cause) {
    if (cause instanceof XpError) throw cause;
    const closed = sandboxRefusal(cause, 'xp query reads only the warehouse', 'query the tables in schema exp; raw files are read by staging models ({{source "raw" "<table>"}}) in `xp build`');
    if (closed) throw closed;
    const message = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!;
    throw new XpError('QUERY_FAILED', message, {
      hint: /read-only mode/.test(message)
        ? 'xp query is read-only; change data through models and `xp build`'
        : 'tables live in schema exp (e.g. exp.analysis_results); `xp ls` lists models',
      cause,
    });
  } finally {
    db.close();
  }
}

export const registerQuery: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('query'))
    .argument('<sql>', 'the query')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--lake', 'read the published lake (storage.lake) instead of the warehouse; works while a build runs')
    .action(async (sql: string, o: { config: string; format: RowFormat; lake?: boolean }) => {
      const r = await (o.lake ? queryLakeCommand : queryCommand)(await ctx.project(o.config), sql);
      ctx.io.stdout.write(formatRows(r.columns, r.rows, o.format) + '\n');
    });
};
