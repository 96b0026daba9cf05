/**
 * Once an experiment runs, the ledger's config is authoritative. Pure: given the folded
 * state and the YAML's experiment, decide which events to record, or refuse a design
 * change with CONFIG_CHANGED (exit 2) unless it is accepted.
 */
import { XpError } from '../core/errors.ts';
import type { Experiment, ProjectConfig } from '../project/types.ts';
import { configHashes, configSnapshot, describeChange, diffConfig } from './config-snapshot.ts';
import type { NewEvent } from './events.ts';
import type { ExperimentState } from './fold.ts';

export interface ConfigDecision {
  readonly events: readonly NewEvent[];
  readonly notes: readonly string[];
}

export interface ConfigOptions {
  readonly acceptConfigChange?: boolean;
  /** recording the snapshot a start runs under */
  readonly starting?: boolean;
}

export function configEvents(
  state: ExperimentState,
  experiment: Experiment,
  project: Pick<ProjectConfig, 'metrics' | 'file'>,
  opts: ConfigOptions = {},
): ConfigDecision {
  const config = configSnapshot(experiment, project);
  const { hash, designHash } = configHashes(config);
  if (!state.registered || !state.config) {
    return {
      events: [
        ...(state.registered ? [] : [{ kind: 'registered', payload: { name: experiment.name } } as const]),
        { kind: 'config_snapshot', payload: { config, hash, designHash, reason: opts.starting ? 'started' : 'registered' } },
      ],
      notes: [opts.starting ? 'registered in the ledger' : `registered in the ledger (status draft until \`xp experiment start ${experiment.id}\`)`],
    };
  }
  if (state.config.hash === hash) return { events: [], notes: [] };
  const changes = diffConfig(state.config.config, config);
  if (state.status === 'draft') {
    return {
      events: [{ kind: 'config_snapshot', payload: { config, hash, designHash, reason: opts.starting ? 'started' : 'draft-edit' } }],
      notes: [`draft config snapshot updated (${changes.length} change${changes.length === 1 ? '' : 's'})`],
    };
  }
  const design = changes.filter((c) => c.design);
  if (design.length && !opts.acceptConfigChange) {
    throw new XpError('CONFIG_CHANGED', [
      `the design of ${state.status} experiment ${experiment.id} differs from the config it runs under (ledger seq ${state.config.seq}):`,
      ...design.map((c) => `  ${describeChange(c)}`),
      ...changes.filter((c) => !c.design).map((c) => `  ${describeChange(c)} (cosmetic)`),
    ].join('\n'), {
      location: { file: experiment.file ?? project.file, line: experiment.line, experiment: experiment.id },
      hint: 'revert the YAML, or rebuild with --accept-config-change to record the change in the ledger (the remaining sequential looks are re-planned from it)',
    });
  }
  const notes = design.length
    ? [`design change accepted and recorded: ${design.map(describeChange).join('; ')}`]
    : [`cosmetic config change recorded: ${changes.map(describeChange).join('; ')}`];
  return {
    events: [{ kind: 'config_changed', payload: { config, hash, designHash, previousHash: state.config.hash, design: design.length > 0, changes } }],
    notes,
  };
}
