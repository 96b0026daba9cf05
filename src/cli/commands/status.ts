/**
 * `xp status [<experiment_id>] [--at <seq|timestamp>] [--format table|json]`: each
 * experiment's state folded from its ledger, plus a running build's stage and ETA from
 * its progress file (readable while the build holds the warehouse).
 */
import { Option } from 'commander';
import { XpError } from '../../core/errors.ts';
import type { Project } from '../../runner/load-project.ts';
import { configSnapshot, describeChange, diffConfig, type ConfigChange } from '../../ledger/config-snapshot.ts';
import { eventsAt, foldEvents, type ExperimentState } from '../../ledger/fold.ts';
import { holderAlive, readLock, type LockHolder } from '../../ledger/lock.ts';
import { isWarehouseLocked, projectPaths, withLedgerRead } from '../../ledger/open.ts';
import { readProgress, type BuildProgress } from '../../ledger/progress.ts';
import { lastPerformed } from '../../ledger/policy.ts';
import { ledgerExperiments, readEvents } from '../../ledger/store.ts';
import { fmtSeconds, textTable } from '../../core/format.ts';
import type { RegisterCommand } from '../command.ts';

export interface RunningBuild {
  readonly lock?: LockHolder;
  readonly progress?: BuildProgress;
  /** false: the holder is gone (the build was killed; the next build resumes) */
  readonly alive: boolean | undefined;
}

export interface ExperimentStatus {
  readonly experimentId: string;
  readonly inConfig: boolean;
  readonly state: ExperimentState;
  /** YAML vs the config in force: what the next build will record or refuse */
  readonly pendingChanges: readonly ConfigChange[];
  readonly build?: RunningBuild;
}

export interface StatusResult {
  /** false when a build holds the warehouse: only progress files could be read */
  readonly ledgerRead: boolean;
  readonly at?: string;
  readonly experiments: readonly ExperimentStatus[];
}

export function parseAt(at: string | undefined): string | undefined {
  if (at === undefined) return undefined;
  if (/^\d+$/.test(at) || !Number.isNaN(Date.parse(at))) return at;
  throw new XpError('USAGE', `--at ${JSON.stringify(at)} is neither a seq nor a timestamp`, { hint: 'pass a seq such as 12, or an ISO time such as 2026-01-07T09:00:00Z' });
}

function runningBuild(target: string, id: string): RunningBuild | undefined {
  const lock = readLock(target, id);
  const progress = readProgress(target, id);
  if (!lock && !progress) return undefined;
  const who = lock ?? progress!;
  return { ...(lock ? { lock } : {}), ...(progress ? { progress } : {}), alive: holderAlive(who) };
}

export async function statusCommand(project: Project, opts: { readonly experimentId?: string; readonly at?: string } = {}): Promise<StatusResult> {
  const at = parseAt(opts.at);
  const configured = project.config.experiments.map((e) => e.id);
  const { target } = projectPaths(project.config);
  let ledgerRead = true;
  let events = new Map<string, import('../../ledger/events.ts').LedgerEvent[]>();
  let known: string[] = [];
  try {
    await withLedgerRead(project.config, async (db) => {
      if (!db) return;
      known = await ledgerExperiments(db);
      events = await readEvents(db, opts.experimentId ? [opts.experimentId] : undefined);
    });
  } catch (err) {
    if (!isWarehouseLocked(err)) throw err;
    ledgerRead = false;
  }
  const ids = opts.experimentId ? [opts.experimentId] : [...new Set([...configured, ...known])].sort();
  if (opts.experimentId && ledgerRead && !configured.includes(opts.experimentId) && !known.includes(opts.experimentId)) {
    throw new XpError('EXPERIMENT_UNKNOWN', `unknown experiment ${opts.experimentId}: not in the config and not in the ledger`, {
      location: { experiment: opts.experimentId },
      hint: `configured experiments: ${configured.join(', ') || '(none)'}`,
    });
  }
  return {
    ledgerRead,
    ...(at ? { at } : {}),
    experiments: ids.map((id) => {
      const state = foldEvents(id, eventsAt(events.get(id) ?? [], at));
      const yaml = project.config.experiments.find((e) => e.id === id);
      const pendingChanges = yaml && state.config && !at ? diffConfig(state.config.config, configSnapshot(yaml, project.config)) : [];
      const build = at ? undefined : runningBuild(target, id);
      return { experimentId: id, inConfig: !!yaml, state, pendingChanges, ...(build ? { build } : {}) };
    }),
  };
}

const short = (h: string | undefined): string => (h ? h.slice(0, 10) : '-');
const num = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? '-' : x.toFixed(digits));

function buildLine(b: RunningBuild): string {
  const who = b.lock ?? b.progress;
  if (b.alive === false) return `interrupted: pid ${who?.pid} is gone; the next \`xp build\` resumes from the first unfinished stage`;
  const p = b.progress;
  const head = `running: pid ${who?.pid} on ${who?.host}`;
  if (!p) return `${head} (no progress yet)`;
  const eta = p.etaSeconds === undefined ? '' : `, ETA ${fmtSeconds(p.etaSeconds)}`;
  return `${head}, ${p.phase}${p.stage ? ` [${p.stage}]` : ''}, step ${p.step ?? p.done}/${p.total}, ${p.rows} rows, ${fmtSeconds(p.elapsedSeconds)} elapsed${eta} (updated ${p.updatedAt})`;
}

