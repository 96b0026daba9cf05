/**
 * What the docs read from the warehouse, read-only: column types, built partitions,
 * recent runs, analysis decisions, with the config's state (the catalog, runs and ledger may
 * live in PostgreSQL). Everything is optional: no warehouse, a warehouse that stays held, or
 * missing tables give empty answers and a note, never an error; an unreachable PostgreSQL
 * state is an error (the docs would otherwise show a wrong state).
 *
 * Nothing here reads the clock: the docs describe the warehouse as of its newest build
 * (`asOf`), so two generations over the same warehouse are byte-identical.
 */
import { existsSync } from 'node:fs';
import type { Db } from '../engine/connection.ts';
import { MODEL_SCHEMA, readPartitions, readRuns } from '../engine/platform-store.ts';
import { openWarehouse, type StateConfig } from '../state/open.ts';
import { warehousePath } from '../core/paths.ts';
import { readResults } from '../analyses/read-table.ts';
import { ANALYSIS_RESULTS, DECISIONS, SEQUENTIAL_LOOKS, type AbRow, type DecisionRow, type SequentialRow } from '../analyses/tables.ts';
import { XpError } from '../core/errors.ts';
import { assessExperiment } from '../health/assess.ts';
import { readHealthInputs } from '../health/read-health.ts';
import type { ExperimentHealth } from '../health/types.ts';
import { foldEvents, type ExperimentState } from '../ledger/fold.ts';
import { readEvents } from '../ledger/store.ts';
import type { Experiment } from '../project/types.ts';

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

export interface PartitionInfo {
  readonly model: string;
  readonly experimentId: string;
  readonly rows: number;
  readonly builtAt: string;
}

export interface RunStep {
  readonly experimentId: string | null;
  readonly node: string;
  readonly status: string;
  readonly message?: string;
}

export interface RunInfo {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly command: string;
  readonly status: string;
  readonly steps: readonly RunStep[];
}

export interface WarehouseInfo {
  /** why some information is missing, for the pages' footers */
  readonly notes: readonly string[];
  /** exp.<table> → columns */
  readonly columns: ReadonlyMap<string, readonly ColumnInfo[]>;
  readonly partitions: readonly PartitionInfo[];
  /** newest first */
  readonly runs: readonly RunInfo[];
  /** exp.decisions rows by experiment, when an analysis wrote them, with the A/B and sequential rows the decision is read with */
  readonly decisions: ReadonlyMap<string, DecisionRows>;
  /** each experiment's state folded from the ledger (xp.ledger), when it has events */
  readonly ledger: ReadonlyMap<string, ExperimentState>;
  /** `xp health`'s assessment of each configured experiment, as of `asOf` */
  readonly health: ReadonlyMap<string, ExperimentHealth>;
  /** the newest build the warehouse records (ISO time), or the time asked for; null when nothing was built */
  readonly asOf: string | null;
}

export interface DecisionRows {
  readonly decisions: readonly DecisionRow[];
  readonly ab: readonly AbRow[];
  readonly sequential: readonly SequentialRow[];
}

export const EMPTY_WAREHOUSE: WarehouseInfo = { notes: [], columns: new Map(), partitions: [], runs: [], decisions: new Map(), ledger: new Map(), health: new Map(), asOf: null };

const MAX_RUNS = 200;

function parseSteps(json: string): RunStep[] {
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? (parsed as RunStep[]).filter((s) => s && typeof s.node === 'string') : [];
  } catch {
    return [];
  }
}

/** When the newest build recorded finished (or started, or built a partition). */
function newestBuild(runs: readonly RunInfo[], partitions: readonly PartitionInfo[]): string | null {
  const stamps = [...runs.map((r) => r.finishedAt ?? r.startedAt), ...partitions.map((p) => p.builtAt)];
  return stamps.sort().at(-1) ?? null;
}

/** `asOf` given: health as of then; otherwise as of the warehouse's newest build. */
export async function readWarehouse(config: StateConfig, label: string, experiments: readonly Experiment[], asOf?: Date): Promise<WarehouseInfo> {
  if (!existsSync(warehousePath(config))) return { ...EMPTY_WAREHOUSE, notes: [`no warehouse at ${label} yet: column types and build state appear after \`xp build\``] };
  let db: Db;
  try {
    // with the config's state (src/state): the catalog, runs and ledger may live in PostgreSQL
    db = await openWarehouse(config, { readOnly: true });
  } catch (err) {
    if (err instanceof XpError && err.code === 'STATE_UNAVAILABLE') throw err;
    const why = err instanceof XpError && err.code === 'WAREHOUSE_LOCKED' ? 'stayed in use by another process' : 'cannot be opened';
    return { ...EMPTY_WAREHOUSE, notes: [`the warehouse ${label} ${why}: column types and build state are left out; generate again afterwards`] };
  }
  try {
    const cols = await db.all<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns where table_catalog = current_database() and table_schema = $1 order by table_name, ordinal_position`,
      [MODEL_SCHEMA],
    );
    const columns = new Map<string, ColumnInfo[]>();
    for (const c of cols) columns.set(c.table_name, [...(columns.get(c.table_name) ?? []), { name: c.column_name, type: c.data_type }]);
    const partitions: PartitionInfo[] = (await readPartitions(db)).map((p) => ({ model: p.model, experimentId: p.experimentId ?? '', rows: p.rows, builtAt: p.builtAt }));
    const runs: RunInfo[] = (await readRuns(db, MAX_RUNS))
      .map((r) => ({ runId: r.run_id, startedAt: r.started_at, finishedAt: r.finished_at, command: r.command, status: r.status, steps: parseSteps(r.results_json) }));
    const decisions = new Map<string, DecisionRows>();
    const partitioned = (table: string): boolean => (columns.get(table) ?? []).some((c) => c.name === 'experiment_id');
    if (partitioned('decisions')) {
      for (const e of experiments) {
        const rows = await readResults(db, 'decisions', DECISIONS, e.id);
        if (!rows.length) continue;
        decisions.set(e.id, {
          decisions: rows,
          ab: partitioned('analysis_results') ? await readResults(db, 'analysis_results', ANALYSIS_RESULTS, e.id) : [],
          sequential: partitioned('sequential_looks') ? await readResults(db, 'sequential_looks', SEQUENTIAL_LOOKS, e.id) : [],
        });
      }
    }
    const ledger = new Map([...(await readEvents(db)).entries()].map(([id, events]) => [id, foldEvents(id, events)] as const));
    const stamp = asOf?.toISOString() ?? newestBuild(runs, partitions);
    const health = new Map<string, ExperimentHealth>();
    if (stamp !== null) {
      for (const e of experiments) {
        const state = ledger.get(e.id);
        const meta = { name: e.name, lifecycle: state?.registered ? state.status : 'not in the ledger' };
        health.set(e.id, assessExperiment(await readHealthInputs(db, e, new Date(stamp)), meta));
      }
    }
    return { notes: [], columns, partitions, runs, decisions, ledger, health, asOf: stamp };
  } finally {
    db.close();
  }
}
