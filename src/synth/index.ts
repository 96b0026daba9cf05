export { generateExperimentData, generatedFilesFor, SYNTH_TABLES } from './generate.ts';
export type { GeneratedData, SynthTable } from './generate.ts';
export { synthPlan } from './plan.ts';
export type { SynthPlan, SynthVariant } from './plan.ts';
