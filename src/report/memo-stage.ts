/**
 * The build's final stage per experiment (called from src/build/run-build.ts after the
 * analyses): read the partition's results once, build the memo data, render
 * target/memos/<id>.md (+ <id>.json, the data it was rendered from) and
 * target/reports/<id>.html, record the memo in the ledger.
 *
 * - `--skip-memo` skips it. A failure among its inputs (the models and plugins it reads,
 *   read-inputs.ts `memoInputs`), or above them (which skipped them), skips it too, as
 *   dbt skips only a failed node's descendants: the memo would describe results that did
 *   not update. A failed step it does not read still fails the build, but the memo is
 *   written and lists the failure.
 * - Its fingerprint is the memo data, the chart data, the templates and the memo code: when nothing
 *   changed and the files are there, it is `fresh` and nothing is rewritten (unless
 *   --full-refresh, which re-renders: the same bytes again).
 * - A project without analyses/templates/memo.md.hbs has no memo stage.
 * - Files are written to a temp name and renamed, so a reader never sees half a memo.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../engine/connection.ts';
import type { Reporter } from '../core/events.ts';
import type { StepResult } from '../core/results.ts';
import type { LoadedPlugin } from '../analyse/load-plugins.ts';
import { XpError } from '../core/errors.ts';
import { recordMemo } from '../ledger/looks.ts';
import { LedgerStateCache } from '../analyse/plugin-ledger.ts';
import { sha256 } from '../core/hash.ts';
import { memoPath, reportPath } from '../core/paths.ts';
import type { Experiment, ProjectConfig } from '../project/types.ts';
import { buildMemoData } from './build-memo-data.ts';
import { chartData } from './charts/chart-data.ts';
import { renderCharts } from './charts/render-charts.ts';
import { preloadRenderer, RENDERER } from './charts/vega-door.ts';
import { ledgerPart, memoInputs, readReportInputs } from './read-inputs.ts';
import { MEMO_MAX_PARTNERS, partnersOf } from '../portfolio/pairs.ts';
import type { ExperimentState } from '../ledger/fold.ts';
import { skippedSteps } from './memo/section-state.ts';
import { experimentFingerprints } from '../engine/platform-store.ts';
import { loadTemplates, renderMemo, renderReport } from './templates.ts';

export const MEMO_NODE = 'memo';
const MEMO_VERSION = 'memo-v1';

let codeHash: string | undefined;

/**
 * The memo code's own fingerprint: every source file of src/report and the chart
 * renderer's version, so an upgrade that draws or words things differently re-renders
 * the memos of unchanged experiments (as a changed plugin re-runs).
 */
export function reportCodeHash(): string {
  if (codeHash) return codeHash;
  // the TypeScript sources, whether this runs from src/ or from dist/ (beside src/)
  const root = fileURLToPath(new URL('../../src/report/', import.meta.url));
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [path.join(dir, e.name)] : []));
  const sources = files(root).sort().map((f) => `${path.relative(root, f)}\n${readFileSync(f, 'utf8')}`);
  codeHash = sha256(MEMO_VERSION, RENDERER, ...sources);
  return codeHash;
}

export interface MemoStageOptions {
  readonly db: Db;
  readonly project: ProjectConfig;
  readonly plugins: readonly LoadedPlugin[];
  readonly experiment: Experiment;
  /** the build's results so far (this experiment's are used) */
  readonly results: readonly StepResult[];
  readonly skip: ReadonlySet<string>;
  /** re-render even when the fingerprint matches */
  readonly fullRefresh?: boolean;
  readonly runId: string;
  readonly reporter: Reporter;
  /** the experiment's state as this build's ledger holds it (the same fold the memo reads from the store) */
  readonly ledger: ExperimentState;
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** What the last render recorded beside the memo: its content fingerprint and the key of its inputs. */
function storedRender(file: string): { fingerprint?: string; inputs?: string } {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { fingerprint?: string; inputs?: string };
  } catch {
    return {};
  }
}

/**
 * The memo's inputs named without reading them: the recorded fingerprints of every
 * partition and analysis of the experiment (each a function of its data), the ledger's
 * hashes, this build's failed or skipped steps, the config, the plugins' tables, the
 * templates and the report code. Equal keys mean equal inputs, so a build that changed
 * nothing skips the memo without copying or reading a row; a different key falls back to
 * reading the inputs and comparing the content fingerprint.
 */
/** Experiments whose windows overlap this one's: their data enters the memo through xp overlaps. */
function overlappingPartners(opts: MemoStageOptions): string[] {
  const partners = partnersOf(opts.project.experiments, opts.experiment.id);
  // past the cap the memo reads no partner (read-inputs.ts): their count is its input
  return partners.length > MEMO_MAX_PARTNERS ? [`${partners.length} overlapping experiments`] : partners;
}

