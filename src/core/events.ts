/** What a build reports as it goes; the CLI turns these into lines and progress bars. */
import type { PlanStep } from '../plan/plan.ts';

export type BuildEvent =
  | { readonly type: 'plan'; readonly steps: readonly PlanStep[] }
  | { readonly type: 'phase'; readonly experimentId: string; readonly phase: string; readonly detail?: string }
  | { readonly type: 'step-start'; readonly step: PlanStep; readonly index: number; readonly total: number }
  | { readonly type: 'step-end'; readonly result: StepResult; readonly index: number; readonly total: number }
  | { readonly type: 'warning'; readonly experimentId?: string; readonly message: string };

export type StepStatus = 'success' | 'error' | 'skipped';

export interface StepResult {
  readonly experimentId: string | null;
  /** a model name, or `analysis:<plugin>` */
  readonly node: string;
  readonly stage: string;
  readonly status: StepStatus;
  readonly reason?: string;
  readonly rows?: number;
  readonly seconds: number;
  readonly fingerprint?: string;
  readonly message?: string;
  readonly code?: string;
  /** the step's compiled SQL, for a failed model: where to read what ran */
  readonly file?: string;
}

export type Reporter = (event: BuildEvent) => void;
export const silentReporter: Reporter = () => undefined;
