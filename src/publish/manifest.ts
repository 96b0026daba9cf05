/**
 * A partition's `_manifest.json`: the one generation of files that is current. Writing it
 * is the moment a new publication becomes visible; readers that follow it never see a
 * mix of generations or stale files, even while the files of the old generation still
 * exist (they are deleted after the manifest is replaced).
 */
import { randomBytes } from 'node:crypto';
import type { LakeFile, PartitionRef } from './lake.ts';

export const MANIFEST_FORMAT = 'xp-lake-partition/1';

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly table: string;
  readonly experiment_id: string;
  readonly generation: string;
  /** the partition's fingerprint in the warehouse when it was published */
  readonly fingerprint: string;
  readonly run_id: string;
  readonly published_at: string;
  readonly rows: number;
  /** columns of the files, experiment_id excluded (it is the Hive partition key) */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly files: readonly LakeFile[];
}

/**
 * A fresh generation name: UTC time to the millisecond (so generations sort by age) and
 * 8 random hex digits. Lower-case letters, digits and `_` only: it sits inside file names.
 */
export function newGeneration(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.TZ]/g, '');
  return `${stamp}_${randomBytes(4).toString('hex')}`;
}

/** `part-<generation>-<i>.parquet` */
export function isGenerationFile(name: string, generation: string): boolean {
  return name.startsWith(`part-${generation}-`) && /^part-[0-9a-z_]+-\d+\.parquet$/.test(name);
}

export function manifestText(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/**
 * Parse and check a manifest: it must describe `ref`, and every file must be a plain
 * `part-<generation>-<i>.parquet` name of its own generation, so a damaged or hostile
 * manifest can never point a reader outside the partition folder. Returns the reason
 * when it is not usable.
 */
export function parseManifest(text: string, ref: PartitionRef): { ok: true; manifest: Manifest } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON (${(err as Error).message})` };
  }
  const m = raw as Partial<Manifest>;
  if (m === null || typeof m !== 'object' || m.format !== MANIFEST_FORMAT) return { ok: false, reason: `format is not ${MANIFEST_FORMAT}` };
  if (m.table !== ref.table || m.experiment_id !== ref.experimentId) {
    return { ok: false, reason: `it describes ${String(m.table)}/experiment_id=${String(m.experiment_id)}` };
  }
  if (typeof m.generation !== 'string' || !/^[0-9a-z_]+$/.test(m.generation)) return { ok: false, reason: 'no valid generation' };
  if (!Array.isArray(m.files) || m.files.length === 0) return { ok: false, reason: 'no files' };
  for (const f of m.files as unknown[]) {
    const file = f as Partial<LakeFile>;
    if (typeof file?.name !== 'string' || !isGenerationFile(file.name, m.generation)) {
      return { ok: false, reason: `file ${JSON.stringify(file?.name)} is not a part file of generation ${m.generation}` };
    }
    if (typeof file.size !== 'number' || typeof file.md5 !== 'string' || typeof file.etag !== 'string') {
      return { ok: false, reason: `file ${file.name} has no size, md5 or etag` };
    }
  }
  if (typeof m.fingerprint !== 'string' || !Array.isArray(m.columns)) return { ok: false, reason: 'no fingerprint or columns' };
  return { ok: true, manifest: m as Manifest };
}
