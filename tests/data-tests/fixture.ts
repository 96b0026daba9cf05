/**
 * The `tested` fixture project in a temp dir, with raw events written by DuckDB: per
 * experiment 40 users (u0…u39), even users in control and odd in treatment, 3 events
 * each inside the window, value = (user + event) mod 5. `events` replaces the SELECT
 * of an experiment's raw rows (columns experiment_id, user_id, variant, value, ts).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/engine/connection.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE = path.join(REPO, 'tests/fixtures/projects/tested');

export interface Fixture {
  readonly root: string;
  file(...parts: string[]): string;
  read(rel: string): string;
  write(rel: string, text: string): void;
  /** write raw events of an experiment to raw/<id>/events/<file> (default part-0.parquet) */
  writeRaw(experimentId: string, sql?: string, file?: string): Promise<void>;
  remove(): void;
}

export function eventsSql(experimentId: string, opts: { valueShift?: number } = {}): string {
  const id = `'${experimentId.replaceAll("'", "''")}'`;
  return `select ${id} as experiment_id, 'u' || (i // 3) as user_id,
    case when (i // 3) % 2 = 0 then 'control' else 'treatment' end as variant,
    (((i // 3) + (i % 3)) % 5 + ${opts.valueShift ?? 0})::double as value,
    timestamp '2026-01-05 08:00:00' + to_hours(i) as ts
  from range(120) t(i)`;
}

export async function testedProject(experiments: Readonly<Record<string, string>> | readonly string[] = ['exp_a', 'exp_b']): Promise<Fixture> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'xp-tested-'));
  cpSync(FIXTURE, root, { recursive: true, filter: (src) => !/[\\/](target|raw)$/.test(src) });
  const f: Fixture = {
    root,
    file: (...parts) => path.join(root, ...parts),
    read: (rel) => readFileSync(path.join(root, rel), 'utf8'),
    write: (rel, text) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    },
    async writeRaw(experimentId, sql, name = 'part-0.parquet') {
      const file = path.join(root, 'raw', experimentId, 'events', name);
      mkdirSync(path.dirname(file), { recursive: true });
      const db = await openDb(':memory:');
      try {
        await db.run(`copy (${sql ?? eventsSql(experimentId)}) to '${file.replaceAll("'", "''")}' (format parquet)`);
      } finally {
        db.close();
      }
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  const entries = Array.isArray(experiments) ? experiments.map((id) => [id, undefined] as const) : Object.entries(experiments);
  for (const [id, sql] of entries) await f.writeRaw(id, sql);
  return f;
}
