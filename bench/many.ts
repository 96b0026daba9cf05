/**
 * Issue 14's many-experiment figures, end to end (process wall time): a project of 300
 * built experiments of 3,000 users each, where a no-op `xp build --select all` must stay
 * within 3 s, and a full rebuild of one of them within 1.5× the same rebuild in a project
 * holding only that experiment (same raw files, same models). The projects are set up
 * (generated and built with --jobs 2) first; only the commands below are measured.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { median, xpOk } from './wall.ts';

export const N_MANY = 300;
const USERS = 3_000;

export interface ManyFigures {
  readonly setupSeconds: number;
  readonly noop: number;
  readonly rebuild: number;
  readonly rebuildAlone: number;
}

/** The shipped models, macros and analyses with `ids` as small synthetic experiments. */
function project(prefix: string, ids: readonly string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  for (const dir of ['models', 'macros', 'analyses', 'seeds']) cpSync(dir, path.join(root, dir), { recursive: true });
  mkdirSync(path.join(root, 'configs'));
  const doc = parse(readFileSync('configs/dev.yaml', 'utf8')) as Record<string, unknown>;
  const template = Object.values(doc['experiments'] as Record<string, Record<string, unknown>>)[0]!;
  doc['experiments'] = Object.fromEntries(ids.map((id) => [id, {
    ...template, name: `many ${id}`, synth: { ...(template['synth'] as object), seed: Number(id.slice(-3)), n_users: USERS },
  }]));
  writeFileSync(path.join(root, 'configs/dev.yaml'), stringify(doc, { aliasDuplicateObjects: false }));
  return root;
}

export async function measureMany(log: (s: string) => void): Promise<ManyFigures> {
  const ids = Array.from({ length: N_MANY }, (_, i) => `many_${String(i + 1).padStart(3, '0')}`);
  const many = project('xp-bench-many-', ids);
  const alone = project('xp-bench-alone-', [ids[0]!]);
  try {
    const t = performance.now();
    log(`many: generating and building ${N_MANY} experiments (setup, not measured)`);
    await xpOk(['generate', '--select', 'all'], { cwd: many });
    await xpOk(['build', '--select', 'all', '--jobs', '2'], { cwd: many });
    await xpOk(['build', '--select', 'all', '--generate-synth'], { cwd: alone });
    const setupSeconds = (performance.now() - t) / 1000;

    log('many: no-op xp build --select all (median of 3)');
    const noops: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await xpOk(['build', '--select', 'all'], { cwd: many });
      if (!/ 0 built,/.test(r.stdout)) throw new Error(`the no-op build of ${N_MANY} experiments built something:\n${r.stdout.slice(-1500)}`);
      noops.push(r.seconds);
    }
    log(`many: full rebuild of ${ids[0]} among ${N_MANY} and alone (best of 2 each)`);
    const best = async (root: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 2; i++) times.push((await xpOk(['build', '--select', ids[0]!, '--full-refresh'], { cwd: root })).seconds);
      return Math.min(...times);
    };
    const rebuild = await best(many);
    const rebuildAlone = await best(alone);
    return { setupSeconds, noop: median(noops), rebuild, rebuildAlone };
  } finally {
    rmSync(many, { recursive: true, force: true });
    rmSync(alone, { recursive: true, force: true });
  }
}
