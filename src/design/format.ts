/**
 * The design check in words: a short table, one warning per underpowered test ("bounce_rate
 * (guardrail, non-inferiority at +5%): 41% power with 15,000 users per arm; about 41,000
 * per arm needed") and notes that say what to add when something could not be checked.
 */
import { fmtInt, textTable } from '../core/format.ts';
import type { DesignCheck, DesignRow } from './check.ts';

/** +5%, −0.5%: a relative effect as people write it. */
export const signedPct = (x: number): string => `${x >= 0 ? '+' : '−'}${+Math.abs(x * 100).toFixed(2)}%`;

/** Power rounded down, so 79.6% never reads as the 80% it misses. */
export const powerPct = (p: number): string => (p < 0.01 ? '<1%' : `${Math.floor(p * 100 + 1e-9)}%`);

/** Two significant figures, rounded up: "about 41,000". */
export function about(n: number): string {
  if (n < 100) return fmtInt(Math.ceil(n));
  const step = 10 ** (Math.floor(Math.log10(n)) - 1);
  return fmtInt(Math.ceil(n / step - 1e-9) * step);
}

/** "+5% two-sided" or "non-inferiority at +5%". */
export function testLabel(r: DesignRow): string {
  if (r.test === 'non-inferiority') return `non-inferiority at ${r.effect === null ? '?' : signedPct(r.effect)}`;
  return r.effect === null ? 'two-sided (no mde)' : `${signedPct(r.effect)} two-sided`;
}

function baselineLabel(r: DesignRow): string {
  const b = r.baseline;
  if (!b) return '—';
  const where = b.source === 'pre-period' ? 'pre' : 'control';
  return b.type === 'binomial' ? `${+(b.mean * 100).toPrecision(3)}% (${where})` : `${+b.mean.toPrecision(4)} sd ${+b.sd.toPrecision(3)} (${where})`;
}

const VERDICT: Readonly<Record<DesignRow['verdict'], string>> = { ok: 'ok', underpowered: 'underpowered', unchecked: 'not checked' };

export function designTable(check: DesignCheck): string {
  return textTable(
    ['metric', 'role', 'test', 'baseline', 'planned n/arm', 'power', 'needed n/arm', 'verdict'],
    check.rows.map((r) => [
      r.metric, r.role, `${testLabel(r)}, α ${+r.alpha.toPrecision(3)}${r.estimator === 'cuped' ? ', CUPED' : ''}`, baselineLabel(r),
      r.plannedNPerArm === null ? '—' : fmtInt(r.plannedNPerArm),
      r.power === null ? '—' : powerPct(r.power),
      r.neededNPerArm === null ? '—' : fmtInt(r.neededNPerArm),
      VERDICT[r.verdict],
    ]),
  );
}

/** One plain sentence per underpowered test. */
export function designWarnings(check: DesignCheck): string[] {
  return check.rows.filter((r) => r.verdict === 'underpowered').map((r) =>
    `${r.metric} (${r.role}, ${testLabel(r)}): ${powerPct(r.power!)} power with ${fmtInt(r.plannedNPerArm!)} users per arm; about ${about(r.neededNPerArm!)} per arm needed`);
}

/** What to add, what was assumed. */
export function designNotes(check: DesignCheck): string[] {
  const id = check.experimentId;
  const notes: string[] = [];
  if (check.plan.nPerArm === null) {
    notes.push(`no planned sample: add \`design: { n_per_arm: <users per arm> }\` to ${id} (or a sequential plan's target_n_per_arm) to get the power; the needed sample is shown`);
  }
  if (check.plan.mde === null) {
    notes.push(`no minimum effect of interest for the primary: add \`design: { mde: <relative effect, e.g. 0.05> }\` to ${id} to check its power`);
  }
  if (!check.built) {
    notes.push(`${id} has no built aggregates to take baselines from: build once (\`xp build --select ${id}\`) or pass baselines to xp power (\`xp power --metric <name> --baseline <x> --n <users>\`)`);
  }
  for (const r of check.rows) {
    if (r.reason === 'NO_BASELINE' || r.reason === 'NOT_ESTIMABLE') notes.push(`${r.metric}: not checked: ${r.detail}`);
    if (r.estimator === 'cuped' && r.baseline) {
      const rho = r.baseline.correlation;
      notes.push(rho === null
        ? `${r.metric}: CUPED is the pre-registered estimator, but the built data give no pre/post correlation; shown without variance reduction`
        : `${r.metric}: CUPED is the pre-registered estimator: variance × (1 − ρ²) = ${r.varianceFactor.toFixed(3)} with ρ = ${rho.toFixed(3)}, the pre/post correlation of the built data`);
    }
  }
  if (check.rows.some((r) => r.baseline?.source === 'pre-period')) notes.push('baselines "pre" come from the pre-period of every arm, "control" from the control arm of the experiment window');
  if (check.plan.nSource === 'sequential.target_n_per_arm') {
    notes.push('the planned sample is the sequential plan\'s target_n_per_arm; the power is a fixed-horizon test\'s there (the interim looks cost a few percent)');
  }
  if (check.treatments > 1) notes.push(`${check.treatments} treatments: the primary is tested at α / ${check.treatments} per treatment (Bonferroni, as the analyses)`);
  return notes;
}

/** The whole report, as `xp experiment start` and `xp power --experiment` print it. */
export function formatDesignCheck(check: DesignCheck): string {
  const p = check.plan;
  const planned = p.nPerArm === null ? 'no planned sample' : `${fmtInt(p.nPerArm)} users per arm (${p.nSource})`;
  const lines = [
    `design check of ${check.experimentId}: power target ${powerPct(p.power)}, ${planned}, primary mde ${p.mde === null ? 'not set' : signedPct(p.mde)}`,
    designTable(check),
    ...designWarnings(check).map((w) => `warning: ${w}`),
    ...designNotes(check).map((n) => `note: ${n}`),
  ];
  return lines.join('\n');
}
