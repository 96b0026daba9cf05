/**
 * Alerts from a health report: one per critical check, in the JSON shape the webhook
 * receives (experiment, check, severity, message). Pure; src/health/post-alerts.ts sends them.
 */
import type { ExperimentState } from '../ledger/fold.ts';
import type { CheckName, HealthReport } from './types.ts';

/**
 * what the alert is about; `no_data` is the `data` check (nothing built or no users);
 * `stop_boundary` and `harm` come from the ledger (the last sequential look, the decision)
 */
export type AlertCheck = Exclude<CheckName, 'data'> | 'no_data' | 'stop_boundary' | 'harm';

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

/**
 * Alerts from the ledger of the experiments assessed: the last sequential look crossed a
 * stop boundary (stop-efficacy or stop-harm), or the recorded decision is don't ship (the
 * primary or a guardrail significantly harmed; analyses/lib/decision-rules.ts).
 */
export function ledgerAlerts(states: readonly ExperimentState[], asOf: string): Alert[] {
  return states.flatMap((s): Alert[] => {
    const out: Alert[] = [];
    const look = s.looks.at(-1);
    if (look && look.decision.startsWith('stop-')) {
      out.push({ experiment: s.experimentId, check: 'stop_boundary', severity: 'critical', as_of: asOf,
        message: `look ${look.look}: ${look.decision} (z ${look.z?.toFixed(3) ?? 'none'}, boundary ${look.boundary?.toFixed(3) ?? 'none'}); review and stop or complete the experiment` });
    }
    if (s.decision?.decision === 'dont-ship') {
      out.push({ experiment: s.experimentId, check: 'harm', severity: 'critical', as_of: asOf, message: `decision: don't ship${s.decision.reason ? `: ${s.decision.reason}` : ''}` });
    }
    return out;
  });
}