export function formatStatusList(r: StatusResult): string {
  const rows = r.experiments.map((x) => {
    const s = x.state;
    const last = s.lastBuild ? `${s.lastBuild.status} ${s.lastBuild.startedAt}` : '-';
    const build = x.build ? (x.build.alive === false ? 'interrupted' : x.build.progress ? `${x.build.progress.phase} ${x.build.progress.step ?? x.build.progress.done}/${x.build.progress.total}` : 'running') : '';
    return [x.experimentId, s.registered ? s.status : 'draft (new)', String(s.looks.length), num(s.alphaSpent, 4), last, s.attempts ? String(s.attempts) : '', build];
  });
  const lines = [textTable(['experiment', 'status', 'looks', 'alpha spent', 'last build', 'attempts', 'now'], rows)];
  if (!r.ledgerRead) lines.push('(a build holds the warehouse: only its progress could be read)');
  return lines.join('\n');
}

export function formatStatusDetail(x: ExperimentStatus, r: Pick<StatusResult, 'ledgerRead' | 'at'>): string {
  const s = x.state;
  const out: string[] = [];
  out.push(`experiment ${x.experimentId}${s.name ? ` · ${s.name}` : ''}${r.at ? ` (as of ${r.at})` : ''}`);
  if (!r.ledgerRead) out.push('ledger     (a build holds the warehouse: showing its progress only)');
  if (x.build) out.push(`build      ${buildLine(x.build)}`);
  if (!r.ledgerRead) return out.join('\n');
  if (!s.registered) {
    out.push('status     draft (not in the ledger yet: the first build or `xp experiment start` registers it)');
    return out.join('\n');
  }
  out.push(`status     ${s.status}${s.statusSince ? ` since ${s.statusSince}` : ''}`);
  if (s.config) out.push(`config     ${short(s.config.hash)} (design ${short(s.config.designHash)}, since seq ${s.config.seq}); ${s.configChanges.length} change(s) while running`);
  for (const c of x.pendingChanges) out.push(`  pending  ${describeChange(c)}${c.design ? ' (design: the next build refuses it without --accept-config-change)' : ''}`);
  if (s.input) out.push(`input      ${short(s.input.hash)}: ${s.input.objects.length} object(s), ${s.input.bytes} bytes (seq ${s.input.seq})`);
  out.push(`looks      ${s.looks.length} taken, alpha spent ${num(s.alphaSpent, 4)}`);
  for (const l of s.looks) {
    out.push(`  #${l.look}  t=${num(l.informationFraction)}  z=${num(l.z)}  boundary=${num(l.boundary)}  alpha=${num(l.alphaSpent, 4)}  ${l.decision}  input ${short(l.inputHash)}  ${l.at}`);
  }
  for (const ap of s.approvals.filter((a) => a.seq > lastPerformed(s, a.action))) {
    out.push(`approval   ${ap.action} by ${ap.actor ?? 'unknown'} at ${ap.at} (seq ${ap.seq}), not used yet${ap.reason ? `: ${ap.reason}` : ''}`);
  }
  if (s.decision) out.push(`decision   ${s.decision.decision}${s.decision.reason ? `: ${s.decision.reason}` : ''}`);
  if (s.memo) out.push(`memo       ${s.memo.path}`);
  const b = s.builds;
  out.push(`builds     ${b.started} started, ${b.succeeded} succeeded, ${b.failed} failed, ${b.interrupted} interrupted`);
  if (s.lastBuild) {
    const lb = s.lastBuild;
    out.push(`last build ${lb.runId} ${lb.status}${lb.seconds === undefined ? '' : ` in ${fmtSeconds(lb.seconds)}`}, ${lb.finished.length} stage(s) committed${lb.resumes ? `, resumed ${lb.resumes}` : ''}`);
  }
  if (s.attempts) out.push(`attempts   ${s.attempts} since the last successful build`);
  if (s.firstError) out.push(`first error ${s.firstError.node ?? ''} ${s.firstError.code ?? ''}: ${s.firstError.message}`);
  const stages = Object.values(s.stages);
  if (stages.length) {
    out.push('stages');
    out.push(textTable(['node', 'stage', 'last', 'last good', 'rows', 'attempts', 'first error'], stages.map((st) => [
      st.node, st.stage, st.lastStatus + (st.lastReason && st.lastStatus !== 'finished' ? ` (${st.lastReason})` : ''),
      st.lastGood ? `${short(st.lastGood.fingerprint)} ${st.lastGood.at}` : '-', st.lastGood?.rows ?? '-',
      st.attempts || '', st.firstError?.message ?? '',
    ])).split('\n').map((l) => `  ${l}`).join('\n'));
  }
  out.push(`ledger     seq ${s.seq}, head ${short(s.head)}`);
  return out.join('\n');
}

export const registerStatus: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('status'))
    .argument('[experiment_id]', 'one experiment (default: all)')
    .option('--at <seq|timestamp>', 'the state as of a ledger seq or a time')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (experimentId: string | undefined, o: { config: string; at?: string; format: string }) => {
      const r = await statusCommand(await ctx.project(o.config), { experimentId, at: o.at });
      if (o.format === 'json') ctx.io.stdout.write(JSON.stringify(experimentId ? { ledgerRead: r.ledgerRead, ...(r.at ? { at: r.at } : {}), ...r.experiments[0] } : r, null, 2) + '\n');
      else ctx.io.stdout.write((experimentId ? formatStatusDetail(r.experiments[0]!, r) : formatStatusList(r)) + '\n');
    });
};
