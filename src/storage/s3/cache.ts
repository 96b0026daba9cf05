/**
 * The local cache of downloaded objects: `<storage.cache>/s3/<bucket>/<prefix>/<key>`,
 * each file with a hidden sidecar `.<name>.meta.json` holding the ETag and size it was
 * verified against. A file only ever appears under its real name complete and verified
 * (temp name in the same folder, then rename), so a crash never leaves a half file that
 * looks whole; the sidecar is written last, so an unverified file is never trusted.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { safeJoin } from '../safe-path.ts';
import type { RawObject } from '../types.ts';
import type { S3Settings } from './settings.ts';

export interface CacheEntry {
  /** where DuckDB reads the object */
  readonly file: string;
  /** the sidecar: `{ "etag": "…", "size": n }` */
  readonly meta: string;
  readonly dir: string;
}

interface Meta {
  readonly etag: string;
  readonly size: number;
}

const TEMP_MARK = '.part-';

/** Cache location of a store-relative key (`<experimentId>/…`); refuses anything escaping the cache. */
export function cacheEntry(s: S3Settings, relativeKey: string): CacheEntry {
  const bucketRoot = safeJoin(s.cacheRoot, 's3', s.bucket, ...(s.prefix ? s.prefix.split('/') : []));
  const file = safeJoin(bucketRoot, ...relativeKey.split('/'));
  const dir = path.dirname(file);
  return { file, dir, meta: path.join(dir, `.${path.basename(file)}.meta.json`) };
}

/** True when the cached copy was verified against exactly this ETag and size and is still that size. */
export function isCached(entry: CacheEntry, obj: RawObject): boolean {
  try {
    const meta = JSON.parse(readFileSync(entry.meta, 'utf8')) as Partial<Meta>;
    return meta.etag === obj.etag && meta.size === obj.size && statSync(entry.file).size === obj.size;
  } catch {
    return false; // no sidecar, no file or an unreadable sidecar: download again
  }
}

/** A fresh temp name beside the entry: hidden, and tagged with our pid so stale ones can be swept. */
export function tempPathFor(entry: CacheEntry): string {
  return path.join(entry.dir, `.${path.basename(entry.file)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temp files of this entry left by processes that died mid-download (kill -9, power loss). */
export async function sweepStaleTemps(entry: CacheEntry): Promise<void> {
  if (!existsSync(entry.dir)) return;
  const stem = `.${path.basename(entry.file)}${TEMP_MARK}`;
  for (const name of readdirSync(entry.dir)) {
    if (!name.startsWith(stem)) continue;
    const pid = Number(name.slice(stem.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) await rm(path.join(entry.dir, name), { force: true });
  }
}

export async function prepareEntryDir(entry: CacheEntry): Promise<void> {
  await mkdir(entry.dir, { recursive: true });
}

/**
 * Move a verified temp file into place and record what it was verified against. The old
 * sidecar goes first: between the two renames the entry has no sidecar and counts as missing.
 */
export async function commitToCache(entry: CacheEntry, verifiedTemp: string, obj: RawObject): Promise<void> {
  await rm(entry.meta, { force: true });
  await rename(verifiedTemp, entry.file);
  const metaTemp = `${tempPathFor(entry)}.meta`;
  await writeFile(metaTemp, JSON.stringify({ etag: obj.etag, size: obj.size } satisfies Meta));
  await rename(metaTemp, entry.meta);
}
