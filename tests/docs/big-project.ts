/**
 * A synthetic project with `n` models in four layers (staging → core → metrics → checks),
 * for layout and browser tests at realistic scale. Docs need no data, so no raw files.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function bigProject(n = 220): { root: string; models: string[] } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'xp-big-'));
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  write('configs/dev.yaml', `warehouse: target/warehouse.duckdb
storage: { raw: file://raw }
models:
  staging: { materialized: partitioned }
  core: { materialized: partitioned }
  metrics: { materialized: partitioned, stage: metrics }
  checks: { materialized: partitioned, stage: dq }
metrics:
  conversion: { type: binomial, event: purchase }
experiments:
  exp_big:
    name: Big
    variants: { control: 0.5, treatment: 0.5 }
    primary_metric: conversion
    start: 2026-01-05
    days: 7
`);
  const staging = Math.max(2, Math.round(n * 0.05));
  const core = Math.round(n * 0.25);
  const metrics = Math.round(n * 0.45);
  const checks = n - staging - core - metrics;
  const models: string[] = [];
  const layer = (folder: string, prefix: string, count: number, sql: (i: number) => string): string[] => {
    const names = Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(3, '0')}`);
    names.forEach((name, i) => write(`models/${folder}/${name}.sql`, sql(i)));
    models.push(...names);
    return names;
  };
  const stg = layer('staging', 'stg_events', staging, (i) => `select * from {{source "raw" "table_${i % 6}"}}`);
  const cor = layer('core', 'core_entity', core, (i) => `select * from {{ref "${stg[i % stg.length]}"}} join {{ref "${stg[(i * 7 + 1) % stg.length]}"}} using (experiment_id)`);
  const met = layer('metrics', 'metric_agg', metrics, (i) => `select * from {{ref "${cor[i % cor.length]}"}} join {{ref "${cor[(i * 5 + 3) % cor.length]}"}} using (experiment_id)`);
  layer('checks', 'check_dq', checks, (i) => `select * from {{ref "${met[(i * 3) % met.length]}"}} join {{ref "${cor[(i * 11) % cor.length]}"}} using (experiment_id)`);
  return { root, models };
}
