/** What the warehouse raw store needs from `storage.warehouse_source` and the environment, resolved once. */
import path from 'node:path';
import { XpError } from '../../core/errors.ts';
import type { ProjectConfig } from '../../project/types.ts';
import type { ChangeProbe } from './source-sql.ts';
import type { UnloadTarget } from './unload.ts';

/** The raw tables a warehouse source can serve, with the config key naming each. */
export const SOURCE_TABLES = ['exposures', 'outcomes'] as const;
export type SourceTable = (typeof SOURCE_TABLES)[number];

export interface WarehouseSettings {
  readonly url: string;
  readonly urlEnv: string;
  /** table → its relation (table name or SQL), only the configured ones */
  readonly relations: ReadonlyMap<SourceTable, string>;
  readonly probe: ChangeProbe;
  readonly batchRows: number;
  /** Redshift's UNLOAD-to-S3 path instead of COPY or a cursor */
  readonly unload: UnloadTarget | undefined;
  /** absolute `<storage.cache>` */
  readonly cacheRoot: string;
  readonly configFile: string;
}

export function resolveWarehouseSettings(config: ProjectConfig, env: NodeJS.ProcessEnv = process.env): WarehouseSettings {
  const ws = config.storage.warehouse_source;
  if (!ws) {
    throw new XpError('CONFIG_INVALID', 'storage.raw is postgres but storage.warehouse_source is missing', {
      location: { file: config.file },
      hint: 'add storage.warehouse_source: { url_env: XP_SOURCE_URL, exposures: <table or SQL>, outcomes: <table or SQL> }',
    });
  }
  const relations = new Map<SourceTable, string>();
  for (const t of SOURCE_TABLES) if (ws[t]) relations.set(t, ws[t]);
  if (relations.size === 0) {
    throw new XpError('CONFIG_INVALID', 'storage.warehouse_source names no table: set exposures and/or outcomes', {
      location: { file: config.file },
      hint: 'e.g. exposures: analytics.exposures, outcomes: "select user_id, … from analytics.events"',
    });
  }
  const url = env[ws.url_env];
  if (!url) {
    throw new XpError('STORAGE_AUTH', `no connection URL for the raw source: environment variable ${ws.url_env} is not set`, {
      location: { file: config.file },
      hint: `export ${ws.url_env}=postgres://user:password@host:5432/database (the name comes from storage.warehouse_source.url_env; credentials live only in the environment)`,
    });
  }
  return {
    url,
    urlEnv: ws.url_env,
    relations,
    probe: ws.change_column ? { kind: 'column', column: ws.change_column } : { kind: 'content' },
    batchRows: ws.batch_rows,
    unload: ws.unload ? { uri: ws.unload.to.replace(/\/+$/, ''), iamRole: ws.unload.iam_role } : undefined,
    cacheRoot: path.resolve(config.root, config.storage.cache),
    configFile: config.file,
  };
}
