/**
 * Typed errors with stable codes. Every error the runner raises on purpose is an XpError:
 * it names where the problem is (file:line, model, experiment, object key), says what to
 * do next (hint) and carries the exit code the CLI uses. Only src/cli/main.ts exits.
 */

export const ExitCode = {
  ok: 0,
  /** a required stage, model or test failed */
  failed: 1,
  /** bad usage, config or project */
  invalid: 2,
  /** warehouse or experiment locked by another process */
  locked: 3,
  /** internal error: a bug */
  internal: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Where the problem is; every field optional, printed in this order. */
export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly model?: string;
  readonly experiment?: string;
  readonly object?: string;
}

/** Stable codes: tests and scripts match on these, never on message text. */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_PARSE'
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'EXPERIMENT_ID_INVALID'
  | 'EXPERIMENT_UNKNOWN'
  | 'SELECTOR_INVALID'
  | 'MODEL_INVALID'
  | 'SEED_INVALID'
  | 'MODEL_REF_UNKNOWN'
  | 'MODEL_CYCLE'
  | 'TEMPLATE_ERROR'
  | 'MODEL_FAILED'
  | 'RAW_DATA_MISSING'
  | 'RAW_DATA_CORRUPT'
  | 'RAW_SCHEMA_INVALID'
  | 'INPUT_CHANGED'
  | 'STORAGE_UNAVAILABLE'
  | 'STORAGE_AUTH'
  | 'STORAGE_NOT_FOUND'
  | 'STAGE_FAILED'
  | 'TEST_FAILED'
  | 'QUERY_FAILED'
  | 'QUERY_REFUSED'
  | 'WAREHOUSE_LOCKED'
  | 'EXPERIMENT_LOCKED'
  | 'LEDGER_CORRUPT'
  | 'STATE_UNAVAILABLE'
  | 'STATE_VERSION'
  | 'STATE_MOVED'
  | 'LIFECYCLE_INVALID'
  | 'CONFIG_CHANGED'
  | 'POLICY_DENIED'
  | 'PLUGIN_INVALID'
  | 'ALERT_FAILED'
  | 'INTERNAL';

const exitCodeOf: Record<ErrorCode, ExitCode> = {
  USAGE: ExitCode.invalid,
  CONFIG_PARSE: ExitCode.invalid,
  CONFIG_INVALID: ExitCode.invalid,
  CONFIG_NOT_FOUND: ExitCode.invalid,
  EXPERIMENT_ID_INVALID: ExitCode.invalid,
  EXPERIMENT_UNKNOWN: ExitCode.invalid,
  SELECTOR_INVALID: ExitCode.invalid,
  MODEL_INVALID: ExitCode.invalid,
  SEED_INVALID: ExitCode.invalid,
  MODEL_REF_UNKNOWN: ExitCode.invalid,
  MODEL_CYCLE: ExitCode.invalid,
  TEMPLATE_ERROR: ExitCode.invalid,
  PLUGIN_INVALID: ExitCode.invalid,
  LIFECYCLE_INVALID: ExitCode.invalid,
  CONFIG_CHANGED: ExitCode.invalid,
  /** the experiment's policy: the actor may not do this, or an approval is missing */
  POLICY_DENIED: ExitCode.invalid,
  MODEL_FAILED: ExitCode.failed,
  RAW_DATA_MISSING: ExitCode.failed,
  RAW_DATA_CORRUPT: ExitCode.failed,
  RAW_SCHEMA_INVALID: ExitCode.failed,
  INPUT_CHANGED: ExitCode.failed,
  STORAGE_UNAVAILABLE: ExitCode.failed,
  STORAGE_AUTH: ExitCode.failed,
  STORAGE_NOT_FOUND: ExitCode.failed,
  STAGE_FAILED: ExitCode.failed,
  TEST_FAILED: ExitCode.failed,
  QUERY_FAILED: ExitCode.failed,
  QUERY_REFUSED: ExitCode.invalid,
  LEDGER_CORRUPT: ExitCode.failed,
  /** like STORAGE_UNAVAILABLE: a service the run needs is down or refuses us; nothing ran, retry once it is back */
  STATE_UNAVAILABLE: ExitCode.failed,
  STATE_VERSION: ExitCode.invalid,
  STATE_MOVED: ExitCode.invalid,
  WAREHOUSE_LOCKED: ExitCode.locked,
  EXPERIMENT_LOCKED: ExitCode.locked,
  /** the webhook refused or could not be reached: the health report itself was still printed */
  ALERT_FAILED: ExitCode.failed,
  INTERNAL: ExitCode.internal,
};

export interface XpErrorInit {
  readonly location?: ErrorLocation;
  readonly hint?: string;
  readonly cause?: unknown;
}

export class XpError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, init: XpErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'XpError';
    this.code = code;
    this.location = init.location ?? {};
    this.hint = init.hint;
    this.exitCode = exitCodeOf[code];
  }
}

/** "configs/dev.yaml:12:5 · model exposures · experiment exp_1" */
export function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) {
    let f = loc.file;
    if (loc.line !== undefined) f += `:${loc.line}`;
    if (loc.line !== undefined && loc.column !== undefined) f += `:${loc.column}`;
    parts.push(f);
  }
  if (loc.model !== undefined) parts.push(`model ${loc.model}`);
  if (loc.experiment !== undefined) parts.push(`experiment ${loc.experiment}`);
  if (loc.object !== undefined) parts.push(`object ${loc.object}`);
  return parts.join(' · ');
}

/** The text the CLI prints to stderr for an error. */
export function formatError(err: unknown): string {
  if (err instanceof XpError) {
    const where = formatLocation(err.location);
    const lines = [`error[${err.code}]${where ? ` ${where}` : ''}: ${err.message}`];
    if (err.hint) lines.push(`  hint: ${err.hint}`);
    return lines.join('\n');
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return `error[INTERNAL]: ${e.message}\n  this is a bug in exp-platform; please report it with the stack below\n${e.stack ?? ''}`;
}

export function exitCodeFor(err: unknown): ExitCode {
  return err instanceof XpError ? err.exitCode : ExitCode.internal;
}
