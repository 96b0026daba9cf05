/**
 * The portfolio's checks on one experiment, from `xp overlaps`' report (src/portfolio):
 * `layer` is critical when a user is in this and another experiment of its layer (the
 * layer's mutual exclusion is broken: a data-quality failure); `overlaps` warns when a pair
 * with this experiment is flagged for a dependent assignment or an interaction. Added only
 * to experiments that overlap another, so a lone experiment's checks are unchanged.
 */
import type { OverlapReport } from '../portfolio/types.ts';
import { worst } from './assess.ts';
import type { ExperimentHealth, HealthCheck, HealthThresholds } from './types.ts';

export function withPortfolioChecks(h: ExperimentHealth, report: OverlapReport, t: HealthThresholds): ExperimentHealth {
  const mine = report.pairs.filter((p) => p.a === h.experimentId || p.b === h.experimentId);
  if (!mine.length) return h;
  const other = (p: { a: string; b: string }): string => (p.a === h.experimentId ? p.b : p.a);
  const added: HealthCheck[] = [];
  const layered = mine.filter((p) => p.layer !== null);
  if (layered.length) {
    const broken = layered.filter((p) => p.flags.includes('layer_violation'));
    added.push(broken.length
      ? { check: 'layer', status: 'critical', value: broken.map((p) => `${p.usersBoth} with ${other(p)}`).join(', '), detail: broken.flatMap((p) => p.findings.filter((f) => f.includes('layer'))).join('; '), deduction: t.deductions.critical }
      : { check: 'layer', status: 'ok', value: `0 users shared in layer ${layered[0]!.layer}`, detail: 'no user is in two experiments of the layer', deduction: 0 });
  }
  const open = mine.filter((p) => p.layer === null);
  if (open.length) {
    const flagged = open.filter((p) => p.flags.includes('interaction') || p.flags.includes('dependent_assignment'));
    added.push(flagged.length
      ? { check: 'overlaps', status: 'warn', value: flagged.map((p) => `${other(p)}: ${p.flags.join(', ')}`).join('; '), detail: flagged.flatMap((p) => p.findings).join('; '), deduction: t.deductions.warn }
      : { check: 'overlaps', status: 'ok', value: open.map((p) => `${p.usersBoth} users with ${other(p)}`).join(', '), detail: 'overlapping experiments: assignment independent, no interaction flagged (xp overlaps)', deduction: 0 });
  }
  const checks = [...h.checks, ...added];
  const score = Math.max(0, 100 - checks.reduce((s, c) => s + c.deduction, 0));
  return { ...h, checks, score, status: worst(checks.map((c) => c.status)) };
}
