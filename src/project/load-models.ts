/**
 * Discover the project's SQL models: one model per file under models/, build settings in a
 * leading `/*--- yaml ---*\/` comment, meaning (description, columns, tests) in a YAML
 * properties file beside it. Folder defaults cascade from `models:` in the config.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import { parseYaml } from './yaml-source.ts';
import { modelSettingsSchema, type ModelSettings } from './config-schema.ts';
import { extractDependencies } from '../template/sql-env.ts';
import { didYouMean } from './suggest.ts';
import type { ModelNode, ModelProperties, ProjectConfig } from './types.ts';
import { ensureTypeScriptLoader } from '../core/ts-loader.ts';

const HEADER = /^\s*\/\*---([\s\S]*?)---\*\//;
const MODEL_NAME = /^[a-z_][a-z0-9_]*$/;

export function listFiles(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, ext));
    else if (entry.name.endsWith(ext)) out.push(full);
  }
  return out.sort();
}

function parseHeader(rawSql: string, file: string): ModelSettings {
  const m = HEADER.exec(rawSql);
  if (!m) return {};
  // the header's YAML starts after `/*---`, maybe below blank lines: count them so lines are the file's
  const lineOffset = rawSql.slice(0, m.index + m[0].indexOf('/*---')).split('\n').length - 1;
  const src = parseYaml(m[1]!, file, { lineOffset });
  const parsed = modelSettingsSchema.safeParse(src.data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.');
    throw new XpError('MODEL_INVALID', `invalid build settings in the header comment: ${issue.code === 'unrecognized_keys' ? `unknown key "${key}"` : `${key}: ${issue.message}`}`, {
      // an unknown key: its own line, not the line of the map that holds it
      location: { file, line: src.lineOf(issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path) },
      hint: [
        issue.code === 'unrecognized_keys' ? didYouMean(String(key), Object.keys(modelSettingsSchema.shape)) : undefined,
        'allowed keys: materialized (view|table|ephemeral|partitioned), stage (ingest|dq|metrics), tags, enabled',
      ].filter(Boolean).join(' '),
    });
  }
  return parsed.data;
}

export function loadProperties(absFile: string, file: string): ModelProperties {
  const empty: ModelProperties = { columns: [], tests: [], unit_tests: [] };
  if (!existsSync(absFile)) return empty;
  const src = parseYaml(readFileSync(absFile, 'utf8'), file);
  const data = (src.data ?? {}) as Record<string, unknown>;
  const allowed = ['description', 'columns', 'tests', 'unit_tests', 'meta'];
  for (const key of Object.keys(data)) {
    if (!allowed.includes(key)) {
      throw new XpError('MODEL_INVALID', `unknown key "${key}" in model properties`, {
        location: { file, line: src.lineOf([key]) },
        hint: [didYouMean(key, allowed), `allowed keys: ${allowed.join(', ')}`].filter(Boolean).join(' '),
      });
    }
  }
  const columns = (data['columns'] ?? []) as ModelProperties['columns'];
  if (!Array.isArray(columns) || columns.some((c) => typeof c?.name !== 'string')) {
    throw new XpError('MODEL_INVALID', 'columns must be a list of { name, description, tests }', {
      location: { file, line: src.lineOf(['columns']) },
    });
  }
  return {
    description: typeof data['description'] === 'string' ? data['description'] : undefined,
    columns,
    tests: (data['tests'] ?? []) as unknown[],
    unit_tests: (data['unit_tests'] ?? []) as unknown[],
  };
}

/**
 * Partition = experiment: a model is built per experiment (and `{{partition}}` binds it)
 * unless its folder or header says otherwise; `view` and `table` are the exceptions.
 */
export const DEFAULT_MATERIALIZED = 'partitioned' as const;
export const DEFAULT_STAGE = 'ingest' as const;

