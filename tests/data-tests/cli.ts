/** `xp <argv…>` in-process with captured output, `cwd` as the project root. */
import { runCli } from '../../src/cli/program.ts';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function xp(cwd: string, ...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (s) => void (stdout += s) }, stderr: { write: (s) => void (stderr += s) }, cwd });
  return { code, stdout, stderr };
}
