/**
 * Partial parsing end to end on the mini project: after a build has filled
 * target/parse-cache.json, a load sees every edit (a model, its properties, a macro, the
 * config's vars) and plans exactly what it plans without the cache; a corrupt cache is
 * ignored and written anew.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeParseCache } from '../../src/core/parse-cache.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild } from '../../src/runner/run-build.ts';
import { miniProject, type TempProject } from '../helpers/project.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
  await runBuild(await loadProject('configs/dev.yaml', p.root), { select: 'all' });
});
afterEach(() => {
  closeParseCache();
  p.remove();
});

const cacheFile = (): string => p.file('target/parse-cache.json');

/** What a dry run plans, as SQL by step, and the project's model properties. */
async function planned(): Promise<{ sql: Record<string, string>; actions: Record<string, string>; properties: Record<string, unknown> }> {
  const project = await loadProject('configs/dev.yaml', p.root);
  const o = await runBuild(project, { select: 'all', dryRun: true });
  const key = (s: { model: string; experimentId: string | null }): string => `${s.model}@${s.experimentId ?? '-'}`;
  return {
    sql: Object.fromEntries(o.steps.map((s) => [key(s), s.sql])),
    actions: Object.fromEntries(o.steps.map((s) => [key(s), s.action])),
    properties: Object.fromEntries([...project.dag.nodes].map(([name, n]) => [name, n.properties])),
  };
}

/** The same plan made with no cache at all. */
async function uncached(): Promise<Awaited<ReturnType<typeof planned>>> {
  const saved = readFileSync(cacheFile(), 'utf8');
  writeFileSync(cacheFile(), '');
  try {
    return await planned();
  } finally {
    writeFileSync(cacheFile(), saved);
  }
}

const edit = (file: string, from: string | RegExp, to: string): void => {
  const before = readFileSync(p.file(file), 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`edit changed nothing in ${file}`);
  writeFileSync(p.file(file), after);
};

describe('the parse cache of a project', () => {
  it('is written by the build, and a load from it plans what a load without it plans', async () => {
    expect(existsSync(cacheFile())).toBe(true);
    const cached = await planned();
    expect(Object.values(cached.actions).every((a) => a === 'skip')).toBe(true);
    expect(cached).toEqual(await uncached());
  });

  it('sees an edited model, its properties, the config vars and a macro', async () => {
    const before = await planned();
    edit('models/staging/stg_events.sql', /select/i, 'select /* edited */');
    edit('models/core/user_values.yml', /description: [^\n]*/, 'description: edited description');
    edit('configs/dev.yaml', 'min_value: 0', 'min_value: 42');
    mkdirSync(p.file('macros'), { recursive: true });
    writeFileSync(p.file('macros/edited_macro.sql'), '/* macro v1 */');
    edit('models/marts/variant_totals.sql', /select/i, '{{> edited_macro}} select');
    const after = await planned();
    expect(after.sql['stg_events@exp_a']).toContain('/* edited */');
    expect((after.properties['user_values'] as { description?: string }).description).toBe('edited description');
    expect(after.sql['variant_totals@exp_a']).toContain('/* macro v1 */');
    expect(Object.entries(after.sql).some(([k, sql]) => sql.includes('42') && !before.sql[k]!.includes('42'))).toBe(true);
    expect(after).toEqual(await uncached());

    writeFileSync(p.file('macros/edited_macro.sql'), '/* macro v2 */');
    const again = await planned();
    expect(again.sql['variant_totals@exp_a']).toContain('/* macro v2 */');
    expect(again).toEqual(await uncached());
  });

  it('ignores a corrupt cache and writes it anew', async () => {
    const good = await planned();
    writeFileSync(cacheFile(), '{"format":"parse-cache-v1","entries":{"x":{"v":"1"');
    expect(await planned()).toEqual(good);
    // the load above found nothing to trust: the next build writes a readable cache
    await runBuild(await loadProject('configs/dev.yaml', p.root), { select: 'all' });
    expect(() => JSON.parse(readFileSync(cacheFile(), 'utf8')) as unknown).not.toThrow();
  });
});

describe('parseCacheGuess', () => {
  it('finds the cache in the folder a top-level target_dir names, else in target/', async () => {
    const { parseCacheGuess } = await import('../../src/runner/load-project.ts');
    const at = (yaml: string): string => {
      writeFileSync(p.file('configs/guess.yaml'), yaml);
      return parseCacheGuess('configs/guess.yaml', p.root);
    };
    expect(at('warehouse: w.duckdb\ntarget_dir: bench/data/target\n')).toBe(p.file('bench/data/target/parse-cache.json'));
    expect(at("target_dir: 'out dir'  # built here\n")).toBe(p.file('out dir/parse-cache.json'));
    expect(at('models:\n  target_dir: nested\n')).toBe(p.file('target/parse-cache.json'));
    expect(parseCacheGuess('configs/missing.yaml', p.root)).toBe(p.file('target/parse-cache.json'));
  });
});

describe('rendered SQL from the parse cache (render-cache.ts)', () => {
  const buildSql = async (): Promise<{ sql: Record<string, string>; built: string[] }> => {
    const o = await runBuild(await loadProject('configs/dev.yaml', p.root), { select: 'all' });
    return {
      sql: Object.fromEntries(o.steps.map((s) => [`${s.model}@${s.experimentId ?? '-'}`, s.sql])),
      built: o.steps.filter((s) => s.action === 'build').map((s) => `${s.model}@${s.experimentId ?? '-'}`).sort(),
    };
  };

  it('a build renders what a dry run renders without the cache, and rebuilds what an edit changes', async () => {
    const noop = await buildSql();
    expect(noop.built).toEqual([]);
    expect(noop.sql).toEqual((await uncached()).sql);

    edit('configs/dev.yaml', 'min_value: 0', 'min_value: 3');
    const afterVar = await buildSql();
    expect(afterVar.built).toContain('user_values@exp_a');
    expect(afterVar.sql['user_values@exp_a']).toContain('>= 3');

    mkdirSync(p.file('macros'), { recursive: true });
    writeFileSync(p.file('macros/tag.sql'), '/* tag v1 */');
    edit('models/marts/variant_totals.sql', /select/i, '{{> tag}} select');
    expect((await buildSql()).sql['variant_totals@exp_b']).toContain('/* tag v1 */');
    writeFileSync(p.file('macros/tag.sql'), '/* tag v2 */');
    const afterMacro = await buildSql();
    expect(afterMacro.built).toEqual(['all_totals@-', 'variant_totals@exp_a', 'variant_totals@exp_b']);
    expect(afterMacro.sql['variant_totals@exp_b']).toContain('/* tag v2 */');
    expect(afterMacro.sql).toEqual((await uncached()).sql);
  });
});
