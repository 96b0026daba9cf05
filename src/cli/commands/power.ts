/**
 * `xp power`: per-arm sample size to detect an effect on a binomial or mean metric, or the
 * minimum detectable effect (MDE) with a given sample, from src/stats/power.ts. Pure
 * `powerCommand` returns data; the CLI prints a table or JSON. Bad input exits 2 (USAGE).
 * `xp power --experiment <id>`: the design check of an experiment (src/design), baselines
 * from its built exp.metric_aggregates_overall, as `xp experiment start` prints it.
 */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { XpError } from '../../core/errors.ts';
import { warehousePath } from '../../core/paths.ts';
import type { MetricType, OverallAggregate } from '../../analyses/model-rows.ts';
import { checkDesign, type DesignCheck } from '../../design/check.ts';
import { formatDesignCheck } from '../../design/format.ts';
import { openDb, type Row } from '../../engine/connection.ts';
import { MODEL_SCHEMA, tableExists } from '../../engine/platform-store.ts';
import { relation } from '../../engine/sql.ts';
import type { Experiment } from '../../project/types.ts';
import type { Project } from '../../runner/load-project.ts';
import { PARTITION_PARAM } from '../../template/sql-env.ts';
import {
  isNotEstimable,
  minimumDetectableEffect,
  sampleSizeMeans,
  sampleSizeProportions,
  type MdeResult,
  type PowerConfig,
  type SampleSizeResult,
} from '../../stats/index.ts';
import { textTable } from '../../core/format.ts';
import type { RegisterCommand } from '../command.ts';

export type PowerMetricType = 'binomial' | 'mean';

export interface PowerInput {
  readonly type: PowerMetricType;
  /** binomial: the control rate in (0, 1); mean: the control mean (needed for relative effects) */
  readonly baseline?: number;
  /** mean metrics: per-user standard deviation */
  readonly sd?: number;
  /** the effect to detect: relative lift (default) or absolute difference */
  readonly mde?: number;
  readonly mdeType: 'relative' | 'absolute';
  /** control-arm users: give this instead of mde to get the MDE */
  readonly n?: number;
  readonly alpha: number;
  readonly power: number;
  /** allocation n_treatment / n_control */
  readonly ratio: number;
  readonly sided: 1 | 2;
  /** the config metric the type came from, if any */
  readonly metric?: string;
}

export interface PowerResult {
  readonly mode: 'sample-size' | 'mde';
  readonly metric: string | null;
  readonly metric_type: PowerMetricType;
  readonly baseline: number | null;
  readonly sd: number | null;
  readonly alpha: number;
  readonly power: number;
  readonly ratio: number;
  readonly sided: 1 | 2;
  readonly mde_absolute: number;
  readonly mde_relative: number | null;
  readonly n_control: number;
  readonly n_treatment: number;
  readonly n_total: number;
}

const usage = (message: string, hint?: string): XpError => new XpError('USAGE', message, { hint: hint ?? 'run `xp power --help` for the options' });

function checked<T extends SampleSizeResult | MdeResult>(r: T): Exclude<T, { status: 'not-estimable' }> {
  if (isNotEstimable(r)) throw usage(`no answer for these inputs: ${r.detail} (${r.reason})`);
  return r as Exclude<T, { status: 'not-estimable' }>;
}

/** Stats functions throw RangeError on impossible input (a rate outside (0, 1)): that is bad usage here. */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw usage(err.message.replace(/^\w+: /, ''));
    throw err;
  }
}

export function powerCommand(input: PowerInput): PowerResult {
  if ((input.mde === undefined) === (input.n === undefined)) throw usage('give either --mde (for the sample size) or --n (for the MDE), not both and not neither');
  const { baseline, sd } = input;
  if (input.type === 'binomial' && baseline === undefined) throw usage('a binomial metric needs --baseline, the control conversion rate in (0, 1)');
  if (input.type === 'mean' && sd === undefined) throw usage('a mean metric needs --sd, the per-user standard deviation');
  if (input.type === 'mean' && baseline === undefined && (input.mdeType === 'relative' && input.mde !== undefined)) {
    throw usage('a relative --mde on a mean metric needs --baseline (the control mean)', 'pass --baseline <mean>, or --mde-type absolute');
  }
  const cfg: PowerConfig = { alpha: input.alpha, power: input.power, ratio: input.ratio, sided: input.sided };
  const common = {
    metric: input.metric ?? null, metric_type: input.type, baseline: baseline ?? null, sd: sd ?? null,
    alpha: input.alpha, power: input.power, ratio: input.ratio, sided: input.sided,
  };
  if (input.mde !== undefined) {
    const mde = input.mde;
    const absolute = input.mdeType === 'absolute' ? mde : mde * Math.abs(baseline ?? Number.NaN);
    const r = checked(asUsage(() =>
      input.type === 'binomial'
        ? sampleSizeProportions({ baseline: baseline!, effect: mde, effectType: input.mdeType }, cfg)
        : sampleSizeMeans({ sd: sd!, effect: absolute }, cfg)));
    const relative = baseline !== undefined && baseline !== 0 ? absolute / Math.abs(baseline) : null;
    return { mode: 'sample-size', ...common, mde_absolute: absolute, mde_relative: relative, n_control: r.control, n_treatment: r.treatment, n_total: r.total };
  }
  const n = input.n!;
  if (!(Number.isInteger(n) && n >= 2)) throw usage(`--n ${n} must be a whole number of control users >= 2`);
  const r = checked(asUsage(() =>
    input.type === 'binomial'
      ? minimumDetectableEffect({ metric: 'proportion', baseline: baseline!, controlN: n }, cfg)
      : minimumDetectableEffect({ metric: 'mean', sd: sd!, controlN: n, ...(baseline === undefined ? {} : { mean: baseline }) }, cfg)));
  const treatment = Math.ceil(n * input.ratio - 1e-9);
  return { mode: 'mde', ...common, mde_absolute: r.absolute, mde_relative: r.relative, n_control: n, n_treatment: treatment, n_total: n + treatment };
}

