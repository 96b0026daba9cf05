/** Plugin files and partition hashes for the plugin tests on the mini fixture. */
import path from 'node:path';
import { REPO_ROOT, type TempProject } from '../helpers/project.ts';
import { partitionHash, withDb } from '../helpers/warehouse.ts';

const PLUGIN_TS = path.join(REPO_ROOT, 'src/analyse/plugin.ts');

/** analyses/<name>.ts with the given body fields (name and description are filled in), and optional lines before it. */
export function pluginSource(name: string, body: string, prelude = ''): string {
  return `import { definePlugin } from '${PLUGIN_TS}';\n${prelude}export default definePlugin({\n  name: '${name}',\n  description: 'test plugin ${name}',\n${body}\n});\n`;
}

export function writePlugin(p: TempProject, name: string, body: string, prelude = ''): void {
  p.write(`analyses/${name}.ts`, pluginSource(name, body, prelude));
}

/** `table@experiment → hash:rows` for each table and experiment, to compare a warehouse before and after. */
export async function partitionHashes(warehouse: string, tables: readonly string[], experiments: readonly string[] = ['exp_a', 'exp_b']): Promise<Record<string, string>> {
  return withDb(warehouse, async (db) => {
    const out: Record<string, string> = {};
    for (const t of tables) {
      for (const e of experiments) {
        const h = await partitionHash(db, t, e);
        out[`${t}@${e}`] = `${h.hash}:${h.n}`;
      }
    }
    return out;
  });
}

/** The columns of exp.<table>, in order. */
export async function columnsOf(warehouse: string, table: string): Promise<string[]> {
  return withDb(warehouse, async (db) => (await db.all<{ column_name: string }>(
    "select column_name from information_schema.columns where table_schema = 'exp' and table_name = $1 order by ordinal_position", [table],
  )).map((r) => r.column_name));
}
