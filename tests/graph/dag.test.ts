/** The model DAG: deterministic order, unknown refs and cycles as errors naming files. */
import { describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { ancestors, buildDag, descendants } from '../../src/graph/dag.ts';
import { modelNodes, SHOP } from '../helpers/models.ts';

function dagError(fn: () => unknown): XpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('buildDag', () => {
  it('orders parents before children; among ready models, by stage, then by name', () => {
    const dag = buildDag(modelNodes(SHOP));
    expect(dag.order).toEqual([
      'experiment_registry', 'stg_exposures', 'exposures', 'stg_outcomes', 'outcomes', 'user_metrics',
      'dq_results', 'srm_counts', 'metric_aggregates_daily', 'metric_aggregates_overall',
    ]);
    expect(dag.parents.get('outcomes')).toEqual(['stg_outcomes', 'exposures']);
    expect(dag.children.get('exposures')).toEqual(['outcomes', 'user_metrics', 'srm_counts']);
  });

  it('the order does not depend on the order models were found in', () => {
    const nodes = modelNodes(SHOP);
    expect(buildDag([...nodes].reverse()).order).toEqual(buildDag(nodes).order);
  });

  it('ancestors and descendants walk the whole graph', () => {
    const dag = buildDag(modelNodes(SHOP));
    expect([...ancestors(dag, 'user_metrics')].sort()).toEqual(['exposures', 'outcomes', 'stg_exposures', 'stg_outcomes']);
    expect([...descendants(dag, 'stg_outcomes')].sort()).toEqual([
      'dq_results', 'metric_aggregates_daily', 'metric_aggregates_overall', 'outcomes', 'user_metrics',
    ]);
    expect(descendants(dag, 'metric_aggregates_daily').size).toBe(0);
  });

  it('an unknown ref names the model and its file and suggests a close name', () => {
    const err = dagError(() => buildDag(modelNodes({ exposures: {}, srm: { refs: ['exposure'] } })));
    expect(err.code).toBe('MODEL_REF_UNKNOWN');
    expect(err.message).toBe('model srm refs "exposure", which is not a model');
    expect(err.location).toEqual({ file: 'models/core/srm.sql', model: 'srm' });
    expect(err.hint).toBe('did you mean "exposures"?');
  });

  it('an unknown ref with nothing close says how to create it', () => {
    const err = dagError(() => buildDag(modelNodes({ a: { refs: ['zzz'] } })));
    expect(err.hint).toBe('create models/<layer>/zzz.sql or fix the name');
  });

  it('a cycle names the path and every file on it', () => {
    const err = dagError(() => buildDag(modelNodes({
      stg: { folder: 'staging' },
      x: { refs: ['stg', 'z'] },
      y: { refs: ['x'] },
      z: { refs: ['y'], folder: 'marts' },
    })));
    expect(err.code).toBe('MODEL_CYCLE');
    expect(err.message).toBe('models form a cycle: x → y → z → x');
    expect(err.location.file).toBe('models/core/x.sql, models/core/y.sql, models/marts/z.sql');
    expect(err.exitCode).toBe(2);
  });

  it('a model that refs itself is a cycle of one', () => {
    const err = dagError(() => buildDag(modelNodes({ a: { refs: ['a'] } })));
    expect(err.message).toBe('models form a cycle: a → a');
    expect(err.location.file).toBe('models/core/a.sql');
  });
});