/** The metric type: --type, or the type of the config metric named by --metric. */
export function metricTypeOf(project: Project, metric: string): PowerMetricType {
  const m = project.config.metrics[metric];
  if (!m) throw usage(`unknown metric "${metric}"`, `metrics in ${project.config.file}: ${Object.keys(project.config.metrics).join(', ')}`);
  if (m.type === 'ratio') throw usage(`metric "${metric}" is a ratio metric; xp power covers binomial and mean metrics`, 'use --type mean with the ratio\'s per-user standard deviation (delta method) as --sd');
  if (m.type === 'quantile') throw usage(`metric "${metric}" is a quantile metric; xp power covers binomial and mean metrics`, 'size the experiment on the mean of the same value (--type mean), which needs no more users than a central quantile does for a shift of the whole distribution');
  return m.type;
}

function parseNumber(flag: string, raw: string | undefined, check: (x: number) => boolean, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || !check(x)) throw usage(`${flag} ${JSON.stringify(raw)}: expected ${what}`);
  return x;
}

/** Significant digits of numbers in JSON output: enough for any sample size or rate, none of the float noise. */
export const JSON_SIGNIFICANT_DIGITS = 12;

/** JSON without float noise: non-integers rounded to 12 significant digits (0.09999999999999999 → 0.1). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(JSON_SIGNIFICANT_DIGITS)) : v), 2);
}

const fmt = (x: number | null, digits = 4): string => (x === null ? '—' : Number.isInteger(x) ? x.toLocaleString('en-US') : x.toPrecision(digits));

export function formatPower(r: PowerResult): string {
  const rows: [string, string][] = [
    ['metric', `${r.metric ?? '(ad hoc)'} (${r.metric_type})`],
    ['baseline', fmt(r.baseline)],
    ...(r.sd === null ? [] : [['sd', fmt(r.sd)] as [string, string]]),
    ['alpha', `${fmt(r.alpha)} (${r.sided}-sided)`],
    ['power', fmt(r.power)],
    ['allocation (treatment / control)', fmt(r.ratio)],
    [r.mode === 'mde' ? 'MDE (absolute)' : 'effect (absolute)', fmt(r.mde_absolute)],
    [r.mode === 'mde' ? 'MDE (relative)' : 'effect (relative)', r.mde_relative === null ? '—' : `${(r.mde_relative * 100).toPrecision(3)}%`],
    ['users in control', fmt(r.n_control)],
    ['users in treatment', fmt(r.n_treatment)],
    ['users in total', fmt(r.n_total)],
  ];
  return textTable(['quantity', 'value'], rows);
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toAggregate(r: Row): OverallAggregate {
  return {
    variant: String(r['variant']), metric: String(r['metric']), metric_type: r['metric_type'] as MetricType,
    n: num(r['n']), sum: num(r['sum']), sum_squares: num(r['sum_squares']),
    pre_sum: num(r['pre_sum']), pre_sum_squares: num(r['pre_sum_squares']), sum_pre_product: num(r['sum_pre_product']),
    denominator_sum: numOrNull(r['denominator_sum']), denominator_sum_squares: numOrNull(r['denominator_sum_squares']),
    numerator_denominator_sum: numOrNull(r['numerator_denominator_sum']),
  };
}

/** The experiment's rows of exp.metric_aggregates_overall (read-only), or null when nothing is built for it. */
export async function readBuiltAggregates(config: Project['config'], experimentId: string): Promise<OverallAggregate[] | null> {
  const file = warehousePath(config);
  if (!existsSync(file)) return null;
  const db = await openDb(file, { readOnly: true });
  try {
    if (!(await tableExists(db, MODEL_SCHEMA, 'metric_aggregates_overall'))) return null;
    const rows = await db.all(`select * exclude (experiment_id) from ${relation(MODEL_SCHEMA, 'metric_aggregates_overall')} where experiment_id = $${PARTITION_PARAM}`,
      { [PARTITION_PARAM]: experimentId });
    return rows.length ? rows.map(toAggregate) : null;
  } finally {
    db.close();
  }
}

