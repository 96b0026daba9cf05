/** Who, what and when: the experiment's design and the reproducibility footer. */
import { fmtCount, fmtPercent } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { ExperimentHeader, Reproducibility } from '../memo-data.ts';
import { correctionName } from './metrics.ts';
import { percentDecimals } from './values.ts';

const DAY_MS = 86_400_000;

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** What the lifecycle status means for the results the memo shows. */
function statusNote(status: string | undefined, id: string): string | null {
  switch (status) {
    case undefined: return null;
    case 'draft': return `draft — results are not recorded as looks until \`xp experiment start ${id}\``;
    case 'running': return 'running — a build on new data records a sequential look';
    case 'paused': return `paused — looks are computed but not recorded until \`xp experiment resume ${id}\``;
    case 'completed': return 'completed — no more looks are taken';
    case 'stopped': return 'stopped — no more looks are taken';
    case 'cancelled': return 'cancelled — no more looks are taken';
    default: return status;
  }
}

export function experimentHeader(inputs: ReportInputs): ExperimentHeader {
  const e = inputs.experiment;
  const reg = inputs.registry;
  const shares = Object.entries(e.variants);
  const total = shares.reduce((s, [, x]) => s + x, 0);
  return {
    id: e.id,
    name: reg?.name ?? e.name,
    hypothesis: reg?.hypothesis ?? e.hypothesis ?? null,
    description: reg?.description ?? e.description ?? null,
    owner: reg?.owner ?? e.owner ?? null,
    window: `${e.start} to ${addDays(e.start, e.days - 1)} (${fmtCount(e.days)} day${e.days === 1 ? '' : 's'})`,
    prePeriod: e.pre_period_days > 0 ? `${addDays(e.start, -e.pre_period_days)} to ${addDays(e.start, -1)} (${fmtCount(e.pre_period_days)} days)` : null,
    variants: shares.map(([name, share]) => ({ name, share: fmtPercent(share / total, percentDecimals(shares.map(([, x]) => x / total))), isControl: name === e.control })),
    primaryMetric: e.primary_metric,
    secondaryMetrics: e.secondary_metrics,
    guardrails: e.guardrails,
    alpha: String(e.alpha),
    correction: e.treatments.length > 1 ? correctionName(e.correction) : 'none needed (one treatment)',
    status: inputs.ledger.status ?? null,
    statusNote: statusNote(inputs.ledger.status, e.id),
  };
}

function fmtBytes(n: number): string {
  if (n < 1024) return `${fmtCount(n)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let x = n / 1024;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) { x /= 1024; u++; }
  return `${x.toFixed(1)} ${units[u]}`;
}

export function reproducibility(inputs: ReportInputs): Reproducibility {
  const l = inputs.ledger;
  return {
    configHash: l.configHash ?? null,
    inputHash: l.inputHash ?? null,
    input: l.inputObjects === undefined ? null : `${fmtCount(l.inputObjects)} raw object${l.inputObjects === 1 ? '' : 's'}, ${fmtBytes(l.inputBytes ?? 0)}`,
    fingerprints: inputs.fingerprints.map((f) => ({ node: f.node, fingerprint: f.fingerprint })),
  };
}
