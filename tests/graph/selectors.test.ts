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
    { select: 'srm_counts,tag:raw', expected: ['stg_exposures', 'stg_outcomes', 'srm_counts'] },
    { select: 'srm_counts tag:daily', expected: ['srm_counts', 'metric_aggregates_daily'] },
    { select: 'exposures+', exclude: 'tag:agg', expected: ['exposures', 'outcomes', 'user_metrics', 'srm_counts'] },
    { select: undefined, exclude: 'path:models/staging,experiment_registry', expected: dag.order.filter((n) => !n.startsWith('stg_') && n !== 'experiment_registry') },
  ];
  it.each(cases)('select $select exclude $exclude', ({ select, exclude, expected }) => {
    expect(selectModels(dag, select, exclude)).toEqual(expected);
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
