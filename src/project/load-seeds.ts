/**
 * Seeds, as in dbt: each CSV under seeds/ is a small table the project ships (a mapping, a
 * lookup), loaded by the build as a project-level `table` model named by the file, so
 * `{{ref "name"}}`, fingerprints (the rendered SQL carries every value: a changed CSV
 * rebuilds what reads it), data tests, docs and lineage treat it as any model. Its
 * properties file beside it (seeds/<name>.yml) documents it and types every column
 * (`data_type`); the values are checked here, so a bad row is reported as file:line
 * before anything runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import { parseCsv } from './csv.ts';
import { listFiles, loadProperties } from './load-models.ts';
import { parseYaml } from './yaml-source.ts';
import { didYouMean } from './suggest.ts';
import { SEED_TYPES, type ModelNode, type ProjectConfig, type SeedColumn, type SeedTable, type SeedType } from './types.ts';

const SEED_NAME = /^[a-z_][a-z0-9_]*$/;
export const SEEDS_FOLDER = 'seeds';

const VALID: Readonly<Record<SeedType, (v: string) => boolean>> = {
  varchar: () => true,
  // DuckDB's ranges: integer is 32-bit, bigint 64-bit
  integer: (v) => /^[+-]?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31 - 1,
  bigint: (v) => /^[+-]?\d+$/.test(v) && BigInt(v) <= 2n ** 63n - 1n && BigInt(v) >= -(2n ** 63n),
  double: (v) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v),
  boolean: (v) => /^(true|false)$/i.test(v),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)),
  timestamp: (v) => /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T') + 'Z')),
};

/** The declared columns of a seed's properties file, in file order, each with a known type. */
function declaredColumns(propsAbs: string, propsRel: string): SeedColumn[] {
  const src = parseYaml(readFileSync(propsAbs, 'utf8'), propsRel);
  const columns = ((src.data ?? {}) as Record<string, unknown>)['columns'];
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new XpError('SEED_INVALID', 'a seed\'s properties file must list its columns with their types', {
      location: { file: propsRel, line: src.lineOf(['columns']) },
      hint: `columns: [{ name: country, data_type: varchar }, …]; types: ${SEED_TYPES.join(', ')}`,
    });
  }
  return columns.map((c: { name?: unknown; data_type?: unknown }, i) => {
    const type = typeof c?.data_type === 'string' ? c.data_type.toLowerCase() : undefined;
    if (!type || !(SEED_TYPES as readonly string[]).includes(type)) {
      throw new XpError('SEED_INVALID', `column "${String(c?.name)}": ${type ? `unknown data_type "${String(c.data_type)}"` : 'no data_type'}`, {
        location: { file: propsRel, line: src.lineOf(['columns', i, type ? 'data_type' : 'name']) },
        hint: [type ? didYouMean(type, SEED_TYPES) : undefined, `data_type is one of ${SEED_TYPES.join(', ')}`].filter(Boolean).join(' '),
      });
    }
    return { name: String(c.name), type: type as SeedType };
  });
}

/** Parse and type-check one CSV against its declared columns. */
export function readSeed(csvText: string, csvRel: string, declared: readonly SeedColumn[], propsRel: string): SeedTable {
  const records = parseCsv(csvText, csvRel);
  const header = records[0];
  if (!header) throw new XpError('SEED_INVALID', 'the seed is empty: no header row', { location: { file: csvRel, line: 1 }, hint: 'the first line names the columns' });
  const byName = new Map(declared.map((c) => [c.name, c]));
  const seen = new Set<string>();
  const columns = header.fields.map((name) => {
    const col = byName.get(name);
    if (!col) {
      throw new XpError('SEED_INVALID', `column "${name}" is not declared in ${propsRel}`, {
        location: { file: csvRel, line: header.line },
        hint: [didYouMean(name, [...byName.keys()]), `add { name: ${name}, data_type: … } under columns in ${propsRel}`].filter(Boolean).join(' '),
      });
    }
    if (seen.has(name)) throw new XpError('SEED_INVALID', `column "${name}" appears twice in the header`, { location: { file: csvRel, line: header.line } });
    seen.add(name);
    return col;
  });
  const missing = declared.filter((c) => !seen.has(c.name));
  if (missing.length) {
    throw new XpError('SEED_INVALID', `declared column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c.name}"`).join(', ')} missing from the CSV header`, {
      location: { file: csvRel, line: header.line },
      hint: `add the column to the CSV or remove it from ${propsRel}`,
    });
  }
  const rows = records.slice(1).map((r) => {
    if (r.fields.length !== columns.length) {
      throw new XpError('SEED_INVALID', `row has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, the header ${columns.length}`, {
        location: { file: csvRel, line: r.line },
        hint: 'quote a value that contains a comma ("a, b")',
      });
    }
    return r.fields.map((v, i) => {
      const col = columns[i]!;
      if (v === '' && !r.quoted[i]) return null;
      if (!VALID[col.type](v)) {
        throw new XpError('SEED_INVALID', `column "${col.name}": "${v}" is not a valid ${col.type}`, {
          location: { file: csvRel, line: r.line },
          hint: `fix the value, or change the column's data_type in ${propsRel} (an empty field is null)`,
        });
      }
      return v;
    });
  });
  return { columns, rows };
}

/** seeds/**\/*.csv → project-level table models (tag `seed`, stage ingest: built before every partition). */
export function loadSeeds(config: ProjectConfig, modelNames: ReadonlySet<string>): ModelNode[] {
  const dir = path.join(config.root, SEEDS_FOLDER);
  return listFiles(dir, '.csv').map((file) => {
    const rel = path.relative(config.root, file).split(path.sep).join('/');
    const name = path.basename(file, '.csv');
    if (!SEED_NAME.test(name)) {
      throw new XpError('SEED_INVALID', `seed file name "${name}" is not a valid table name`, { location: { file: rel }, hint: 'use lower-case letters, digits and underscores: the file name is the table name' });
    }
    if (modelNames.has(name)) {
      throw new XpError('SEED_INVALID', `seed "${name}" has the name of a model`, { location: { file: rel }, hint: 'rename the seed or the model: seeds and models share one namespace of table names' });
    }
    const propsAbs = file.replace(/\.csv$/, '.yml');
    const propsRel = rel.replace(/\.csv$/, '.yml');
    if (!existsSync(propsAbs)) {
      throw new XpError('SEED_INVALID', `seed "${name}" has no properties file`, {
        location: { file: rel },
        hint: `create ${propsRel} with columns: [{ name, data_type, description }] (types: ${SEED_TYPES.join(', ')})`,
      });
    }
    const csvText = readFileSync(file, 'utf8');
    const seed = readSeed(csvText, rel, declaredColumns(propsAbs, propsRel), propsRel);
    return {
      name,
      path: rel,
      folder: path.relative(config.root, path.dirname(file)).split(path.sep).join('/'),
      rawSql: csvText,
      materialized: 'table',
      stage: 'ingest',
      tags: ['seed'],
      properties: loadProperties(propsAbs, propsRel),
      propertiesPath: propsRel,
      refs: [],
      sources: [],
      seed,
    } satisfies ModelNode;
  });
}
