import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // DuckDB files and spawned CLIs are heavy; two cores on CI.
    pool: 'forks',
    maxWorkers: 2,
  },
});
