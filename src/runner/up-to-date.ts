/**
 * The plan of a build before its scratch: most rebuilds find everything fresh, and the
 * scratch (src/runner/build-db.ts) costs a copy of the state schema at open plus a
 * warehouse section per commit, each attaching and checkpointing the file. So `xp build`
 * first opens the warehouse itself, opens the ledger and plans there; when no model step
 * is to build it goes on on that connection (the ledger's `build_started` and
 * `build_finished`, the fresh analyses and memo, the run record: the same rows as through
 * the scratch), holding the warehouse only for that short no-op. Otherwise it closes the
 * connection and the build goes through its scratch, reusing this plan when the ledger
 * and the fingerprints it finds there are those planned from.
 *
 * Only for the embedded state: a PostgreSQL state takes per-experiment advisory locks
 * with its scratch (build-db.ts), and --full-refresh builds every step anyway. Only for a
 * local raw folder: planning stages the inputs, which from S3 or PostgreSQL means
 * downloading or extracting them, and the warehouse must not be held meanwhile (readers
 * and other builds would wait on it); a local folder is only listed.
 */
import { existsSync } from 'node:fs';
import type { Db } from '../engine/connection.ts';
import { ensurePlatformTables, readStoredFingerprints } from '../engine/platform-store.ts';
import type { BuildLedger } from '../ledger/build-session.ts';
import type { ReadonlyPartitionMap } from '../plan/partition-map.ts';
import { openWarehouse, stateLocation } from '../state/open.ts';
import type { Project } from '../workspace/project.ts';
import type { PreparedBuild } from './prepare.ts';

export interface Probe {
  /** set when nothing is to build: the warehouse, open read-write, with the ledger and plan made on it */
  readonly upToDate?: { readonly db: Db; readonly ledger: BuildLedger; readonly stored: ReadonlyPartitionMap<string>; readonly prepared: PreparedBuild };
  /** the probe's plan, if it still holds for the ledger and fingerprints the scratch found */
  reuse(ledger: BuildLedger, stored: ReadonlyPartitionMap<string>): PreparedBuild | undefined;
}

export interface ProbeSteps {
  readonly openLedger: (db: Db) => Promise<BuildLedger>;
  readonly prepare: (ledger: BuildLedger, stored: ReadonlyPartitionMap<string>) => Promise<PreparedBuild>;
}

const NO_PROBE: Probe = { reuse: () => undefined };

/** Two fingerprint maps hold the same partitions with the same fingerprints. */
export function sameFingerprints(a: ReadonlyPartitionMap<string>, b: ReadonlyPartitionMap<string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, fp] of a) if (b.get(key) !== fp) return false;
  return true;
}

/** Whether a plan builds nothing: every model step is up to date. */
export const buildsNothing = (prepared: PreparedBuild): boolean => prepared.steps.every((s) => s.action !== 'build');

export async function probeUpToDate(project: Project, opts: { readonly fullRefresh: boolean; readonly localInputs: boolean }, steps: ProbeSteps): Promise<Probe> {
  const config = project.config;
  const loc = stateLocation(config);
  if (opts.fullRefresh || !opts.localInputs || loc.backend !== 'embedded' || !existsSync(loc.warehouse)) return NO_PROBE;
  const db = await openWarehouse(config);
  let keep = false;
  try {
    await ensurePlatformTables(db);
    const ledger = await steps.openLedger(db);
    const stored = await readStoredFingerprints(db);
    const prepared = await steps.prepare(ledger, stored);
    const ids = ledger.experiments.map((e) => e.id).join('\u0000');
    if (buildsNothing(prepared)) {
      keep = true;
      return { upToDate: { db, ledger, stored, prepared }, reuse: () => prepared };
    }
    return {
      reuse: (again, storedAgain) =>
        again.experiments.map((e) => e.id).join('\u0000') === ids && sameFingerprints(stored, storedAgain) ? prepared : undefined,
    };
  } finally {
    if (!keep) db.close();
  }
}
