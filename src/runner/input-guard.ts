/**
 * Refuse to build from raw data that changed under existing results. An object of the
 * previous input snapshot whose ETag (or size) is different now means someone rewrote
 * data the experiment's results were computed from: the build stops with INPUT_CHANGED
 * naming the keys, unless the user passes `--accept-input-change`. New objects are the
 * normal growth of a running experiment and pass; removed ones pass with a warning.
 *
 * The previous snapshot is the one the experiment ledger recorded last (src/ledger): it
 * is only recorded after this guard let a build through, so it is the last snapshot
 * that was either unchanged or accepted.
 */
import { XpError } from '../core/errors.ts';
import type { ExperimentState } from '../ledger/fold.ts';
import { diffSnapshots, type ChangedObject } from '../storage/snapshot-diff.ts';
import type { Reporter } from '../core/events.ts';
import type { InputSnapshot } from '../storage/inputs.ts';

const LIST_LIMIT = 5;

function listKeys(keys: readonly string[]): string {
  return keys.slice(0, LIST_LIMIT).join(', ') + (keys.length > LIST_LIMIT ? ` and ${keys.length - LIST_LIMIT} more` : '');
}

const describeChange = (c: ChangedObject): string =>
  `${c.key} (ETag ${c.previous.etag} → ${c.current.etag}${c.previous.size === c.current.size ? '' : `, ${c.previous.size} → ${c.current.size} bytes`})`;

export function inputChangedError(storeUri: string, experimentId: string, changed: readonly ChangedObject[]): XpError {
  const n = changed.length;
  return new XpError('INPUT_CHANGED', `experiment ${experimentId} already has results, but ${n} raw object${n > 1 ? 's' : ''} in ${storeUri} changed since its last build: ${changed.slice(0, LIST_LIMIT).map(describeChange).join('; ')}${n > LIST_LIMIT ? `; and ${n - LIST_LIMIT} more` : ''}`, {
    location: { experiment: experimentId, object: `${storeUri}/${changed[0]!.key}` },
    hint: 'if the rewrite is intended, run again with --accept-input-change (the new snapshot is recorded and the partitions rebuild); otherwise restore the original objects. New objects never need the flag',
  });
}

export interface InputGuardOptions {
  /** `--accept-input-change` */
  readonly accept: boolean;
  /** the raw store's URI, for messages */
  readonly storeUri: string;
  readonly reporter: Reporter;
}

/** What the guard compares against, read once for the whole build (not a query per experiment). */
export interface InputHistory {
  /** the objects of the experiment's last recorded input snapshot; undefined before its first build */
  previous(experimentId: string): NonNullable<ExperimentState['input']>['objects'] | undefined;
  /** true when the experiment has results (any partition or analysis recorded) */
  hasResults(experimentId: string): boolean;
}

/** The check `prepareBuild` runs on each experiment's snapshot before anything is downloaded. */
export function inputGuard(history: InputHistory, opts: InputGuardOptions): (snapshot: InputSnapshot) => Promise<void> {
  return async (snapshot) => {
    const id = snapshot.experimentId;
    const previous = history.previous(id);
    if (previous === undefined || !history.hasResults(id)) return;
    const diff = diffSnapshots(previous, snapshot.objects);
    if (diff.added.length) opts.reporter({ type: 'phase', experimentId: id, phase: 'new raw objects', detail: `${diff.added.length}` });
    if (diff.removed.length) {
      opts.reporter({ type: 'warning', experimentId: id, message: `${diff.removed.length} raw object(s) removed since the last build: ${listKeys(diff.removed.map((o) => o.key))}` });
    }
    if (!diff.changed.length) return;
    if (!opts.accept) throw inputChangedError(opts.storeUri, id, diff.changed);
    opts.reporter({ type: 'warning', experimentId: id, message: `accepting ${diff.changed.length} changed raw object(s) (--accept-input-change): ${listKeys(diff.changed.map((c) => c.key))}` });
  };
}
