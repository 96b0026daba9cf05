/** One experiment's health from its inputs: every check, the score and the worst status. Pure. */
import { asOfView } from './as-of.ts';
import { CHECKS, dataCheck } from './checks.ts';
import type { HealthInputs } from './inputs.ts';
import { defaultHealthThresholds, type ExperimentHealth, type HealthCheck, type HealthStatus, type HealthThresholds } from './types.ts';

const RANK: Readonly<Record<HealthStatus, number>> = { ok: 0, unknown: 1, warn: 2, critical: 3 };

export function worst(statuses: readonly HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');
}

/** Every check on the experiment's data as it stood at `inputs.asOf` (as-of.ts). */
export function assessExperiment(
  all: HealthInputs,
  meta: { readonly name: string | null; readonly lifecycle: string },
  t: HealthThresholds = defaultHealthThresholds,
): ExperimentHealth {
  const inputs = asOfView(all);
  const checks: HealthCheck[] = inputs.built ? CHECKS.map((c) => c(inputs, t)) : [dataCheck(inputs, t)];
  const score = Math.max(0, 100 - checks.reduce((s, c) => s + c.deduction, 0));
  return { experimentId: inputs.experiment.id, name: meta.name, lifecycle: meta.lifecycle, score, status: worst(checks.map((c) => c.status)), checks };
}
