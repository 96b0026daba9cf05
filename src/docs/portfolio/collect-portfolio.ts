/**
 * The portfolio dashboard's data (`xp docs serve`, GET /api/portfolio.json): every
 * configured experiment with its lifecycle status, health, decision, looks and alpha
 * spent, overlaps and last build, read fresh from the state store and the warehouse on
 * each request, read-only (a build holding the warehouse yields a note, never a wait).
 */
import { readWarehouse } from '../warehouse.ts';
import { defaultHealthThresholds } from '../../health/types.ts';
import { withPortfolioChecks } from '../../health/portfolio-checks.ts';
import { withLedgerRead } from '../../ledger/open.ts';
import { overlapsIn, ROUTINE_MAX_PAIRS } from '../../portfolio/run-overlaps.ts';
import type { OverlapFlag, OverlapReport } from '../../portfolio/types.ts';
import { isoDay, windowOf } from '../../project/windows.ts';
import type { ProjectConfig } from '../../project/types.ts';
import { XpError } from '../../core/errors.ts';

export interface PortfolioOverlap {
  readonly with: string;
  readonly usersBoth: number;
  readonly flags: readonly OverlapFlag[];
}

export interface PortfolioRow {
  readonly id: string;
  readonly name: string;
  readonly layer: string | null;
  readonly traffic: number | null;
  readonly start: string;
  /** first day after the window */
  readonly end: string;
  /** the ledger's lifecycle status, or "not in the ledger" */
  readonly status: string;
  readonly health: { readonly score: number; readonly status: string; readonly flags: readonly string[] } | null;
  readonly decision: string | null;
  readonly looks: { readonly taken: number; readonly planned: number | null };
  readonly alphaSpent: number | null;
  readonly overlaps: readonly PortfolioOverlap[];
  /** the newest partition built for the experiment (ISO), null before any */
  readonly lastBuild: string | null;
}

export interface Portfolio {
  /** when this answer was computed (ISO): changes on every poll */
  readonly generatedAt: string;
  /** the warehouse's newest build, which health is judged at */
  readonly asOf: string | null;
  readonly experiments: readonly PortfolioRow[];
  readonly notes: readonly string[];
}

async function readOverlaps(config: ProjectConfig): Promise<{ report: OverlapReport | null; note?: string }> {
  try {
    return { report: await withLedgerRead(config, (db) => overlapsIn(db, config, { maxPairs: ROUTINE_MAX_PAIRS })) };
  } catch (err) {
    if (err instanceof XpError && err.code === 'WAREHOUSE_LOCKED') return { report: null, note: 'the warehouse is held by a build: overlaps are left out of this refresh' };
    throw err;
  }
}

export async function collectPortfolio(config: ProjectConfig, now: () => Date = () => new Date()): Promise<Portfolio> {
  const w = await readWarehouse(config, config.warehouse, config.experiments);
  const { report, note } = await readOverlaps(config);
  const rows = [...config.experiments].sort((a, b) => a.id.localeCompare(b.id)).map((e): PortfolioRow => {
    const state = w.ledger.get(e.id);
    const baseHealth = w.health.get(e.id);
    const health = baseHealth && report ? withPortfolioChecks(baseHealth, report, defaultHealthThresholds) : baseHealth;
    const decisionRows = w.decisions.get(e.id)?.decisions ?? [];
    const built = w.partitions.filter((p) => p.experimentId === e.id).map((p) => p.builtAt).sort();
    const window = windowOf(e);
    return {
      id: e.id,
      name: e.name,
      layer: e.layer ?? null,
      traffic: e.layer !== undefined ? e.traffic ?? 1 : null,
      start: e.start,
      end: isoDay(window.end),
      status: state?.registered ? state.status : 'not in the ledger',
      health: health ? { score: health.score, status: health.status, flags: health.checks.filter((c) => c.status !== 'ok').map((c) => `${c.check}:${c.status}`) } : null,
      decision: state?.decision?.decision ?? decisionRows.at(-1)?.decision ?? null,
      looks: { taken: state?.looks.length ?? 0, planned: e.sequential?.looks ?? null },
      alphaSpent: state?.registered && e.sequential ? state.alphaSpent : null,
      overlaps: (report?.pairs ?? []).filter((p) => p.a === e.id || p.b === e.id).map((p) => ({ with: p.a === e.id ? p.b : p.a, usersBoth: p.usersBoth, flags: p.flags })),
      lastBuild: built.at(-1) ?? null,
    };
  });
  return { generatedAt: now().toISOString(), asOf: w.asOf, experiments: rows, notes: [...w.notes, ...(note ? [note] : []), ...(report?.notes ?? [])] };
}
