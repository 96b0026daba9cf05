/**
 * Sequential status from the sequential plugin's exp.sequential_looks: which look this
 * is of how many, the boundary it was held to, the alpha spent so far, and what the next
 * look must cross.
 */
import type { SequentialRow } from '../../analyses/tables.ts';
import { fmtCount, fmtNumber, fmtPercent, fmtZ } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { LookLine, SequentialSection } from '../memo-data.ts';
import { sectionState } from './section-state.ts';

function lookLine(r: SequentialRow): LookLine {
  const crossed = r.crossed ?? null;
  return {
    look: fmtCount(r.look),
    variant: r.variant ?? '?',
    information: fmtPercent(r.information_fraction),
    z: r.status === 'ok' ? fmtZ(r.z) : '—',
    boundary: fmtZ(r.boundary),
    alphaSpent: fmtNumber(r.alpha_spent, 2),
    crossed: crossed === null ? '—' : crossed ? 'yes' : 'no',
    decision: r.decision ?? r.look_status ?? '—',
  };
}

export function sequentialSection(inputs: ReportInputs): SequentialSection {
  const seq = inputs.experiment.sequential;
  const empty = { rows: [], position: null, design: null, alphaSpent: null, next: null };
  if (!seq) return { status: 'missing', note: 'fixed-horizon experiment: no sequential design (sequential: in the config)', ...empty };
  const design = `${seq.looks} looks, ${seq.spending.replace('_', '-')} alpha spending, overall alpha ${seq.alpha}, ${fmtCount(seq.target_n_per_arm)} users per arm planned`;
  const state = sectionState(inputs, 'sequential_looks');
  if (state.status !== 'ok') return { ...state, ...empty, design };
  const treatments = inputs.experiment.treatments;
  const rows = [...inputs.tables.sequential_looks].sort((a, b) =>
    (a.look ?? 0) - (b.look ?? 0) || treatments.indexOf(a.variant ?? '') - treatments.indexOf(b.variant ?? ''));
  const current = rows.filter((r) => r.is_current === true);
  const head = current[0] ?? rows[rows.length - 1];
  const look = head?.look ?? null;
  const planned = head?.planned_looks ?? seq.looks;
  const nextT = head?.next_information_fraction ?? null;
  const nextB = head?.next_boundary ?? null;
  const alphaSpent = head?.alpha_spent ?? null;
  return {
    status: 'ok',
    note: head?.look_note ?? null,
    rows: rows.map(lookLine),
    position: look === null ? null : `look ${fmtCount(look)} of ${fmtCount(planned)}${head?.is_final_look ? ' (the final look)' : ''}`,
    design,
    alphaSpent: alphaSpent === null ? null : `${fmtNumber(alphaSpent, 2)} of ${seq.alpha}`,
    next: nextB === null ? null : `the next look${nextT === null ? '' : ` (at ${fmtPercent(nextT)} information)`} must cross |z| ≥ ${fmtZ(nextB)}`,
  };
}
