/**
 * @deprecated recordFingerprint lives in src/engine/platform-store.ts. Only
 * src/analyse/write-results.ts still imports it from here (with a MaterializeRequest-shaped
 * literal); delete this file once it imports from platform-store.ts.
 */
import type { Db } from '../connection.ts';
import { recordFingerprint as record } from '../platform-store.ts';
import type { MaterializeRequest } from './types.ts';

export const recordFingerprint: (db: Db, req: MaterializeRequest, rows: number) => Promise<void> = record;
