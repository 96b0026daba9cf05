/**
 * Mapping between store-relative keys (`<experimentId>/exposures/part-0.parquet`) and
 * bucket keys (`<prefix>/<experimentId>/…`), with the checks that keep every key inside
 * its prefix. Experiment ids are validated by the config loader already; this is the
 * second line of defence, because a key also becomes a path in the local cache.
 */
import { XpError } from '../../core/errors.ts';
import { experimentIdSchema } from '../../project/config-schema.ts';

/** Refuse an id that is not a plain experiment id (no slashes, no `..`). */
export function assertExperimentId(experimentId: string): void {
  const check = experimentIdSchema.safeParse(experimentId);
  if (!check.success) {
    throw new XpError('EXPERIMENT_ID_INVALID', `invalid experiment id ${JSON.stringify(experimentId)}: ${check.error.issues[0]!.message}`, {
      location: { experiment: JSON.stringify(experimentId) },
      hint: 'experiment ids must match ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ and cannot leave their prefix',
    });
  }
}

/** True for a relative key of plain segments: no leading `/`, no empty, `.` or `..` segment, no `\`. */
export function isSafeRelativeKey(key: string): boolean {
  if (key === '' || key.includes('\\') || key.includes('\0')) return false;
  return key.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Refuse a key that could escape its prefix or the cache folder. */
export function assertSafeKey(key: string, bucket: string): void {
  if (!isSafeRelativeKey(key)) {
    throw new XpError('RAW_DATA_CORRUPT', `object key ${JSON.stringify(key)} in bucket ${bucket} has an empty, "." or ".." segment; refusing to map it to a local path`, {
      location: { object: key },
      hint: 'rename or remove the object; keys must be <experiment_id>/<table>/<file>.parquet',
    });
  }
}

/** `<prefix>/<experimentId>/` — the folder listed for one experiment. */
export function experimentFolder(prefix: string, experimentId: string): string {
  assertExperimentId(experimentId);
  return `${prefix ? `${prefix}/` : ''}${experimentId}/`;
}

/** Store-relative key → bucket key. */
export function bucketKey(prefix: string, relativeKey: string): string {
  return prefix ? `${prefix}/${relativeKey}` : relativeKey;
}

/** Bucket key → store-relative key; undefined when the key is outside the prefix. */
export function relativeKeyOf(prefix: string, key: string): string | undefined {
  if (!prefix) return key;
  return key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : undefined;
}

/** S3 returns ETags quoted (`"9e10…"`); snapshots keep them bare. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
}
