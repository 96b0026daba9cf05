/** The `xp` entry point: the only place that exits the process. */
import { runCli } from './program.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
process.exit(code);
