/**
 * Singular tests: SQL files under tests/models/singular/ that select the rows breaking a
 * rule (no rows = pass). They {{ref}} the models they check and run, per partition, as
 * an audit of the last of those models to build. Optional header:
 * `/*--- severity: warn, description: ... ---*\/`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { XpError } from '../../core/errors.ts';
import type { Dag } from '../../graph/dag.ts';
import { listFiles } from '../../project/load-models.ts';
import { parseYaml } from '../../project/yaml-source.ts';
import { extractDependencies } from '../../template/sql-env.ts';
import type { SingularTest } from '../types.ts';

export const SINGULAR_DIR = 'tests/models/singular';

const HEADER = /^\s*\/\*---([\s\S]*?)---\*\//;
const headerSchema = z.strictObject({
  severity: z.enum(['error', 'warn']).optional(),
  description: z.string().optional(),
  where: z.string().optional(),
});

export function parseSingularTests(root: string, dag: Dag): SingularTest[] {
  const out: SingularTest[] = [];
  for (const file of listFiles(path.join(root, SINGULAR_DIR), '.sql')) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const rawSql = readFileSync(file, 'utf8');
    const m = HEADER.exec(rawSql);
    let header: z.infer<typeof headerSchema> = {};
    if (m) {
      const src = parseYaml(m[1]!, rel);
      const parsed = headerSchema.safeParse(src.data ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new XpError('MODEL_INVALID', `singular test header: ${issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys[0]}"` : `${issue.path.join('.')}: ${issue.message}`}`, {
          location: { file: rel, line: src.lineOf(issue.path) },
          hint: 'allowed keys: severity (warn|error), description, where',
        });
      }
      header = parsed.data;
    }
    const { refs, sources } = extractDependencies(rawSql, rel);
    const unknown = refs.find((r) => !dag.nodes.has(r));
    if (unknown) {
      throw new XpError('MODEL_INVALID', `singular test refs "${unknown}", which is not a model`, {
        location: { file: rel, line: lineOf(rawSql, unknown) },
        hint: 'run `xp ls` for the model names',
      });
    }
    if (sources.length) {
      throw new XpError('MODEL_INVALID', 'a singular test checks models: it cannot read {{source}}', {
        location: { file: rel, line: lineOf(rawSql, 'source') },
        hint: 'test the staging model that reads the source instead',
      });
    }
    if (!refs.length) {
      throw new XpError('MODEL_INVALID', 'a singular test must {{ref}} the model(s) it checks', {
        location: { file: rel, line: 1 },
        hint: 'e.g. select * from {{ref "srm_counts"}} where n < 0',
      });
    }
    const model = [...dag.order].reverse().find((n) => refs.includes(n))!;
    out.push({
      type: 'singular',
      id: path.basename(file, '.sql'),
      model,
      refs,
      rawSql,
      severity: header.severity ?? 'error',
      where: header.where,
      description: header.description,
      location: { file: rel, line: 1 },
    });
  }
  const seen = new Map<string, string>();
  for (const t of out) {
    const other = seen.get(t.id);
    if (other) {
      throw new XpError('MODEL_INVALID', `two singular tests are named "${t.id}"`, {
        location: { file: t.location.file },
        hint: `rename ${other} or ${t.location.file}: test names are unique`,
      });
    }
    seen.set(t.id, t.location.file);
  }
  return out;
}

function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  return i < 0 ? 1 : text.slice(0, i).split('\n').length;
}
