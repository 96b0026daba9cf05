/** Hold a warehouse open read-write in another process, as a running build would. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './project.ts';

export interface Holder {
  readonly pid: number;
  /** Throws, with the holder's stderr, if it is no longer running (so a lost lock is not a mystery). */
  assertHolding(): void;
  release(): Promise<void>;
}

export function holdWarehouse(file: string): Promise<Holder> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'tests/helpers/hold-warehouse.ts'), file], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`the lock holder exited early (${code}): ${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('ready')) return;
      child.removeAllListeners('exit');
      let ended = '';
      child.on('exit', (code, signal) => (ended = `exited (${code ?? signal})`));
      resolve({
        pid: child.pid!,
        assertHolding: () => {
          if (ended) throw new Error(`the lock holder ${ended} while the test relied on it: ${err}`);
        },
        release: () => new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}
