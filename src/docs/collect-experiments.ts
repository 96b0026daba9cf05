/**
 * Each configured experiment as the docs show it: its design from the config, and what
 * the warehouse and target/ know: the last build that touched it, its partitions, the
 * decision rows an analysis wrote, the latest test results, its memo and report.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { memoPath, reportPath } from '../core/paths.ts';
import { fmtCount } from '../report/format.ts';
import { decisionHeadline } from '../report/memo/headline.ts';
import type { Headline } from '../report/memo-data.ts';
import type { HealthCheck, HealthStatus } from '../health/types.ts';
import type { Project } from '../workspace/project.ts';
import type { DecisionRows, PartitionInfo, RunStep, WarehouseInfo } from './warehouse.ts';

/** build and test state: did the last build and the last `xp test` run pass */
export type BuildState = 'ok' | 'warnings' | 'failing' | 'unknown';

export interface ExperimentDoc {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly hypothesis?: string;
  readonly owner?: string;
  readonly variants: Readonly<Record<string, number>>;
  readonly control: string;
  readonly primaryMetric: string;
  readonly secondaryMetrics: readonly string[];
  readonly guardrails: readonly string[];
  readonly start: string;
  readonly days: number;
  readonly prePeriodDays: number;
  readonly sequential?: string;
  /** the ledger's lifecycle status (draft, running, …) when registered, else not built · built · last build failed */
  readonly status: string;
  readonly statusSince?: string;
  /** from the ledger: the decision recorded, the looks taken, alpha spent */
  readonly ledgerDecision?: { readonly decision: string; readonly reason?: string; readonly look?: number; readonly at: string };
  readonly looks?: { readonly taken: number; readonly alphaSpent: number };
  readonly lastBuild?: {
    readonly runId: string;
    readonly at: string;
    readonly status: 'success' | 'error';
    readonly command: string;
    readonly built: number;
    readonly failed: number;
    readonly skipped: number;
    readonly errors: readonly RunStep[];
  };
  readonly partitions: readonly PartitionInfo[];
  /** the decision plugin's row (exp.decisions) worded as the memo's headline */
  readonly decision?: Omit<Headline, 'status' | 'note'>;
  /** `xp health` (SRM, pace, split, freshness, anomalies, …) as of the generation time */
  readonly health?: { readonly status: HealthStatus; readonly score: number; readonly checks: readonly HealthCheck[] };
  readonly buildState: BuildState;
  readonly buildDetail: string;
  /** links relative to the experiment's page (experiments/<id>.html) */
  readonly memo?: string;
  readonly report?: string;
}

interface TestSummary {
  readonly fail: number;
  readonly warn: number;
  readonly pass: number;
}

function testsByExperiment(target: string): Map<string, TestSummary> {
  const out = new Map<string, TestSummary>();
  const file = path.join(target, 'run_results.json');
  if (!existsSync(file)) return out;
  try {
    const run = JSON.parse(readFileSync(file, 'utf8')) as { kind?: string; results?: { experimentId: string | null; status: string }[] };
    if (run.kind !== 'test') return out;
    for (const r of run.results ?? []) {
      if (!r.experimentId) continue;
      const s = out.get(r.experimentId) ?? { fail: 0, warn: 0, pass: 0 };
      out.set(r.experimentId, {
        fail: s.fail + (r.status === 'fail' || r.status === 'error' ? 1 : 0),
        warn: s.warn + (r.status === 'warn' ? 1 : 0),
        pass: s.pass + (r.status === 'pass' ? 1 : 0),
      });
    }
  } catch {
    // unreadable results: health stays unknown
  }
  return out;
}

/** A link from the page in `fromDir` to `file`, when the file exists. */
function linkIfExists(fromDir: string, file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return path.relative(fromDir, file).split(path.sep).map(encodeURIComponent).join('/');
}

