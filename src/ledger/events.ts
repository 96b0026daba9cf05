/**
 * The ledger's events: one append-only, hash-chained sequence per experiment. Every kind
 * has a typed payload; `LedgerEvent` is the stored row with the payload parsed.
 */
import type { PolicyAction } from '../project/types.ts';
import type { RawObject } from '../storage/types.ts';
import type { ConfigChange, ConfigSnapshot } from './config-snapshot.ts';

export const STATUSES = ['draft', 'running', 'paused', 'completed', 'stopped', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];

export const LIFECYCLE_ACTIONS = ['start', 'pause', 'resume', 'complete', 'stop', 'cancel'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export interface LookPayload {
  /** 1-based, in ledger order */
  readonly look: number;
  readonly informationFraction: number;
  readonly z: number | null;
  readonly boundary: number | null;
  /** cumulative alpha spent up to and including this look */
  readonly alphaSpent: number;
  /** e.g. continue, stop-efficacy, stop-futility */
  readonly decision: string;
  /** the input snapshot the look was taken on: the same snapshot never takes a second look */
  readonly inputHash: string;
  readonly runId?: string;
  /** anything else the plugin wants kept: n per arm, spending function, … */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface Payloads {
  registered: { readonly name: string };
  config_snapshot: {
    readonly config: ConfigSnapshot;
    readonly hash: string;
    readonly designHash: string;
    readonly reason: 'registered' | 'draft-edit' | 'started';
  };
  config_changed: {
    readonly config: ConfigSnapshot;
    readonly hash: string;
    readonly designHash: string;
    readonly previousHash: string;
    /** true when a design field changed (accepted with --accept-config-change) */
    readonly design: boolean;
    readonly changes: readonly ConfigChange[];
  };
  status_changed: { readonly from: Status; readonly to: Status; readonly action: LifecycleAction; readonly reason?: string };
  input_snapshot: { readonly hash: string; readonly objects: readonly RawObject[]; readonly bytes: number; readonly runId: string };
  build_started: {
    readonly runId: string;
    readonly command: string;
    readonly pid: number;
    readonly host: string;
    readonly inputHash: string;
    readonly configHash: string;
    /** the run this one resumes, when the previous build never finished */
    readonly resumes?: string;
    readonly force?: boolean;
  };
  stage_finished: {
    readonly runId: string;
    readonly node: string;
    readonly stage: string;
    readonly fingerprint: string;
    readonly rows?: number;
    readonly seconds: number;
    /** new, stale, full-refresh; `fresh` when a committed result is recorded late (after a crash) */
    readonly reason?: string;
  };
  stage_failed: {
    readonly runId: string;
    readonly node: string;
    readonly stage: string;
    readonly fingerprint?: string;
    readonly code?: string;
    readonly message: string;
    readonly seconds: number;
  };
  stage_skipped: { readonly runId: string; readonly node: string; readonly stage: string; readonly reason: string };
  build_finished: {
    readonly runId: string;
    readonly status: 'success' | 'error';
    readonly seconds: number;
    readonly built: number;
    readonly fresh: number;
    readonly skipped: number;
    readonly failed: number;
  };
  look: LookPayload;
  decision: { readonly decision: string; readonly reason?: string; readonly look?: number; readonly details?: Readonly<Record<string, unknown>> };
  memo_written: { readonly path: string; readonly hash: string; readonly runId?: string };
  /** an approver's consent to one restricted action (src/ledger/policy.ts); the approver is the event's actor */
  approval: { readonly action: PolicyAction; readonly reason?: string };
}

export type EventKind = keyof Payloads;
export const EVENT_KINDS: readonly EventKind[] = [
  'registered', 'config_snapshot', 'config_changed', 'status_changed', 'input_snapshot', 'build_started',
  'stage_finished', 'stage_failed', 'stage_skipped', 'build_finished', 'look', 'decision', 'memo_written',
  'approval',
];

interface EventBase {
  readonly seq: number;
  readonly experimentId: string;
  /** ISO timestamp */
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
  /** who appended it (`XP_ACTOR`, else the OS user); absent on events written before actors existed */
  readonly actor?: string;
  /** base64 ed25519 signature over `hash` (XP_SIGNING_KEY was set); absent on unsigned events */
  readonly signature?: string;
  /** the signing key's id (src/ledger/signing.ts keyIdOf) */
  readonly keyId?: string;
}

/** A stored event, discriminated by kind. */
export type LedgerEvent = { [K in EventKind]: EventBase & { readonly kind: K; readonly payload: Payloads[K] } }[EventKind];

/** What a caller appends: the store adds seq, at, prev_hash and hash. */
export type NewEvent = { [K in EventKind]: { readonly kind: K; readonly payload: Payloads[K] } }[EventKind];
