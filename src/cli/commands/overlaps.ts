/**
 * `xp overlaps [--select <ids>] [--alpha a] [--min-cell-users n] [--format table|json]`:
 * pairs of experiments whose windows overlap — users in both, a chi-square test of
 * assignment independence, an A×B interaction test on the primary metrics — corrected over
 * the pairs (Benjamini–Hochberg). Exit 1 when a pair is flagged. Reads the warehouse only.
 */
import { InvalidArgumentError, Option } from 'commander';
import { ExitCode } from '../../core/errors.ts';
import { formatOverlaps } from '../../portfolio/format-overlaps.ts';
import { overlapsCommand } from '../../portfolio/run-overlaps.ts';
import { defaultOverlapSettings } from '../../portfolio/types.ts';
import type { RegisterCommand } from '../command.ts';

function probability(v: string): number {
  const x = Number(v);
  if (!(x > 0 && x < 1)) throw new InvalidArgumentError('expected a number between 0 and 1, e.g. 0.05');
  return x;
}
function count(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 2) throw new InvalidArgumentError('expected a whole number of at least 2');
  return x;
}

export const registerOverlaps: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('overlaps'))
    .option('-s, --select <experiments>', 'the pairs with at least one of these experiments (id, comma list, glob or all; default all)')
    .option('--alpha <p>', 'flag an adjusted p-value below this', probability, defaultOverlapSettings.alpha)
    .option('--min-cell-users <n>', 'run the interaction test when every arm × arm cell has at least this many users', count, defaultOverlapSettings.minCellUsers)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { config: string; select?: string; alpha: number; minCellUsers: number; format: string }) => {
      const r = await overlapsCommand(await ctx.project(o.config), { select: o.select, settings: { alpha: o.alpha, minCellUsers: o.minCellUsers } });
      ctx.io.stdout.write((o.format === 'json' ? JSON.stringify(r, null, 2) : formatOverlaps(r)) + '\n');
      if (r.pairs.some((p) => p.flags.length)) ctx.setExit(ExitCode.failed);
    });
};
