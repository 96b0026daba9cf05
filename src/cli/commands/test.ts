/** `xp test`: one line per test with status and time, the failing rows or row diff, a summary. */
import type { Command } from 'commander';
import { ExitCode, XpError } from '../../core/errors.ts';
import type { Project } from '../../runner/load-project.ts';
import { countByStatus } from '../../data-tests/results.ts';
import { runTests, TEST_TYPES, type TestOutcome, type TestType } from '../../data-tests/run-tests.ts';
import type { TestResult } from '../../data-tests/types.ts';
import type { RegisterCommand } from '../command.ts';
import type { Out } from '../print/build-reporter.ts';
import { fmtSeconds } from '../../core/format.ts';

const MARK: Record<TestResult['status'], string> = { pass: 'PASS ', fail: 'FAIL ', warn: 'WARN ', error: 'ERROR', skipped: 'SKIP ' };

export function testLine(r: TestResult): string {
  const where = r.type === 'unit' ? 'unit' : r.experimentId ?? '(project)';
  const head = `${MARK[r.status]} ${fmtSeconds(r.seconds).padStart(6)}  ${where}  ${r.id}`;
  if (r.status === 'pass') return head;
  const lines = [`${head}${r.message ? `  ${r.message}` : ''}`];
  if (r.status !== 'skipped') {
    lines.push(`        at ${r.location}`);
    if (r.detail) lines.push(...r.detail.split('\n').map((l) => `        ${l}`));
  }
  return lines.join('\n');
}

export function testSummary(outcome: Pick<TestOutcome, 'results' | 'seconds'>): string {
  const c = countByStatus(outcome.results);
  const n = outcome.results.length;
  return `${n} test${n === 1 ? '' : 's'} in ${fmtSeconds(outcome.seconds)}: ${c.pass} passed, ${c.fail} failed, ${c.warn} warned, ${c.error} errored, ${c.skipped} skipped`;
}

export function parseTypes(value: string | undefined): Set<TestType> | undefined {
  if (value === undefined) return undefined;
  const out = new Set<TestType>();
  for (const t of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (t === 'data') {
      out.add('generic');
      out.add('singular');
    } else if ((TEST_TYPES as readonly string[]).includes(t)) out.add(t as TestType);
    else throw new XpError('USAGE', `unknown test type "${t}"`, { hint: `use a comma list of: ${TEST_TYPES.join(', ')}, data` });
  }
  return out;
}

export interface TestCommandOptions {
  readonly select?: string;
  readonly models?: string;
  readonly exclude?: string;
  readonly type?: string;
}

export async function testCommand(project: Project, opts: TestCommandOptions, out: Out): Promise<TestOutcome> {
  const outcome = await runTests(project, {
    select: opts.select,
    models: opts.models,
    exclude: opts.exclude,
    types: parseTypes(opts.type),
    command: `xp test${opts.select ? ` --select ${opts.select}` : ''}${opts.models ? ` --models ${opts.models}` : ''}`,
    onResult: (r) => out.write(testLine(r) + '\n'),
  });
  if (!outcome.results.length) out.write('no tests matched: declare tests in the models\' properties files, tests/models/singular/ or tests/models/unit/\n');
  out.write(`\n${testSummary(outcome)}\nresults: ${outcome.runResultsPath}\n`);
  return outcome;
}

export const registerTest: RegisterCommand = (program: Command, ctx, withConfig) => {
  withConfig(program.command('test'))
    .option('-s, --select <experiments>', 'experiments whose partitions to check: id, comma list, glob or all', 'all')
    .option('-m, --models <selector>', 'only the tests of these models: name, +name, name+, @name, tag:x, path:models/core; space = union, comma = intersection')
    .option('--exclude <selector>', 'models whose tests to leave out (same syntax)')
    .option('-t, --type <types>', `test types, comma list: ${TEST_TYPES.join(', ')}, data (= generic,singular)`)
    .action(async (o: { config: string } & TestCommandOptions) => {
      const outcome = await testCommand(await ctx.project(o.config), o, ctx.io.stdout);
      if (outcome.status === 'error') ctx.setExit(ExitCode.failed);
    });
};
