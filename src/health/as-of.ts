/**
 * The experiment's data as it stood at `--as-of`, so every check judges the same moment
 * (not only freshness): the days that were complete before as-of, the users counted on
 * them, the metric days among them. A day that as-of cuts through is not over and is
 * left out, and the share of the window elapsed is counted in the same complete days, so
 * pace compares like with like. Pure.
 */
import type { HealthInputs } from './inputs.ts';

const DAY_MS = 86_400_000;

/** Days of the window complete at as-of, in [0, days]. */
export function completeDays(inputs: Pick<HealthInputs, 'experiment' | 'asOf'>): number {
  const start = Date.parse(`${inputs.experiment.start}T00:00:00Z`);
  const days = Math.floor((inputs.asOf.getTime() - start) / DAY_MS);
  return Math.min(inputs.experiment.days, Math.max(0, days));
}

/**
 * The inputs restricted to the days complete at as-of. When the warehouse holds no day
 * past that point (as-of after the newest data), they are returned as they are; otherwise
 * the overall counts are the sum of the kept days' new users (what srm_counts' overall row
 * held then). The newest event never lies after as-of: one that does shows the logging ran
 * up to as-of.
 */
export function asOfView(inputs: HealthInputs): HealthInputs {
  const cut = completeDays(inputs);
  const newestEvent = inputs.newestEvent !== null && Date.parse(inputs.newestEvent.endsWith('Z') ? inputs.newestEvent : `${inputs.newestEvent}Z`) > inputs.asOf.getTime()
    ? inputs.asOf.toISOString()
    : inputs.newestEvent;
  const later = inputs.daily.some((d) => d.dayIndex >= cut) || inputs.metricDays.some((d) => d.dayIndex >= cut);
  if (!later) return { ...inputs, newestEvent };
  const daily = inputs.daily.filter((d) => d.dayIndex < cut);
  const variants = [inputs.experiment.control, ...inputs.experiment.treatments];
  const overall = variants.map((variant) => ({
    variant,
    expectedShare: inputs.overall.find((c) => c.variant === variant)?.expectedShare ?? daily.find((d) => d.variant === variant)?.expectedShare ?? inputs.experiment.variants[variant] ?? 0,
    observed: daily.filter((d) => d.variant === variant).reduce((s, d) => s + d.observed, 0),
  }));
  return { ...inputs, newestEvent, daily, overall, metricDays: inputs.metricDays.filter((d) => d.dayIndex < cut) };
}
