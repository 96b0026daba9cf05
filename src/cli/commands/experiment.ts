/**
 * `xp experiment start|pause|resume|complete|stop|cancel <id>`: lifecycle transitions,
 * each recorded in the ledger; an invalid one is refused (LIFECYCLE_INVALID, exit 2).
 */
import type { Project } from '../../runner/load-project.ts';
import { LIFECYCLE_ACTIONS, type LifecycleAction } from '../../ledger/events.ts';
import { changeStatus, type TransitionResult } from '../../ledger/lifecycle.ts';
import { withLedgerWrite } from '../../ledger/open.ts';
import type { RegisterCommand } from '../command.ts';

const DESCRIPTIONS: Readonly<Record<LifecycleAction, string>> = {
  start: 'draft → running: snapshot the config; builds from now on take sequential looks',
  pause: 'running → paused: builds still refresh tables but take no looks',
  resume: 'paused → running',
  complete: 'running|paused → completed: final; not rebuilt without --force',
  stop: 'running|paused → stopped: ended early (harm, SRM, decision); final',
  cancel: 'draft|running|paused → cancelled: abandoned; final',
};

export interface ExperimentCommandOptions {
  readonly reason?: string;
  readonly acceptConfigChange?: boolean;
  readonly note?: (message: string) => void;
}

export async function experimentCommand(project: Project, action: LifecycleAction, experimentId: string, opts: ExperimentCommandOptions = {}): Promise<TransitionResult> {
  const experiment = project.config.experiments.find((e) => e.id === experimentId);
  return withLedgerWrite(project.config, [experimentId], `xp experiment ${action} ${experimentId}`,
    (db) => changeStatus(db, project.config, experimentId, experiment, action, opts), opts.note);
}

export const registerExperiment: RegisterCommand = (program, ctx, withConfig) => {
  const group = program.command('experiment').description('lifecycle: draft → running ⇄ paused → completed | stopped | cancelled');
  for (const action of LIFECYCLE_ACTIONS) {
    withConfig(group.command(action))
      .description(DESCRIPTIONS[action])
      .argument('<experiment_id>')
      .option('--reason <text>', 'why, kept in the ledger')
      .action(async (experimentId: string, o: { config: string; reason?: string }) => {
        const r = await experimentCommand(await ctx.project(o.config), action, experimentId, {
          reason: o.reason, note: (m) => ctx.io.stderr.write(`note: ${m}\n`),
        });
        for (const n of r.notes) ctx.io.stdout.write(`${n}\n`);
        ctx.io.stdout.write(`${experimentId}: ${r.from} → ${r.to} (ledger seq ${r.state.seq})\n`);
      });
  }
};
