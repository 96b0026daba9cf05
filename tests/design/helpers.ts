/** Fixtures of tests/fixtures/design (make_fixtures.py) and experiments built from config objects. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { experimentSchema, metricSchema } from '../../src/project/config-schema.ts';
import type { Experiment, MetricConfig } from '../../src/project/types.ts';

export interface Fixture<C> {
  readonly source: string;
  readonly generatedWith: string;
  readonly cases: readonly C[];
}

export function loadDesignFixture<C>(name: string): Fixture<C> {
  const fixture = JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/design/${name}`, import.meta.url)), 'utf8')) as Fixture<C>;
  expect(fixture.source.length, `${name} must say where its numbers come from`).toBeGreaterThan(10);
  return fixture;
}

export const METRICS: Readonly<Record<string, MetricConfig>> = {
  conversion: metricSchema.parse({ type: 'binomial', event: 'purchase' }),
  revenue: metricSchema.parse({ type: 'mean', event: 'purchase', value: 'value' }),
  bounce_rate: metricSchema.parse({ type: 'binomial', event: 'bounce', direction: 'decrease', guardrail: true, margin: 0.05, noninferiority: true }),
  errors: metricSchema.parse({ type: 'binomial', event: 'error', direction: 'decrease', guardrail: true, margin: 0.05 }),
};

/** An experiment as loadConfig resolves it, from the YAML keys given (defaults for the rest). */
export function experiment(id: string, raw: Record<string, unknown>): Experiment {
  const e = experimentSchema.parse({ name: id, variants: { control: 0.5, treatment: 0.5 }, primary_metric: 'conversion', start: '2026-01-05', days: 14, ...raw });
  const variants = Object.keys(e.variants);
  const control = e.control ?? variants[0]!;
  return {
    ...e, id, control, treatments: variants.filter((v) => v !== control),
    metricNames: [...new Set([e.primary_metric, ...e.secondary_metrics, ...e.guardrails])],
    file: 'configs/test.yaml', line: 1,
  };
}
