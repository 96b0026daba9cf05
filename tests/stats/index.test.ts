import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as stats from '../../src/stats/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s+['"]([^'"]+)['"]/gm];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) specifiers.push(match[1] as string);
  return specifiers;
}

describe('exp-platform/stats public API', () => {
  it('exports the documented functions', () => {
    for (const name of [
      'welchTest',
      'zTestMeans',
      'proportionTest',
      'ratioTest',
      'cupedTest',
      'srmTest',
      'adjustPValues',
      'groupSequentialBounds',
      'alwaysValidTest',
      'bayesianTest',
      'differenceInDifferences',
      'preTrendTest',
      'sampleSizeProportions',
      'sampleSizeMeans',
      'minimumDetectableEffect',
    ]) {
      expect(typeof (stats as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('exports a frozen-shape default for every config', () => {
    expect(stats.defaultMeanTestConfig).toEqual({ alpha: 0.05, difference: 'absolute', alternative: 'two-sided', margin: 0 });
    expect(stats.defaultSrmConfig.threshold).toBe(0.001);
    expect(stats.defaultPreTrendConfig.minDays).toBe(3);
    expect(stats.defaultGroupSequentialConfig).toEqual({ alpha: 0.05, sided: 2, spending: 'obrien-fleming' });
  });
});

describe('import rules', () => {
  it('the statistics module is pure: it imports only its own files, with .ts extensions', () => {
    for (const file of sourceFiles(join(root, 'src/stats'))) {
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        expect(specifier, relative(root, file)).toMatch(/^\.\/[a-z-]+\.ts$/);
      }
    }
  });

  it('keeps files small (well under 300 lines)', () => {
    for (const file of sourceFiles(join(root, 'src/stats'))) {
      expect(readFileSync(file, 'utf8').split('\n').length, relative(root, file)).toBeLessThan(300);
    }
  });
});
