/**
 * Every test the project declares: generic tests from the models' properties files,
 * singular SQL tests and unit tests (properties files and tests/models/unit/*.yml).
 * Validated here, before anything runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../../core/errors.ts';
import type { Project } from '../../workspace/project.ts';
import { listFiles } from '../../project/load-models.ts';
import { parseYaml, type YamlSource } from '../../project/yaml-source.ts';
import type { DataTest, GenericTest } from '../types.ts';
import { parseUnitTests, UNIT_DIR, type UnitTest } from '../unit/spec.ts';
import { parseGenericTests } from './parse-generic.ts';
import { parseSingularTests } from './parse-singular.ts';

export interface TestSpecs {
  readonly data: readonly DataTest[];
  readonly unit: readonly UnitTest[];
}

function readSource(root: string, rel: string): YamlSource {
  return parseYaml(readFileSync(path.join(root, rel), 'utf8'), rel);
}

export function loadTestSpecs(project: Project): TestSpecs {
  const { dag, config } = project;
  const root = config.root;
  const generic: GenericTest[] = [];
  const unit: UnitTest[] = [];
  for (const name of dag.order) {
    const node = dag.nodes.get(name)!;
    if (!node.propertiesPath) continue;
    const src = readSource(root, node.propertiesPath);
    generic.push(...parseGenericTests(node, src, dag));
    unit.push(...parseUnitTests(src, ['unit_tests'], node.properties.unit_tests, name, dag, config));
  }
  for (const file of [...listFiles(path.join(root, UNIT_DIR), '.yml'), ...listFiles(path.join(root, UNIT_DIR), '.yaml')]) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const src = readSource(root, rel);
    const data = (src.data ?? {}) as Record<string, unknown>;
    const extra = Object.keys(data).filter((k) => k !== 'unit_tests');
    if (extra.length) {
      throw new XpError('MODEL_INVALID', `unknown key "${extra[0]}" in a unit-test file`, {
        location: { file: rel, line: src.lineOf([extra[0]!]) },
        hint: 'a unit-test file holds one key: unit_tests: [ { name, model, given, expect } ]',
      });
    }
    const base = path.basename(file).replace(/\.ya?ml$/, '');
    unit.push(...parseUnitTests(src, ['unit_tests'], data['unit_tests'], dag.nodes.has(base) ? base : undefined, dag, config));
  }
  const data: DataTest[] = [...generic, ...parseSingularTests(root, dag)];
  for (const list of [data, unit] as const) {
    const seen = new Map<string, string>();
    for (const t of list) {
      const where = `${t.location.file}:${t.location.line}`;
      const other = seen.get(t.id);
      if (other) {
        throw new XpError('MODEL_INVALID', `two tests are named "${t.id}"`, {
          location: { file: t.location.file, line: t.location.line },
          hint: `the other is at ${other}; give one of them another name: (name: my_test)`,
        });
      }
      seen.set(t.id, where);
    }
  }
  const rank = new Map(dag.order.map((n, i) => [n, i]));
  unit.sort((a, b) => rank.get(a.model)! - rank.get(b.model)!);
  return { data, unit };
}
