/**
 * Load and validate the project config (configs/<env>.yaml plus configs/experiments/*.yml)
 * up front: every problem is an XpError naming file:line, exit code 2.
 */
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { XpError } from '../core/errors.ts';
import { readYaml, type YamlSource } from './yaml-source.ts';
import { checkOutputFolders } from './output-folders.ts';
import { checkMetricSettings, checkPrimaryMetric } from './metric-checks.ts';
import { checkLayerCapacity } from './check-layers.ts';
import { checkPublicKeys } from './check-public-keys.ts';
import { allowedKeys } from './schema-keys.ts';
import { didYouMean } from './suggest.ts';
import {
  projectConfigSchema,
  experimentFileSchema,
  experimentIdSchema,
  type ExperimentConfig,
  type RawProjectConfig,
} from './config-schema.ts';
import type { Experiment, ProjectConfig } from './types.ts';

/** Allocations must sum to 1 within this tolerance (0.333 × 3 is fine, 0.3 × 3 is not). */
const ALLOCATION_TOLERANCE = 1e-3;

/** An unknown key: the closest allowed key, or the keys allowed there. */
function unknownKeyHint(schema: z.ZodType, src: YamlSource, path: readonly PropertyKey[], key: string): string {
  const allowed = allowedKeys(schema, path, src.data);
  const guess = didYouMean(key, allowed);
  if (guess) return `${guess} (see the config reference in README.md)`;
  return `remove or rename the key${allowed.length ? `; allowed here: ${allowed.join(', ')}` : ''}; see the config reference in README.md`;
}

