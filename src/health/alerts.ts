/**
 * Alerts from a health report: one per critical check, in the JSON shape the webhook
 * receives (experiment, check, severity, message). Pure; src/health/post-alerts.ts sends them.
 */
import type { CheckName, HealthReport } from './types.ts';

/** what the alert is about; `no_data` is the `data` check (nothing built or no users) */
export type AlertCheck = Exclude<CheckName, 'data'> | 'no_data';

export interface Alert {
  readonly experiment: string;
  readonly check: AlertCheck;
  readonly severity: 'critical';
  readonly message: string;
  /** the as-of time the report judged the data at (ISO) */
  readonly as_of: string;
}

export function alertsFrom(report: HealthReport): Alert[] {
  return report.experiments.flatMap((e) => e.checks
    .filter((c) => c.status === 'critical')
    .map((c): Alert => ({
      experiment: e.experimentId,
      check: c.check === 'data' ? 'no_data' : c.check,
      severity: 'critical',
      message: `${c.value}: ${c.detail}`,
      as_of: report.asOf,
    })));
}
