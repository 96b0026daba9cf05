/**
 * The checks on a metric's analysis settings that span several keys (the schema checks
 * each key alone): winsorisation bounds in order, `cap` and `cap_quantile` not both,
 * `cap_nonzero` only with a quantile bound; no quantile metric as an experiment's primary.
 * Each failure names the config file and line.
 */
import { XpError } from '../core/errors.ts';
import type { MetricConfig } from './types.ts';
import type { YamlSource } from './yaml-source.ts';

export function checkMetricSettings(name: string, metric: MetricConfig, src: YamlSource): void {
  if (metric.type !== 'mean') return;
  const at = (...keys: string[]) => ({ file: src.file, line: src.lineOf(['metrics', name, ...keys]) });
  const cap = (metric.cap ?? {}) as Partial<Record<'lower_quantile' | 'upper_quantile' | 'lower_value' | 'upper_value', number>>;
  if (metric.cap !== undefined && metric.cap_quantile !== undefined) {
    throw new XpError('CONFIG_INVALID', `metric ${name}: cap and cap_quantile both set the upper bound`, {
      location: at('cap_quantile'), hint: `keep one: cap: { upper_quantile: ${metric.cap_quantile} } is the same as cap_quantile: ${metric.cap_quantile}`,
    });
  }
  if (metric.cap !== undefined && Object.values(cap).every((v) => v === undefined)) {
    throw new XpError('CONFIG_INVALID', `metric ${name}: cap has no bound`, {
      location: at('cap'), hint: 'give lower_quantile and/or upper_quantile in (0, 1), or lower_value and/or upper_value',
    });
  }
  for (const side of ['lower', 'upper'] as const) {
    if (cap[`${side}_quantile`] !== undefined && cap[`${side}_value`] !== undefined) {
      throw new XpError('CONFIG_INVALID', `metric ${name}: cap sets the ${side} bound twice (${side}_quantile and ${side}_value)`, {
        location: at('cap', `${side}_value`), hint: `keep ${side}_quantile (a share of users) or ${side}_value (a fixed value)`,
      });
    }
  }
  for (const [lo, hi] of [['lower_quantile', 'upper_quantile'], ['lower_value', 'upper_value']] as const) {
    const l = cap[lo];
    const h = cap[hi];
    if (l !== undefined && h !== undefined && !(l < h)) {
      throw new XpError('CONFIG_INVALID', `metric ${name}: cap.${lo} (${l}) must be below cap.${hi} (${h})`, {
        location: at('cap', lo), hint: `swap them, or drop one side to cap only the other tail`,
      });
    }
  }
  if (metric.cap_nonzero === true && cap.lower_quantile === undefined && cap.upper_quantile === undefined && metric.cap_quantile === undefined) {
    throw new XpError('CONFIG_INVALID', `metric ${name}: cap_nonzero: true needs a quantile bound to compute among nonzero users`, {
      location: at('cap_nonzero'), hint: 'add cap: { upper_quantile: 0.99 } (or lower_quantile), or drop cap_nonzero',
    });
  }
}

/**
 * A quantile metric cannot be the primary: the sequential looks, the pre-trend tests and the
 * calibrated decision rules read the primary's daily sufficient statistics, and a quantile
 * has none (it is computed over the whole period). As a secondary or guardrail it is fine.
 */
export function checkPrimaryMetric(id: string, primary: string, metrics: Readonly<Record<string, MetricConfig>>, src: YamlSource, at: readonly PropertyKey[]): void {
  if (metrics[primary]?.type !== 'quantile') return;
  throw new XpError('CONFIG_INVALID', `experiment ${id}: the primary metric ${primary} is a quantile metric`, {
    location: { file: src.file, line: src.lineOf(at), experiment: id },
    hint: `make ${primary} a secondary metric and choose a binomial, mean or ratio primary (the decision rules and sequential looks need one)`,
  });
}