function zodIssueToError(src: YamlSource, issue: z.core.$ZodIssue, schema: z.ZodType): XpError {
  const fullPath = [...issue.path];
  const dotted = fullPath.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${dotted ? ` in ${dotted}` : ''}`;
    return new XpError('CONFIG_INVALID', message, {
      location: { file: src.file, line: src.lineOf([...fullPath, issue.keys[0]!]) },
      hint: unknownKeyHint(schema, src, fullPath, issue.keys[0]!),
    });
  }
  if (issue.code === 'invalid_type' && message.includes('received undefined')) {
    message = `missing required key "${String(fullPath[fullPath.length - 1])}"`;
  }
  return new XpError('CONFIG_INVALID', `${dotted ? `${dotted}: ` : ''}${message}`, {
    location: { file: src.file, line: src.lineOf(fullPath) },
    hint: 'see the config reference in README.md',
  });
}

const samePath = (a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * The issue to report: the first, except that a required key reported missing while the
 * same object has an unknown key (`evnt:` for `event:`) is a typo: report the unknown key.
 */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const first = issues[0]!;
  if (first.code !== 'invalid_type' || !first.message.includes('received undefined')) return first;
  const parent = first.path.slice(0, -1);
  return issues.find((i) => i.code === 'unrecognized_keys' && samePath(i.path, parent)) ?? first;
}

function parseWith<T extends z.ZodType>(schema: T, src: YamlSource): z.infer<T> {
  const result = schema.safeParse(src.data ?? {});
  if (!result.success) throw zodIssueToError(src, firstIssue(result.error.issues), schema);
  return result.data;
}

interface ExperimentSource {
  readonly id: string;
  readonly config: ExperimentConfig;
  readonly src: YamlSource;
  /** path of the experiment's mapping inside its file */
  readonly at: readonly PropertyKey[];
}

function validateExperiment(e: ExperimentSource, metrics: RawProjectConfig['metrics'], layers: RawProjectConfig['layers']): Experiment {
  const { id, config, src, at } = e;
  const fail = (rel: readonly PropertyKey[], message: string, hint: string): never => {
    throw new XpError('CONFIG_INVALID', message, {
      location: { file: src.file, line: src.lineOf([...at, ...rel]), experiment: EXPERIMENT_SAFE(id) },
      hint,
    });
  };
  const idCheck = experimentIdSchema.safeParse(id);
  if (!idCheck.success) {
    throw new XpError('EXPERIMENT_ID_INVALID', `invalid experiment id ${JSON.stringify(id)}: ${idCheck.error.issues[0]!.message}`, {
      location: { file: src.file, line: src.lineOf(at) },
      hint: 'rename the experiment, e.g. exp_checkout_button_001',
    });
  }
  const variants = Object.entries(config.variants);
  if (variants.length < 2) fail(['variants'], `experiment ${id}: needs at least two variants`, 'list a control and at least one treatment');
  const total = variants.reduce((s, [, share]) => s + share, 0);
  if (Math.abs(total - 1) > ALLOCATION_TOLERANCE) {
    fail(['variants'], `experiment ${id}: variant allocations sum to ${+total.toFixed(6)}, expected 1`, 'make the shares add up to 1, e.g. { control: 0.5, treatment: 0.5 }');
  }
  const control = config.control ?? variants[0]![0];
  if (!config.variants[control]) fail(['control'], `experiment ${id}: control "${control}" is not one of its variants`, `use one of: ${variants.map(([v]) => v).join(', ')}`);
  const metricRefs: [readonly PropertyKey[], string][] = [
    [['primary_metric'], config.primary_metric],
    ...config.secondary_metrics.map((m, i): [readonly PropertyKey[], string] => [['secondary_metrics', i], m]),
    ...config.guardrails.map((m, i): [readonly PropertyKey[], string] => [['guardrails', i], m]),
  ];
  for (const [rel, name] of metricRefs) {
    if (!metrics[name]) {
      const guess = didYouMean(name, Object.keys(metrics));
      fail(rel, `experiment ${id}: metric "${name}" does not exist`, `${guess ? `${guess} ` : ''}define it under metrics: or use one of: ${Object.keys(metrics).join(', ')}`);
    }
  }
  if (config.synth?.variants) {
    for (const v of Object.keys(config.synth.variants)) {
      if (!config.variants[v]) fail(['synth', 'variants', v], `experiment ${id}: synth variant "${v}" is not one of its variants`, 'use the experiment\'s variant names');
    }
  }
  if (config.layer !== undefined && !layers?.[config.layer]) {
    const known = Object.keys(layers ?? {});
    const guess = didYouMean(config.layer, known);
    fail(['layer'], `experiment ${id}: layer "${config.layer}" is not defined`, `${guess ? `${guess} ` : ''}${known.length ? `use one of: ${known.join(', ')}, or ` : ''}define it under layers: in the project config (layers: { ${config.layer}: { description: ... } })`);
  }
  if (config.traffic !== undefined && config.layer === undefined) {
    fail(['traffic'], `experiment ${id}: traffic is a share of a layer, but the experiment has no layer`, 'add layer: <name> (defined under layers:), or drop traffic');
  }
  const metricNames = [...new Set(metricRefs.map(([, m]) => m))];
  return {
    ...config,
    id,
    control,
    treatments: variants.map(([v]) => v).filter((v) => v !== control),
    metricNames,
    file: src.file,
    line: src.lineOf(at),
  };
}

/** Only for error locations: an invalid id is shown JSON-quoted, never raw. */
function EXPERIMENT_SAFE(id: string): string {
  return experimentIdSchema.safeParse(id).success ? id : JSON.stringify(id);
}

export function loadConfig(configPath: string, projectRoot = process.cwd()): ProjectConfig {
  const file = path.resolve(projectRoot, configPath);
  const src = readYaml(file);
  const raw = parseWith(projectConfigSchema, src);
  const sources: ExperimentSource[] = Object.entries(raw.experiments).map(([id, config]) => ({
    id, config, src, at: ['experiments', id],
  }));

  const expDir = path.join(path.dirname(file), 'experiments');
  if (existsSync(expDir)) {
    for (const name of readdirSync(expDir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const esrc = readYaml(path.join(expDir, name));
      const { id, ...config } = parseWith(experimentFileSchema, esrc);
      const first = sources.find((s) => s.id === id);
      if (first) {
        throw new XpError('CONFIG_INVALID', `experiment ${id} is defined twice`, {
          location: { file: esrc.file, line: esrc.lineOf(['id']) },
          hint: `keep one definition: ${path.relative(projectRoot, first.src.file)}:${first.src.lineOf([...first.at, 'id'])} already defines it`,
        });
      }
      sources.push({ id, config, src: esrc, at: [] });
    }
  }
  const experiments = sources.map((s) => validateExperiment(s, raw.metrics, raw.layers));
  for (const s of sources) checkPrimaryMetric(s.id, s.config.primary_metric, raw.metrics, s.src, [...s.at, 'primary_metric']);
  checkSynthInteractions(sources, experiments);
  checkLayerCapacity(experiments);
  for (const [name, metric] of Object.entries(raw.metrics)) {
    if (metric.noninferiority && metric.margin === undefined) {
      throw new XpError('CONFIG_INVALID', `metric ${name}: a non-inferiority guardrail needs a margin`, {
        location: { file: src.file, line: src.lineOf(['metrics', name]) },
        hint: 'add margin: <largest acceptable relative harm> (e.g. 0.05), powered for it (see xp power), or drop noninferiority: true',
      });
    }
    checkMetricSettings(name, metric, src);
  }
  checkOutputFolders({ ...raw, root: projectRoot }, src);
  checkPublicKeys(raw.ledger?.public_keys ?? {}, src);
  return {
    ...raw,
    file,
    root: projectRoot,
    experiments,
  };
}

/** synth.interaction names another experiment (with a synth block) and one of its variants. */
function checkSynthInteractions(sources: readonly ExperimentSource[], experiments: readonly Experiment[]): void {
  for (const s of sources) {
    const planted = s.config.synth?.interaction;
    if (!planted) continue;
    const at = (key: string): { file: string; line: number; experiment: string } => ({ file: s.src.file, line: s.src.lineOf([...s.at, 'synth', 'interaction', key]), experiment: s.id });
    const partner = experiments.find((e) => e.id === planted.with);
    if (!partner || partner.id === s.id || !partner.synth) {
      throw new XpError('CONFIG_INVALID', `experiment ${s.id}: synth.interaction.with "${planted.with}" is not another experiment with a synth: block`, {
        location: at('with'),
        hint: didYouMean(planted.with, experiments.filter((e) => e.id !== s.id).map((e) => e.id)) ?? 'name another experiment that has a synth: block',
      });
    }
    if (!(planted.variant in partner.variants)) {
      throw new XpError('CONFIG_INVALID', `experiment ${s.id}: synth.interaction.variant "${planted.variant}" is not a variant of ${partner.id}`, {
        location: at('variant'),
        hint: `use one of: ${Object.keys(partner.variants).join(', ')}`,
      });
    }
  }
}
