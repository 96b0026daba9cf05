/**
 * MemoData: everything the decision memo and the HTML report show, as JSON. Built by a
 * pure function (build-memo-data.ts) from the partition's result rows; the templates only
 * lay it out. Numbers are already formatted for people (strings), so a template cannot
 * print 0.030000000000000002, and the JSON is what `target/memos/<id>.json` holds.
 *
 * Absent values are `null`, never missing keys (the templates run in strict mode).
 */

/** ok: results shown · skipped: its stage did not run in this build · missing: no results exist */
import type { MemoOverlaps } from './inputs.ts';

export type SectionStatus = 'ok' | 'skipped' | 'missing';

/**
 * A memo section: its lines are view rows of formatted strings (`…Line`), not the result
 * rows of analyses/tables.ts they are made from. The JSON key stays `rows`.
 */
export interface Section<Line> {
  readonly status: SectionStatus;
  /** why skipped or missing; a caveat when ok */
  readonly note: string | null;
  readonly rows: readonly Line[];
}

export interface ExperimentHeader {
  readonly id: string;
  readonly name: string;
  readonly hypothesis: string | null;
  readonly description: string | null;
  readonly owner: string | null;
  /** "2026-01-05 to 2026-01-18 (14 days)" */
  readonly window: string;
  readonly prePeriod: string | null;
  readonly variants: readonly { readonly name: string; readonly share: string; readonly isControl: boolean }[];
  readonly primaryMetric: string;
  readonly secondaryMetrics: readonly string[];
  readonly guardrails: readonly string[];
  readonly alpha: string;
  readonly correction: string;
  /** the ledger's lifecycle status (draft, running, …), null without a ledger */
  readonly status: string | null;
  /** what the status means for these results: "draft — results are not recorded as looks until `xp experiment start <id>`" */
  readonly statusNote: string | null;
}

/** ship · stop (don't ship) · investigate · wait (keep running) · neutral (no detectable effect) · unknown */
export type Tone = 'ship' | 'stop' | 'investigate' | 'wait' | 'neutral' | 'unknown';

export interface Headline {
  readonly status: SectionStatus;
  readonly note: string | null;
  /** the decision plugin's code, e.g. ship, keep_running */
  readonly decision: string | null;
  /** "Ship widget_a", "Keep running", … */
  readonly label: string;
  readonly tone: Tone;
  /** the plugin's one-line summary */
  readonly summary: string | null;
  readonly rule: string | null;
  /** the rule in words: "inconclusive: no significant effect on the primary metric" */
  readonly ruleText: string | null;
  /** why: the reasons that decided */
  readonly reasons: readonly string[];
  /** what else the reader should know (kind 'note') */
  readonly notes: readonly string[];
  readonly bestTreatment: string | null;
  /** "conversion (treatment vs control, CUPED): +3.1% [+1.2%, +5.0%], adjusted p = 0.004" */
  readonly primary: string | null;
  /** "look 2 of 5 at 40.0% of the planned information; the next look must cross |z| ≥ 2.80" */
  readonly progress: string | null;
  /** "the smallest effect this experiment could detect: 4.2% (80% power)" */
  readonly mde: string | null;
}

export interface MetricLine {
  readonly metric: string;
  readonly role: string;
  readonly variant: string;
  readonly test: string | null;
  /** the pre-registered estimator the difference, lift and p use: "CUPED" or "raw" */
  readonly estimator: string;
  /** what one value is: "share of users", "per user", "EUR per user", "per purchase" */
  readonly scale: string;
  /** "12,345 / 12,301" users in control / treatment */
  readonly users: string;
  readonly control: string;
  readonly treatment: string;
  readonly absolute: string;
  readonly absoluteCi: string;
  readonly relative: string;
  readonly relativeCi: string;
  readonly pValue: string;
  readonly pAdjusted: string;
  readonly chanceToBeat: string;
  /** "yes" · "no" · "—" (not estimable) */
  readonly significant: string;
  /** better · worse · inconclusive · not estimable */
  readonly outcome: string;
  readonly estimable: boolean;
  /** why not estimable, or why the relative lift is not */
  readonly reason: string | null;
}

export interface MetricsSection extends Section<MetricLine> {
  /** each metric shown: what one value is, and the config's description */
  readonly definitions: readonly { readonly metric: string; readonly scale: string; readonly description: string | null; readonly method?: string | null }[];
}

export interface GuardrailLine {
  readonly metric: string;
  readonly variant: string;
  readonly direction: string;
  readonly relative: string;
  readonly relativeCi: string;
  /** the one-sided test in the harmful direction: "0.21 (at 0.025)" */
  readonly harmP: string;
  /** the worst relative change the harm test cannot rule out */
  readonly worst: string;
  /** opted-in non-inferiority: "shown at +5% (p = 0.01)", "not yet at +5% (p = 0.3)", or — */
  readonly noninferiority: string;
  /** pass (not worse, or non-inferior) · fail (non-inferiority not yet shown) · harm (significantly worse) · not-estimable */
  readonly verdict: 'pass' | 'fail' | 'harm' | 'not-estimable';
  /** the verdict in words: not worse · non-inferior · inconclusive · worse · not estimable */
  readonly label: string;
  readonly estimable: boolean;
  readonly reason: string | null;
}

