/** Which failures keep the memo from being written: only those among (or above) what it reads. */
import { describe, expect, it } from 'vitest';
import { blockingFailure } from '../../src/report/memo-stage.ts';
import { MEMO_MODELS, memoInputs } from '../../src/report/read-inputs.ts';
import { step } from './support/inputs.ts';

const plugins = [
  { name: 'ab', writes: { analysis_results: {} } },
  { name: 'decision', writes: { decisions: {} } },
  { name: 'zz_export', writes: { my_export: {} } },
];

describe('memo inputs', () => {
  it('are the models it reads and the plugins that write its tables, no other plugin', () => {
    expect(memoInputs(plugins)).toEqual([...Object.values(MEMO_MODELS), 'analysis:ab', 'analysis:decision']);
  });

  it('a failure elsewhere does not block the memo; an input that failed, or was skipped by a failure above it, does', () => {
    const inputs = memoInputs(plugins);
    expect(blockingFailure([step('variant_summary', { status: 'error' }), step('analysis:zz_export', { status: 'error' })], 'exp_memo', inputs)).toBeUndefined();
    expect(blockingFailure([step('analysis:decision', { status: 'error' })], 'exp_memo', inputs)).toBe('analysis:decision');
    expect(blockingFailure([step('exposures', { status: 'error' }), step('srm_counts', { status: 'skipped', reason: 'upstream-failed', upstream: 'exposures' })], 'exp_memo', inputs)).toBe('exposures');
    // a skip by a flag is shown in the memo, not a reason to skip it
    expect(blockingFailure([step('analysis:ab', { status: 'skipped', reason: 'flag' })], 'exp_memo', inputs)).toBeUndefined();
    // another experiment's failure is not this memo's
    expect(blockingFailure([step('srm_counts', { status: 'error', experimentId: 'other' })], 'exp_memo', inputs)).toBeUndefined();
  });
});
