/** Model selectors (dbt syntax) and experiment selection. */
import { describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { buildDag } from '../../src/graph/dag.ts';
import { selectExperiments, selectModels } from '../../src/graph/selectors.ts';
import { modelNodes, SHOP } from '../helpers/models.ts';

const dag = buildDag(modelNodes(SHOP));

function selError(fn: () => unknown): XpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('selectModels', () => {
  const cases: readonly { select?: string; exclude?: string; expected: readonly string[] }[] = [
    { select: undefined, expected: dag.order },
    { select: '', expected: dag.order },
    { select: 'exposures', expected: ['exposures'] },
    { select: '+outcomes', expected: ['stg_exposures', 'exposures', 'stg_outcomes', 'outcomes'] },
    { select: 'user_metrics+', expected: ['user_metrics', 'metric_aggregates_daily', 'metric_aggregates_overall'] },
    { select: '+srm_counts+', expected: ['stg_exposures', 'exposures', 'srm_counts'] },
    { select: 'tag:agg', expected: ['metric_aggregates_daily', 'metric_aggregates_overall'] },
    { select: 'path:models/checks', expected: ['dq_results', 'srm_counts'] },
    { select: 'path:models/checks/', expected: ['dq_results', 'srm_counts'] },
    { select: 'path:models/core/exposures.sql', expected: ['exposures'] },
    { select: 'path:models/core/exposures', expected: ['exposures'] },
    // a space is a union, a comma an intersection (dbt)
    { select: 'srm_counts tag:raw', expected: ['stg_exposures', 'stg_outcomes', 'srm_counts'] },
    { select: '  srm_counts   tag:daily ', expected: ['srm_counts', 'metric_aggregates_daily'] },
    { select: 'tag:agg,path:models/metrics', expected: ['metric_aggregates_daily', 'metric_aggregates_overall'] },
    { select: 'tag:agg,tag:daily', expected: ['metric_aggregates_daily'] },
    { select: '+user_metrics,path:models/staging', expected: ['stg_exposures', 'stg_outcomes'] },
    { select: 'exposures+,path:models/checks experiment_registry', expected: dag.order.filter((n) => n === 'srm_counts' || n === 'experiment_registry') },
    // graph operators apply to tag: and path: too
    { select: '+tag:daily', expected: dag.order.filter((n) => ['stg_exposures', 'stg_outcomes', 'exposures', 'outcomes', 'user_metrics', 'metric_aggregates_daily'].includes(n)) },
    { select: 'path:models/metrics+', expected: ['metric_aggregates_daily', 'metric_aggregates_overall'] },
    // @m: m, its descendants, and every ancestor of those
    { select: '@stg_outcomes', expected: dag.order.filter((n) => !['srm_counts', 'experiment_registry'].includes(n)) },
    { select: '@srm_counts', expected: ['stg_exposures', 'exposures', 'srm_counts'] },
    { select: 'exposures+', exclude: 'tag:agg', expected: ['exposures', 'outcomes', 'user_metrics', 'srm_counts'] },
    { select: undefined, exclude: 'path:models/staging experiment_registry', expected: dag.order.filter((n) => !n.startsWith('stg_') && n !== 'experiment_registry') },
    { select: 'path:models/checks', exclude: 'path:models/checks,+stg_outcomes+', expected: ['srm_counts'] },
  ];
  it.each(cases)('select $select exclude $exclude', ({ select, exclude, expected }) => {
    expect(selectModels(dag, select, exclude)).toEqual(expected);
  });

  it('@m differs from +m+: it adds the ancestors of m\'s descendants', () => {
    expect(selectModels(dag, '+stg_outcomes+')).not.toContain('exposures');
    expect(selectModels(dag, '@stg_outcomes')).toContain('exposures');
  });

  it('`path:models/core` does not match models/core_extra/', () => {
    const d = buildDag(modelNodes({ a: { folder: 'core' }, b: { folder: 'core_extra' } }));
    expect(selectModels(d, 'path:models/core')).toEqual(['a']);
  });

  const bad: readonly [string, string, string][] = [
    ['exposure', 'selector "exposure": no model named "exposure"', 'did you mean: stg_exposures, exposures?'],
    ['+nothing', 'selector "+nothing": no model named "nothing"', 'run `xp ls` to list models, tags and paths'],
    ['tag:nope', 'selector "tag:nope": no model has tag "nope"', 'run `xp ls` to list models, tags and paths'],
    ['path:models/nope', 'selector "path:models/nope": no model lives under "models/nope"', 'run `xp ls` to list models, tags and paths'],
    ['exposres', 'selector "exposres": no model named "exposres"', 'did you mean: exposures?'],
    ['tag:dayly', 'selector "tag:dayly": no model has tag "dayly"', 'did you mean: tag:daily?'],
    ['@exposures+', 'selector "@exposures+": @ cannot be combined with +', '@m already takes m, its descendants and their ancestors; write @m alone'],
    ['+', 'selector "+": no model, tag: or path: after the graph operator', 'e.g. +exposures, exposures+, @exposures'],
    // a comma is an intersection: two models have none, and the hint says how to write a union
    ['stg_exposures,srm_counts', 'selector "stg_exposures,srm_counts": no model matches all of its comma-separated parts (a comma is an intersection, as in dbt)',
      'for a union, separate the selectors with a space: -m "stg_exposures srm_counts"'],
  ];
  it.each(bad)('unknown selector %s is SELECTOR_INVALID', (term, message, hint) => {
    const err = selError(() => selectModels(dag, term));
    expect(err.code).toBe('SELECTOR_INVALID');
    expect(err.message).toBe(message);
    expect(err.hint).toBe(hint);
    expect(err.exitCode).toBe(2);
  });

  it('an unknown --exclude is an error too', () => {
    expect(selError(() => selectModels(dag, 'exposures', 'tag:nope')).code).toBe('SELECTOR_INVALID');
  });

  it('an empty intersection in --exclude names --exclude in the hint', () => {
    const err = selError(() => selectModels(dag, undefined, 'tag:raw,tag:agg'));
    expect(err.message).toBe('selector "tag:raw,tag:agg": no model matches all of its comma-separated parts (a comma is an intersection, as in dbt)');
    expect(err.hint).toBe('for a union, separate the selectors with a space: --exclude "tag:raw tag:agg"');
    expect(err.exitCode).toBe(2);
  });
});

describe('selectExperiments', () => {
  const ids = ['exp_checkout_button_001', 'exp_add_cart_002', 'exp_pricing_test_003', 'aa_test'];

  it.each([
    ['exp_add_cart_002', ['exp_add_cart_002']],
    ['exp_pricing_test_003,exp_checkout_button_001', ['exp_checkout_button_001', 'exp_pricing_test_003']],
    ['exp_*', ['exp_checkout_button_001', 'exp_add_cart_002', 'exp_pricing_test_003']],
    ['exp_???_*', ['exp_add_cart_002']],
    ['all', ids],
    ['aa_test,all', ids],
    ['exp_add_cart_002,exp_add_cart_002', ['exp_add_cart_002']],
    // experiments: a comma and a space both separate a union (never an intersection)
    ['exp_pricing_test_003 exp_checkout_button_001', ['exp_checkout_button_001', 'exp_pricing_test_003']],
    ['exp_pricing_test_003, aa_test', ['exp_pricing_test_003', 'aa_test']],
    ['aa_test exp_add_*', ['exp_add_cart_002', 'aa_test']],
  ] as const)('%s', (select, expected) => {
    expect(selectExperiments(ids, select)).toEqual(expected);
  });

  it('a glob with . or + matches literally, not as a regular expression', () => {
    expect(selectExperiments(['exp.1', 'expx1', 'a+b'], 'exp.*')).toEqual(['exp.1']);
    expect(selectExperiments(['exp.1', 'expx1', 'a+b', 'aab'], 'a+*')).toEqual(['a+b']);
  });

  it('an unknown id is EXPERIMENT_UNKNOWN listing the configured ids', () => {
    const err = selError(() => selectExperiments(ids, 'exp_nope'));
    expect(err.code).toBe('EXPERIMENT_UNKNOWN');
    expect(err.message).toBe('unknown experiment "exp_nope"');
    expect(err.location).toEqual({ experiment: 'exp_nope' });
    expect(err.hint).toBe(`configured experiments: ${ids.join(', ')}; add it under experiments: or configs/experiments/`);
    expect(err.exitCode).toBe(2);
  });

  it('an id carrying quotes or ../ is unknown and shown JSON-quoted, never raw', () => {
    for (const evil of ["exp_1'; drop table exp.exposures; --", '../../etc/passwd']) {
      const err = selError(() => selectExperiments(ids, evil));
      expect(err.code).toBe('EXPERIMENT_UNKNOWN');
      expect(err.location.experiment).toBe(JSON.stringify(evil.split(/[,\s]+/)[0]));
    }
  });

  it('a glob matching nothing is EXPERIMENT_UNKNOWN', () => {
    const err = selError(() => selectExperiments(ids, 'zz_*'));
    expect(err.message).toBe('no experiment matches "zz_*"');
    expect(err.hint).toBe(`configured experiments: ${ids.join(', ')}`);
  });

  it('an empty selection is a usage error', () => {
    expect(selError(() => selectExperiments(ids, ' , ')).code).toBe('USAGE');
  });
});
