/** The `xp aa` report as text: a header, one line per metric, one line per decision code, the verdict. */
import { fmtInt, textTable } from '../core/format.ts';
import type { AaResult } from './run-aa.ts';
import { CI_LEVEL, TOLERANCE_LEVEL } from './summarise.ts';
import type { Interval } from './tolerance.ts';

const f3 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(3));
const band = (i: Interval | null): string => (i === null ? 'n/a' : `[${f3(i[0])}, ${f3(i[1])}]`);
const pct = (x: number): string => `${+(x * 100).toFixed(1)}%`;

export function formatAa(r: AaResult): string {
  const split = r.arms.map((a) => `${a.variant} ${pct(a.share)}`).join(' / ');
  const header = [
    `placebo calibration of ${r.experiment_id}: ${fmtInt(r.replicates)} re-randomisations of ${fmtInt(r.users)} users (${split}), alpha ${r.alpha}`,
    r.assignment,
  ];
  const metrics = textTable(
    ['metric', 'role', 'estimator', 'FPR', `${CI_LEVEL * 100}% CI`, `FPR band (${TOLERANCE_LEVEL * 100}%)`, 'z mean', 'z var', `z var band (${TOLERANCE_LEVEL * 100}%)`, 'n/e', 'check'],
    r.metrics.map((m) => [
      m.metric, m.role, m.estimator, f3(m.false_positive_rate), band(m.false_positive_ci), band(m.false_positive_band),
      f3(m.z_mean), f3(m.z_variance), band(m.z_variance_band), m.not_estimable, m.ok ? 'ok' : 'FAIL',
    ]),
  );
  const decisions = textTable(['decision', 'rate', 'replicates'], r.decisions.map((d) => [d.decision, f3(d.rate), d.count]));
  const verdict = r.ok
    ? [`ok: every false-positive rate and z variance is inside its ${TOLERANCE_LEVEL * 100}% band`]
    : [`FAIL: ${r.failures.length} outside tolerance`, ...r.failures.map((f) => `  ${f}`)];
  const skipped = r.not_calibrated?.length ? [`not calibrated (quantile metrics: no per-replicate order statistics): ${r.not_calibrated.join(', ')}`] : [];
  return [...header, '', metrics, ...skipped, '', decisions, '', ...verdict].join('\n');
}
