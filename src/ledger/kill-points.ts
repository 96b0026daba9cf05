/**
 * Crash-test hooks: `XP_TEST_KILL=<when>:<point>` makes the process SIGKILL itself —
 * `during:<node>` inside a partition's transaction (before commit), `after:<node>` right
 * after it committed, `after:build_started` once the build is recorded. Only the crash
 * tests set it; unset, this is one string comparison.
 */
export function killPoint(when: 'during' | 'after', point: string): void {
  const target = process.env['XP_TEST_KILL'];
  if (target === undefined || target !== `${when}:${point}`) return;
  process.kill(process.pid, 'SIGKILL');
}
