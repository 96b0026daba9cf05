/**
 * The memo's one read of the warehouse: the experiment partition's rows of the model and
 * plugin tables it shows, the ledger's hashes and the recorded fingerprints. Every query
 * has a total order, so the same warehouse always gives the same inputs. A table that
 * does not exist (its plugin is not installed, or never ran) reads as no rows.
 */
import type { Db, Row } from '../engine/connection.ts';
import { experimentFingerprints, MODEL_SCHEMA, tablesIn } from '../engine/platform-store.ts';
import type { StepResult } from '../core/results.ts';
import type { LoadedPlugin } from '../analyse/load-plugins.ts';
import type { TableSpec } from '../analyse/plugin.ts';
import { readResults } from '../analyses/read-table.ts';
import {
  ANALYSIS_RESULTS, ANALYSIS_RESULTS_CUPED, DECISIONS, DID_PRETREND_TESTS, DID_RESULTS, SEQUENTIAL_LOOKS, SRM_RESULTS,
  type RowOf,
} from '../analyses/tables.ts';
import { SLICE_RESULTS, SRM_DEBUG_RESULTS } from '../analyses/tables.ts';
import { foldEvents, type ExperimentState } from '../ledger/fold.ts';
import { hasLedger, readExperimentEvents } from '../ledger/store.ts';
import type { Experiment, ProjectConfig } from '../project/types.ts';
import { relation } from '../engine/sql.ts';
import { pairSummary } from '../portfolio/assess-overlaps.ts';
import { overlapsIn } from '../portfolio/run-overlaps.ts';
import { MEMO_MAX_PARTNERS, partnersOf } from '../portfolio/pairs.ts';
import { scratchOf } from '../engine/scratch/scratch-db.ts';
import { withLedgerRead } from '../ledger/open.ts';
import type { StateReader } from '../ledger/looks.ts';
import type { DailyAggregate, DqResult, Fingerprint, MemoOverlaps, RegistryRow, ReportInputs, ReportTable, ReportTables, SrmCount } from './inputs.ts';

/** The models the memo reads, each once below. */
export const MEMO_MODELS = {
  registry: 'experiment_registry',
  daily: 'metric_aggregates_daily',
  srmCounts: 'srm_counts',
  dq: 'dq_results',
} as const;

/** The plugin tables the memo reads (every key of ReportTables), each once below. */
const TABLES: { readonly [T in ReportTable]: true } = {
  analysis_results: true, analysis_results_cuped: true, did_results: true, did_pretrend_tests: true, srm_results: true, sequential_looks: true, decisions: true,
};
export const MEMO_TABLES = Object.keys(TABLES) as readonly ReportTable[];

/**
 * The build nodes the memo reads: its models and the plugins (`analysis:<name>`) that
 * write its tables. Only a failure among these (or above them, which skips them) keeps
 * the memo from being written; the lineage draws these edges into the memo.
 */
export function memoInputs(plugins: readonly { readonly name: string; readonly writes: Readonly<Record<string, unknown>> }[]): string[] {
  const writers = plugins.filter((p) => MEMO_TABLES.some((t) => Object.hasOwn(p.writes, t))).map((p) => `analysis:${p.name}`);
  return [...Object.values(MEMO_MODELS), ...writers];
}

/** One model partition's rows without experiment_id, in the given order (default: every column); `tables`: those of schema exp. */
async function partitionRows<T extends Row>(db: Db, tables: ReadonlySet<string>, table: string, experimentId: string, orderBy = 'all'): Promise<T[]> {
  if (!tables.has(table)) return [];
  return db.all<T>(`select * exclude (experiment_id) from ${relation(MODEL_SCHEMA, table)} where experiment_id = $1 order by ${orderBy}`, [experimentId]);
}

/** The ledger's part of the memo, from an experiment's folded state: status, config and input hashes. */
export function ledgerPart(s: ExperimentState): ReportInputs['ledger'] {
  return {
    ...(s.registered ? { status: s.status } : {}),
    ...(s.config ? { configHash: s.config.hash } : {}),
    ...(s.input ? { inputHash: s.input.hash, inputObjects: s.input.objects.length, inputBytes: s.input.bytes } : {}),
  };
}

async function ledgerHashes(db: Db, experimentId: string, read?: StateReader): Promise<ReportInputs['ledger']> {
  if (!(await hasLedger(db))) return {};
  return ledgerPart(read ? await read(db, experimentId) : foldEvents(experimentId, await readExperimentEvents(db, experimentId)));
}

/** From the state store (src/state), which may be PostgreSQL rather than the warehouse. */
async function fingerprints(db: Db, experimentId: string): Promise<Fingerprint[]> {
  return experimentFingerprints(db, experimentId);
}

