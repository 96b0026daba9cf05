export { generateExperimentData, generatedFilesFor, SYNTH_TABLES } from './generate.ts';
export type { GeneratedData, SynthTable } from './generate.ts';
export { synthPlan } from './plan.ts';
export type { SynthPlan, SynthVariant } from './plan.ts';
export type { ArmModel, OutcomeModel } from './model.ts';
export { plantedTruth, SHIPPED_TRUTH_METRICS } from './truth.ts';
export type { ArmTruth, MetricPart, MetricTruth, PlantedTruth, TreatmentTruth, TruthCaveat, TruthMetric } from './truth.ts';
