/**
 * The shipped project's model unit tests (tests/models/unit/*.yml and `unit_tests:` in
 * the models' properties files), one vitest test each, so `npm test` checks the models'
 * semantics on every change. A failure prints the model's row diff.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/runner/load-project.ts';
import { loadTestSpecs } from '../../src/data-tests/spec/load-tests.ts';
import { runUnitTest } from '../../src/data-tests/unit/run-unit-test.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const project = await loadProject('configs/dev.yaml', REPO);
const specs = loadTestSpecs(project);

describe('shipped project', () => {
  it('declares valid data tests and unit tests', () => {
    // loadTestSpecs throws MODEL_INVALID (with file:line) on a malformed spec
    expect(specs.data.every((t) => project.dag.nodes.has(t.model))).toBe(true);
    expect(specs.unit.every((t) => project.dag.nodes.has(t.model))).toBe(true);
  });

  it.each(specs.unit.map((u) => [u.id, u] as const))('unit test %s', async (_id, unit) => {
    const r = await runUnitTest(project, unit);
    expect(r.status, `${r.location}: ${r.message ?? ''}\n${r.detail ?? ''}`).toBe('pass');
  });
});
