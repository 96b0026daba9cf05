/**
 * What a build reports as it goes; the CLI turns these into lines and progress bars, and
 * src/ledger/progress.ts into the progress files `xp status` reads.
 *
 * The steps of a build are counted once, here (`tallySteps`), for the console's k/n, its
 * piped lines, the progress files and the summary: every model step of the plan except
 * ephemeral ones (inlined into their children, never run), then each experiment's
 * analyses and memo. Publishing to the lake is not a step.
 */
import type { NodeId, PlanStep, StepResult } from './results.ts';

export interface PlanEvent {
  readonly type: 'plan';
  /** the model steps in order, ephemeral ones included (the verbose plan lists them) */
  readonly steps: readonly PlanStep[];
  /** the experiments built; each runs the analyses and the memo once the model steps are done */
  readonly experiments: readonly string[];
  /** the analysis plugins each experiment runs, in order */
  readonly analyses: readonly string[];
  /** whether each experiment then renders its memo (a project without a memo template has none) */
  readonly memo: boolean;
}

/** A data-quality check that did not pass (a row of exp.dq_results with status warn or fail). */
export interface DqFinding {
  readonly check: string;
  readonly status: 'warn' | 'fail';
  readonly details: string;
}

export type BuildEvent =
  | PlanEvent
  /** `ongoing`: the phase lasts until the next event (a terminal shows its elapsed time); `seconds`: it ended, and took that long */
  | { readonly type: 'phase'; readonly experimentId: string; readonly phase: string; readonly detail?: string; readonly ongoing?: boolean; readonly seconds?: number }
  /** a step starts running; `label` words it for `xp status` ("analysis srm"), else the node */
  | { readonly type: 'step-start'; readonly experimentId: string | null; readonly node: NodeId; readonly stage: string; readonly label?: string }
  /** a step ended (every step ends once, run or not); index and total are the emitter's own, unused */
  | { readonly type: 'step-end'; readonly result: StepResult; readonly index?: number; readonly total?: number }
  | { readonly type: 'warning'; readonly experimentId?: string; readonly message: string }
  /** the checks of a partition's freshly built dq_results that warned or failed */
  | { readonly type: 'dq'; readonly experimentId: string; readonly findings: readonly DqFinding[] };

export type Reporter = (event: BuildEvent) => void;
export const silentReporter: Reporter = () => undefined;

/** Whether a step result is one of the build's steps (see the file comment). */
export function isBuildStep(r: Pick<StepResult, 'reason' | 'stage'>): boolean {
  return r.reason !== 'ephemeral' && r.stage !== 'publish';
}

/** The number of steps a plan announces. */
export function planTotal(plan: PlanEvent): number {
  return plan.steps.filter((s) => s.reason !== 'ephemeral').length + plan.experiments.length * (plan.analyses.length + (plan.memo ? 1 : 0));
}

/** The build's steps so far: the numbers behind k/n, rows, rate and ETA. */
export interface StepTally {
  readonly total: number;
  readonly done: number;
  /** rows written by the finished steps */
  readonly rows: number;
  /** seconds the finished steps took, and how many of them took any (an up-to-date model takes none) */
  readonly seconds: number;
  readonly ran: number;
}

export const NO_STEPS: StepTally = { total: 0, done: 0, rows: 0, seconds: 0, ran: 0 };

/** Fold one event into the tally. Pure. */
export function tallySteps(t: StepTally, event: BuildEvent): StepTally {
  if (event.type === 'plan') return { ...NO_STEPS, total: planTotal(event) };
  if (event.type !== 'step-end' || !isBuildStep(event.result)) return t;
  const done = t.done + 1;
  const { rows = 0, seconds } = event.result;
  return { total: Math.max(t.total, done), done, rows: t.rows + rows, seconds: t.seconds + seconds, ran: t.ran + (seconds > 0 ? 1 : 0) };
}
