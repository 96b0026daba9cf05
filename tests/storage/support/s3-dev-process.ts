/**
 * `scripts/s3-dev.ts` (what `npm run s3:dev` runs) as a child process on a free loopback
 * port, under --openssl-legacy-provider like the npm script. Needed where the in-process
 * server cannot go: s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3
 * only has in the legacy provider, and a test worker cannot turn that on for itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface DevServerProcess {
  readonly endpoint: string;
  /** everything the script printed */
  readonly output: string;
  stop(): Promise<void>;
}

export async function startS3DevProcess(dataDir: string, args: readonly string[] = []): Promise<DevServerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--import', 'tsx', 'scripts/s3-dev.ts', '--port', '0', '--dir', dataDir, ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3-dev did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m && output.includes('Ctrl-C')) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3-dev exited with ${code}:\n${output}`));
    });
  });
  return {
    endpoint,
    get output() {
      return output;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
