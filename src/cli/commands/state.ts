/**
 * `xp state show | migrate --to-config <config>`: where the state (ledger, partition
 * catalog, run records) lives, and moving it between stores, e.g. from the warehouse to
 * PostgreSQL (src/state/move.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../../core/errors.ts';
import { targetDir, warehousePath } from '../../core/paths.ts';
import { openDb, type Db } from '../../engine/connection.ts';
import { acquireExperimentLocks, type HeldLocks } from '../../ledger/lock.ts';
import { ledgerExperiments } from '../../ledger/store.ts';
import { loadConfig } from '../../project/load-config.ts';
import type { ProjectConfig } from '../../project/types.ts';
import { STATE_VERSION, stateVersion } from '../../state/migrations.ts';
import { moveState, type MoveReport } from '../../state/move.ts';
import { movedTo } from '../../state/moves.ts';
import { openState, stateLocation } from '../../state/open.ts';
import type { StateBackend, StateStore } from '../../state/state.ts';
import type { RegisterCommand } from '../command.ts';

interface Opened {
  readonly state: StateStore;
  close(): Promise<void>;
}

/** The config's store for writing; the embedded one in its warehouse (created for a target). */
async function openStore(config: ProjectConfig, role: 'source' | 'target'): Promise<Opened> {
  const loc = stateLocation(config);
  let warehouse: Db | undefined;
  if (loc.backend === 'embedded') {
    if (role === 'source' && !existsSync(loc.warehouse)) {
      throw new XpError('USAGE', `there is no state to move: ${loc.warehouse} does not exist`, { location: { file: config.file }, hint: 'run `xp build` first, or check --config' });
    }
    warehouse = await openDb(loc.warehouse);
  }
  try {
    const state = await openState(config, { warehouse, mode: 'write', allowMoved: role === 'target' });
    return { state, close: async () => { await state.close(); warehouse?.close(); } };
  } catch (err) {
    warehouse?.close();
    throw err;
  }
}

export async function stateMigrateCommand(from: ProjectConfig, to: ProjectConfig, note?: (message: string) => void): Promise<MoveReport> {
  const a = stateLocation(from);
  const b = stateLocation(to);
  if (a.backend === b.backend && a.where === b.where) {
    throw new XpError('USAGE', `${path.basename(from.file)} and ${path.basename(to.file)} name the same state (${a.where}): nothing to move`, {
      hint: 'give --to-config the config whose state: block names the other store',
    });
  }
  if (warehousePath(from) !== warehousePath(to)) {
    throw new XpError('USAGE', `${path.basename(to.file)} builds into ${warehousePath(to)}, not ${warehousePath(from)}: the partition catalog describes the partitions of one warehouse`, {
      location: { file: to.file },
      hint: 'point both configs at the same warehouse: (the state moves, the partition data stays where it is)',
    });
  }
  const command = `xp state migrate --to-config ${path.basename(to.file)}`;
  const targets = [...new Set([targetDir(from), targetDir(to)])];
  const locks: HeldLocks[] = [];
  const lock = (ids: readonly string[]): void => { for (const t of targets) locks.push(acquireExperimentLocks(t, ids, command, note)); };
  try {
    const configured = [...new Set([...from.experiments, ...to.experiments].map((e) => e.id))];
    lock(configured);
    const source = await openStore(from, 'source');
    try {
      const unlisted = (await ledgerExperiments(source.state)).filter((id) => !configured.includes(id));
      if (unlisted.length) lock(unlisted);
      const target = await openStore(to, 'target');
      try {
        return await moveState(source.state, target.state);
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  } finally {
    for (const l of locks.reverse()) l.release();
  }
}

export function formatMove(r: MoveReport): string {
  const events = r.experiments.reduce((n, e) => n + e.events, 0);
  const lines = r.experiments.map((e) => `moved    ${e.experimentId}: ${e.events} events, head ${e.head.slice(0, 12)} (verified in both)${e.alreadyThere ? `, ${e.alreadyThere} were there already` : ''}`);
  lines.push(`moved ${r.experiments.length} experiment(s), ${events} events, ${r.partitions} partition fingerprint(s) and ${r.runs} run record(s) from ${r.from} to ${r.to}`);
  lines.push(`${r.from} is now empty and refuses to be used (STATE_MOVED); use the other config from now on`);
  return lines.join('\n');
}

export interface StateInfo {
  readonly backend: StateBackend;
  readonly where: string;
  /** 0: nothing written yet (or a warehouse from before versions) */
  readonly version: number;
  readonly codeVersion: number;
  readonly movedTo?: string;
  readonly experiments: number;
}

export async function stateShowCommand(config: ProjectConfig): Promise<StateInfo> {
  const loc = stateLocation(config);
  const warehouse = loc.backend === 'embedded' && existsSync(loc.warehouse) ? await openDb(loc.warehouse, { readOnly: true }) : undefined;
  if (loc.backend === 'embedded' && !warehouse) return { backend: 'embedded', where: loc.where, version: 0, codeVersion: STATE_VERSION, experiments: 0 };
  try {
    const state = await openState(config, { warehouse, mode: 'read', allowMoved: true });
    try {
      const move = await movedTo(state);
      return {
        backend: state.backend, where: state.where, version: await stateVersion(state), codeVersion: STATE_VERSION,
        ...(move ? { movedTo: `${move.moved_to} at ${move.moved_at}` } : {}), experiments: (await ledgerExperiments(state)).length,
      };
    } finally {
      await state.close();
    }
  } finally {
    warehouse?.close();
  }
}

export function formatStateInfo(s: StateInfo): string {
  return [
    `backend     ${s.backend}`,
    `where       ${s.where}`,
    `schema      version ${s.version}${s.version < s.codeVersion ? ` (migrated to ${s.codeVersion} by the next write)` : ''}`,
    `experiments ${s.experiments}`,
    ...(s.movedTo ? [`moved to    ${s.movedTo} (not used any more)`] : []),
  ].join('\n');
}

export const registerState: RegisterCommand = (program, ctx, withConfig) => {
  const group = program.command('state');
  withConfig(group.command('show'))
    .description('the state store of this config: back end, location, schema version')
    .action(async (o: { config: string }) => {
      ctx.io.stdout.write(formatStateInfo(await stateShowCommand(loadConfig(o.config, ctx.io.cwd))) + '\n');
    });
  withConfig(group.command('migrate'))
    .description('move every experiment\'s history to the state store of another config (chains verified before and after)')
    .requiredOption('--to-config <file>', 'the config naming the store to move to (e.g. one with state: { url_env: XP_STATE_URL })')
    .action(async (o: { config: string; toConfig: string }) => {
      const report = await stateMigrateCommand(loadConfig(o.config, ctx.io.cwd), loadConfig(o.toConfig, ctx.io.cwd), (m) => ctx.io.stderr.write(`note: ${m}\n`));
      ctx.io.stdout.write(formatMove(report) + '\n');
    });
};
