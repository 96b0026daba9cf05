/** What a build reports as it goes; the CLI turns these into lines and progress bars. */
import type { PlanStep, StepResult } from './results.ts';

export type BuildEvent =
  | { readonly type: 'plan'; readonly steps: readonly PlanStep[] }
  | { readonly type: 'phase'; readonly experimentId: string; readonly phase: string; readonly detail?: string }
  | { readonly type: 'step-start'; readonly step: PlanStep; readonly index: number; readonly total: number }
  | { readonly type: 'step-end'; readonly result: StepResult; readonly index: number; readonly total: number }
  | { readonly type: 'warning'; readonly experimentId?: string; readonly message: string };

export type Reporter = (event: BuildEvent) => void;
export const silentReporter: Reporter = () => undefined;
