/**
 * Which project a command works on, whatever the current folder (as dbt finds
 * dbt_project.yml): --project-dir, XP_PROJECT_DIR, an explicit --config in a configs/
 * folder, or the nearest folder above holding configs/dev.yaml. A build that finds no
 * models is an error (exit 2) that says where it looked.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { locateProject } from '../../src/project/locate-project.ts';
import { captureOut, xp, type CliResult } from '../helpers/cli.ts';
import { miniProject, tempDir, wrapProject, type TempProject } from '../helpers/project.ts';
import { shippedProject } from '../helpers/shipped.ts';

let p: TempProject | undefined;
let other: TempProject | undefined;
afterEach(() => {
  p?.remove();
  other?.remove();
  p = other = undefined;
});

async function xpEnv(cwd: string, env: Record<string, string>, ...argv: string[]): Promise<CliResult> {
  const stdout = captureOut();
  const stderr = captureOut();
  const code = await runCli(argv, { stdout, stderr, cwd, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const lsNames = (r: CliResult): string[] => (JSON.parse(r.stdout) as { name: string }[]).map((m) => m.name);

describe('the README newcomer in a subfolder', () => {
  it('`cd models && xp build --select … --generate-synth --config ../configs/dev.yaml` builds the project, writes nothing under models/', async () => {
    p = shippedProject({ nUsers: 500 });
    const models = p.file('models');
    const r = await xp(models, 'build', '--select', 'exp_checkout_button_001', '--generate-synth', '--config', '../configs/dev.yaml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('plan: 0 to build');
    expect(r.stdout).toMatch(/^plan: [1-9]\d* to build/m);
    expect(existsSync(p.file('models/target'))).toBe(false);
    expect(existsSync(p.file('models/data'))).toBe(false);
    expect(existsSync(p.file('target/warehouse.duckdb'))).toBe(true);
    expect(existsSync(p.file('data/raw/exp_platform/exp_checkout_button_001/exposures/part-0.parquet'))).toBe(true);

    // no --config: the project is found by walking up from models/
    const ls = await xp(models, 'ls', '--format', 'json');
    expect(ls.code).toBe(0);
    expect(lsNames(ls)).toContain('metric_aggregates_overall');
    const status = await xp(path.join(models, 'core'), 'status', 'exp_checkout_button_001');
    expect(status.code).toBe(0);
    // registered by the build: not the "not in the ledger yet" of a project that was never built
    expect(status.stdout).not.toContain('not in the ledger yet');
    expect(status.stdout).toMatch(/^builds {5}1 started, 1 succeeded/m);
  }, 120_000);
});

describe('finding the project root', () => {
  it('from a subfolder, without --config: the nearest folder above with configs/dev.yaml', async () => {
    p = await miniProject();
    const r = await xp(p.file('models/marts'), 'ls', '-f', 'json');
    expect(r.code).toBe(0);
    expect(lsNames(r)).toEqual(['stg_events', 'user_values', 'filtered', 'variant_totals', 'all_totals']);
  });

  it('a build from a subfolder writes target/ at the project root', async () => {
    p = await miniProject();
    const r = await xp(p.file('models'), 'build', '--select', 'exp_a');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`results: ${p.file('target/run_results.json')}`);
    expect(existsSync(p.file('models/target'))).toBe(false);
  });

  it('--project-dir from anywhere; a relative --config is then read from the project', async () => {
    p = await miniProject();
    other = wrapProject(tempDir('elsewhere'));
    const r = await xp(other.root, 'ls', '-f', 'json', '--project-dir', p.root);
    expect(r.code).toBe(0);
    expect(lsNames(r)).toHaveLength(5);
    p.write('configs/alt.yaml', p.read('configs/dev.yaml').replace('marts: { materialized: partitioned, stage: metrics }', 'marts: { materialized: partitioned, stage: metrics, tags: [alt] }'));
    const alt = await xp(other.root, 'ls', '-f', 'json', '-m', 'tag:alt', '--project-dir', p.root, '--config', 'configs/alt.yaml');
    expect(alt.code).toBe(0);
    expect(lsNames(alt)).toEqual(['variant_totals', 'all_totals']);
    expect(existsSync(other.file('target'))).toBe(false);
  });

  it('XP_PROJECT_DIR when --project-dir is not given; --project-dir wins over it', async () => {
    p = await miniProject();
    other = wrapProject(tempDir('elsewhere'));
    const r = await xpEnv(other.root, { XP_PROJECT_DIR: p.root }, 'ls', '-f', 'json');
    expect(r.code).toBe(0);
    expect(lsNames(r)).toHaveLength(5);
    const wins = await xpEnv(other.root, { XP_PROJECT_DIR: path.join(other.root, 'nope') }, 'ls', '-f', 'json', '--project-dir', p.root);
    expect(wins.code).toBe(0);
  });

  it('an explicit --config in a configs/ folder: the folder above it, not the current folder', () => {
    expect(locateProject({ cwd: '/work/proj/models', config: '../configs/minio.yaml' }))
      .toEqual({ root: '/work/proj', config: '/work/proj/configs/minio.yaml', from: 'config' });
    // elsewhere: the folder holding it (the config is the project file, as dbt_project.yml)
    expect(locateProject({ cwd: '/work/proj', config: 'dev.yaml' }))
      .toEqual({ root: '/work/proj', config: '/work/proj/dev.yaml', from: 'config' });
  });

  it('--project-dir that is not a folder: USAGE, exit 2', async () => {
    p = await miniProject();
    const r = await xp(p.root, 'ls', '--project-dir', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error[USAGE]: --project-dir nope: ${p.file('nope')} is not a folder\n  hint: point --project-dir at the project folder, the one holding configs/dev.yaml\n`);
  });

  it('no project anywhere above: CONFIG_NOT_FOUND, exit 2, saying where it looked and how to point at the project', async () => {
    other = wrapProject(tempDir('noproject'));
    const r = await xp(other.root, 'build', '--select', 'all');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error[CONFIG_NOT_FOUND]: no project here: no configs/dev.yaml in ${other.root} or any folder above it\n`
      + '  hint: run xp inside the project (the folder holding configs/dev.yaml, or below it), or point at it with --project-dir <dir> or XP_PROJECT_DIR=<dir>, or pass --config <file>\n');
    expect(existsSync(other.file('target'))).toBe(false);
  });
});

describe('a build that finds no models', () => {
  it('exits 2 naming the models folder, the project and the config, and writes nothing', async () => {
    p = await miniProject();
    other = wrapProject(tempDir('nomodels'));
    mkdirSync(other.file('configs'));
    other.write('configs/dev.yaml', p.read('configs/dev.yaml'));
    const r = await xp(other.root, 'build', '--select', 'exp_a', '--generate-synth');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error[USAGE] ${other.file('models')}: no models found: ${other.file('models')} has no .sql files (project ${other.root}, config ${other.file('configs/dev.yaml')})\n`
      + '  hint: add models/<layer>/<name>.sql, or run xp inside the project (the folder holding configs/dev.yaml, or below it), or point at it with --project-dir <dir> or XP_PROJECT_DIR=<dir>; with --config, the project is the folder above the config\'s configs/ folder\n');
    expect(existsSync(other.file('target'))).toBe(false);
    expect(existsSync(other.file('raw'))).toBe(false);
  });
});
