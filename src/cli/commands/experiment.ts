/**
 * `xp experiment start|pause|resume|complete|stop|cancel <id>`: lifecycle transitions (and
 * `approve`, for an experiment with a `policy:`),
 * each recorded in the ledger; an invalid one is refused (LIFECYCLE_INVALID, exit 2).
 * `start` also checks the design (src/design): the power of the primary and of every
 * non-inferiority guardrail at the planned sample, printed after the start is recorded;
 * with --strict a start whose check does not pass is refused before anything is recorded.
 */
import { XpError } from '../../core/errors.ts';
import type { Project } from '../../runner/load-project.ts';
import type { DesignCheck } from '../../design/check.ts';
import { formatDesignCheck, powerPct } from '../../design/format.ts';
import { LIFECYCLE_ACTIONS, type LedgerEvent, type LifecycleAction } from '../../ledger/events.ts';
import { foldEvents } from '../../ledger/fold.ts';
import { changeStatus, type TransitionResult } from '../../ledger/lifecycle.ts';
import { recordApproval } from '../../ledger/approve.ts';
import { POLICY_ACTIONS, type PolicyAction } from '../../project/config-schema.ts';
import { withLedgerRead, withLedgerWrite } from '../../ledger/open.ts';
import { hasLedger, readExperimentEvents } from '../../ledger/store.ts';
import type { RegisterCommand } from '../command.ts';
import { designCheckCommand } from './power.ts';

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
  /** start: refuse (record nothing) unless every design check passes */
  readonly strict?: boolean;
  readonly note?: (message: string) => void;
}

export type ExperimentCommandResult =
  | { readonly outcome: 'recorded'; readonly transition: TransitionResult; readonly design: DesignCheck | null }
  | { readonly outcome: 'refused'; readonly design: DesignCheck };

/** Is the experiment still a draft in the ledger (or not in it yet)? A start of anything else fails on its own. */
async function isDraft(project: Project, experimentId: string): Promise<boolean> {
  return withLedgerRead(project.config, async (db) =>
    !db || !(await hasLedger(db)) || foldEvents(experimentId, await readExperimentEvents(db, experimentId)).status === 'draft');
}

export async function experimentCommand(project: Project, action: LifecycleAction, experimentId: string, opts: ExperimentCommandOptions = {}): Promise<ExperimentCommandResult> {
  const experiment = project.config.experiments.find((e) => e.id === experimentId);
  const design = action === 'start' && experiment ? await designCheckCommand(project, experiment) : null;
  if (design && opts.strict && !design.passed && await isDraft(project, experimentId)) return { outcome: 'refused', design };
  const transition = await withLedgerWrite(project.config, [experimentId], `xp experiment ${action} ${experimentId}`,
    (db) => changeStatus(db, project.config, experimentId, experiment, action, opts), opts.note);
  return { outcome: 'recorded', transition, design };
}

/** `xp experiment approve <id> --action <a>`: an approver's consent to one restricted action (src/ledger/policy.ts). */
export async function approveCommand(project: Project, experimentId: string, action: PolicyAction, opts: { readonly reason?: string; readonly note?: (message: string) => void } = {}): Promise<LedgerEvent> {
  const experiment = project.config.experiments.find((e) => e.id === experimentId);
  return withLedgerWrite(project.config, [experimentId], `xp experiment approve ${experimentId}`,
    (db) => recordApproval(db, experimentId, experiment, action, opts), opts.note);
}

/** LIFECYCLE_INVALID (exit 2): what failed, and what to change. */
export function designRefusal(design: DesignCheck): XpError {
  const id = design.experimentId;
  const failed = design.rows.filter((r) => r.verdict !== 'ok');
  const what = failed.map((r) => (r.verdict === 'underpowered' ? `${r.metric} has ${powerPct(r.power!)} power` : `${r.metric} is not checked (${r.detail})`));
  const fixes = [
    ...(failed.some((r) => r.verdict === 'underpowered') ? ['raise design.n_per_arm to the needed sample (or widen the margin)'] : []),
    ...(failed.some((r) => r.reason === 'NO_MDE') ? ['add design.mde'] : []),
    ...(failed.some((r) => r.reason === 'NO_PLANNED_SAMPLE') ? ['add design.n_per_arm'] : []),
    ...(failed.some((r) => r.reason === 'NOT_BUILT') ? [`build once (xp build --select ${id})`] : []),
  ];
  return new XpError('LIFECYCLE_INVALID', `cannot start experiment ${id}: the design check does not pass (--strict): ${what.join('; ')}`, {
    location: { experiment: id },
    hint: `${fixes.length ? `${fixes.join(', ')}, ` : ''}or start without --strict to run it anyway; nothing was recorded`,
  });
}

export const registerExperiment: RegisterCommand = (program, ctx, withConfig) => {
  const group = program.command('experiment');
  for (const action of LIFECYCLE_ACTIONS) {
    const cmd = withConfig(group.command(action))
      .description(DESCRIPTIONS[action])
      .argument('<experiment_id>')
      .option('--reason <text>', 'why, kept in the ledger');
    if (action === 'start') cmd.option('--strict', 'refuse to start (exit 2, nothing recorded) unless the design check passes');
    cmd.action(async (experimentId: string, o: { config: string; reason?: string; strict?: boolean }) => {
      const r = await experimentCommand(await ctx.project(o.config), action, experimentId, {
        reason: o.reason, strict: o.strict === true, note: (m) => ctx.io.stderr.write(`note: ${m}\n`),
      });
      if (r.outcome === 'refused') {
        ctx.io.stdout.write(`${formatDesignCheck(r.design)}\n`);
        throw designRefusal(r.design);
      }
      const t = r.transition;
      for (const n of t.notes) ctx.io.stdout.write(`${n}\n`);
      ctx.io.stdout.write(`${experimentId}: ${t.from} → ${t.to} (ledger seq ${t.state.seq})\n`);
      if (r.design) ctx.io.stdout.write(`${formatDesignCheck(r.design)}\n`);
    });
  }
  withConfig(group.command('approve'))
    .description('record your approval of one restricted action (policy.approve); another owner or approver then performs it')
    .argument('<experiment_id>')
    .requiredOption('--action <action>', `the action approved: ${POLICY_ACTIONS.join(', ')}`)
    .option('--reason <text>', 'why, kept in the ledger')
    .action(async (experimentId: string, o: { config: string; action: string; reason?: string }) => {
      if (!(POLICY_ACTIONS as readonly string[]).includes(o.action)) {
        throw new XpError('USAGE', `unknown action ${o.action} for xp experiment approve`, { hint: `expected one of: ${POLICY_ACTIONS.join(', ')}` });
      }
      const e = await approveCommand(await ctx.project(o.config), experimentId, o.action as PolicyAction, {
        reason: o.reason, note: (m) => ctx.io.stderr.write(`note: ${m}\n`),
      });
      ctx.io.stdout.write(`${experimentId}: ${o.action} approved by ${e.actor ?? 'unknown'} (ledger seq ${e.seq})\n`);
    });
};
