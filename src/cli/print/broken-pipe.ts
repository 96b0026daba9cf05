/**
 * `xp … | head`: when the reader of the output goes away, the next write fails with
 * EPIPE, which Node raises as an unhandled 'error' event (a stack trace, exit 1 or 4). A
 * Unix filter stops quietly instead; `stop` does that (src/cli/main.ts passes one that
 * exits 0: only the entry point exits the process). Any other stream error is rethrown.
 */
export interface ErrorEmitter {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export function onBrokenPipe(stream: ErrorEmitter, stop: () => void): void {
  stream.on('error', (err: Error) => {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') stop();
    else throw err;
  });
}