async function inputsKey(opts: MemoStageOptions, templates: unknown): Promise<string> {
  const id = opts.experiment.id;
  const writers = opts.plugins.map((p) => [p.plugin.name, Object.keys(p.plugin.writes)]);
  return sha256(
    'memo-inputs-v1', reportCodeHash(), JSON.stringify(templates), JSON.stringify(opts.experiment),
    JSON.stringify(opts.experiment.metricNames.map((m) => opts.project.metrics[m] ?? null)), JSON.stringify(writers),
    JSON.stringify(await experimentFingerprints(opts.db, id)), JSON.stringify(ledgerPart(opts.ledger)),
    JSON.stringify(skippedSteps(opts.results.filter((r) => r.experimentId === id))),
    // the overlapping experiments' partitions feed the memo's "Overlapping experiments" (none: nothing added)
    ...(await Promise.all(overlappingPartners(opts).map(async (p) => JSON.stringify([p, p.includes(' ') ? [] : await experimentFingerprints(opts.db, p)])))),
  );
}

/**
 * The failed node that keeps the memo from being written, if any: an input that failed,
 * or the failure upstream of an input that was skipped because of it.
 */
export function blockingFailure(results: readonly StepResult[], experimentId: string, inputs: readonly string[]): string | undefined {
  const read = new Set(inputs);
  for (const r of results) {
    if (r.experimentId !== experimentId || !read.has(r.node)) continue;
    if (r.status === 'error') return r.node;
    if (r.status === 'skipped' && r.reason === 'upstream-failed') return r.upstream ?? r.node;
  }
  return undefined;
}

export async function runMemoStage(opts: MemoStageOptions): Promise<StepResult[]> {
  const templates = loadTemplates(opts.project.root);
  if (!templates) return [];
  const { experiment, reporter } = opts;
  const base = { experimentId: experiment.id, node: MEMO_NODE, stage: MEMO_NODE };
  const finish = (r: StepResult): StepResult[] => {
    reporter({ type: 'step-end', result: r });
    return [r];
  };
  if (opts.skip.has(MEMO_NODE)) return finish({ ...base, status: 'skipped', reason: 'flag', seconds: 0 });
  const blocked = blockingFailure(opts.results, experiment.id, memoInputs(opts.plugins.map((p) => p.plugin)));
  if (blocked) return finish({ ...base, status: 'skipped', reason: 'upstream-failed', upstream: blocked, seconds: 0 });

  reporter({ type: 'step-start', experimentId: experiment.id, node: MEMO_NODE, stage: MEMO_NODE, label: 'memo' });
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const files = {
    memo: memoPath(opts.project, experiment.id),
    data: memoPath(opts.project, experiment.id, 'json'),
    report: reportPath(opts.project, experiment.id),
  };
  try {
    const stored = storedRender(files.data);
    const present = existsSync(files.memo) && (!templates.report.source || existsSync(files.report));
    const key = await inputsKey(opts, templates);
    if (!opts.fullRefresh && present && stored.inputs === key && stored.fingerprint) {
      return finish({ ...base, status: 'skipped', reason: 'fresh', fingerprint: stored.fingerprint, seconds: seconds() });
    }
    // charts are drawn only for the HTML report: their renderer loads while the inputs are read
    if (templates.report.source) preloadRenderer();
    // one read of the ledger for the inputs and for recording the memo (nothing appends in between)
    const ledgerRead = new LedgerStateCache();
    const inputs = await readReportInputs({ ...opts, steps: opts.results, readState: ledgerRead.read });
    const memo = buildMemoData(inputs);
    const charts = chartData(inputs);
    const fingerprint = sha256(reportCodeHash(), JSON.stringify(memo), JSON.stringify(charts), JSON.stringify(templates));
    if (!opts.fullRefresh && present && stored.fingerprint === fingerprint) {
      if (stored.inputs !== key) writeAtomic(files.data, `${JSON.stringify({ fingerprint, inputs: key, memo }, null, 2)}\n`);
      return finish({ ...base, status: 'skipped', reason: 'fresh', fingerprint, seconds: seconds() });
    }
    const markdown = renderMemo(templates, memo);
    const html = templates.report.source ? renderReport(templates, memo, await renderCharts(charts)) : undefined;
    writeAtomic(files.memo, markdown);
    if (html !== undefined) writeAtomic(files.report, html);
    writeAtomic(files.data, `${JSON.stringify({ fingerprint, inputs: key, memo }, null, 2)}\n`);
    // the ledger records the memo relative to the project root, with / on every platform
    const recorded = path.relative(opts.project.root, files.memo).split(path.sep).join('/');
    await recordMemo(opts.db, experiment.id, { path: recorded, hash: sha256(markdown), runId: opts.runId }, ledgerRead.read);
    return finish({ ...base, status: 'success', fingerprint, seconds: seconds() });
  } catch (cause) {
    const err = cause instanceof XpError ? cause : new XpError('STAGE_FAILED', `memo failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      location: { experiment: experiment.id },
      hint: 'the analyses\' results are intact; fix the cause and rebuild (only the memo runs again)',
      cause,
    });
    return finish({ ...base, status: 'error', message: err.message, code: err.code, seconds: seconds() });
  }
}
