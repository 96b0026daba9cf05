/**
 * An ephemeral model is never stored, so `xp test` checks it where it lives: its SQL,
 * rendered for one partition, over the stored parents and the partition's raw files
 * (staged from the raw store as a build would; a local folder needs no copy).
 */
import { snapshotInputs, stageInputs } from '../storage/inputs.ts';
import type { Project } from '../workspace/project.ts';
import type { Experiment } from '../project/types.ts';
import { openRawStore } from '../storage/open-store.ts';
import type { RawStore } from '../storage/types.ts';
import { renderModels, type SourceFiles } from '../template/render-models.ts';
import { modelInputs } from './unit/spec.ts';

export interface EphemeralRelations {
  /** the model's rows for the partition as a parenthesised query, or why there are none */
  relation(model: string, experiment: Experiment): Promise<{ readonly relation: string } | { readonly skip: string }>;
  close(): Promise<void>;
}

export function ephemeralRelations(project: Project): EphemeralRelations {
  let store: Promise<RawStore> | undefined;
  const files = new Map<string, Promise<SourceFiles>>();
  const sourcesOf = (experiment: Experiment): Promise<SourceFiles> => {
    let f = files.get(experiment.id);
    if (!f) {
      store ??= openRawStore(project.config);
      f = store.then(async (s) => {
        const snapshot = await snapshotInputs(s, experiment.id);
        return snapshot.objects.length ? stageInputs(s, snapshot) : new Map();
      });
      files.set(experiment.id, f);
    }
    return f;
  };
  return {
    async relation(model, experiment) {
      const readsRaw = [...modelInputs(project.dag, model)].some((k) => k.startsWith('source:'));
      const sources = readsRaw ? await sourcesOf(experiment) : new Map();
      if (readsRaw && sources.size === 0) return { skip: `${model} is ephemeral and ${experiment.id} has no raw files to read` };
      const sql = renderModels(project.env, project.dag, project.config, experiment, [model], sources).get(model)!;
      return { relation: `(${sql})` };
    },
    async close() {
      if (store) await (await store).close?.();
    },
  };
}
