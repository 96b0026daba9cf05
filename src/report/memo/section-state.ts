/**
 * Whether a memo section can show results: its plugin ran (or was fresh) in this build
 * and wrote rows, or it was skipped (a flag, a failed or skipped upstream, an optional
 * stage that failed), or there is nothing to show. "Fresh" is not skipped: the results
 * are current, so a rebuild of the same inputs gives the same memo.
 */
import { CURRENT_REASONS, type StepResult } from '../../core/results.ts';
import type { ReportInputs, ReportTable } from '../inputs.ts';
import type { SectionStatus, SkippedStep } from '../memo-data.ts';

/** A skip reason as a sentence. */
export function describeSkip(step: Pick<StepResult, 'node' | 'stage' | 'reason' | 'upstream' | 'message'>): string {
  switch (step.reason) {
    case 'flag': return `skipped with --skip-${step.stage}`;
    case 'upstream-failed': return `skipped because ${step.upstream} failed`;
    case 'upstream-skipped': return `skipped because ${step.upstream} was skipped`;
    case 'optional-failed': return `failed (optional stage, the build went on): ${step.message ?? ''}`;
    case undefined: return step.message ?? 'skipped';
    default: return step.reason;
  }
}

/**
 * Steps of this experiment that were left out or failed, in build order. A memo is only
 * written when nothing it reads failed, so a failure listed here is one it does not read
 * (the build still exits 1).
 */
export function skippedSteps(steps: readonly StepResult[]): SkippedStep[] {
  return steps
    .filter((s) => s.status === 'error' || (s.status === 'skipped' && !(s.reason && CURRENT_REASONS.has(s.reason))))
    .map((s) => ({
      node: s.node,
      stage: s.stage,
      reason: s.status === 'error' ? `failed, and nothing in this memo reads it: ${s.message ?? 'error'}` : describeSkip(s),
    }));
}

export interface SectionState {
  readonly status: SectionStatus;
  readonly note: string | null;
}

/** The state of the section that shows `table`. */
export function sectionState(inputs: ReportInputs, table: ReportTable): SectionState {
  const plugin = inputs.writers[table];
  if (!plugin) return { status: 'missing', note: `no analysis plugin writes ${table} (analyses/*.ts)` };
  const step = inputs.steps.find((s) => s.node === `analysis:${plugin}`);
  if (step?.status === 'skipped' && !(step.reason && CURRENT_REASONS.has(step.reason))) return { status: 'skipped', note: `${plugin}: ${describeSkip(step)}` };
  if (step?.status === 'error') return { status: 'skipped', note: `${plugin} failed: ${step.message ?? 'error'}` };
  if (!inputs.tables[table].length) return { status: 'missing', note: `${plugin} wrote no rows to ${table}` };
  return { status: 'ok', note: null };
}
