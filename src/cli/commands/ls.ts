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
  readonly tags: string;
  readonly path: string;
  readonly depends_on: string;
}

export function lsCommand(project: Project, models?: string, exclude?: string): LsRow[] {
  return selectModels(project.dag, models, exclude).map((name) => {
    const n = project.dag.nodes.get(name)!;
    return {
      name,
      materialized: n.materialized,
      stage: n.stage,
      tags: n.tags.join(','),
      path: n.path,
      depends_on: [...n.refs, ...n.sources.map((s) => `source:${s}`)].join(','),
    };
  });
}

export const registerLs: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('ls'))
    .description('list the project\'s models')
    .option('-m, --models <selector>', 'model selector')
    .option('--exclude <selector>', 'models to leave out')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { config: string; models?: string; exclude?: string; format: string }) => {
      const rows = lsCommand(await ctx.project(o.config), o.models, o.exclude);
      if (o.format === 'json') ctx.io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else ctx.io.stdout.write(textTable(['name', 'materialized', 'stage', 'tags', 'path', 'depends_on'], rows.map((r) => [r.name, r.materialized, r.stage, r.tags, r.path, r.depends_on])) + '\n');
    });
};
