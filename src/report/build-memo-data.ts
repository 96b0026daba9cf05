/**
 * The memo data of one experiment: a pure function of the report inputs (the partition's
 * result rows, this build's steps, the ledger's hashes). Same inputs, same JSON, same bytes.
 */
import type { ReportInputs } from './inputs.ts';
import type { MemoData } from './memo-data.ts';
import { dataQualitySection, srmSection } from './memo/checks.ts';
import { cupedSection, didSection, pretrendsSection } from './memo/cuped-did.ts';
import { experimentHeader, reproducibility } from './memo/header.ts';
import { headline } from './memo/headline.ts';
import { guardrailsSection, metricsSection } from './memo/metrics.ts';
import { skippedSteps } from './memo/section-state.ts';
import { sequentialSection } from './memo/sequential.ts';
import { sliceSections } from './memo/slices.ts';

export function buildMemoData(inputs: ReportInputs): MemoData {
  return {
    schema: 'xp-memo/1',
    experiment: experimentHeader(inputs),
    headline: headline(inputs),
    metrics: metricsSection(inputs),
    guardrails: guardrailsSection(inputs),
    cuped: cupedSection(inputs),
    did: didSection(inputs),
    pretrends: pretrendsSection(inputs),
    srm: srmSection(inputs),
    ...(sliceSections(inputs) ? { slices: sliceSections(inputs) } : {}),
    dataQuality: dataQualitySection(inputs),
    sequential: sequentialSection(inputs),
    skipped: skippedSteps(inputs.steps),
    reproducibility: reproducibility(inputs),
    ...(inputs.overlaps && { overlaps: inputs.overlaps }),
  };
}
