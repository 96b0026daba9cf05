/**
 * exp-platform/stats: pure statistics over sufficient statistics. No I/O, no classes; every
 * test returns `{ status: 'ok', ... }` or `{ status: 'not-estimable', reason, detail }`.
 * Formulas and sources are documented above each function and in docs/statistics.md.
 */
export type {
  Alternative,
  CupedStats,
  DidStats,
  Difference,
  Interval,
  MeanStats,
  NotEstimable,
  NotEstimableReason,
  ProportionStats,
  RatioStats,
  TestConfig,
} from './types.ts';
export { defaultTestConfig, isNotEstimable, notEstimable } from './types.ts';

export { normalCdf, normalQuantile, normalSf, studentTCdf, studentTQuantile, studentTSf, chiSquareSf } from './distributions.ts';

export { welchTest, zTestMeans, defaultMeanTestConfig } from './welch.ts';
export type { MeanTestConfig, MeanTestOk, MeanTestResult } from './welch.ts';

export { proportionTest, defaultProportionTestConfig } from './proportions.ts';
export type { ProportionTestConfig, ProportionTestOk, ProportionTestResult } from './proportions.ts';

export { ratioTest, defaultRatioTestConfig } from './ratio.ts';
export type { RatioTestConfig, RatioTestOk, RatioTestResult } from './ratio.ts';
export { ratioCupedTest } from './ratio-cuped.ts';
export { quantileTest, QUANTILE_BOUND_Z } from './quantile.ts';
export type { QuantileStats, QuantileTestConfig, QuantileTestOk, QuantileTestResult } from './quantile.ts';
export type { RatioCupedStats, RatioCupedTestConfig, RatioCupedTestOk, RatioCupedTestResult } from './ratio-cuped.ts';

export { cupedTest, defaultCupedTestConfig } from './cuped.ts';
export type { CupedTestConfig, CupedTestOk, CupedTestResult, CupedUnadjusted } from './cuped.ts';

export { srmTest, defaultSrmConfig } from './srm.ts';
export type { SrmConfig, SrmOk, SrmResult } from './srm.ts';

export { chiSquareIndependence } from './independence.ts';
export type { IndependenceOk, IndependenceResult } from './independence.ts';
export { interactionTest } from './interaction.ts';
export type { CellStats, InteractionOk, InteractionResult } from './interaction.ts';

export { adjustPValues } from './multiple-testing.ts';
export type { AdjustmentMethod } from './multiple-testing.ts';

export { groupSequentialBounds, alphaSpent, defaultGroupSequentialConfig } from './group-sequential.ts';
export type { GroupSequentialBounds, GroupSequentialConfig, SpendingFunction } from './group-sequential.ts';

export { alwaysValidTest, optimalMixtureRatio, defaultAlwaysValidConfig } from './always-valid.ts';
export type { AlwaysValidConfig, AlwaysValidLook, AlwaysValidOk, AlwaysValidResult, MixtureTuning } from './always-valid.ts';

export { bayesianTest, normalExpectedLoss, normalPosterior, defaultBayesianConfig } from './bayesian.ts';
export type { BayesianConfig, BayesianOk, BayesianResult, EffectPrior, ExpectedLoss } from './bayesian.ts';

export { differenceInDifferences, defaultDidConfig } from './did.ts';
export type { DidConfig, DidOk, DidResult } from './did.ts';

export { preTrendTest, defaultPreTrendConfig } from './pre-trend.ts';
export type { PreTrendConfig, PreTrendDay, PreTrendOk, PreTrendResult } from './pre-trend.ts';

export { sampleSizeMeans, sampleSizeProportions, minimumDetectableEffect, defaultPowerConfig } from './power.ts';
export type { MdeInput, MdeOk, MdeResult, PowerConfig, SampleSizeOk, SampleSizeResult } from './power.ts';
