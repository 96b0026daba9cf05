/** PartitionMap: values by (model, experiment), a project-level model being experiment null. */
import { describe, expect, it } from 'vitest';
import { PartitionMap } from '../../src/plan/partition-map.ts';

describe('PartitionMap', () => {
  it('keys by model and experiment, keeping null apart from every experiment id', () => {
    const m = new PartitionMap<string>();
    m.set({ model: 'a', experimentId: 'exp_1' }, 'x').set({ model: 'a', experimentId: null }, 'p').set({ model: 'b', experimentId: 'exp_1' }, 'y');
    m.set({ model: 'a', experimentId: 'exp_1' }, 'x2');
    expect(m.size).toBe(3);
    expect(m.get({ model: 'a', experimentId: 'exp_1' })).toBe('x2');
    expect(m.get({ model: 'a', experimentId: null })).toBe('p');
    expect(m.get({ model: 'a', experimentId: '' })).toBeUndefined();
    expect(m.has({ model: 'b', experimentId: null })).toBe(false);
    expect(m.has({ model: 'c', experimentId: 'exp_1' })).toBe(false);
    expect([...m.ofModel('a')]).toEqual([['exp_1', 'x2'], [null, 'p']]);
    expect([...m.ofModel('c')]).toEqual([]);
  });

  it('stores only the key fields, iterates model by model and copies', () => {
    const step = { model: 'a', experimentId: 'exp_1', fingerprint: 'f' };
    const m = new PartitionMap<string>([[step, 'f'], [{ model: 'b', experimentId: null }, 'g'], [{ model: 'a', experimentId: 'exp_2' }, 'h']]);
    expect([...m]).toEqual([
      [{ model: 'a', experimentId: 'exp_1' }, 'f'],
      [{ model: 'a', experimentId: 'exp_2' }, 'h'],
      [{ model: 'b', experimentId: null }, 'g'],
    ]);
    const copy = new PartitionMap(m).set({ model: 'c', experimentId: null }, 'i');
    expect(copy.size).toBe(4);
    expect(m.size).toBe(3);
  });
});
