/**
 * The permanent lines of a build's console output, one vocabulary throughout: the plan
 * says "to build / up to date / skipped", the summary "built / up to date / skipped /
 * failed", both over the same steps (isBuildStep, src/core/events.ts), numbered k/n with
 * no gaps. Pure.
 */
import { isBuildStep, planTotal, type DqFinding, type PlanEvent } from '../../core/events.ts';
import { reasonText, type StepReason, type StepResult } from '../../core/results.ts';
import { fmtInt, fmtSeconds } from '../../core/format.ts';

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "plan: 7 to build, 1 up to date, 0 skipped, then 2 analyses and the memo for exp_a (11 steps)" */
export function planLine(plan: PlanEvent): string {
  const models = plan.steps.filter((s) => s.reason !== 'ephemeral');
  const build = models.filter((s) => s.action === 'build').length;
  const fresh = models.filter((s) => s.action === 'skip' && s.reason === 'fresh').length;
  const then = [
    ...(plan.analyses.length ? [plural(plan.analyses.length, 'analysis', 'analyses')] : []),
    ...(plan.memo ? ['the memo'] : []),
  ].join(' and ');
  const n = plan.experiments.length;
  const after = then && n ? `, then ${then} for ${n === 1 ? plan.experiments[0] : `each of ${n} experiments`}` : '';
  return `plan: ${build} to build, ${fresh} up to date, ${models.length - build - fresh} skipped${after} (${plural(planTotal(plan), 'step', 'steps')})`;
}

const where = (experimentId: string | null): string => experimentId ?? '(project)';
const number = (k: number, total: number): string => `${String(k).padStart(String(total).length)}/${total}`;

/** One step's line: "3/12 OK   exp_a exposures 12,345 rows in 1.23s". */
export function resultLine(r: StepResult, k: number, total: number): string {
  const mark = r.status === 'success' ? 'OK  ' : r.status === 'error' ? 'FAIL' : 'SKIP';
  const detail =
    r.status === 'success' ? `${r.rows === undefined ? '' : `${fmtInt(r.rows)} rows `}in ${fmtSeconds(r.seconds)}`
    : r.status === 'error' ? `${r.code ?? 'ERROR'}: ${r.message ?? ''}${r.file ? `\n${' '.repeat(String(total).length * 2 + 7)}compiled SQL: ${r.file}` : ''}`
    : reasonText(r);
  return `${number(k, total)} ${mark} ${where(r.experimentId)} ${r.node} ${detail}`;
}

/** Consecutive steps not run for one reason, in one line, so the numbering has no gaps. */
export interface QuietRun {
  readonly from: number;
  readonly to: number;
  readonly experimentId: string | null;
  readonly reason: StepReason | undefined;
  readonly first: string;
  readonly last: string;
}

/** "4-11/36 SKIP exp_a experiment_registry … metric_aggregates_daily fresh (8 steps)" */
export function quietRunLine(run: QuietRun, total: number): string {
  if (run.from === run.to) return `${number(run.from, total)} SKIP ${where(run.experimentId)} ${run.first} ${reasonText(run)}`;
  const n = run.to - run.from + 1;
  const nodes = n === 2 ? `${run.first}, ${run.last}` : `${run.first} … ${run.last}`;
  return `${run.from}-${run.to}/${total} SKIP ${where(run.experimentId)} ${nodes} ${reasonText(run)} (${n} steps)`;
}

/** Steps whose line waits to join a run of quiet ones: up to date, or skipped by a flag. */
export function isQuiet(r: StepResult): boolean {
  return r.status === 'skipped' && (r.reason === 'fresh' || r.reason === 'flag');
}

/**
 * A data-quality check that did not pass, as dbt prints a warning test. An error-severity
 * check fails without failing the build: the decision of a partition with a failed check
 * is "investigate", and the line says so.
 */
export function dqLine(experimentId: string, f: DqFinding): string {
  return f.status === 'warn'
    ? `WARN ${experimentId} ${f.check}: ${f.details}`
    : `FAIL ${experimentId} ${f.check}: ${f.details} (data quality: the decision is investigate)`;
}

/** "exp_a: generated (2,000,000 users) in 41.2s" */
export function phaseText(e: { readonly experimentId: string; readonly phase: string; readonly detail?: string; readonly seconds?: number }): string {
  return `${e.experimentId}: ${e.phase}${e.detail ? ` (${e.detail})` : ''}${e.seconds === undefined ? '' : ` in ${fmtSeconds(e.seconds)}`}`;
}

/** "done in 4.56s, 64 steps: 60 built, 4 up to date, 0 skipped, 0 failed", and what was published to the lake. */
export function buildSummary(results: readonly StepResult[], seconds: number): string {
  const steps = results.filter(isBuildStep);
  const count = (f: (r: StepResult) => boolean, of = steps): number => of.filter(f).length;
  const fresh = count((r) => r.status === 'skipped' && r.reason === 'fresh');
  const line = `done in ${fmtSeconds(seconds)}, ${plural(steps.length, 'step', 'steps')}: ${count((r) => r.status === 'success')} built, ${fresh} up to date, `
    + `${count((r) => r.status === 'skipped') - fresh} skipped, ${count((r) => r.status === 'error')} failed`;
  const published = results.filter((r) => !isBuildStep(r) && r.reason !== 'ephemeral');
  if (!published.length) return line;
  return `${line}; lake: ${count((r) => r.status === 'success', published)} published, ${count((r) => r.status === 'error', published)} failed`;
}
