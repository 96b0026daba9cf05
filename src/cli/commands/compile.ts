/**
 * `xp compile`: render every model for the selected partitions into target/compiled and
 * write target/manifest.json. Ephemeral models are written there too (as dbt does), as
 * the SELECT inlined into the models that ref them: per partition, and under _project/
 * where a view or table inlines one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '../../runner/load-project.ts';
import { selectExperiments } from '../../graph/selectors.ts';
import { openRawStore } from '../../storage/open-store.ts';
import { prepareBuild, type CompiledEphemeral } from '../../runner/prepare.ts';
import { writeCompiled, compiledPath } from '../../runner/apply.ts';
import { targetDir } from '../../core/paths.ts';
import { buildManifest } from '../../runner/manifest.ts';
import type { RegisterCommand } from '../command.ts';

export interface CompileResult {
  /** every compiled file, ephemeral ones included */
  readonly files: readonly string[];
  /** of those, the ephemeral models' files */
  readonly ephemeralFiles: readonly string[];
  readonly manifestPath: string;
}

function writeEphemeral(target: string, e: CompiledEphemeral): string {
  const file = compiledPath(target, e);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `-- ${e.model} · ${e.experimentId ?? 'project'} · ephemeral: inlined as a subquery into the models that ref it, never stored\n${e.sql}\n`);
  return file;
}

export async function compileCommand(project: Project, select = 'all'): Promise<CompileResult> {
  const ids = project.config.experiments.length ? selectExperiments(project.config.experiments.map((e) => e.id), select) : [];
  const experiments = ids.map((id) => project.config.experiments.find((e) => e.id === id)!);
  const store = await openRawStore(project.config);
  try {
    const prepared = await prepareBuild(project, store, {
      experiments, fullRefresh: true, skipStages: new Set(), stage: false, stored: new Map(), compileEphemeral: true,
    });
    const target = targetDir(project.config);
    const stored = prepared.steps.filter((s) => s.materialized !== 'ephemeral').map((s) => writeCompiled(target, s));
    const ephemeralFiles = prepared.ephemeral.map((e) => writeEphemeral(target, e));
    const manifest = buildManifest(project, prepared.steps, (s) => path.relative(project.config.root, compiledPath(target, s)));
    const manifestPath = path.join(target, 'manifest.json');
    mkdirSync(target, { recursive: true });
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    return { files: [...stored, ...ephemeralFiles], ephemeralFiles, manifestPath };
  } finally {
    await store.close?.();
  }
}

export const registerCompile: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('compile'))
    .option('-s, --select <experiments>', 'experiments to compile for', 'all')
    .action(async (o: { config: string; select: string }) => {
      const r = await compileCommand(await ctx.project(o.config), o.select);
      const eph = r.ephemeralFiles.length;
      ctx.io.stdout.write(`compiled ${r.files.length} model partitions${eph ? ` (${eph} ephemeral)` : ''}; manifest: ${r.manifestPath}\n`);
    });
};
