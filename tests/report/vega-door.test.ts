/**
 * Vega and Vega-Lite enter through one door (STYLE.md): src/report/charts/vega-door.ts.
 * (tests/import-rules.test.ts guards the other packages the same way.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/project.ts';

const DOOR = 'src/report/charts/vega-door.ts';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : /\.(ts|mts|cts)$/.test(e.name) ? [full] : [];
  });
}

describe('vega door', () => {
  it('only src/report/charts/vega-door.ts imports vega or vega-lite', () => {
    const offenders: string[] = [];
    let door = 0;
    for (const f of files(path.join(REPO_ROOT, 'src'))) {
      const rel = path.relative(REPO_ROOT, f).split(path.sep).join('/');
      const specs = ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
      const hits = specs.filter((s) => /^vega(-[a-z-]+)?(\/|$)/.test(s));
      if (rel === DOOR) door = hits.length;
      else offenders.push(...hits.map((s) => `${rel} imports ${s}`));
    }
    expect(offenders).toEqual([]);
    expect(door).toBe(2);
  });

  it('only the report template environment imports handlebars under src/report', () => {
    const offenders = files(path.join(REPO_ROOT, 'src/report'))
      .filter((f) => ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles.some((i) => i.fileName === 'handlebars'))
      .map((f) => path.relative(REPO_ROOT, f).split(path.sep).join('/'));
    expect(offenders).toEqual(['src/report/template-env.ts']);
  });
});