/**
 * A folder that neither it nor any folder above it configures under `models:` (a new
 * `models/marts/`, say) is a layer downstream of the shipped ones (nothing shipped refs
 * it): partitioned, and in the metrics stage, so `--skip-metrics` leaves it out together
 * with the aggregates it is likely to read instead of rebuilding it from skipped parents.
 */
export const UNCONFIGURED_FOLDER: ModelSettings = { materialized: DEFAULT_MATERIALIZED, stage: 'metrics' };

/** Folder defaults: `models: { core: {...}, core/sub: {...} }`, deeper folders win. */
function folderDefaults(config: ProjectConfig, relDir: string): ModelSettings {
  const parts = relDir.split('/').filter(Boolean);
  let settings: ModelSettings = {};
  let configured = false;
  for (let i = 1; i <= parts.length; i++) {
    const key = parts.slice(0, i).join('/');
    const s = config.models[key];
    if (s) {
      configured = true;
      settings = { ...settings, ...s, tags: [...(settings.tags ?? []), ...(s.tags ?? [])] };
    }
  }
  return configured ? settings : UNCONFIGURED_FOLDER;
}

export function loadModels(config: ProjectConfig): ModelNode[] {
  const modelsDir = path.join(config.root, 'models');
  const nodes: ModelNode[] = [];
  const seen = new Map<string, string>();
  for (const file of listFiles(modelsDir, '.sql')) {
    const rel = path.relative(config.root, file);
    const name = path.basename(file, '.sql');
    if (!MODEL_NAME.test(name)) {
      throw new XpError('MODEL_INVALID', `model file name "${name}" is not a valid table name`, {
        location: { file: rel },
        hint: 'use lower-case letters, digits and underscores: the file name is the table name',
      });
    }
    const other = seen.get(name);
    if (other) {
      throw new XpError('MODEL_INVALID', `two models are named "${name}"`, {
        location: { file: rel },
        hint: `rename one of ${other} and ${rel}: model names are table names and must be unique`,
      });
    }
    seen.set(name, rel);
    const rawSql = readFileSync(file, 'utf8');
    const relDir = path.relative(modelsDir, path.dirname(file)).split(path.sep).join('/');
    const header = parseHeader(rawSql, rel);
    const defaults = folderDefaults(config, relDir);
    if (header.enabled === false || (header.enabled === undefined && defaults.enabled === false)) continue;
    const propsFile = file.replace(/\.sql$/, '.yml');
    const { refs, sources } = extractDependencies(rawSql, rel);
    nodes.push({
      name,
      path: rel,
      folder: relDir,
      rawSql,
      materialized: header.materialized ?? defaults.materialized ?? DEFAULT_MATERIALIZED,
      stage: header.stage ?? defaults.stage ?? DEFAULT_STAGE,
      tags: [...new Set([...(defaults.tags ?? []), ...(header.tags ?? [])])],
      properties: loadProperties(propsFile, path.relative(config.root, propsFile)),
      propertiesPath: existsSync(propsFile) ? path.relative(config.root, propsFile) : undefined,
      refs,
      sources,
    });
  }
  return nodes;
}

/** macros/*.sql → partials named by file (macros/metric_value.sql → {{> metric_value}}) */
export function loadPartials(root: string): Record<string, string> {
  const dir = path.join(root, 'macros');
  return Object.fromEntries(
    listFiles(dir, '.sql').map((f) => [path.relative(dir, f).replace(/\.sql$/, '').split(path.sep).join('/'), readFileSync(f, 'utf8')]),
  );
}

/** macros/*.ts → helpers: every exported function is registered under its export name. */
export async function loadHelpers(root: string): Promise<Record<string, (...args: unknown[]) => unknown>> {
  const helpers: Record<string, (...args: unknown[]) => unknown> = {};
  for (const file of listFiles(path.join(root, 'macros'), '.ts')) {
    await ensureTypeScriptLoader();
    const mod = (await import(file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'function') helpers[name] = value as (...args: unknown[]) => unknown;
    }
  }
  return helpers;
}
