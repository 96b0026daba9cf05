/** `xp ls`: the project's models with materialisation, stage, tags, path and parents. */
import { Option } from 'commander';
import type { Project } from '../../runner/load-project.ts';
import { selectModels } from '../../graph/selectors.ts';
import { textTable } from '../../core/format.ts';
import type { RegisterCommand } from '../command.ts';

export interface LsRow {
  readonly name: string;
  readonly materialized: string;
  readonly stage: string;
  readonly tags: readonly string[];
  readonly path: string;
  /** the models it refs, then its sources as `source:raw.<table>` */
  readonly depends_on: readonly string[];
}

export function lsCommand(project: Project, models?: string, exclude?: string): LsRow[] {
  return selectModels(project.dag, models, exclude).map((name) => {
    const n = project.dag.nodes.get(name)!;
    return {
      name,
      materialized: n.materialized,
      stage: n.stage,
      tags: [...n.tags],
      path: n.path,
      depends_on: [...n.refs, ...n.sources.map((s) => `source:${s}`)],
    };
  });
}

export const registerLs: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('ls'))
    .option('-m, --models <selector>', 'model selector: name, +name, name+, @name, tag:x, path:models/core; space = union, comma = intersection')
    .option('--exclude <selector>', 'models to leave out (same syntax)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { config: string; models?: string; exclude?: string; format: string }) => {
      const rows = lsCommand(await ctx.project(o.config), o.models, o.exclude);
      if (o.format === 'json') ctx.io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else ctx.io.stdout.write(textTable(['name', 'materialized', 'stage', 'tags', 'path', 'depends_on'], rows.map((r) => [r.name, r.materialized, r.stage, r.tags.join(','), r.path, r.depends_on.join(',')])) + '\n');
    });
};