export interface ReadOptions {
  readonly db: Db;
  readonly project: ProjectConfig;
  readonly plugins: readonly LoadedPlugin[];
  readonly experiment: Experiment;
  /** this build's step results (any experiment; the experiment's own are kept) */
  readonly steps: readonly StepResult[];
  /** how to read the experiment's ledger (the memo stage shares one read with recordMemo); default: from the store */
  readonly readState?: StateReader;
}

/** The plugin tables the memo shows, read as the results contract declares them; none when no plugin writes one. */
async function reportTables(db: Db, tables: ReadonlySet<string>, experimentId: string, writers: Readonly<Record<string, string>>): Promise<ReportTables> {
  const read = <S extends TableSpec>(table: ReportTable, spec: S): Promise<RowOf<S>[]> =>
    (writers[table] ? readResults(db, table, spec, experimentId, tables) : Promise.resolve([]));
  return {
    analysis_results: await read('analysis_results', ANALYSIS_RESULTS),
    analysis_results_cuped: await read('analysis_results_cuped', ANALYSIS_RESULTS_CUPED),
    did_results: await read('did_results', DID_RESULTS),
    did_pretrend_tests: await read('did_pretrend_tests', DID_PRETREND_TESTS),
    srm_results: await read('srm_results', SRM_RESULTS),
    sequential_looks: await read('sequential_looks', SEQUENTIAL_LOOKS),
    decisions: await read('decisions', DECISIONS),
  };
}

export async function readReportInputs(opts: ReadOptions): Promise<ReportInputs> {
  const { db, experiment } = opts;
  const id = experiment.id;
  const writers: Record<string, string> = {};
  for (const { plugin } of opts.plugins) {
    for (const table of Object.keys(plugin.writes)) writers[table] = plugin.name;
  }
  // which tables exist, asked once rather than before each read
  const tables = await tablesIn(db, MODEL_SCHEMA);
  const [registry] = await partitionRows<RegistryRow & Row>(db, tables, MEMO_MODELS.registry, id);
  return {
    experiment,
    metrics: Object.fromEntries(experiment.metricNames.flatMap((m) => (opts.project.metrics[m] ? [[m, opts.project.metrics[m]]] : []))),
    ...(registry ? { registry } : {}),
    daily: await partitionRows<DailyAggregate & Row>(db, tables, MEMO_MODELS.daily, id, 'variant, metric, day_index'),
    srmCounts: await partitionRows<SrmCount & Row>(db, tables, MEMO_MODELS.srmCounts, id, 'grain, day_index nulls first, variant'),
    dq: await partitionRows<DqResult & Row>(db, tables, MEMO_MODELS.dq, id, "case status when 'fail' then 0 when 'warn' then 1 else 2 end, check_name"),
    tables: await reportTables(db, tables, id, writers),
    ...(writers['srm_debug_results'] ? { srmDebug: await readResults(db, 'srm_debug_results', SRM_DEBUG_RESULTS, id, tables) } : {}),
    ...(writers['slice_results'] && experiment.report?.dimensions.length ? { slices: await readResults(db, 'slice_results', SLICE_RESULTS, id, tables) } : {}),
    writers,
    steps: opts.steps.filter((s) => s.experimentId === id),
    ledger: await ledgerHashes(db, id, opts.readState),
    fingerprints: await fingerprints(db, id),
    ...(await memoOverlaps(db, opts.project, id)),
  };
}

/** The pairs of this experiment with overlapping windows (src/portfolio), absent when it overlaps none. */
async function memoOverlaps(db: Db, project: ProjectConfig, id: string): Promise<{ overlaps?: MemoOverlaps }> {
  const partners = partnersOf(project.experiments, id);
  if (!partners.length) return {};
  if (partners.length > MEMO_MAX_PARTNERS) {
    return { overlaps: { pairs: [`${partners.length} experiments overlap this one's window: more than the memo reads (${MEMO_MAX_PARTNERS}); run \`xp overlaps --select ${id}\``], findings: [], tested: false } };
  }
  // a build's scratch holds only the experiments it builds: the partners' partitions are
  // read from the warehouse itself, read-only (this experiment's stages are committed by now)
  const report = scratchOf(db)
    ? await withLedgerRead(project, (warehouse) => overlapsIn(warehouse, project, { select: id }))
    : await overlapsIn(db, project, { select: id });
  const mine = report.pairs.filter((p) => p.a === id || p.b === id);
  if (!mine.length) return {};
  return { overlaps: { pairs: mine.map(pairSummary), findings: mine.flatMap((p) => p.findings), tested: true } };
}
