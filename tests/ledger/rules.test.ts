/** Pure rules: lifecycle transitions and config authority (design vs cosmetic changes). */
import { describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { LIFECYCLE_ACTIONS, STATUSES, type LifecycleAction, type Status } from '../../src/ledger/events.ts';
import { allowedActions, nextStatus } from '../../src/ledger/lifecycle.ts';
import { configHashes, configSnapshot, diffConfig } from '../../src/ledger/config-snapshot.ts';
import { configEvents } from '../../src/ledger/config-authority.ts';
import { foldEvents, initialState, type ExperimentState } from '../../src/ledger/fold.ts';
import type { Experiment } from '../../src/project/types.ts';

const VALID: Record<Status, Partial<Record<LifecycleAction, Status>>> = {
  draft: { start: 'running', cancel: 'cancelled' },
  running: { pause: 'paused', complete: 'completed', stop: 'stopped', cancel: 'cancelled' },
  paused: { resume: 'running', complete: 'completed', stop: 'stopped', cancel: 'cancelled' },
  completed: {},
  stopped: {},
  cancelled: {},
};

const TARGET: Record<LifecycleAction, Status> = { start: 'running', pause: 'paused', resume: 'running', complete: 'completed', stop: 'stopped', cancel: 'cancelled' };

describe('lifecycle transitions', () => {
  for (const status of STATUSES) {
    for (const action of LIFECYCLE_ACTIONS) {
      const to = VALID[status][action];
      it(`${status} --${action}--> ${to ?? 'refused'}`, () => {
        if (to) expect(nextStatus('exp_a', status, action)).toBe(to);
        else {
          try {
            nextStatus('exp_a', status, action);
            expect.unreachable();
          } catch (err) {
            expect(err).toBeInstanceOf(XpError);
            expect((err as XpError).code).toBe('LIFECYCLE_INVALID');
            expect((err as XpError).exitCode).toBe(2);
            expect((err as XpError).message).toBe(`cannot ${action} experiment exp_a: it is ${status}${TARGET[action] === status ? ' already' : ''}`);
          }
        }
      });
    }
  }
  it('lists what can be done next', () => {
    expect(allowedActions('paused')).toEqual(['resume', 'complete', 'stop', 'cancel']);
    expect(allowedActions('completed')).toEqual([]);
  });
});

const experiment: Experiment = {
  id: 'exp_a', name: 'A', variants: { control: 0.5, treatment: 0.5 }, control: 'control', treatments: ['treatment'],
  primary_metric: 'conversion', secondary_metrics: [], guardrails: [], metricNames: ['conversion'], start: '2026-01-01', days: 7,
  pre_period_days: 0, alpha: 0.05, correction: 'holm', variance_reduction: 'cuped', file: 'configs/dev.yaml', line: 12,
};
const project = { metrics: { conversion: { type: 'binomial', event: 'purchase', direction: 'increase', guardrail: false, noninferiority: false } }, file: 'configs/dev.yaml' } as const;

function stateWith(status: ExperimentState['status'], e: Experiment = experiment): ExperimentState {
  const config = configSnapshot(e, project);
  const h = configHashes(config);
  return { ...initialState('exp_a'), registered: true, status, config: { config, ...h, seq: 2, at: '2026-01-01T00:00:00.000Z' } };
}

describe('config authority', () => {
  it('classifies design and cosmetic changes', () => {
    const a = configSnapshot(experiment, project);
    const b = configSnapshot({ ...experiment, name: 'A2', owner: 'me', variants: { control: 0.4, treatment: 0.6 }, synth: { n_users: 10 } as never }, project);
    expect(diffConfig(a, b).map((c) => [c.path, c.design])).toEqual([
      ['experiment.name', false],
      ['experiment.owner', false],
      ['experiment.synth', false],
      ['experiment.variants.control', true],
      ['experiment.variants.treatment', true],
    ]);
    const m = configSnapshot(experiment, { metrics: { conversion: { ...project.metrics.conversion, event: 'checkout' } } } as never);
    expect(diffConfig(a, m)).toEqual([{ path: 'metrics.conversion.event', from: 'purchase', to: 'checkout', design: true }]);
    expect(configHashes(a).designHash).toBe(configHashes(configSnapshot({ ...experiment, name: 'other' }, project)).designHash);
  });

  it('registers an unknown experiment with a snapshot', () => {
    const d = configEvents(initialState('exp_a'), experiment, project);
    expect(d.events.map((e) => e.kind)).toEqual(['registered', 'config_snapshot']);
  });

  it('lets a draft change freely, and records nothing when unchanged', () => {
    expect(configEvents(stateWith('draft'), experiment, project).events).toEqual([]);
    const d = configEvents(stateWith('draft'), { ...experiment, alpha: 0.01 }, project);
    expect(d.events).toMatchObject([{ kind: 'config_snapshot', payload: { reason: 'draft-edit' } }]);
  });

  it('refuses a design change of a running experiment with the diff, unless accepted', () => {
    const changed = { ...experiment, alpha: 0.01, name: 'A2' };
    expect(() => configEvents(stateWith('running'), changed, project)).toThrow(
      'the design of running experiment exp_a differs from the config it runs under (ledger seq 2):\n  experiment.alpha: 0.05 → 0.01\n  experiment.name: "A" → "A2" (cosmetic)',
    );
    try {
      configEvents(stateWith('paused'), changed, project);
    } catch (err) {
      expect((err as XpError).code).toBe('CONFIG_CHANGED');
      expect((err as XpError).exitCode).toBe(2);
      expect((err as XpError).location).toMatchObject({ file: 'configs/dev.yaml', line: 12, experiment: 'exp_a' });
    }
    const d = configEvents(stateWith('running'), changed, project, { acceptConfigChange: true });
    expect(d.events).toMatchObject([{ kind: 'config_changed', payload: { design: true } }]);
    expect(d.notes[0]).toMatch(/^design change accepted and recorded: experiment.alpha: 0.05 → 0.01/);
  });

  it('passes a cosmetic change of a running experiment with a note', () => {
    const d = configEvents(stateWith('running'), { ...experiment, name: 'A2', description: 'new words' }, project);
    expect(d.events).toMatchObject([{ kind: 'config_changed', payload: { design: false } }]);
    expect(d.notes).toEqual(['cosmetic config change recorded: experiment.description: (unset) → "new words"; experiment.name: "A" → "A2"']);
  });

  it('keeps the config in force in the fold', () => {
    expect(foldEvents('x', []).config).toBeUndefined();
  });
});