function decisionOf(e: Project['config']['experiments'][number], rows: DecisionRows | undefined): ExperimentDoc['decision'] {
  const row = rows?.decisions[0];
  if (!row || !rows) return undefined;
  const order = (r: { metric?: string | null }) => { const i = e.metricNames.indexOf(r.metric ?? ''); return i < 0 ? e.metricNames.length : i; };
  return decisionHeadline({ experiment: e, abRows: [...rows.ab].sort((a, b) => order(a) - order(b)), sequentialRows: rows.sequential }, row);
}

export function experimentDocs(project: Project, wh: WarehouseInfo, target: string): ExperimentDoc[] {
  const tests = testsByExperiment(target);
  // an experiment's page is docs/experiments/<id>.html (generate.ts)
  const pageDir = path.join(target, 'docs', 'experiments');
  return project.config.experiments.map((e) => {
    const partitions = wh.partitions.filter((p) => p.experimentId === e.id);
    const run = wh.runs.find((r) => r.steps.some((s) => s.experimentId === e.id && s.status !== 'skipped'));
    const steps = run?.steps.filter((s) => s.experimentId === e.id) ?? [];
    const lastBuild = run && {
      runId: run.runId,
      at: run.finishedAt ?? run.startedAt,
      status: steps.some((s) => s.status === 'error') ? ('error' as const) : ('success' as const),
      command: run.command,
      built: steps.filter((s) => s.status === 'success').length,
      failed: steps.filter((s) => s.status === 'error').length,
      skipped: steps.filter((s) => s.status === 'skipped').length,
      errors: steps.filter((s) => s.status === 'error'),
    };
    const t = tests.get(e.id);
    const buildState: BuildState =
      lastBuild?.status === 'error' || (t && t.fail > 0) ? 'failing'
      : t && t.warn > 0 ? 'warnings'
      : lastBuild || t ? 'ok'
      : 'unknown';
    const buildDetail = [
      lastBuild ? `last build: ${lastBuild.built} built, ${lastBuild.failed} failed, ${lastBuild.skipped} skipped` : 'no build recorded',
      t ? `last xp test: ${t.pass} passed, ${t.fail} failed, ${t.warn} warned` : 'no test run recorded',
    ].join(' · ');
    const seq = e.sequential;
    const state = wh.ledger.get(e.id);
    const registered = state?.registered ? state : undefined;
    return {
      id: e.id,
      name: e.name,
      description: e.description,
      hypothesis: e.hypothesis,
      owner: e.owner,
      variants: e.variants,
      control: e.control,
      primaryMetric: e.primary_metric,
      secondaryMetrics: e.secondary_metrics,
      guardrails: e.guardrails,
      start: e.start,
      days: e.days,
      prePeriodDays: e.pre_period_days,
      sequential: seq ? `${seq.looks} looks, ${seq.spending.replace('_', '-')} spending, alpha ${seq.alpha}, ${fmtCount(seq.target_n_per_arm)} users per arm planned` : undefined,
      status: registered ? registered.status : lastBuild?.status === 'error' ? 'last build failed' : partitions.length ? 'built' : 'not built',
      statusSince: registered?.statusSince,
      ledgerDecision: registered?.decision && { decision: registered.decision.decision, reason: registered.decision.reason, look: registered.decision.look, at: registered.decision.at },
      looks: registered && registered.looks.length ? { taken: registered.looks.length, alphaSpent: registered.alphaSpent } : undefined,
      lastBuild,
      partitions,
      decision: decisionOf(e, wh.decisions.get(e.id)),
      health: wh.health.get(e.id) && { status: wh.health.get(e.id)!.status, score: wh.health.get(e.id)!.score, checks: wh.health.get(e.id)!.checks },
      buildState,
      buildDetail,
      memo: linkIfExists(pageDir, memoPath(project.config, e.id)),
      report: linkIfExists(pageDir, reportPath(project.config, e.id)),
    };
  });
}
