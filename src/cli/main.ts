/**
 * The `xp` entry point: the only place that exits the process. It exits with the command's
 * code even while handles remain (a plugin abandoned at its deadline may still hold a
 * timer). A process that ends before the command returned — something called
 * process.exit, or the event loop ran dry with the command still waiting — exits 4 with
 * an internal error, never 0 or Node's 13.
 */
import { writeSync } from 'node:fs';
import { ExitCode, formatError } from '../core/errors.ts';
import { runCli } from './program.ts';
import { onBrokenPipe } from './print/broken-pipe.ts';

const argv = process.argv.slice(2);
let finished = false;
// `xp … | head`: the reader went away; stop quietly, as Unix tools do
onBrokenPipe(process.stdout, () => { finished = true; process.exit(ExitCode.ok); });

process.on('exit', (code) => {
  if (finished) return;
  process.exitCode = ExitCode.internal;
  const what = argv[0] === 'build' ? 'the build' : 'the command';
  writeSync(2, [
    `internal error: ${what} ended before it finished: the process was exiting with code ${code} while \`xp ${argv.join(' ')}\` was still running`,
    '  hint: a plugin or macro helper called process.exit, or left the command waiting on a promise that never settles; steps after that point did not run. Fix it and run the command again; if neither explains it, this is a bug in exp-platform',
    '',
  ].join('\n'));
});

// Not a top-level await: if the command never settles, Node's "unsettled top-level await"
// (exit 13) must not preempt the guard above.
void runCli(argv, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then(
  (code) => {
    finished = true;
    process.exit(code);
  },
  (err: unknown) => {
    finished = true;
    process.stderr.write(formatError(err) + '\n');
    process.exit(ExitCode.internal);
  },
);
