/**
 * Sequential status from the sequential plugin's exp.sequential_looks: which look this
 * is of how many, the boundary it was held to, the alpha spent so far, and what the next
 * look must cross.
 */
import type { Row } from '../../engine/connection.ts';
import { fmtCount, fmtNumber, fmtPercent, fmtZ } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { LookRow, SequentialSection } from '../memo-data.ts';
import { bool, num, str } from '../rows.ts';
import { sectionState } from './section-state.ts';

function lookRow(r: Row): LookRow {
  const crossed = bool(r, 'crossed');
  return {
    look: fmtCount(num(r, 'look')),
    variant: str(r, 'variant') ?? '?',
    information: fmtPercent(num(r, 'information_fraction')),
    z: str(r, 'status') === 'ok' ? fmtZ(num(r, 'z')) : '—',
    boundary: fmtZ(num(r, 'boundary')),
    alphaSpent: fmtNumber(num(r, 'alpha_spent'), 2),
    crossed: crossed === null ? '—' : crossed ? 'yes' : 'no',
    decision: str(r, 'decision') ?? str(r, 'look_status') ?? '—',
  };
}

export function sequentialSection(inputs: ReportInputs): SequentialSection {
  const seq = inputs.experiment.sequential;
  const empty = { rows: [], position: null, design: null, alphaSpent: null, next: null };
  if (!seq) return { status: 'missing', note: 'fixed-horizon experiment: no sequential design (sequential: in the config)', ...empty };
  const design = `${seq.looks} looks, ${seq.spending.replace('_', '-')} alpha spending, overall alpha ${seq.alpha}, ${fmtCount(seq.target_n_per_arm)} users per arm planned`;
  const state = sectionState(inputs, 'sequential_looks');
  if (state.status !== 'ok') return { ...state, ...empty, design };
  const rows = [...(inputs.tables['sequential_looks'] ?? [])].sort((a, b) =>
    (num(a, 'look') ?? 0) - (num(b, 'look') ?? 0) || inputs.experiment.treatments.indexOf(str(a, 'variant') ?? '') - inputs.experiment.treatments.indexOf(str(b, 'variant') ?? ''));
  const current = rows.filter((r) => bool(r, 'is_current') === true);
  const head = current[0] ?? rows[rows.length - 1];
  const look = num(head, 'look');
  const planned = num(head, 'planned_looks') ?? seq.looks;
  const nextT = num(head, 'next_information_fraction');
  const nextB = num(head, 'next_boundary');
  const note = str(head, 'look_note');
  return {
    status: 'ok',
    note,
    rows: rows.map(lookRow),
    position: look === null ? null : `look ${fmtCount(look)} of ${fmtCount(planned)}${bool(head, 'is_final_look') ? ' (the final look)' : ''}`,
    design,
    alphaSpent: num(head, 'alpha_spent') === null ? null : `${fmtNumber(num(head, 'alpha_spent'), 2)} of ${seq.alpha}`,
    next: nextB === null ? null : `the next look${nextT === null ? '' : ` (at ${fmtPercent(nextT)} information)`} must cross |z| ≥ ${fmtZ(nextB)}`,
  };
}
