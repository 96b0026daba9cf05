/**
 * `xp generate` and `xp build --generate-synth`: write an experiment's synthetic raw
 * Parquet into the raw store. Generation is deterministic, and an object whose bytes are
 * unchanged is not rewritten, so regenerating never makes a partition stale by itself.
 * Each experiment reports a phase when it starts (users to generate) and when it ends
 * (rows written, seconds): a large population takes minutes.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import { openDb } from '../engine/connection.ts';
import type { Project } from '../workspace/project.ts';
import type { Experiment } from '../project/types.ts';
import type { RawStore } from '../storage/types.ts';
import type { Reporter } from '../core/events.ts';
import { fmtInt } from '../core/format.ts';

const md5 = (file: string): string => createHash('md5').update(readFileSync(file)).digest('hex');

async function unchanged(store: RawStore, experimentId: string, key: string, file: string): Promise<boolean> {
  const existing = (await store.list(experimentId)).find((o) => o.key === key);
  if (!existing) return false;
  if (existing.size !== readFileSync(file).length) return false;
  const etag = existing.etag.replaceAll('"', '');
  if (/^[0-9a-f]{32}$/.test(etag)) return etag === md5(file);
  const local = (await store.localPaths(experimentId, [existing])).get(key);
  return local !== undefined && md5(local) === md5(file);
}

export interface GeneratedPartition {
  readonly experimentId: string;
  readonly exposures: number;
  readonly outcomes: number;
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
}

export async function generateForExperiments(
  project: Project,
  store: RawStore,
  experiments: readonly Experiment[],
  reporter: Reporter,
): Promise<GeneratedPartition[]> {
  const tmpRoot = path.resolve(project.config.root, project.config.target_dir, 'tmp');
  mkdirSync(tmpRoot, { recursive: true });
  // Loaded on demand: only generating commands pay for the generator's import.
  const { generateExperimentData } = await import('../synth/index.ts');
  const db = await openDb(':memory:');
  const out: GeneratedPartition[] = [];
  try {
    for (const experiment of experiments) {
      if (!experiment.synth) {
        throw new XpError('CONFIG_INVALID', `experiment ${experiment.id} has no synth: block, so there is nothing to generate`, {
          location: { file: experiment.file, line: experiment.line, experiment: experiment.id },
          hint: 'add synth: { seed, n_users, ... } to the experiment, or load real raw data instead',
        });
      }
      const users = `${fmtInt(experiment.synth.n_users)} users`;
      reporter({ type: 'phase', experimentId: experiment.id, phase: 'generate', detail: users, ongoing: true });
      const started = performance.now();
      const seconds = (): number => (performance.now() - started) / 1000;
      const scratch = mkdtempSync(path.join(tmpRoot, `gen-${experiment.id}-`));
      let ended = false;
      try {
        const partner = project.config.experiments.find((e) => e.id === experiment.synth?.interaction?.with);
        const result = await generateExperimentData(db, experiment, scratch, partner);
        const written: string[] = [];
        const same: string[] = [];
        for (const file of result.files) {
          const rel = path.relative(scratch, file).split(path.sep).join('/');
          const key = `${experiment.id}/${rel}`;
          if (await unchanged(store, experiment.id, key, file)) {
            same.push(key);
          } else {
            await store.put(experiment.id, rel, file);
            written.push(key);
          }
        }
        out.push({ experimentId: experiment.id, exposures: result.exposures, outcomes: result.outcomes, written, unchanged: same });
        ended = true;
        reporter({
          type: 'phase', experimentId: experiment.id, phase: 'generated',
          detail: `${users}: ${fmtInt(result.exposures)} exposure rows, ${fmtInt(result.outcomes)} outcome rows`, seconds: seconds(),
        });
      } finally {
        // a failure ends the phase too (a terminal's live line must not stay behind)
        if (!ended) reporter({ type: 'phase', experimentId: experiment.id, phase: 'generate failed', detail: users, seconds: seconds() });
        rmSync(scratch, { recursive: true, force: true });
      }
    }
  } finally {
    db.close();
  }
  return out;
}