export function configuredExperiment(project: Project, experimentId: string): Experiment {
  const e = project.config.experiments.find((x) => x.id === experimentId);
  if (e) return e;
  throw new XpError('EXPERIMENT_UNKNOWN', `unknown experiment ${JSON.stringify(experimentId)}`, {
    location: /^[A-Za-z0-9_.-]+$/.test(experimentId) ? { experiment: experimentId } : {},
    hint: `configured experiments: ${project.config.experiments.map((x) => x.id).join(', ') || '(none)'}`,
  });
}

/** The design check of a configured experiment; `overrides` replace its planned sample or mde. */
export async function designCheckCommand(project: Project, experiment: Experiment, overrides: { readonly nPerArm?: number; readonly mde?: number } = {}): Promise<DesignCheck> {
  return checkDesign(experiment, project.config.metrics, await readBuiltAggregates(project.config, experiment.id), overrides);
}

/** Options that mean nothing with --experiment (its alpha, power and metrics come from the config). */
const NOT_WITH_EXPERIMENT = ['metric', 'type', 'baseline', 'sd', 'mdeType', 'ratio', 'alpha', 'power', 'sided'] as const;

async function experimentPower(ctx: Parameters<RegisterCommand>[1], cmd: Command, o: Record<string, string | undefined>): Promise<void> {
  const given = NOT_WITH_EXPERIMENT.filter((k) => cmd.getOptionValueSource(k) === 'cli');
  if (given.length) {
    throw usage(`--experiment takes its metrics, alpha and power from the config; drop ${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`,
      'override the planned sample with --n <users per arm> or the primary\'s effect with --mde <relative>');
  }
  const project = await ctx.project(o['config']);
  const positive = (x: number): boolean => x > 0;
  const n = parseNumber('--n', o['n'], (x) => Number.isInteger(x) && x > 0, 'a whole number of users per arm > 0');
  const mde = parseNumber('--mde', o['mde'], positive, 'a relative effect > 0');
  const check = await designCheckCommand(project, configuredExperiment(project, o['experiment']!), { ...(n === undefined ? {} : { nPerArm: n }), ...(mde === undefined ? {} : { mde }) });
  ctx.io.stdout.write((o['format'] === 'json' ? toJson(check) : formatDesignCheck(check)) + '\n');
}

export const registerPower: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('power'))
    .option('--experiment <id>', 'the design check of a configured experiment: power at its planned sample (--n, --mde override)')
    .option('--metric <name>', 'take the metric type from the config')
    .addOption(new Option('--type <type>', 'metric type (instead of --metric)').choices(['binomial', 'mean']))
    .option('--baseline <x>', 'control rate (binomial) or control mean (mean)')
    .option('--sd <x>', 'per-user standard deviation (mean metrics)')
    .option('--mde <x>', 'effect to detect (relative lift unless --mde-type absolute)')
    .addOption(new Option('--mde-type <kind>', 'how --mde (and the baseline) is read').choices(['relative', 'absolute']).default('relative'))
    .option('--n <users>', 'control-arm users: report the MDE instead of a sample size')
    .option('--ratio <r>', 'allocation n_treatment / n_control', '1')
    .option('--alpha <a>', 'significance level', '0.05')
    .option('--power <p>', 'power', '0.8')
    .addOption(new Option('--sided <k>', '2: two-sided test; 1: one-sided').choices(['1', '2']).default('2'))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: Record<string, string | undefined>, cmd: Command) => {
      if (o['experiment'] !== undefined) return experimentPower(ctx, cmd, o);
      if (o['metric'] !== undefined && o['type'] !== undefined) throw usage('give --metric or --type, not both');
      if (o['metric'] === undefined && o['type'] === undefined) throw usage('give --type binomial|mean, or --metric <name> from the config');
      const type = o['metric'] !== undefined ? metricTypeOf(await ctx.project(o['config']), o['metric']) : (o['type'] as PowerMetricType);
      const positive = (x: number): boolean => x > 0;
      const result = powerCommand({
        type,
        ...(o['metric'] === undefined ? {} : { metric: o['metric'] }),
        baseline: parseNumber('--baseline', o['baseline'], Number.isFinite, 'a number'),
        sd: parseNumber('--sd', o['sd'], positive, 'a standard deviation > 0'),
        mde: parseNumber('--mde', o['mde'], (x) => x !== 0, 'a nonzero effect'),
        mdeType: o['mdeType'] === 'absolute' ? 'absolute' : 'relative',
        n: parseNumber('--n', o['n'], positive, 'a number of users > 0'),
        ratio: parseNumber('--ratio', o['ratio'], positive, 'an allocation ratio > 0')!,
        alpha: parseNumber('--alpha', o['alpha'], (x) => x > 0 && x < 1, 'a level in (0, 1)')!,
        power: parseNumber('--power', o['power'], (x) => x > 0 && x < 1, 'a power in (0, 1)')!,
        sided: o['sided'] === '1' ? 1 : 2,
      } as PowerInput);
      ctx.io.stdout.write((o['format'] === 'json' ? toJson(result) : formatPower(result)) + '\n');
    });
};
