/**
 * Crash-test hooks: `XP_TEST_KILL=<when>:<point>` makes the process SIGKILL itself —
 * `during:<node>` inside a partition's transaction (before commit), `after:<node>` right
 * after it committed, `after:build_started` once the build is recorded. Only the crash
 * tests set it; unset, this is one string comparison.
 *
 * Publishing a partition of `<table>` (src/publish/publish-partition.ts; the first
 * experiment that publishes it is the one killed):
 *   after:publish:<table>:staged     its part files written to the staging folder
 *   after:publish:<table>:files      the part files moved into the partition folder, old manifest in place
 *   during:publish:<table>:manifest  the new manifest written to a temporary file, not yet renamed (local lake)
 *   after:publish:<table>:manifest   the manifest replaced, the old generation's files still there
 *   after:publish:<table>:swept      the old generation's files deleted
 */
export function killPoint(when: 'during' | 'after', point: string): void {
  const target = process.env['XP_TEST_KILL'];
  if (target === undefined || target !== `${when}:${point}`) return;
  process.kill(process.pid, 'SIGKILL');
}

/** The kill points of one publishing step of `table` (see above). */
export const publishKillPoint = (table: string, step: 'staged' | 'files' | 'manifest' | 'swept'): string => `publish:${table}:${step}`;
