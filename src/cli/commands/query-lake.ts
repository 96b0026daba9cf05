/**
 * `xp query --lake "<sql>"`: the same read-only SQL, on the published lake instead of the
 * warehouse, so it works while a build holds the warehouse. `{{ref "table"}}` and
 * `exp.<table>` name the lake's views (published models and analysis result tables). The
 * same sandbox as on the warehouse: one read statement, and no file but the published
 * Parquet the views read.
 */
import { XpError } from '../../core/errors.ts';
import type { Project } from '../../runner/load-project.ts';
import { MODEL_SCHEMA } from '../../engine/platform-store.ts';
import { relation } from '../../engine/sql.ts';
import { readStatement, sandboxRefusal } from '../../engine/sandbox.ts';
import { isVanishedFileError, openLakeReader, READ_ATTEMPTS, readRetryDelay, type LakeReader } from '../../publish/read-lake.ts';
import type { QueryResult } from '../print/rows.ts';

export function renderLakeQuery(project: Project, sql: string, tables: readonly string[]): string {
  return project.env.render(sql, {}, {
    partitioned: false,
    vars: project.config.vars,
    ref: (name) => {
      if (tables.includes(name)) return relation(MODEL_SCHEMA, name);
      throw new XpError('MODEL_REF_UNKNOWN', project.dag.nodes.has(name)
        ? `ref "${name}": model ${name} has no partition published in the lake`
        : `ref "${name}" is not a table published in the lake`, {
        hint: tables.length ? `published tables: ${tables.join(', ')}` : 'nothing is published yet: run `xp build` with storage.lake set',
      });
    },
    source: () => {
      throw new XpError('USAGE', 'xp query cannot read sources; query the published tables instead');
    },
  }, '<query>');
}

/** What the lake holds, for a hint. */
const published = (reader: LakeReader): string => reader.tables.length
  ? `the lake (${reader.uri}) has views exp.${reader.tables.join(', exp.')}`
  : `nothing is published in ${reader.uri} yet: run \`xp build\` with storage.lake set`;

export async function queryLakeCommand(project: Project, sql: string, env: NodeJS.ProcessEnv = process.env): Promise<QueryResult> {
  for (let attempt = 1; ; attempt++) {
    const reader = await openLakeReader(project.config, env);
    try {
      const statement = await readStatement(reader.db, renderLakeQuery(project, sql, reader.tables));
      const rows = await reader.db.all(statement);
      const columns = (await reader.db.columns(statement)).map((c) => c.name);
      return { columns, rows };
    } catch (cause) {
      if (cause instanceof XpError) throw cause;
      const message = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!;
      // a local lake's files are read in place: one was replaced by a publication while the query ran
      if (isVanishedFileError(message) && attempt < READ_ATTEMPTS) {
        await readRetryDelay(attempt);
        continue;
      }
      const closed = sandboxRefusal(cause, "xp query --lake reads only the lake's published tables", published(reader));
      if (closed) throw closed;
      throw new XpError('QUERY_FAILED', message, { hint: published(reader), cause });
    } finally {
      await reader.close();
    }
  }
}
