/**
 * A local folder as the lake (`storage.lake: file://<folder>`). DuckDB writes a new
 * generation into a hidden staging folder inside the partition folder (same file system),
 * whose files are then renamed into place; the manifest is replaced by a rename too, so
 * each step is atomic. Hidden (`.`) and `_` names are skipped by Hive-style readers.
 *
 * Readers pin the files a manifest lists with hard links in `<lake>/.xp-readers/<pid>-…/`
 * (removed on close), so a publication that deletes the old generation while a query
 * runs cannot pull the files from under it. Where links are impossible (read-only lake)
 * files are read in place, and a file that vanishes makes the reader resolve again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { link, mkdir, mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { XpError } from '../../core/errors.ts';
import { killPoint, publishKillPoint } from '../../core/kill-points.ts';
import { safeJoin } from '../../storage/safe-path.ts';
import { compareRefs, MANIFEST_NAME, partitionFolder, partitionOfManifestKey, type Lake, type LakeFile, type PartitionRef } from '../lake.ts';

async function md5Of(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const READERS = '.xp-readers';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove pin folders of readers that died without closing. */
async function sweepDeadReaders(root: string): Promise<void> {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) await rm(path.join(root, name), { recursive: true, force: true });
  }
}

function gone(full: string, ref: PartitionRef, what: string): XpError {
  return new XpError('STORAGE_NOT_FOUND', `${full} is ${what}: the partition was republished while reading`, {
    location: { object: full, experiment: ref.experimentId },
    hint: 'read again; the manifest names the current files',
  });
}

const dirs = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];

export function localLake(root: string): Lake {
  const base = path.resolve(root);
  const folderOf = (ref: PartitionRef): string => safeJoin(base, ...partitionFolder(ref).split('/'));
  const fileOf = (ref: PartitionRef, name: string): string => safeJoin(folderOf(ref), name);
  const readersRoot = path.join(base, READERS);
  let pinDir: string | undefined; // this reader's pin folder
  let canPin = true; // false once links proved impossible here

  return {
    uri: `file://${base}`,

    async partitions() {
      const out: PartitionRef[] = [];
      for (const table of dirs(base)) {
        for (const part of dirs(path.join(base, table))) {
          const ref = partitionOfManifestKey(`${table}/${part}/${MANIFEST_NAME}`);
          if (ref && existsSync(path.join(base, table, part, MANIFEST_NAME))) out.push(ref);
        }
      }
      return out.sort(compareRefs);
    },

    async readManifest(ref) {
      try {
        return readFileSync(fileOf(ref, MANIFEST_NAME), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },

    stagingDir(ref, generation) {
      return fileOf(ref, `.xp-staging-${generation}`);
    },

    async commitFiles(ref, stagingDir, names) {
      const out: LakeFile[] = [];
      for (const name of names) {
        const from = safeJoin(stagingDir, name);
        const md5 = await md5Of(from);
        const size = statSync(from).size;
        await rename(from, fileOf(ref, name));
        out.push({ name, size, md5, etag: md5 });
      }
      await rm(stagingDir, { recursive: true, force: true });
      return out;
    },

    async writeManifest(ref, text) {
      const folder = folderOf(ref);
      await mkdir(folder, { recursive: true });
      const temp = path.join(folder, `.${MANIFEST_NAME}.${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        await writeFile(temp, text);
        killPoint('during', publishKillPoint(ref.table, 'manifest'));
        await rename(temp, path.join(folder, MANIFEST_NAME));
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },

    async listFiles(ref) {
      const folder = folderOf(ref);
      return existsSync(folder) ? readdirSync(folder).filter((n) => n !== MANIFEST_NAME).sort() : [];
    },

    async deleteFiles(ref, names) {
      // staging folders of a publication that died are folders: remove them whole
      for (const name of names) await rm(fileOf(ref, name), { recursive: true, force: true });
    },

    async localPath(ref, file) {
      const full = fileOf(ref, file.name);
      if (canPin && pinDir === undefined) {
        try {
          await sweepDeadReaders(readersRoot);
          await mkdir(readersRoot, { recursive: true });
          pinDir = await mkdtemp(path.join(readersRoot, `${process.pid}-`));
        } catch {
          canPin = false; // cannot write to the lake: read in place
        }
      }
      if (canPin && pinDir !== undefined) {
        const pinned = safeJoin(pinDir, ...partitionFolder(ref).split('/'), file.name);
        await mkdir(path.dirname(pinned), { recursive: true });
        try {
          await link(full, pinned);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') throw gone(full, ref, 'gone');
          if (code !== 'EEXIST') canPin = false; // links not supported here (EPERM, EXDEV, …): read in place
        }
        if (canPin) {
          const size = statSync(pinned).size;
          if (size !== file.size) throw gone(full, ref, `${size} bytes, not ${file.size}`);
          return pinned;
        }
      }
      let size: number | undefined;
      try {
        size = statSync(full).size;
      } catch {
        size = undefined;
      }
      if (size !== file.size) throw gone(full, ref, size === undefined ? 'gone' : `${size} bytes, not ${file.size}`);
      return full;
    },

    async close() {
      if (pinDir === undefined) return;
      await rm(pinDir, { recursive: true, force: true });
      pinDir = undefined;
      await rmdir(readersRoot).catch(() => undefined); // only succeeds when no other reader is using it
    },
  };
}
