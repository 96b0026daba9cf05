/** target/run_results.json of a test run: the build's envelope, with one entry per test. */
import { writeRunResults, type RunResults } from '../core/results.ts';
import type { TestResult } from './types.ts';

export type TestRunResults = RunResults<TestResult>;

export function writeTestResults(targetDir: string, run: TestRunResults): string {
  return writeRunResults(targetDir, run, 'test');
}

export function countByStatus(results: readonly TestResult[]): Record<TestResult['status'], number> {
  const out = { pass: 0, fail: 0, warn: 0, error: 0, skipped: 0 };
  for (const r of results) out[r.status]++;
  return out;
}