export interface CupedLine {
  readonly metric: string;
  readonly variant: string;
  readonly applied: boolean;
  readonly correlation: string;
  readonly varianceReduction: string;
  /** the raw (unadjusted) lift; the CUPED columns are the Key metrics numbers when CUPED is the estimator */
  readonly raw: string;
  readonly rawCi: string;
  readonly rawP: string;
  readonly adjusted: string;
  readonly adjustedCi: string;
  readonly adjustedP: string;
  readonly reason: string | null;
}

export interface DidLine {
  readonly metric: string;
  readonly variant: string;
  readonly controlChange: string;
  readonly treatmentChange: string;
  readonly estimate: string;
  readonly ci: string;
  readonly pValue: string;
  readonly estimable: boolean;
  readonly reason: string | null;
}

export interface PretrendLine {
  readonly metric: string;
  readonly variant: string;
  /** parallel · diverging · not estimable, as the plugin words it */
  readonly verdict: string;
  readonly days: string;
  /** "-0.0012 pp per day", "-4.5 × 10⁻⁴ per day" */
  readonly slope: string;
  readonly slopeP: string;
  readonly jointP: string;
  readonly reason: string | null;
}

export interface SrmLine {
  readonly variant: string;
  readonly expectedShare: string;
  readonly observed: string;
  readonly observedShare: string;
  readonly expected: string;
}

export interface SrmSection extends Section<SrmLine> {
  /** "p = 0.42 (threshold 0.001): no mismatch" */
  readonly verdict: string | null;
  readonly mismatch: boolean | null;
  /** "0 of 14 days below the threshold (cumulative counts to each day, the same test as overall)" */
  readonly daily: string | null;
  /** when SRM fails, where the SRM debugger finds the imbalance: "platform = ios: 54.8% treatment, p = 1e-9; other platform levels balanced" */
  readonly debug?: string | null;
}

export interface DqLine {
  readonly check: string;
  readonly status: string;
  readonly severity: string;
  readonly observed: string;
  readonly threshold: string;
  readonly details: string;
}

export interface DataQualitySection extends Section<DqLine> {
  /** "9 checks: 8 passed, 1 warned, 0 failed" */
  readonly summary: string | null;
  /** which count is which: raw log rows vs users */
  readonly counts: string | null;
}

export interface LookLine {
  readonly look: string;
  readonly variant: string;
  readonly information: string;
  readonly z: string;
  readonly boundary: string;
  readonly alphaSpent: string;
  readonly crossed: string;
  readonly decision: string;
}

export interface SequentialSection extends Section<LookLine> {
  /** "look 2 of 5", "final look (the window is over): look 1 of 5 planned" */
  readonly position: string | null;
  readonly design: string | null;
  readonly alphaSpent: string | null;
  /** "the next look (at 60% information) must cross |z| ≥ 2.67" */
  readonly next: string | null;
}

export interface SkippedStep {
  readonly node: string;
  readonly stage: string;
  readonly reason: string;
}

export interface Reproducibility {
  readonly configHash: string | null;
  readonly inputHash: string | null;
  /** "2 objects, 1.2 MB" */
  readonly input: string | null;
  readonly fingerprints: readonly { readonly node: string; readonly fingerprint: string }[];
}

export interface MemoData {
  readonly schema: 'xp-memo/1';
  readonly experiment: ExperimentHeader;
  readonly headline: Headline;
  readonly metrics: MetricsSection;
  readonly guardrails: Section<GuardrailLine>;
  readonly cuped: Section<CupedLine>;
  readonly did: Section<DidLine>;
  readonly pretrends: Section<PretrendLine>;
  readonly srm: SrmSection;
  /** the slices of the dimensions `report.dimensions` asks for (absent otherwise) */
  readonly slices?: readonly SliceSection[];
  readonly dataQuality: DataQualitySection;
  readonly sequential: SequentialSection;
  readonly skipped: readonly SkippedStep[];
  /** overlapping experiments (xp overlaps), only when there are any */
  readonly overlaps?: MemoOverlaps;
  readonly reproducibility: Reproducibility;
}

/** One dimension's slices in the memo: a line per metric, level and treatment. */
export interface SliceSection {
  readonly dimension: string;
  readonly rows: readonly SliceLine[];
}

export interface SliceLine {
  readonly metric: string;
  readonly level: string;
  readonly variant: string;
  readonly users: string;
  readonly lift: string;
  readonly pAdjusted: string;
  readonly note: string;
}
