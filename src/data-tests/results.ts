/** target/run_results.json of a test run: the build's envelope, with one entry per test. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestResult } from './types.ts';

export interface TestRunResults {
  readonly run_id: string;
  readonly command: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly status: 'success' | 'error';
  readonly elapsed_seconds: number;
  readonly results: readonly TestResult[];
}

export function writeTestResults(targetDir: string, run: TestRunResults): string {
  mkdirSync(targetDir, { recursive: true });
  const file = path.join(targetDir, 'run_results.json');
  writeFileSync(file, JSON.stringify({ kind: 'test', ...run }, null, 2) + '\n');
  return file;
}

export function countByStatus(results: readonly TestResult[]): Record<TestResult['status'], number> {
  const out = { pass: 0, fail: 0, warn: 0, error: 0, skipped: 0 };
  for (const r of results) out[r.status]++;
  return out;
}
