/**
 * Move experiments between warehouses: export whole chains to JSON Lines or Parquet,
 * import them elsewhere. Import verifies every chain first, appends only what extends
 * the history already there, and refuses a history that diverges from it.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import { sqlLiteral } from '../engine/sql.ts';
import type { LedgerEvent } from './events.ts';
import { ensureLedgerTables, insertEvents, readEvents, readHeads, toEvent, toRow, type LedgerTable } from './store.ts';
import { assertIntact, verifyChain, verifyLedger } from './verify.ts';

export type LedgerFileFormat = 'jsonl' | 'parquet';

export function formatOf(file: string): LedgerFileFormat {
  if (/\.parquet$/i.test(file)) return 'parquet';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  throw new XpError('USAGE', `cannot tell the format of ${file}`, { hint: 'name the file *.jsonl or *.parquet' });
}

export interface ExportResult {
  readonly file: string;
  readonly experiments: readonly { readonly experimentId: string; readonly events: number }[];
}

export async function exportLedger(db: Db, experimentIds: readonly string[], file: string): Promise<ExportResult> {
  const format = formatOf(file);
  assertIntact(await verifyLedger(db, experimentIds));
  const events = await readEvents(db, experimentIds);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (format === 'jsonl') {
    const lines = experimentIds.flatMap((id) => (events.get(id) ?? []).map((e) => {
      const row = toRow(e);
      return JSON.stringify({ ...row, payload: e.payload });
    }));
    writeFileSync(file, lines.length ? lines.join('\n') + '\n' : '');
  } else {
    const marks = experimentIds.map((_, i) => `$${i + 1}`).join(', ');
    await db.run(
      `copy (select seq, experiment_id, "at", kind, payload, prev_hash, hash from xp.ledger
             where experiment_id in (${marks}) order by experiment_id, seq)
       to ${sqlLiteral(path.resolve(file))} (format parquet)`,
      [...experimentIds],
    );
  }
  return { file, experiments: experimentIds.map((id) => ({ experimentId: id, events: events.get(id)?.length ?? 0 })) };
}

function badFile(file: string, message: string, cause?: unknown): XpError {
  return new XpError('LEDGER_CORRUPT', `${file}: ${message}`, {
    location: { file },
    hint: 'export it again with `xp ledger export --select <ids> --to <file>`',
    cause,
  });
}

/** The events in an export file, grouped by experiment, in seq order. */
export async function readLedgerFile(db: Db, file: string): Promise<Map<string, LedgerEvent[]>> {
  if (!existsSync(file)) throw new XpError('USAGE', `no such file: ${file}`, { location: { file } });
  let rows: LedgerTable[];
  if (formatOf(file) === 'jsonl') {
    rows = readFileSync(file, 'utf8').split('\n').map((l, i) => [l, i + 1] as const).filter(([l]) => l.trim()).map(([l, line]) => {
      try {
        const r = JSON.parse(l) as LedgerTable & { payload: unknown };
        return { ...r, payload: JSON.stringify(r.payload) };
      } catch (cause) {
        throw new XpError('LEDGER_CORRUPT', `${file}:${line}: not a JSON event`, { location: { file, line }, cause });
      }
    });
  } else {
    try {
      rows = await db.all<LedgerTable & Record<string, unknown>>(
        'select seq, experiment_id, "at", kind, payload::varchar as payload, prev_hash, hash from read_parquet($1)', [path.resolve(file)],
      );
    } catch (cause) {
      throw badFile(file, `not a ledger export: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`, cause);
    }
  }
  const out = new Map<string, LedgerEvent[]>();
  for (const row of rows) {
    if (typeof row.experiment_id !== 'string' || typeof row.hash !== 'string') throw badFile(file, 'a row lacks experiment_id or hash');
    const list = out.get(row.experiment_id) ?? [];
    list.push(toEvent(row));
    out.set(row.experiment_id, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.seq - b.seq);
  return out;
}

export interface ImportedExperiment {
  readonly experimentId: string;
  /** imported: new here; extended: appended the newer events; up-to-date: nothing new */
  readonly action: 'imported' | 'extended' | 'up-to-date';
  readonly events: number;
  readonly added: number;
}

/** Plan the import of one chain against the one already here. Pure. */
export function planImport(experimentId: string, incoming: readonly LedgerEvent[], existing: readonly LedgerEvent[]): ImportedExperiment & { readonly toInsert: readonly LedgerEvent[] } {
  const common = Math.min(incoming.length, existing.length);
  for (let i = 0; i < common; i++) {
    if (incoming[i]!.hash !== existing[i]!.hash) {
      throw new XpError('LEDGER_CORRUPT', `the history of ${experimentId} in the file diverges from this warehouse's at seq ${incoming[i]!.seq}; refusing to overwrite it`, {
        location: { experiment: experimentId },
        hint: 'both warehouses recorded different events after a common point; keep one history (export the one to keep, remove the other warehouse\'s copy) and import again',
      });
    }
  }
  const toInsert = incoming.slice(existing.length);
  const action = existing.length === 0 ? 'imported' : toInsert.length ? 'extended' : 'up-to-date';
  return { experimentId, action, events: incoming.length, added: toInsert.length, toInsert };
}

export async function importLedger(db: Db, file: string, only?: ReadonlySet<string>): Promise<ImportedExperiment[]> {
  await ensureLedgerTables(db);
  const incoming = await readLedgerFile(db, file);
  const ids = [...incoming.keys()].filter((id) => !only || only.has(id)).sort();
  const fileReports = ids.map((id) => verifyChain(id, incoming.get(id)!));
  for (const r of fileReports) {
    if (r.problems.length) {
      const p = r.problems[0]!;
      throw new XpError('LEDGER_CORRUPT', `${file}: the chain of ${p.experimentId} is broken at seq ${p.seq}: ${p.message.replace(/^.*?: /, '')}`, {
        location: { file, experiment: p.experimentId },
        hint: 'nothing was imported; export the experiment again from its source warehouse',
      });
    }
  }
  const heads = await readHeads(db);
  const here = await readEvents(db, ids);
  assertIntact(ids.filter((id) => here.has(id) || heads.has(id)).map((id) => verifyChain(id, here.get(id) ?? [], heads.get(id) ?? null)));
  const plans = ids.map((id) => planImport(id, incoming.get(id)!, here.get(id) ?? []));
  await db.transaction(async (tx) => {
    await insertEvents(tx, plans.flatMap((p) => p.toInsert));
  });
  return plans.map(({ toInsert: _, ...rest }) => rest);
}
