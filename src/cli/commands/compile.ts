/** `xp compile`: render every model for the selected partitions into target/compiled and write target/manifest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '../../runner/load-project.ts';
import { selectExperiments } from '../../graph/selectors.ts';
import { openRawStore } from '../../storage/open-store.ts';
import { prepareBuild } from '../../runner/prepare.ts';
import { writeCompiled, compiledPath } from '../../runner/apply.ts';
import { targetDir } from '../../core/paths.ts';
import { buildManifest } from '../../runner/manifest.ts';
import type { RegisterCommand } from '../command.ts';

export interface CompileResult {
  readonly files: readonly string[];
  readonly manifestPath: string;
}

export async function compileCommand(project: Project, select = 'all'): Promise<CompileResult> {
  const ids = project.config.experiments.length ? selectExperiments(project.config.experiments.map((e) => e.id), select) : [];
  const experiments = ids.map((id) => project.config.experiments.find((e) => e.id === id)!);
  const store = await openRawStore(project.config);
  try {
    const prepared = await prepareBuild(project, store, {
      experiments, fullRefresh: true, skipStages: new Set(), stage: false, stored: new Map(),
    });
    const target = targetDir(project.config);
    const files = prepared.steps.filter((s) => s.materialized !== 'ephemeral').map((s) => writeCompiled(target, s));
    const manifest = buildManifest(project, prepared.steps, (s) => path.relative(project.config.root, compiledPath(target, s)));
    const manifestPath = path.join(target, 'manifest.json');
    mkdirSync(target, { recursive: true });
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    return { files, manifestPath };
  } finally {
    await store.close?.();
  }
}

export const registerCompile: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('compile'))
    .description('render every model to target/compiled/<experiment>/<model>.sql and write target/manifest.json')
    .option('-s, --select <experiments>', 'experiments to compile for', 'all')
    .action(async (o: { config: string; select: string }) => {
      const r = await compileCommand(await ctx.project(o.config), o.select);
      ctx.io.stdout.write(`compiled ${r.files.length} model partitions; manifest: ${r.manifestPath}\n`);
    });
};
