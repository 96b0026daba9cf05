/** Bad values for the many-builds options, and the queue commands without a PostgreSQL state: exact messages, exit 2. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';

let p: TempProject;
beforeAll(async () => {
  p = await miniProject();
});
afterAll(() => p.remove());

describe('--jobs, --concurrency and the queue commands refuse bad input', () => {
  it('--jobs must be a whole number of at least 1', async () => {
    for (const bad of ['0', 'two', '1.5']) {
      expect(await xp(p.root, 'build', '--select', 'all', '--jobs', bad)).toEqual({
        code: 2,
        stdout: '',
        stderr: `error[USAGE]: --jobs takes a whole number of builds at a time, got "${bad}"\n  hint: e.g. --jobs 2 (one per core is a good start)\n`,
      });
    }
  });

  it('xp worker --concurrency must be a whole number of at least 1', async () => {
    expect(await xp(p.root, 'worker', '--concurrency', '-1')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error[USAGE]: --concurrency takes a whole number of builds at a time, got "-1"\n  hint: e.g. --concurrency 2\n',
    });
  });

  it('xp enqueue and xp worker name what they need when the state is embedded', async () => {
    for (const command of [['enqueue', '--select', 'all'], ['worker', '--drain']]) {
      const r = await xp(p.root, ...command);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `error[CONFIG_INVALID] ${p.file('configs/dev.yaml')}: xp ${command[0]} needs the state in PostgreSQL: the build queue lives there\n` +
        '  hint: add `state: { url_env: XP_STATE_URL }` to the config and export XP_STATE_URL=postgres://…; on one machine, `xp build --select <sel> --jobs N` needs no server\n',
      );
    }
  });
});
